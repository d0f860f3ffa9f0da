import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedAws } from '../src/sandbox/aws/server.js';
import { SlackStandIn } from '../src/sandbox/slackApi.js';
import { benchReplicas } from './replicas.js';
import { benchEvents } from './events.js';
import type { RolloutBench } from './rollouts.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const row = (what: string, value: string, target: string, ok: boolean) =>
  console.log(`${ok ? 'PASS' : 'MISS'}  ${what.padEnd(58)} ${value.padEnd(22)} target ${target}`);

const SECRET = 'bench-signing-secret';

function writeConfig(dir: string): string {
  const file = join(dir, 'capstan.yml');
  const yaml = readFileSync('src/sandbox/capstan.yml', 'utf8')
    .replace('__DATA__', dir)
    .replace('__POLL__', '5s');
  writeFileSync(file, yaml);
  return file;
}

async function waitHealthy(port: number): Promise<void> {
  for (;;) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * 50 signed slash commands at once, 20 rounds, sent to Capstan running as its own process
 * (node dist/main.js), backed by the simulated AWS account and the Slack stand-in in this process.
 */
async function benchAck() {
  const aws = new SimulatedAws(1000);
  await aws.start();
  const slack = new SlackStandIn();
  await slack.start();
  const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-ack-'));
  const port = 4690;
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      CAPSTAN_CONFIG: writeConfig(dir),
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'BENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  await waitHealthy(port);
  const url = `http://127.0.0.1:${port}/slack/events`;
  const samples: number[] = [];
  const send = async (i: number) => {
    const body = new URLSearchParams({
      team_id: 'T0SANDBOX',
      channel_id: 'C0DEV',
      user_id: 'U0ALICE',
      user_name: 'alice',
      command: '/deploy',
      text: i % 5 === 0 ? 'help' : 'status todobackend',
      response_url: slack.responseUrl(`bench-${i}`),
      trigger_id: `t${i}`,
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
    const t0 = performance.now();
    const r = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `v0=${sig}`,
      },
    });
    await r.text();
    samples.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`status ${r.status}`);
  };
  for (let i = 0; i < 50; i++) await send(i); // warm-up
  samples.length = 0;
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => send(1000 + round * 50 + i)));
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await Promise.all([aws.stop(), slack.stop()]);
  return samples;
}

/** `node dist/main.js` from spawn to a 200 on /healthz. */
async function benchStartup(runs: number) {
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
    const child = spawn(process.execPath, ['dist/main.js'], {
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

function rolloutsInOwnProcess(n: number, clusters: number, spreadMs: number): Promise<RolloutBench> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/rolloutsMain.ts', String(n), String(clusters), String(spreadMs)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as RolloutBench)
        : reject(new Error(`rollout bench exited ${code}`)),
    );
  });
}

async function main() {
  console.log(`Capstan benchmarks on ${process.platform}/${process.arch}, node ${process.version}\n`);
  const ack = await benchAck();
  row('Slack ack, 50 concurrent signed commands (p50)', ms(pct(ack, 50)), '-', true);
  row('Slack ack, 50 concurrent signed commands (p99)', ms(pct(ack, 99)), '< 25 ms', pct(ack, 99) < 25);

  const startup = await benchStartup(5);
  row(
    'start-up to ready, node dist/main.js (median of 5)',
    ms(pct(startup, 50)),
    '< 1500 ms',
    pct(startup, 50) < 1500,
  );

  const scale = await rolloutsInOwnProcess(300, 3, 60_000);
  row('rollouts in flight in one process', String(scale.inFlight), 'hundreds', scale.inFlight >= 100);
  row(
    'DescribeServices calls per polling tick',
    `${scale.describeCallsPerTick} (${scale.servicesPerCall.toFixed(1)} svc/call)`,
    '≤ 1 per 10 services',
    scale.servicesPerCall >= 10 - 1e-9,
  );
  row(
    'memory with those rollouts (RSS)',
    `${scale.rssMb.toFixed(0)} MB (heap ${scale.heapMb.toFixed(0)} MB)`,
    '< 150 MB',
    scale.rssMb < 150,
  );
  row(
    'rollout end shown in Slack after ECS reached it (median)',
    ms(pct(scale.latenciesMs, 50)),
    '< 3000 ms',
    pct(scale.latenciesMs, 50) < 3000,
  );
  row('rollout end shown in Slack after ECS reached it (p90)', ms(pct(scale.latenciesMs, 90)), '-', true);
  row(
    'rollouts whose end was shown',
    `${scale.latenciesMs.length}/${scale.inFlight}`,
    'all',
    scale.latenciesMs.length === scale.inFlight,
  );

  const ev = await benchEvents();
  const [evP50, pollP50] = [pct(ev.events.latenciesMs, 50), pct(ev.polling.latenciesMs, 50)];
  const [evCalls, pollCalls] = [ev.events.describeCallsPerRollout, ev.polling.describeCallsPerRollout];
  console.log(
    `\n${ev.events.rollouts} rollouts of ${ev.durationsMs.map((d) => d / 1000).join('-')} s, polled every ${ev.intervalMs / 1000} s; with ECS events through the queue vs polling alone:`,
  );
  row(
    'rollout end shown in Slack after the event (median)',
    `${ms(evP50)} vs ${ms(pollP50)}`,
    '< 1000 ms',
    evP50 < 1000,
  );
  row(
    'rollout end shown in Slack after the event (p90)',
    `${ms(pct(ev.events.latenciesMs, 90))} vs ${ms(pct(ev.polling.latenciesMs, 90))}`,
    '-',
    true,
  );
  row(
    'DescribeServices calls per rollout',
    `${evCalls.toFixed(1)} vs ${pollCalls.toFixed(1)} (${((100 * evCalls) / pollCalls).toFixed(0)}%)`,
    '≤ a third',
    evCalls <= pollCalls / 3,
  );
  row(
    'rollouts whose end was shown, with events',
    `${ev.events.latenciesMs.length}/${ev.events.rollouts}`,
    'all',
    ev.events.latenciesMs.length === ev.events.rollouts,
  );

  const rep = await benchReplicas();
  const takeover = Math.max(...rep.takeoverMs);
  row(
    `${rep.replicas} replicas, ${rep.deploys} deploys, kill -9 of the busiest: ended`,
    `${rep.succeeded}/${rep.ended} succeeded`,
    'all',
    rep.ended === rep.deploys && rep.succeeded === rep.deploys,
  );
  row('every outcome posted exactly once', rep.postedOnce ? 'yes' : 'no', 'yes', rep.postedOnce);
  row(
    `takeover of its ${rep.orphaned} rollouts (max) vs lease ${ms(rep.leaseMs)}`,
    ms(takeover),
    `≤ ${ms(rep.leaseMs + rep.allowanceMs)}`,
    takeover <= rep.leaseMs + rep.allowanceMs,
  );
  row('takeover after kill -9 (median)', ms(pct([...rep.takeoverMs], 50)), '-', true);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
