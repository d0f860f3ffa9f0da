import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { SlackStandIn } from '../sandbox/slackApi.js';
import { startFlags } from './startFlags.js';

const APPS = `apps:\n  todobackend:\n    environments:\n      dev:\n        channel: C0DEV\n        ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: r }\n        policy: { deployers: ["*"] }\n`;

/**
 * `node dist/main.js` from spawn to a 200 on /healthz, `runs` times. On SQLite, or on DynamoDB
 * (dynalite) as a first start: each run creates its own table, which dynalite makes ACTIVE at once,
 * so what is measured is Capstan's own part of it.
 */
export async function benchStartup(
  runs: number,
  storage: 'sqlite' | 'dynamodb' = 'sqlite',
): Promise<number[]> {
  const slack = new SlackStandIn();
  await slack.start();
  const db: Server | undefined =
    storage === 'dynamodb' ? dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) : undefined;
  if (db) await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-start-'));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const file = join(dir, `capstan-${i}.yml`);
    writeFileSync(
      file,
      db
        ? `storage:\n  dynamodb: { table: capstan-start-${i}, region: us-east-1 }\n${APPS}`
        : `storage: { sqlite: ${join(dir, 'db.sqlite')} }\n${APPS}`,
    );
    const port = 4700 + i + (db ? 50 : 0);
    const t0 = performance.now();
    const child = spawn(process.execPath, [...startFlags(), 'dist/main.js'], {
      env: {
        PATH: process.env.PATH,
        CAPSTAN_CONFIG: file,
        SLACK_BOT_TOKEN: 'xoxb-bench',
        SLACK_SIGNING_SECRET: 's',
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        AWS_REGION: 'us-east-1',
        ...(db && {
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(db.address() as AddressInfo).port}`,
          AWS_ACCESS_KEY_ID: 'BENCH',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_EC2_METADATA_DISABLED: 'true',
        }),
      },
      stdio: 'ignore',
    });
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`Capstan (${storage}) exited ${child.exitCode} before it was ready`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    times.push(performance.now() - t0);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await slack.stop();
  if (db) await new Promise<void>((resolve) => db.close(() => resolve()));
  return times;
}
