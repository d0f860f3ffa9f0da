import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import type { Environment } from '../src/domain/catalog.js';
import type { Deployment } from '../src/domain/deployment.js';
import { SlackStandIn } from '../sandbox/slackApi.js';
import { newTrack } from '../src/targets/ecs/evaluate.js';
import { newDeployment } from '../src/usecases/deploy.js';
import { type DescribeCall, TimetableEcs } from './ecsServer.js';
import { startFlags } from './startFlags.js';

export interface FleetOptions {
  readonly rollouts: number;
  readonly clusters: number;
  readonly channels: number;
  readonly intervalMs: number;
  /** When each rollout completes, in ms after Capstan is ready (the same timetable side by side). */
  readonly endsAt: readonly number[];
  /** Clusters whose every DescribeServices fails with ThrottlingException. */
  readonly throttle?: readonly string[];
  readonly port: number;
  /** Flags for node before dist/main.js: by default those Capstan is started with (startFlags()). */
  readonly nodeArgs?: readonly string[];
}

export interface FleetResult {
  readonly rollouts: number;
  /** From spawn until /healthz answered, with every rollout resumed from the ledger. */
  readonly readyMs: number;
  /** Ticks while every rollout was in flight: DescribeServices calls to healthy clusters per tick (median). */
  readonly describeCallsPerTick: number;
  /**
   * The same, counted by look rather than by clock: each healthy cluster's largest look (the calls
   * from one first batch to the next) that began while every rollout was in flight, summed.
   */
  readonly describeCallsPerLook: number;
  readonly servicesPerCall: number;
  readonly listTasksPerTick: number;
  /** ListTasks calls (stopped-task reads) in the busiest second, and on average a second, while rollouts were in flight. */
  readonly listTasksMaxPerSecond: number;
  readonly listTasksPerSecond: number;
  /** Resident memory of the Capstan process: highest sample while it followed them, and the kernel's high-water mark. */
  readonly rssMb: number;
  readonly peakRssMb: number;
  /** The V8 heap in use and reserved at the end (from Capstan's /metrics). */
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  /** Rollouts on healthy clusters, and the ms from ECS reaching each one's end to the chat.update that showed it. */
  readonly expected: number;
  readonly latenciesMs: readonly number[];
  /** The part of each of those spent in Capstan: from ECS answering "completed" to the chat.update. */
  readonly inCapstanMs: readonly number[];
  /** Rollouts on throttled clusters shown as ended (none can be), and DescribeServices tried there per minute. */
  readonly throttledShown: number;
  readonly throttledCallsPerMinute: number;
  /** Calls the bench did not expect (it answers them with an error). */
  readonly unexpected: readonly string[];
}

const POLICY = {
  deployers: [{ kind: 'anyone' as const }],
  approvers: [],
  approvals: 0,
  allowSelfApproval: false,
  approvalTtlMs: 86_400_000,
};

const svc = (i: number) => `svc-${i}`;
const clusterOf = (i: number, clusters: number) => `cluster-${i % clusters}`;
const channelOf = (i: number, channels: number) => `C${String(i % channels).padStart(4, '0')}`;

function environment(i: number, o: FleetOptions): Environment {
  return {
    app: `app${i}`,
    name: 'dev',
    channel: channelOf(i, o.channels),
    target: {
      kind: 'ecs',
      region: 'us-east-1',
      cluster: clusterOf(i, o.clusters),
      service: svc(i),
      container: 'app',
      repository: `app${i}`,
    },
    policy: POLICY,
    rolloutTimeoutMs: 30 * 60_000,
    rollback: 'auto',
  };
}

function configYaml(dir: string, o: FleetOptions): string {
  const apps = Array.from(
    { length: o.rollouts },
    (_, i) =>
      `  app${i}:\n    environments:\n      dev:\n        channel: ${channelOf(i, o.channels)}\n` +
      `        ecs: { region: us-east-1, cluster: ${clusterOf(i, o.clusters)}, service: ${svc(i)}, container: app, repository: app${i} }\n` +
      `        policy: { deployers: ['*'] }\n        rolloutTimeout: 30m\n`,
  );
  return `storage:\n  sqlite: ${join(dir, 'capstan.db')}\npolling:\n  interval: ${o.intervalMs}ms\napps:\n${apps.join('')}`;
}

