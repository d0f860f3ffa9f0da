import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version } from 'esbuild';
import type { TestProject } from 'vitest/node';

/*
 * The test files that start Capstan as a process (test/main.test.ts, test/slack/processSurvives.test.ts,
 * test/e2e/replicas.test.ts) run `src/main.ts` compiled once per run, with plain `node`: through tsx,
 * every process compiled the sources again (about 2 s of CPU each, as much as the rest of its start-up).
 * The sources are bundled into one file, node_modules left out (loaded as in production), and kept in
 * .cache/capstan-main keyed by the sources' content, so a second run with the same sources builds nothing.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The absolute path of `src/main.ts` compiled to JavaScript: `node <it>` starts Capstan. */
    capstanMain: string;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, '.cache', 'capstan-main');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Everything the bundle depends on: the sources, the compiler's settings and version, the lockfile. */
function contentKey(): string {
  const hash = createHash('sha256').update(`esbuild ${version}\n`);
  const files = [
    ...sourceFiles(join(ROOT, 'src')),
    join(ROOT, 'tsconfig.json'),
    join(ROOT, 'package-lock.json'),
  ];
  for (const file of files) {
    hash.update(`${relative(ROOT, file)}\n`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Compiles `src/main.ts` unless this content was compiled before; returns the entry's path. */
export async function buildCapstanMain(): Promise<string> {
  const key = contentKey();
  const out = join(CACHE, key, 'main.js');
  if (existsSync(out)) return out;
  // Built beside, then renamed into place: a run stopped half-way leaves no half-written entry.
  const tmp = join(CACHE, `${key}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, 'src/main.ts')],
    outfile: join(tmp, 'main.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  // Only the newest build is kept.
  if (existsSync(CACHE))
    for (const old of readdirSync(CACHE))
      if (old !== `${key}.${process.pid}.tmp`) rmSync(join(CACHE, old), { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  renameSync(tmp, join(CACHE, key));
  return out;
}

/** Vitest's globalSetup: builds once, before any test file runs, and tells the test files where. */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('capstanMain', await buildCapstanMain());
}
