import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fakes, startFakes } from './fakes.js';
import { startFlags } from './startFlags.js';

const SECRET = 'bench-signing-secret';
const BURST = 50;
const ROUNDS = 40;
/** Bursts per process before the measured rounds. */
const WARM_UP = 5;

export interface AckBench {
  /** ms from sending each signed command until its acknowledgement was read, per process. */
  readonly capstan: readonly number[];
  readonly bare: readonly number[];
  /** Each burst's span on the monotonic clock (process.hrtime, µs), so a CPU profile can be cut to them. */
  readonly bursts: readonly {
    readonly target: 'capstan' | 'bare';
    readonly fromUs: number;
    readonly toUs: number;
  }[];
  /** CPU time (user + system, ms) each process spent during its own bursts, and in all (Linux; 0 elsewhere). */
  readonly cpuMs: {
    readonly capstan: { readonly inBursts: number; readonly total: number };
    readonly bare: { readonly inBursts: number; readonly total: number };
  };
  /** The first burst after start, for each process (not in the figures above): cold code, clients not loaded yet. */
  readonly cold: { readonly capstan: readonly number[]; readonly bare: readonly number[] };
  /** What Capstan posted to the response_urls (the status answers), to see that it answered. */
  readonly answers: readonly Record<string, unknown>[];
}

/** CPU time of a process so far in ms, from /proc (10 ms ticks); 0 where there is no /proc. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function writeConfig(dir: string): string {
  const file = join(dir, 'capstan.yml');
  const yaml = readFileSync('sandbox/capstan.yml', 'utf8')
    .replace('__DATA__', dir)
    .replace('__POLL__', '5s')
    .replaceAll('__BAKE__', '10m');
  writeFileSync(file, yaml);
  return file;
}

async function until(ready: () => Promise<boolean>, child: ChildProcess, what: string): Promise<void> {
  for (;;) {
    if (await ready()) return;
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode} before it was ready`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One signed slash command, as Slack sends it; resolves with the ms until its acknowledgement was read. */
async function command(url: string, fakes: Fakes, i: number): Promise<number> {
  const body = new URLSearchParams({
    team_id: 'T0SANDBOX',
    channel_id: 'C0DEV',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command: '/deploy',
    text: i % 5 === 0 ? 'help' : 'status todobackend',
    response_url: `${fakes.slackUrl}/response/bench-${i}`,
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
  const took = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
  return took;
}

/**
 * Bursts of 50 signed slash commands at once, 40 rounds, sent alternately to Capstan as its own
 * process (node dist/main.js, backed by the simulated AWS account and the Slack stand-in in this
 * process) and to a bare Bolt app beside it (bench/bareBolt.js) that only acknowledges. Which of
 * the two goes first alternates from round to round, so both see the same machine. `nodeArgs` go to
 * both processes (--cpu-prof when looking for a cause).
 */
export async function benchAck(nodeArgs: readonly string[] = []): Promise<AckBench> {
  const fakes = await startFakes();
  const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-ack-'));
  const env = {
    PATH: process.env.PATH,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fakes.apiUrl,
    HOST: '127.0.0.1',
  };
  const capstan = spawn(process.execPath, [...nodeArgs, ...startFlags(), 'dist/main.js'], {
    env: {
      ...env,
      CAPSTAN_CONFIG: writeConfig(dir),
      PORT: '4690',
      AWS_ENDPOINT_URL: fakes.awsUrl,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'BENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      LOG_LEVEL: 'warn',
    },
    // BENCH_ACK_OUT names a file for Capstan's output (--trace-gc when looking for a cause).
    stdio: [
      'ignore',
      process.env.BENCH_ACK_OUT ? openSync(process.env.BENCH_ACK_OUT, 'w') : 'ignore',
      'ignore',
    ],
  });
  const bare = spawn(process.execPath, [...nodeArgs, 'bench/bareBolt.js'], {
    env: { ...env, PORT: '4691' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let bareReady = false;
  bare.stdout.on('data', (d: Buffer) => (bareReady ||= d.toString().includes('ready')));
  const exits = [capstan, bare].map((c) => new Promise((r) => c.once('exit', r)));
  try {
    await until(
      () =>
        fetch('http://127.0.0.1:4690/healthz').then(
          (r) => r.status === 200,
          () => false,
        ),
      capstan,
      'Capstan',
    );
    await until(async () => bareReady, bare, 'the bare Bolt app');
    const targets = [
      { url: 'http://127.0.0.1:4690/slack/events', samples: [] as number[] },
      { url: 'http://127.0.0.1:4691/slack/events', samples: [] as number[] },
    ];
    let n = 0;
    const bursts: { target: 'capstan' | 'bare'; fromUs: number; toUs: number }[] = [];
    const cpu = {
      capstan: { inBursts: 0, total: cpuMsOf(capstan.pid) },
      bare: { inBursts: 0, total: cpuMsOf(bare.pid) },
    };
    const us = () => Number(process.hrtime.bigint() / 1000n);
    // Warm-up, as measured rounds are run: both processes compile their hot paths, and Capstan loads
    // the AWS clients its status answers need (lazily, src/lib/lazy.ts). Each first burst is kept: it
    // is what a burst right after a start meets. As in the measured rounds, a burst goes once Capstan
    // answered the one before it.
    const cold = { capstan: [] as number[], bare: [] as number[] };
    let statusSent = 0;
    for (let k = 0; k < WARM_UP; k++) {
      for (const [name, t] of [
        ['capstan', targets[0]!],
        ['bare', targets[1]!],
      ] as const) {
        const base = n;
        n += BURST;
        const took = await Promise.all(
          Array.from({ length: BURST }, (_, i) => command(t.url, fakes, base + i)),
        );
        if (k === 0) cold[name].push(...took);
        if (name === 'capstan') {
          statusSent += took.filter((_, i) => (base + i) % 5 !== 0).length;
          await fakes.answered(statusSent, 30_000);
        }
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const base = n;
        n += BURST;
        const target = t === targets[0] ? 'capstan' : 'bare';
        const child = t === targets[0] ? capstan : bare;
        const [fromUs, cpu0] = [us(), cpuMsOf(child.pid)];
        t.samples.push(
          ...(await Promise.all(Array.from({ length: BURST }, (_, i) => command(t.url, fakes, base + i)))),
        );
        cpu[target].inBursts += cpuMsOf(child.pid) - cpu0;
        bursts.push({ target, fromUs, toUs: us() });
        // Each burst is measured on its own: Capstan's work after the acknowledgements (its status
        // answers) is done before the next burst, of either process, begins, then 200 ms more go by.
        if (target === 'capstan') {
          statusSent += Array.from({ length: BURST }, (_, i) => base + i).filter((i) => i % 5 !== 0).length;
          await fakes.answered(statusSent, 10_000);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    cpu.capstan.total = cpuMsOf(capstan.pid) - cpu.capstan.total;
    cpu.bare.total = cpuMsOf(bare.pid) - cpu.bare.total;
    return {
      capstan: targets[0]!.samples,
      bare: targets[1]!.samples,
      bursts,
      cpuMs: cpu,
      answers: await fakes.answers(),
      cold,
    };
  } finally {
    capstan.kill('SIGTERM');
    bare.kill('SIGTERM');
    await Promise.all(exits);
    await fakes.stop();
  }
}
