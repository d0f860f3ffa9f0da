import type { Catalog } from '../../domain/catalog.js';
import { alarmMatches } from '../../domain/verify.js';
import { errorMessage } from '../../lib/errors.js';
import type { Alarms } from '../../ports/alarms.js';
import { verifies } from './begin.js';

/** What the check of `verify.alarms` at start found wrong with one environment. */
export type AlarmConfigProblem =
  | {
      readonly kind: 'unmatched';
      readonly app: string;
      readonly env: string;
      readonly region: string;
      /** Patterns that match no alarm: every deploy there is refused until they do. */
      readonly patterns: readonly string[];
    }
  | {
      readonly kind: 'unreadable';
      readonly app: string;
      readonly env: string;
      readonly region: string;
      readonly error: string;
    };

/**
 * Reads, once at start, the alarms every verifying environment names, and returns the patterns that
 * match no alarm (a mistake in capstan.yml, which pre-flight refuses at every deploy) and the
 * environments whose alarms could not be read. One DescribeAlarms round per region. It changes nothing.
 */
export async function checkAlarmConfig(alarms: Alarms, catalog: Catalog): Promise<AlarmConfigProblem[]> {
  const envs = catalog.apps.flatMap((a) => a.environments).filter(verifies);
  const regions = [...new Set(envs.map((e) => e.target.region))];
  const problems: AlarmConfigProblem[] = [];
  for (const region of regions) {
    const here = envs.filter((e) => e.target.region === region);
    const patterns = [...new Set(here.flatMap((e) => e.verify.alarms))];
    try {
      const names = (await alarms.describe(region, patterns)).map((r) => r.name);
      for (const e of here) {
        const unmatched = e.verify.alarms.filter((p) => !names.some((n) => alarmMatches(p, n)));
        if (unmatched.length > 0)
          problems.push({ kind: 'unmatched', app: e.app, env: e.name, region, patterns: unmatched });
      }
    } catch (error) {
      for (const e of here)
        problems.push({ kind: 'unreadable', app: e.app, env: e.name, region, error: errorMessage(error) });
    }
  }
  return problems;
}
