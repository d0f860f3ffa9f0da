import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/store/sqlite.js';
import { readConfig } from '../../../src/config/readConfig.js';
import { DAY_MS } from '../../../src/usecases/stats/figures.js';
import { MAX_HOME_CHARTS, readHomeCharts } from '../../../src/usecases/stats/homeCharts.js';
import { GROUPS, TEST_YAML } from '../../fixtures/config.js';
import { HISTORY, day, entry } from '../../fixtures/delivery.js';
import { ManualClock, directoryOf } from '../../fakes/ports.js';

const config = readConfig(
  { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', CAPSTAN_CONFIG: 'capstan.yml' },
  () => TEST_YAML.replace('__DB__', '/tmp/unused.db'),
);
if (!config.ok) throw new Error(config.problems.join('\n'));
const catalog = config.config.catalog;
const directory = directoryOf(Object.fromEntries(GROUPS.map((g) => [g.handle, g.users])));

async function deps(over: Partial<Parameters<typeof readHomeCharts>[0]> = {}) {
  const store = openSqliteStore(':memory:');
  for (const d of HISTORY) await store.create(d);
  // A prod release the day before: added to dev's week by week.
  await store.create({ ...entry('p1', 'release', 'succeeded', day(12) - DAY_MS, 10 * 60_000), env: 'prod' });
  return { catalog, store, directory, clock: new ManualClock(day(13)), ...over };
}

describe("the Home tab's charts", () => {
  it('chart the apps where the viewer may deploy or approve, and no others', async () => {
    const d = await deps();
    expect((await readHomeCharts(d, 'U0ALICE')).map((c) => c.app)).toEqual(['todobackend', 'billing']);
    expect((await readHomeCharts(d, 'U0MALLORY')).map((c) => c.app)).toEqual(['todobackend']);
    const none = { ...catalog, apps: catalog.apps.filter((a) => a.name === 'billing') };
    expect(await readHomeCharts({ ...d, catalog: none }, 'U0MALLORY')).toEqual([]);
  });

  it('count four whole UTC weeks ending with today, every environment added up', async () => {
    const [todo] = await readHomeCharts(await deps(), 'U0MALLORY');
    // Today is day 13 (10:00 UTC): the window ends at the next midnight, 28 days long.
    const end = Math.floor(day(13) / DAY_MS) * DAY_MS + DAY_MS;
    expect(todo).toEqual({
      app: 'todobackend',
      days: 28,
      weeks: [
        { start: end - 28 * DAY_MS, deploys: 0, failures: 0 },
        { start: end - 21 * DAY_MS, deploys: 0, failures: 0 },
        // d1, d2, d3, d4 (r5 rolls d4 back: not a change; d2b changed nothing); d2 failed, d4 was rolled back.
        { start: end - 14 * DAY_MS, deploys: 4, failures: 2 },
        // d6, p1 (prod), d9 rolled back; d7 never ran and d8's outcome is unknown.
        { start: end - 7 * DAY_MS, deploys: 3, failures: 1 },
      ],
    });
  });

  it(`chart at most ${MAX_HOME_CHARTS} apps`, async () => {
    const [app] = catalog.apps;
    const many = { ...catalog, apps: Array.from({ length: 8 }, (_, i) => ({ ...app!, name: `app-${i}` })) };
    const charts = await readHomeCharts(await deps({ catalog: many }), 'U0ALICE');
    expect(charts.map((c) => c.app)).toEqual(['app-0', 'app-1', 'app-2', 'app-3', 'app-4']);
  });
});
