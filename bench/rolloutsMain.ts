// Runs the rollout benchmark in a process of its own, with Capstan's whole module graph loaded
// (Bolt, the AWS SDK clients), so its memory reads like a real Capstan process.
import '../src/main.js';
import { benchRollouts } from './rollouts.js';

const [n = '300', clusters = '3', spread = '60000'] = process.argv.slice(2);
benchRollouts(Number(n), Number(clusters), Number(spread)).then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
