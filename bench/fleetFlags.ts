// Capstan's memory with 1,000 rollouts in flight (bench/fleet.ts, healthy clusters) under other node
// flags than package.json's start: `npx tsx bench/fleetFlags.ts --max-semi-space-size=2`.
import { benchFleet } from './fleet.js';

const [n, clusters, channels, intervalMs] = [1000, 10, 100, 5000];
const endsAt = Array.from({ length: n }, () => 20_000 + Math.random() * 45_000);
const nodeArgs = process.argv.slice(2);
const f = await benchFleet({ rollouts: n, clusters, channels, intervalMs, endsAt, port: 4813, nodeArgs });
const l = [...f.latenciesMs].sort((a, b) => a - b);
console.log(
  `node ${nodeArgs.join(' ')}: RSS max ${f.rssMb.toFixed(0)} MB (peak with start-up ${f.peakRssMb.toFixed(0)} MB), heap ${f.heapUsedMb.toFixed(0)} / ${f.heapTotalMb.toFixed(0)} MB; end shown p90 ${(l[Math.floor(l.length * 0.9)]! / 1000).toFixed(2)} s, ${l.length}/${f.expected} shown`,
);
process.exit(0);
