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
// A Capstan burst in an even round follows Capstan's previous one by 200 ms; in an odd round, by a bare burst more.
const perBurst = (xs: readonly number[]) =>
  Array.from({ length: xs.length / 50 }, (_, k) => Math.max(...xs.slice(k * 50, k * 50 + 50)));
const med = (xs: number[]) => pct(xs, 50).toFixed(0);
for (const [name, xs] of [
  ['capstan', r.capstan],
  ['bare', r.bare],
] as const) {
  const b = perBurst(xs);
  console.log(`${name}: slowest ack of each burst: ${b.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(
    `${name}: slowest ack per burst, median: after 200 ms ${med(b.filter((_, k) => k % 2 === 0))} ms, after a longer gap ${med(b.filter((_, k) => k % 2 === 1))} ms`,
  );
}
// Commands are numbered across both processes; Capstan's last burst is the run's last (40 rounds).
const answered = new Set(r.answers.map((a) => Number(/bench-(\d+)/.exec(String(a.url))?.[1])));
const total = r.capstan.length + r.bare.length + 100;
const lastBurst = Array.from({ length: 50 }, (_, i) => total - 50 + i).filter((i) => i % 5 !== 0);
console.log(
  `${r.answers.length} answers on response_url, ${lastBurst.filter((i) => !answered.has(i)).length} of the last burst's ${lastBurst.length} status commands without one`,
);
writeFileSync('/tmp/ack-bursts.json', JSON.stringify(r.bursts));
process.exit(0);