/** Resident set size of a process, and its high-water mark, in MB (Linux). */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Calls by polling tick: ticks come every interval from the first call on. Under load one tick's
 * calls can run on until close to the next tick, so they are told apart by when each tick began,
 * not by quiet gaps between them.
 */
function ticksOf<T extends { at: number }>(calls: readonly T[], intervalMs: number, first: number): T[][] {
  const ticks: T[][] = [];
  for (const c of calls) (ticks[Math.floor((c.at - first) / intervalMs)] ??= []).push(c);
  return [...ticks].map((t) => t ?? []);
}

/**
 * Each cluster's largest look among those that began before `until`, summed over clusters: a look
 * begins with the call naming the same first service as the cluster's first call (the rollouts of a
 * look are in the same order every look while none has ended), so ticks that run late or overlap
 * the clock's buckets are still told apart.
 */
function largestLooks(calls: readonly DescribeCall[], until: number): number {
  const looks = new Map<string, { anchor: string; sizes: number[]; open: boolean }>();
  for (const c of calls) {
    let l = looks.get(c.cluster);
    if (!l) looks.set(c.cluster, (l = { anchor: c.firstService, sizes: [], open: false }));
    if (c.firstService === l.anchor) {
      l.open = c.at < until;
      if (l.open) l.sizes.push(0);
    }
    if (l.open) l.sizes[l.sizes.length - 1]! += 1;
  }
  return [...looks.values()].reduce((n, l) => n + Math.max(0, ...l.sizes), 0);
}

/**
 * One Capstan process (node dist/main.js, as built) following `rollouts` ECS rollouts at once: they
 * are in its ledger as in flight when it starts, so it resumes them as after a restart, and it talks
 * to ECS (TimetableEcs) and Slack (the stand-in) over HTTP. Its memory is read from /proc, so what is
 * measured is Capstan's alone, not this harness's.
 */
