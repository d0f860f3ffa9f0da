import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { readConfig } from '../../src/config/readConfig.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { SharedFile } from '../../src/ports/files.js';
import { deliveryHandlers } from '../../src/slack/deliveryHandlers.js';
import type { DeployDeps } from '../../src/usecases/deps.js';
import { ManualClock } from '../fakes/ports.js';
import { TEST_YAML } from '../fixtures/config.js';
import { T0 } from '../fixtures/deployments.js';

const config = readConfig(
  { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', CAPSTAN_CONFIG: 'capstan.yml' },
  () => TEST_YAML.replace('__DB__', '/tmp/unused.db'),
);
if (!config.ok) throw new Error(config.problems.join('\n'));

describe('/deploy stats', () => {
  it('shares its chart only once the reply is posted, so the chart lands below the figures', async () => {
    const shared: SharedFile[] = [];
    const background: Promise<unknown>[] = [];
    const handlers = deliveryHandlers({
      catalog: config.config.catalog,
      store: openSqliteStore(':memory:'),
      clock: new ManualClock(T0),
      // Anything handed to background work would run before the reply is posted.
      deploy: { background: (p: Promise<unknown>) => background.push(p) } as unknown as DeployDeps,
      chart: {
        files: { share: async (f) => (shared.push(f), {}) },
        renderer: { png: () => Buffer.from('png') },
        chat: { postEphemeral: async () => undefined },
        logger: silentLogger,
      },
    });
    const reply = await handlers.stats!(
      { kind: 'stats', app: 'todobackend', days: 30 },
      { userId: 'U0ALICE', channelId: 'C0DEV' },
    );
    await Promise.all(background);
    await new Promise((r) => setImmediate(r));
    expect(shared).toEqual([]);
    expect(reply?.message.text).toContain('Delivery of todobackend, last 30 days');
    await reply!.after!();
    expect(shared.map((f) => f.title)).toEqual([
      'Deploys and failures per week: todobackend, last 5 weeks to today',
    ]);
  });
});
