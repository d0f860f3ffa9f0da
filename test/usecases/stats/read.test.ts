import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/adapters/store/sqlite.js';
import { readConfig } from '../../../src/config/readConfig.js';
import { readStats } from '../../../src/usecases/stats/read.js';
import { ManualClock } from '../../fakes/ports.js';
import { TEST_YAML } from '../../fixtures/config.js';
import { DIGEST_NEW, MIN } from '../../fixtures/deployments.js';
import { H, day, entry } from '../../fixtures/delivery.js';

const config = readConfig(
  { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', CAPSTAN_CONFIG: 'capstan.yml' },
  () => TEST_YAML.replace('__DB__', '/tmp/unused.db'),
);
if (!config.ok) throw new Error(config.problems.join('\n'));

describe('readStats', () => {
  it("a promoted image's lead time runs from the digest's first push, pushed to another repository", async () => {
    const store = openSqliteStore(':memory:');
    // Pushed to dev's repository on day 1; copied to prod's on day 5, deployed there an hour later.
    await store.create({
      ...entry('d1', 'deploy', 'succeeded', day(1) + H, 10 * MIN, day(1)),
      imageDigest: DIGEST_NEW,
    });
    await store.create({
      ...entry('p1', 'deploy', 'succeeded', day(5) + H, 10 * MIN, day(5)),
      env: 'prod',
      imageDigest: DIGEST_NEW,
    });
    const stats = await readStats(
      { catalog: config.config.catalog, store, clock: new ManualClock(day(6)) },
      { app: 'todobackend', env: 'prod', days: 30 },
    );
    expect(stats.envs.map((e) => e.figures.leadTime.medianMs)).toEqual([4 * 24 * H + H + 10 * MIN]);
  });
});
