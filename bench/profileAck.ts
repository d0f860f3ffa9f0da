// A look for the cause of the ack bench's figures: the same bursts with extra node flags for both
// processes (a CPU profile by default). `npx tsx bench/profileAck.ts --cpu-prof --cpu-prof-dir=/tmp/prof`
import { writeFileSync } from 'node:fs';
import { benchAck } from './ack.js';

const pct = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const args = process.argv.slice(2);
const r = await benchAck(args.length > 0 ? args : ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']);
const [c, b] = [pct(r.capstan, 99), pct(r.bare, 99)];
console.log(
  `capstan p50/p99 ${pct(r.capstan, 50).toFixed(1)}/${c.toFixed(1)} ms, bare ${pct(r.bare, 50).toFixed(1)}/${b.toFixed(1)} ms, ratio ${(c / b).toFixed(2)}`,
);
console.log(
  `CPU in own bursts: capstan ${r.cpuMs.capstan.inBursts} ms, bare ${r.cpuMs.bare.inBursts} ms (${(r.cpuMs.capstan.inBursts / r.cpuMs.bare.inBursts).toFixed(2)}×); in all ${r.cpuMs.capstan.total} / ${r.cpuMs.bare.total} ms`,
);
writeFileSync('/tmp/ack-bursts.json', JSON.stringify(r.bursts));
process.exit(0);
