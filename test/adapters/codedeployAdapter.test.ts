import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCodeDeployAdapter } from '../../src/adapters/aws/codedeploy.js';

/**
 * A CodeDeploy endpoint on loopback that drops the connection of every request, as when an answer
 * is lost on the way back: the real SDK client (with its retry strategy) talks to it.
 */
let server: Server;
const calls: string[] = [];
const saved = { ...process.env };

beforeEach(async () => {
  calls.length = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '',
      );
      res.socket?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.env.AWS_ENDPOINT_URL_CODEDEPLOY = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  delete process.env.AWS_PROFILE;
});
afterEach(async () => {
  process.env = { ...saved };
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ref = { region: 'us-east-1', application: 'todobackend', group: 'todobackend-prod' };

describe('CodeDeploy adapter: never two deployments for one request', () => {
  it('CreateDeployment whose answer is lost is sent once: the SDK does not retry it (Capstan reconciles first)', async () => {
    const cd = createCodeDeployAdapter();
    await expect(
      cd.createDeployment(ref, { kind: 'appspec', content: '{}' }, 'Capstan r-1 by U0ALICE: 1.2.3'),
    ).rejects.toThrow();
    expect(calls.filter((c) => c === 'CreateDeployment')).toHaveLength(1);
  });

  it('reads are still retried by the SDK', async () => {
    const cd = createCodeDeployAdapter();
    await expect(cd.getDeployment('us-east-1', 'd-ABCDEF123')).rejects.toThrow();
    expect(calls.filter((c) => c === 'GetDeployment').length).toBeGreaterThan(1);
  });
});
