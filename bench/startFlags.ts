import { readFileSync } from 'node:fs';

/**
 * The node flags Capstan is started with (package.json's `start` script, as the Dockerfile and
 * deploy/capstan.yaml start it too), so the benchmarks measure Capstan as it runs.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  const main = words.indexOf('dist/main.js');
  if (words[0] !== 'node' || main === -1) throw new Error(`package.json start is not "node … dist/main.js"`);
  return words.slice(1, main);
}
