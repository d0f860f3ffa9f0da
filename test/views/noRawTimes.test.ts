import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Lock } from '../../src/domain/deployment.js';
import { LockedError } from '../../src/domain/errors.js';
import { FrozenError } from '../../src/domain/freeze.js';
import { silentLogger } from '../../src/lib/logger.js';
import { failureMessage } from '../../src/slack/respond.js';
import { T0 } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';
import { RAW_TIME, stringsOf, withoutSlackDates } from './rawTimes.js';

const SNAPSHOTS = fileURLToPath(new URL('./__snapshots__/', import.meta.url));
const LOCK: Lock = { app: 'todobackend', env: 'dev', owner: 'U0BOB', reason: 'load test', at: T0 };

/** Where a message shows a time as text instead of a Slack date. */
const rawTimesIn = (message: unknown) =>
  stringsOf(message)
    .map(({ at, text }) => ({ at, raw: RAW_TIME.exec(withoutSlackDates(text))?.[0] }))
    .filter((f) => f.raw !== undefined);

describe('no raw clock times', () => {
  it('the sweep finds a time written as text, and not one inside a Slack date', () => {
    expect(rawTimesIn({ text: 'locked by <@U1> since 2026-12-07 05:05 UTC' })).not.toEqual([]);
    expect(rawTimesIn({ text: 'until Mon 21 Dec 2026, 08:00 CET' })).not.toEqual([]);
    expect(
      rawTimesIn({ text: '<!date^1795336200^{date_short_pretty} {time}|2026-11-22 08:30 UTC>' }),
    ).toEqual([]);
  });

  it('a lock refusal says since when as a Slack date', async () => {
    const m = failureMessage(new LockedError(LOCK, 'change'), silentLogger, 'r');
    await golden('lock/refused-change', m);
    expect(m.text).toContain(`since <!date^${T0 / 1000}^`);
    expect(rawTimesIn(m)).toEqual([]);
    await golden('lock/refused-lock', failureMessage(new LockedError(LOCK, 'lock'), silentLogger, 'r'));
  });

  it('a freeze refusal says when it ends as a Slack date', async () => {
    const freeze = { name: 'Christmas', timezone: 'Europe/Paris', startedAt: T0, endsAt: T0 + 86_400_000 };
    const e = new FrozenError(freeze, { app: 'todobackend', env: 'prod' }, 'execute');
    const m = failureMessage(e, silentLogger, 'r');
    await golden('help/frozen', m);
    expect(m.text).toContain(`<!date^${(T0 + 86_400_000) / 1000}^`);
  });

  it('every golden message of every kind shows times only as Slack dates', () => {
    const files = readdirSync(SNAPSHOTS, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.json'),
    );
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) =>
      rawTimesIn(JSON.parse(readFileSync(join(SNAPSHOTS, f), 'utf8'))).map((r) => `${f} ${r.at}: ${r.raw}`),
    );
    expect(found).toEqual([]);
  });
});
