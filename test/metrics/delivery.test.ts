import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { deliveryGauges } from '../../src/metrics/delivery.js';
import { SkipClock } from '../fakes/skipClock.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { MIN } from '../fixtures/deployments.js';
import { entry } from '../fixtures/delivery.js';
import { type Harness, startHarness } from '../support/harness.js';
import { scratchDir } from '../support/scratch.js';

const H = 60 * MIN;
const DAY = 24 * H;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The value of one series (`name{labels}` exactly as exposed), or undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const scrape = async () => (await fetch(`${h!.base}/metrics`)).text();
const dev = (name: string, extra = '') => `${name}{app="todobackend",env="dev"${extra}}`;

async function seed(dbPath: string, entries: readonly Deployment[]): Promise<void> {
  const store = openSqliteStore(dbPath);
  for (const d of entries) await store.create(d);
  store.close();
}

describe('/metrics delivery figures', () => {
  it('exposes each environment’s figures from the ledger, computed at most once a minute', async () => {
    const clock = new SkipClock();
    const now = clock.now();
    const dir = scratchDir('capstan-metrics-');
    const dbPath = join(dir, 'capstan.db');
    const failedAt = now - 2 * DAY + 5 * MIN;
    await seed(dbPath, [
      entry('d1', 'deploy', 'succeeded', now - 3 * DAY, 10 * MIN, now - 3 * DAY - 2 * H),
      // Failed 5 min in; Capstan's own rollback then ran 3 min.
      {
        ...entry('d2', 'deploy', 'rolled_back', now - 2 * DAY, 8 * MIN),
        tracking: { phase: 'rollback', startedAt: failedAt, lastProgressAt: failedAt, data: {} },
      },
      // Failed before it changed anything: not counted.
      { ...entry('d3', 'deploy', 'failed', now - DAY, MIN), tracking: undefined },
    ]);
    h = await startHarness({ yaml: TEST_YAML, slack: { users: USERS, groups: GROUPS }, clock, dbPath }, dir);

    const text = await scrape();
    expect(value(text, 'capstan_delivery_window_seconds')).toBe(30 * 86_400);
    expect(value(text, dev('capstan_delivery_deployments', ',kind="change"'))).toBe(2);
    expect(value(text, dev('capstan_delivery_deployments', ',kind="rollback"'))).toBe(1);
    expect(value(text, dev('capstan_delivery_change_failures'))).toBe(1);
    expect(value(text, dev('capstan_delivery_rework_deployments'))).toBe(1);
    expect(value(text, dev('capstan_delivery_recoveries', ',recovered="true"'))).toBe(1);
    expect(value(text, dev('capstan_delivery_recovery_time_seconds', ',quantile="0.5"'))).toBe(180);
    expect(value(text, dev('capstan_delivery_lead_time_seconds', ',quantile="0.5"'))).toBe(2 * 3600 + 600);
    // Every configured environment has its series, nothing deployed or not.
    expect(value(text, 'capstan_delivery_deployments{app="todobackend",env="prod",kind="change"}')).toBe(0);
    expect(text).not.toContain('capstan_delivery_lead_time_seconds{app="todobackend",env="prod"');

    // A deploy recorded meanwhile shows at the first scrape a minute later, not before.
    await seed(dbPath, [entry('d4', 'deploy', 'succeeded', now - H, 10 * MIN, now - 2 * H)]);
    expect(value(await scrape(), dev('capstan_delivery_deployments', ',kind="change"'))).toBe(2);
    clock.skip(60_000);
    expect(value(await scrape(), dev('capstan_delivery_deployments', ',kind="change"'))).toBe(3);
  });
});

describe('/metrics delivery figures, one read per scrape', () => {
  it('the figures’ gauges share one read of the ledger, also when it fails', async () => {
    const registry = new Registry();
    let reads = 0;
    deliveryGauges(
      [registry],
      async () => {
        reads += 1;
        return undefined;
      },
      30,
    );
    await registry.metrics();
    expect(reads).toBe(1);
    await registry.metrics();
    expect(reads).toBe(2);
  });
});
