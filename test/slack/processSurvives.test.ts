import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SlackStandIn } from '../../sandbox/slackApi.js';

const root = new URL('../..', import.meta.url).pathname;
const APP_TOKEN = 'xapp-1-process';
/** `src/main.ts`, compiled once for the run (test/support/capstanBuild.ts). */
const MAIN = inject('capstanMain');

describe('the capstan process in Socket Mode, sent what Slack should never send', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-survives-'));
  const slack = new SlackStandIn({ appToken: APP_TOKEN });
  beforeAll(async () => {
    await slack.start();
  });
  afterAll(async () => {
    await slack.stop();
  });

  it('an events_api envelope without an event is acknowledged and logged; the process keeps serving on the port it reports', async () => {
    const file = join(dir, 'capstan.yml');
    writeFileSync(
      file,
      `storage: { sqlite: ${join(dir, 'db.sqlite')} }\napps:\n  todobackend:\n    environments:\n      dev:\n        channel: C0DEV\n        ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: r }\n        policy: { deployers: ["*"] }\n`,
    );
    const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        CAPSTAN_CONFIG: file,
        SLACK_BOT_TOKEN: 'xoxb-process-test',
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        AWS_REGION: 'us-east-1',
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        exitCode = code;
        resolve(code);
      }),
    );
    try {
      await slack.waitFor(() => /Capstan is ready/.test(out) && slack.socket.connected, 20_000);
      const port = Number(/"port":(\d+)/.exec(out)?.[1]);
      expect(port).toBeGreaterThan(0);

      const envelope = {
        envelope_id: 'env-no-event',
        type: 'events_api',
        payload: { type: 'event_callback', event_id: 'Ev1', team_id: 'T0SANDBOX' },
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: '',
      };
      const ack = await slack.socket.sendRaw(JSON.stringify(envelope), { envelopeId: 'env-no-event' });
      expect(ack?.envelopeId).toBe('env-no-event');
      await slack.socket.sendRaw('null');
      await slack.socket.sendRaw('{"type":"events_api","envelope_id":"x","payload":{"event":null}}', {
        envelopeId: 'x',
      });

      const help = await slack.socket.send('slash_commands', {
        command: '/deploy',
        text: 'help',
        user_id: 'U0ALICE',
        channel_id: 'C0DEV',
        response_url: slack.responseUrl('process-help'),
        trigger_id: 'trigger-process',
      });
      expect(help.payload).toMatchObject({ text: 'Capstan: /deploy commands' });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(exitCode).toBeUndefined();
      expect(out).toContain('events_api payload has no event');
      expect(out).not.toContain('xoxb-process-test');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
