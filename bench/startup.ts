import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlackStandIn } from '../sandbox/slackApi.js';
import { startFlags } from './startFlags.js';

/** `node dist/main.js` from spawn to a 200 on /healthz, `runs` times. */
export async function benchStartup(runs: number): Promise<number[]> {
  const slack = new SlackStandIn();
  await slack.start();
  const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-start-'));
  const file = join(dir, 'capstan.yml');
  writeFileSync(
    file,
    `storage: { sqlite: ${join(dir, 'db.sqlite')} }\napps:\n  todobackend:\n    environments:\n      dev:\n        channel: C0DEV\n        ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: r }\n        policy: { deployers: ["*"] }\n`,
  );
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = 4700 + i;
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
      },
      stdio: 'ignore',
    });
    for (;;) {
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
  return times;
}
