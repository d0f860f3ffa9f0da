import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Test files that start child processes or a browser: each wants the machine's cores to itself. */
const HEAVY = /\/test\/(e2e\/[^/]+\.test\.ts|main\.test\.ts|slack\/processSurvives\.test\.ts)$/;

/**
 * Vitest's order (failed first, then slowest first), with the files that start processes spread
 * through the run rather than side by side at its start: on two cores, two of them at once starve
 * each other's child processes (a replica that misses its lease renewal), while beside an in-process
 * file each still has a core.
 */
export class SpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const heavy = sorted.filter((f) => HEAVY.test(f.moduleId));
    const light = sorted.filter((f) => !HEAVY.test(f.moduleId));
    if (heavy.length < 2 || light.length === 0) return sorted;
    const out: TestSpecification[] = [];
    const gap = light.length / heavy.length;
    heavy.forEach((h, i) => {
      out.push(h, ...light.slice(Math.round(i * gap), Math.round((i + 1) * gap)));
    });
    return out;
  }
}
