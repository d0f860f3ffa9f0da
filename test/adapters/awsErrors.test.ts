import { describe, expect, it } from 'vitest';
import { toCapstanError } from '../../src/adapters/aws/errors.js';

const op = { action: 'codedeploy:GetDeployment', resource: 'CodeDeploy deployment d-1', region: 'us-east-1' };
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('AWS errors say exactly what is wrong', () => {
  it.each([
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['ExpiredToken', 'The provided token has expired.'],
  ])('%s: expired credentials, not a missing IAM permission', (name, message) => {
    const e = toCapstanError(sdkError(name, message), op);
    expect(e.code).toBe('expired');
    expect(e.message).toContain('have expired');
    expect(e.message).toContain('CodeDeploy deployment d-1 (us-east-1)');
    expect(e.message).not.toMatch(/allow .* in Capstan's IAM policy/);
  });

  it('RequestExpired points at the clock, not at IAM', () => {
    const e = toCapstanError(sdkError('RequestExpired', 'Request has expired.'), op);
    expect(e.code).toBe('expired');
    expect(e.message).toContain('clock');
  });

  it('an unknown access key is named as such, not as a missing permission', () => {
    const e = toCapstanError(
      sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      op,
    );
    expect(e.code).toBe('no_credentials');
    expect(e.message).not.toContain('IAM policy');
  });

  it('access denied still names the missing permission', () => {
    const e = toCapstanError(
      sdkError(
        'AccessDeniedException',
        'User: arn:aws:sts::1:assumed-role/capstan/x is not authorized to perform: codedeploy:GetDeployment on resource: arn:aws:codedeploy:us-east-1:1:deploymentgroup:todobackend/todobackend-canary',
      ),
      op,
    );
    expect(e.code).toBe('access_denied');
    expect(e.message).toContain("allow codedeploy:GetDeployment in Capstan's IAM policy");
  });
});
