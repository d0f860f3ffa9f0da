import { benchAck } from './ack.js';
import { benchEvents } from './events.js';
import { type FleetResult, benchFleet } from './fleet.js';
import { benchReplicas } from './replicas.js';
import { startFlags } from './startFlags.js';
import { benchStartup } from './startup.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
/** A row with a target says PASS or MISS; one without (`ok` undefined) is a figure to read. */
const row = (what: string, value: string, target: string, ok?: boolean) =>
  console.log(
    `${ok === undefined ? 'info' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(64)} ${value.padEnd(30)} target ${target}`,
  );

/** `npm run bench -- ack fleet` runs those parts alone; no argument runs them all. */
const PARTS = ['ack', 'startup', 'fleet', 'events', 'replicas'] as const;
type Part = (typeof PARTS)[number];

function chosenParts(args: readonly string[]): ReadonlySet<Part> {
  const unknown = args.filter((a) => !(PARTS as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark part ${unknown.join(', ')}: choose among ${PARTS.join(', ')}`);
  return new Set(args.length === 0 ? PARTS : (args as Part[]));
}

async function main() {
  const parts = chosenParts(process.argv.slice(2));
  console.log(
    `Capstan benchmarks on ${process.platform}/${process.arch}, node ${process.version}, Capstan started as node ${[...startFlags(), 'dist/main.js'].join(' ')}\n`,
  );
  if (parts.has('ack')) await ackPart();
  if (parts.has('startup')) await startupPart();
  if (parts.has('fleet')) await fleetPart();
  if (parts.has('events')) await eventsPart();
  if (parts.has('replicas')) await replicasPart();
}

async function ackPart() {
  const ack = await benchAck();
  const [capP50, capP99, bareP50, bareP99] = [
    pct([...ack.capstan], 50),
    pct([...ack.capstan], 99),
    pct([...ack.bare], 50),
    pct([...ack.bare], 99),
  ];
  // Within the bare app's p99 by whichever allowance is larger: 20 %, or 5 ms (at small figures).
  const ackAllowance = Math.max(bareP99 * 1.2, bareP99 + 5);
  console.log(
    `${ack.capstan.length / 50} bursts of 50 concurrent signed /deploy commands each (after 5 warm-up bursts), alternating between Capstan (node dist/main.js) and a bare Bolt app that only acknowledges:`,
  );
  row('Slack ack, Capstan (p50 / p99)', `${ms(capP50)} / ${ms(capP99)}`, '-');
  row('Slack ack, bare Bolt app (p50 / p99)', `${ms(bareP50)} / ${ms(bareP99)}`, '-');
  row(
    'Slack ack, first burst after start: slowest, Capstan / bare app',
    `${ms(Math.max(...ack.cold.capstan))} / ${ms(Math.max(...ack.cold.bare))}`,
    '-',
  );
  row(
    "Capstan's ack p99 vs the bare app's",
    `${(capP99 / bareP99).toFixed(2)}× (${capP99 - bareP99 >= 0 ? '+' : ''}${ms(capP99 - bareP99)})`,
    `≤ ${ms(ackAllowance)} (${bareP99 * 1.2 >= bareP99 + 5 ? '1.2×' : '+5 ms'})`,
    capP99 <= ackAllowance,
  );
}

async function startupPart() {
  const startup = await benchStartup(5);
  row(
    'start-up to ready, node dist/main.js (median of 5)',
    ms(pct(startup, 50)),
    '< 1500 ms',
    pct(startup, 50) < 1500,
  );
  const first = await benchStartup(5, 'dynamodb');
  row(
    '  first start on DynamoDB, creating its table (dynalite, median of 5)',
    ms(pct(first, 50)),
    '< 1500 ms',
    pct(first, 50) < 1500,
  );
}

async function fleetPart() {
  // The same timetable for both processes: rollouts end over SPREAD_MS, after a first stretch
  // with every one of them in flight (the ticks counted for calls per tick).
  const [n, clusters, channels, intervalMs] = [1000, 10, 100, 5000];
  const [FIRST_END_MS, SPREAD_MS] = [20_000, 45_000];
  const endsAt = Array.from({ length: n }, () => FIRST_END_MS + Math.random() * SPREAD_MS);
  const fleet = { rollouts: n, clusters, channels, intervalMs, endsAt };
  const [healthy, throttled] = await Promise.all([
    benchFleet({ ...fleet, port: 4810 }),
    benchFleet({ ...fleet, port: 4811, throttle: ['cluster-0'] }),
  ]);
  console.log(
    `\n${n} ECS rollouts over ${clusters} clusters and ${channels} channels, ending ${FIRST_END_MS / 1000}-${(FIRST_END_MS + SPREAD_MS) / 1000} s after start, polled every ${intervalMs / 1000} s, each service answering with its last 100 events; two Capstan processes side by side, all clusters healthy | every DescribeServices on cluster-0 throttled:`,
  );
  row('rollouts in flight in one process', String(healthy.rollouts), '1,000', healthy.rollouts >= 1000);
  row('start-up to ready with all of them resumed from the ledger', ms(healthy.readyMs), '-');
  row(
    'DescribeServices calls per polling tick: by look (largest) | by clock',
    `${healthy.describeCallsPerLook} | ${healthy.describeCallsPerTick} (${healthy.servicesPerCall.toFixed(1)} svc/call)`,
    `≤ ${Math.ceil(n / 10)} (1 per 10 services)`,
    healthy.describeCallsPerLook <= Math.ceil(n / 10),
  );
  row(
    'ListTasks calls (stopped tasks): busiest second / a second on average',
    `${healthy.listTasksMaxPerSecond} / ${healthy.listTasksPerSecond.toFixed(1)}`,
    '≤ 10 / ≤ 2 (one budget)',
    healthy.listTasksMaxPerSecond <= 10 && healthy.listTasksPerSecond <= 2,
  );
  row(
    'memory of that process while following them (RSS, max)',
    `${healthy.rssMb.toFixed(0)} MB | ${throttled.rssMb.toFixed(0)} MB`,
    '< 150 MB',
    healthy.rssMb < 150,
  );
  row(
    'its V8 heap at the end (used / reserved), peak RSS with start-up',
    `${healthy.heapUsedMb.toFixed(0)} / ${healthy.heapTotalMb.toFixed(0)} MB, ${healthy.peakRssMb.toFixed(0)} MB`,
    '-',
  );
  const latencyRow = (what: string, f: FleetResult) => {
    const l = [...f.latenciesMs];
    row(
      what,
      `${sec(pct(l, 50))} / ${sec(pct(l, 90))} / ${sec(Math.max(...l))}`,
      `≤ ${sec(intervalMs + 1000)}`,
      l.length === f.expected && Math.max(...l) <= intervalMs + 1000,
    );
  };
  latencyRow('end shown in Slack after ECS reached it, healthy (p50/p90/max)', healthy);
  latencyRow('same, other clusters while cluster-0 is throttled', throttled);
  const inCapstan = (f: FleetResult) =>
    `${sec(pct([...f.inCapstanMs], 50))} / ${sec(pct([...f.inCapstanMs], 90))} / ${sec(Math.max(...f.inCapstanMs))}`;
  row(
    "of which Capstan's own (ECS answered → chat.update)",
    `${inCapstan(healthy)} | ${inCapstan(throttled)}`,
    '-',
  );
  row(
    'rollouts whose end was shown',
    `${healthy.latenciesMs.length}/${healthy.expected} | ${throttled.latenciesMs.length}/${throttled.expected}`,
    'all',
    healthy.latenciesMs.length === healthy.expected && throttled.latenciesMs.length === throttled.expected,
  );
  row(
    'DescribeServices tried on the throttled cluster (backing off)',
    `${throttled.throttledCallsPerMinute.toFixed(1)} a minute, ${throttled.throttledShown} ended shown`,
    '-',
  );
  for (const f of [healthy, throttled])
    if (f.unexpected.length > 0)
      console.log(`  (ECS calls the bench did not expect: ${f.unexpected.join(', ')})`);

  // The same healthy fleet under plain `node dist/main.js`, without the flags Capstan is started with.
  const plain = await benchFleet({ ...fleet, port: 4812, nodeArgs: [] });
  row(
    'same healthy fleet, plain node (no flags): RSS, heap at the end',
    `${plain.rssMb.toFixed(0)} MB (heap ${plain.heapUsedMb.toFixed(0)} / ${plain.heapTotalMb.toFixed(0)} MB)`,
    '-',
  );
  row(
    '  its end shown (p50/p90/max), of which its own (p90)',
    `${sec(pct([...plain.latenciesMs], 50))} / ${sec(pct([...plain.latenciesMs], 90))} / ${sec(Math.max(...plain.latenciesMs))}, ${sec(pct([...plain.inCapstanMs], 90))}`,
    '-',
  );
}

async function eventsPart() {
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
}

async function replicasPart() {
  const rep = await benchReplicas();
  console.log('\nThree Capstan processes (node dist/main.js) on one DynamoDB table (dynalite):');
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
  row('takeover after kill -9 (median)', ms(pct([...rep.takeoverMs], 50)), '-');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