export async function benchFleet(o: FleetOptions): Promise<FleetResult> {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-fleet-'));
  const config = join(dir, 'capstan.yml');
  writeFileSync(config, configYaml(dir, o));
  const slack = new SlackStandIn();
  await slack.start();
  const start = Date.now();
  const ecs = new TimetableEcs(start);
  for (const c of o.throttle ?? []) ecs.throttled.add(c);
  await ecs.start();

  const store = openSqliteStore(join(dir, 'capstan.db'));
  for (let i = 0; i < o.rollouts; i++) {
    const env = environment(i, o);
    // The parent message Capstan posted when the rollout began.
    const parent = slack.addMessage({
      channel: env.channel,
      text: `deploy of ${env.app} 1.0.1 to dev: rolling out`,
      blocks: [],
      user: slack.botUserId,
    });
    const d: Deployment = newDeployment(env, 'deploy', '1.0.1', 'UBENCH', start, {
      state: 'rolling_out',
      messageTs: parent.ts,
      tracking: {
        phase: 'rollout',
        startedAt: start,
        lastProgressAt: start,
        progress: { done: 1, total: 2 },
        // As last seen: one of two new tasks running. Rollouts that began at different moments read
        // their stopped tasks (every fourth look while tasks are missing) in different ticks.
        data: {
          ...newTrack(`td-${svc(i)}`, `dep-${svc(i)}`, start),
          running: 1,
          desired: 2,
          allRunning: 1,
          looks: i % 4,
        },
      },
    });
    await store.create(d);
    ecs.plan(svc(i), o.endsAt[i]!);
  }
  store.close();

  const t0 = performance.now();
  const output: string[] = [];
  const child = spawn(process.execPath, [...(o.nodeArgs ?? startFlags()), 'dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      CAPSTAN_CONFIG: config,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      AWS_ENDPOINT_URL: ecs.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'BENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output.push(...d.toString().split('\n').filter(Boolean));
    output.splice(0, output.length - 20);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${o.port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null) throw new Error(`Capstan exited ${child.exitCode}: ${output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - t0;
    const origin = Date.now();
    ecs.begin(origin);

    const healthy = new Set<string>();
    for (let i = 0; i < o.rollouts; i++)
      if (!ecs.throttled.has(clusterOf(i, o.clusters))) healthy.add(`app${i}`);
    const shownAt = new Map<string, number>();
    let seen = 0;
    const readShown = () => {
      for (; seen < slack.calls.length; seen++) {
        const c = slack.calls[seen]!;
        const text = typeof c.args.text === 'string' ? c.args.text : '';
        if (c.method !== 'chat.update' || !text.endsWith(': succeeded')) continue;
        const app = text.split(' ')[2]!;
        if (!shownAt.has(app)) shownAt.set(app, c.at);
      }
    };
    let rss = 0;
    const deadline = origin + Math.max(...o.endsAt) + o.intervalMs * 4;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Capstan exited ${child.exitCode}: ${output.join('\n')}`);
      rss = Math.max(rss, memoryOf(child.pid!).rss);
      readShown();
      if ([...healthy].every((a) => shownAt.has(a))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const peakRssMb = memoryOf(child.pid!).hwm;
    const metrics = await fetch(`http://127.0.0.1:${o.port}/metrics`).then((r) => r.text());
    const gauge = (name: string) =>
      Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20;
    const end = Date.now();

    const firstEnd = origin + Math.min(...o.endsAt);
    // The ticks that began while every rollout was in flight.
    const healthyCalls = ecs.describes.filter((c) => !c.throttled && c.at >= origin);
    const first = healthyCalls[0]?.at ?? origin;
    const whole = Math.ceil((firstEnd - first) / o.intervalMs);
    const inFlightTicks = ticksOf(healthyCalls, o.intervalMs, first).slice(0, whole);
    const listTasks = ticksOf(
      ecs.others.filter((c) => c.operation === 'ListTasks' && c.at >= first),
      o.intervalMs,
      first,
    ).slice(0, whole);
    const calls = inFlightTicks.flat();
    const listed = ecs.others.filter((c) => c.operation === 'ListTasks' && c.at >= origin);
    const bySecond = new Map<number, number>();
    for (const c of listed)
      bySecond.set(
        Math.floor((c.at - origin) / 1000),
        (bySecond.get(Math.floor((c.at - origin) / 1000)) ?? 0) + 1,
      );
    const throttledCalls = ecs.describes.filter((c) => c.throttled && c.at >= origin).length;
    return {
      rollouts: o.rollouts,
      readyMs,
      describeCallsPerTick: median(inFlightTicks.map((t) => t.length)),
      describeCallsPerLook: largestLooks(healthyCalls, firstEnd),
      servicesPerCall: calls.reduce((n, c) => n + c.services, 0) / Math.max(1, calls.length),
      listTasksPerTick: median(listTasks.map((t) => t.length)),
      listTasksMaxPerSecond: Math.max(0, ...bySecond.values()),
      listTasksPerSecond: (listed.length * 1000) / Math.max(1, end - origin),
      rssMb: rss,
      peakRssMb,
      heapUsedMb: gauge('nodejs_heap_size_used_bytes'),
      heapTotalMb: gauge('nodejs_heap_size_total_bytes'),
      expected: healthy.size,
      latenciesMs: [...shownAt]
        .filter(([app]) => healthy.has(app))
        .map(([app, at]) => at - ecs.completeAt.get(svc(Number(app.slice(3))))!),
      inCapstanMs: [...shownAt]
        .filter(([app]) => healthy.has(app))
        .map(([app, at]) => at - ecs.answeredAt.get(svc(Number(app.slice(3))))!),
      throttledShown: [...shownAt.keys()].filter((a) => !healthy.has(a)).length,
      throttledCallsPerMinute: (throttledCalls * 60_000) / Math.max(1, end - origin),
      unexpected: [...new Set(ecs.others.map((c) => c.operation).filter((op) => op !== 'ListTasks'))],
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await Promise.all([ecs.stop(), slack.stop()]);
  }
}
