import { describe, expect, it } from 'vitest';
import { toCapstanError } from '../../src/adapters/aws/errors.js';
import { sayError } from '../../src/views/facts/index.js';

const op = { action: 'codedeploy:GetDeployment', resource: 'CodeDeploy deployment d-1', region: 'us-east-1' };
const where = { resource: op.resource, region: op.region };
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('AWS errors say exactly what is wrong', () => {
  it.each([
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['ExpiredToken', 'The provided token has expired.'],
  ])('%s: expired credentials, not a missing IAM permission', (name, message) => {
    const e = toCapstanError(sdkError(name, message), op);
    expect(e.code).toBe('expired');
    expect(e.fact).toEqual({ kind: 'aws.expired', ...where, what: 'session', code: name });
    expect(sayError(e)).toContain('have expired');
    expect(sayError(e)).toContain('CodeDeploy deployment d-1 (us-east-1)');
    expect(sayError(e)).not.toMatch(/allow .* in Capstan's IAM policy/);
  });

  it('RequestExpired points at the clock, not at IAM', () => {
    const e = toCapstanError(sdkError('RequestExpired', 'Request has expired.'), op);
    expect(e.code).toBe('expired');
    expect(e.fact).toMatchObject({ kind: 'aws.expired', what: 'request' });
    expect(sayError(e)).toContain('clock');
  });

  it('an unknown access key is named as such, not as a missing permission', () => {
    const e = toCapstanError(
      sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      op,
    );
    expect(e.code).toBe('no_credentials');
    expect(e.fact).toMatchObject({ kind: 'aws.unknownKey', code: 'InvalidClientTokenId' });
    expect(sayError(e)).not.toContain('IAM policy');
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
    expect(e.fact).toEqual({ kind: 'aws.accessDenied', ...where, action: 'codedeploy:GetDeployment' });
    expect(sayError(e)).toBe(
      "AWS denied codedeploy:GetDeployment on CodeDeploy deployment d-1 (us-east-1): allow codedeploy:GetDeployment in Capstan's IAM policy.",
    );
  });

  it('throttling, a missing resource and any other error keep what AWS said, escaped once where worded', () => {
    expect(sayError(toCapstanError(sdkError('ThrottlingException', 'Rate exceeded'), op))).toBe(
      'AWS is throttling codedeploy:GetDeployment on CodeDeploy deployment d-1 (us-east-1); try again in a minute.',
    );
    const gone = toCapstanError(sdkError('DeploymentDoesNotExistException', 'd-1 <gone> & *away*'), op);
    expect(gone.fact).toEqual({ kind: 'aws.notFound', ...where, message: 'd-1 <gone> & *away*' });
    expect(sayError(gone)).toBe(
      'CodeDeploy deployment d-1 was not found in us-east-1 (d-1 &lt;gone&gt; &amp; *away*).',
    );
    const other = toCapstanError(sdkError('InternalFailure', 'a < b'), op);
    expect(other.code).toBe('upstream');
    expect(sayError(other)).toBe(
      'codedeploy:GetDeployment on CodeDeploy deployment d-1 (us-east-1) failed: a &lt; b',
    );
  });

  it('no credentials at all says how to give Capstan some', () => {
    const e = toCapstanError(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      op,
    );
    expect(e.code).toBe('no_credentials');
    expect(sayError(e)).toBe(
      'No AWS credentials to read CodeDeploy deployment d-1 (us-east-1): give Capstan a role or set AWS_PROFILE.',
    );
  });
});
