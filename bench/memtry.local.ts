import { benchFleet } from './fleet.js';
const args = process.argv.slice(2);
const [n, clusters, channels, intervalMs] = [1000, 10, 100, 5000];
const endsAt = Array.from({ length: n }, () => 20_000 + Math.random() * 45_000);
const r = await benchFleet({ rollouts: n, clusters, channels, intervalMs, endsAt, port: 4820, nodeArgs: args });
console.log(args.join(' ') || '(default)', 'rss', r.rssMb.toFixed(0), 'heap', r.heapUsedMb.toFixed(0), '/', r.heapTotalMb.toFixed(0));
