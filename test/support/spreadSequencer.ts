import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Test files that start child processes or a browser: each wants the machine's cores to itself. */
const HEAVY = /\/test\/(e2e\/[^/]+\.test\.ts|main\.test\.ts|slack\/processSurvives\.test\.ts)$/;

/**
 * How long each file took in a whole run (`node scripts/test-durations.js` writes it from
 * test-artifacts/vitest.json): the order on a fresh clone, which has no results of its own yet.
 */
const RECORDED = new URL('./durations.json', import.meta.url);
/** A file neither this machine nor the table has seen: somewhere in the middle. */
const UNKNOWN_MS = 500;

function recorded(): Record<string, number> {
  if (!existsSync(RECORDED)) return {};
  return JSON.parse(readFileSync(RECORDED, 'utf8')) as Record<string, number>;
}

/**
 * The order in which `workers` workers, each taking the next file when it is free, run the files
 * longest first and never two heavy ones at once where that can be helped: the run played out on the
 * expected durations.
 */
function schedule<T>(heavy: T[], light: T[], ms: (f: T) => number, workers: number): T[] {
  const order: T[] = [];
  /** When each worker is free, and whether it is on a heavy file until then. */
  const lanes = Array.from({ length: Math.max(1, workers) }, () => ({ freeAt: 0, heavy: false }));
  let h = 0;
  let l = 0;
  while (h < heavy.length || l < light.length) {
    const lane = lanes.reduce((a, b) => (b.freeAt < a.freeAt ? b : a));
    const now = lane.freeAt;
    const heavyRunning = lanes.some((o) => o !== lane && o.heavy && o.freeAt > now);
    const takeHeavy = h < heavy.length && (l >= light.length || !heavyRunning);
    const f = takeHeavy ? heavy[h++]! : light[l++]!;
    order.push(f);
    lane.freeAt = now + ms(f);
    lane.heavy = takeHeavy;
  }
  return order;
}

/**
 * Longest first, so the two workers end together: by this machine's last results where it has them
 * (Vitest's own), by the recorded table otherwise. Failed files still go first, and the files that
 * start processes run one at a time beside in-process ones, never side by side: on two cores, two of
 * them at once starve each other's child processes (a replica that misses its lease renewal), while
 * beside an in-process file each still has a core.
 */
export class SpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const table = recorded();
    const cache = this.ctx.cache;
    const path = (f: TestSpecification) => relative(root, f.moduleId);
    const last = (f: TestSpecification) => cache.getFileTestResults(`${f.project.name}:${path(f)}`);
    const ms = (f: TestSpecification) => last(f)?.duration ?? table[path(f)] ?? UNKNOWN_MS;
    const failed = (f: TestSpecification) => (last(f)?.failed ? 0 : 1);
    const group = (f: TestSpecification) => f.project.config.sequence.groupOrder;
    const sorted = [...files].sort(
      (a, b) =>
        group(a) - group(b) ||
        (a.project.name === b.project.name ? 0 : a.project.name < b.project.name ? -1 : 1) ||
        failed(a) - failed(b) ||
        ms(b) - ms(a),
    );
    // Spread within each project: projects run one after the other.
    const out: TestSpecification[] = [];
    for (const name of [...new Set(sorted.map((f) => f.project.name))]) {
      const mine = sorted.filter((f) => f.project.name === name);
      const heavy = mine.filter((f) => HEAVY.test(f.moduleId));
      const light = mine.filter((f) => !HEAVY.test(f.moduleId));
      if (heavy.length < 2 || light.length === 0) {
        out.push(...mine);
        continue;
      }
      out.push(...schedule(heavy, light, ms, this.ctx.config.maxWorkers));
    }
    return out;
  }
}
