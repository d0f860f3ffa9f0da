import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SlackStandIn } from '../sandbox/slackApi.js';

const root = new URL('..', import.meta.url).pathname;
/** `src/main.ts`, compiled once for the run (test/support/capstanBuild.ts). */
const MAIN = inject('capstanMain');

function run(env: Record<string, string>, untilOutput?: RegExp) {
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const matched = untilOutput
    ? new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no match in output:\n${out}\n${err}`)), 15_000);
        child.stdout.on('data', () => {
          if (untilOutput.test(out)) {
            clearTimeout(t);
            resolve();
          }
        });
      })
    : Promise.resolve();
  return { child, exited, matched, output: () => ({ out, err }) };
}

describe('the capstan process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-main-'));
  const slack = new SlackStandIn();
  beforeAll(async () => {
    await slack.start();
  });
  afterAll(async () => {
    await slack.stop();
  });

  it('with a broken configuration prints every problem by path and exits non-zero, without a stack trace', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      'apps:\n  todobackend:\n    environments:\n      prod:\n        channel: C1\n        cloudformation: {region: us-east-1, imageParameter: X, repository: r}\n        policy: {deployers: ["*"]}\n',
    );
    const p = run({ CAPSTAN_CONFIG: file });
    const code = await p.exited;
    const { err } = p.output();
    expect(code).toBe(2);
    expect(err).toContain('SLACK_BOT_TOKEN: required');
    expect(err).toContain('apps.todobackend.environments.prod.cloudformation.stack: required');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('with a valid configuration starts and answers /healthz', async () => {
    const file = join(dir, 'good.yml');
    writeFileSync(
      file,
      `storage: { sqlite: ${join(dir, 'db.sqlite')} }\napps:\n  todobackend:\n    environments:\n      dev:\n        channel: C0DEV\n        ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: r }\n        policy: { deployers: ["*"] }\n`,
    );
    const p = run(
      {
        CAPSTAN_CONFIG: file,
        SLACK_BOT_TOKEN: 'xoxb-secret-value',
        SLACK_SIGNING_SECRET: 'shh',
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        AWS_REGION: 'us-east-1',
      },
      /Capstan is ready/,
    );
    try {
      await p.matched;
      const port = Number(/"port":(\d+)/.exec(p.output().out)?.[1]);
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(r.status).toBe(200);
      expect(p.output().out).not.toContain('xoxb-secret-value');
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  });
});
