import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, historyCsv } from '../../src/views/csv.js';
import { exportFailedText, exportFilename, exportSharedText } from '../../src/views/export.js';
import { notice } from '../../src/views/help.js';
import { DIGEST_NEW, MIN, T0, ended, release } from '../fixtures/deployments.js';
import { parseCsv } from '../support/csv.js';
import { golden } from './blockKit.js';

const iso = (ms: number) => new Date(ms).toISOString();
const tricky = 'rolled back: "health, check" failed\nsee INC-7 — ünïcode';
const entries = [
  release({
    id: 'r-2',
    state: 'rejected',
    createdAt: T0 + 10 * MIN,
    finishedAt: T0 + 11 * MIN,
    rejectedBy: 'U0BOB',
    reason: '=HYPERLINK("http://evil")',
    // Versions come from AWS, where anyone may have set a stack parameter or a Beanstalk label.
    fromVersion: '@SUM(1+1)',
    toVersion: '=cmd|"/c calc"!A1',
    rollbackVersion: '-2+3',
  }),
  ended('rolled_back', {
    id: 'd-1',
    reason: tricky,
    imagePushedAt: T0 - 60 * MIN,
    approvals: [{ userId: 'U0CAROL', at: T0 + MIN }],
    override: { by: 'U0ADMIN', reason: 'hotfix, now', freeze: 'weekend', until: T0 + 600 * MIN },
    promotedFrom: 'staging',
    promotionOverride: { by: 'U0ADMIN', reason: 'INC "7"', from: 'staging', refused: 'soaking' },
    alarmOverride: { by: 'U0ADMIN', reason: '+known, flaky', alarms: ['todo-5xx', '@latency'] },
    decisions: [{ by: 'U0BOB', at: T0 + 2 * MIN, action: 'continue', stage: 'PRODUCTION_TRAFFIC_SHIFT' }],
    verification: {
      startedAt: T0 + 3 * MIN,
      endsAt: T0 + 23 * MIN,
      onAlarm: 'ask',
      alarms: [],
      extended: [{ by: 'U0CAROL', at: T0 + 3 * MIN + 30_000 }],
      decision: { kind: 'rollback', at: T0 + 3 * MIN + 45_000, by: 'U0DAVE', reason: '-errors up, "again"' },
    },
    rollbackVersion: '1.2.2',
  }),
  ended('verified', {
    id: 'd-3',
    createdAt: T0 + 20 * MIN,
    verification: {
      startedAt: T0 + 21 * MIN,
      endsAt: T0 + 31 * MIN,
      onAlarm: 'ask',
      alarms: [],
      decision: { kind: 'keep', at: T0 + 25 * MIN, by: 'U0BOB', reason: 'a known canary, see #ops' },
    },
  }),
];

describe('the CSV audit export', () => {
  it('round-trips: every field reads back as written, oldest first, header first', () => {
    const rows = parseCsv(historyCsv(entries));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    const first = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(first).toMatchObject({
      id: 'd-1',
      kind: 'deploy',
      state: 'rolled_back',
      requested_by: 'U0ALICE',
      from_version: '1.2.2',
      to_version: '1.2.3',
      image_digest: DIGEST_NEW,
      image_pushed_at: new Date(T0 - 60 * MIN).toISOString(),
      created_at: new Date(T0).toISOString(),
      finished_at: new Date(T0 + 4 * MIN).toISOString(),
      approved_by: `U0CAROL@${new Date(T0 + MIN).toISOString()}`,
      reason: tricky,
      freeze_override_by: 'U0ADMIN',
      freeze_override_reason: 'hotfix, now',
      promoted_from: 'staging',
      promotion_override_by: 'U0ADMIN',
      promotion_override_reason: 'INC "7"',
      promotion_override_check: 'soaking',
      alarm_override_by: 'U0ADMIN',
      // Text that a spreadsheet would run as a formula is kept as text.
      alarm_override_reason: "'+known, flaky",
      alarm_override_alarms: 'todo-5xx @latency',
      pause_decisions: `continue:U0BOB@${iso(T0 + 2 * MIN)}`,
      verify_decision: 'roll_back',
      verify_decision_by: 'U0DAVE',
      verify_decision_at: iso(T0 + 3 * MIN + 45_000),
      verify_decision_reason: `'-errors up, "again"`,
      verify_extended_by: `U0CAROL@${iso(T0 + 3 * MIN + 30_000)}`,
      rollback_version: '1.2.2',
      rolled_back_by: 'U0DAVE',
      rejected_at: '',
    });
    const second = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[2]![i]]));
    expect(second).toMatchObject({
      id: 'r-2',
      kind: 'release',
      state: 'rejected',
      rejected_by: 'U0BOB',
      rejected_at: iso(T0 + 11 * MIN),
      from_version: "'@SUM(1+1)",
      to_version: `'=cmd|"/c calc"!A1`,
      rollback_version: "'-2+3",
      rolled_back_by: '',
      verify_decision: '',
    });
    // A formula typed as a reason is kept as text.
    expect(second.reason).toBe(`'=HYPERLINK("http://evil")`);
    const third = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[3]![i]]));
    expect(third).toMatchObject({
      id: 'd-3',
      verify_decision: 'keep',
      verify_decision_by: 'U0BOB',
      verify_decision_at: iso(T0 + 25 * MIN),
      verify_decision_reason: 'a known canary, see #ops',
      rolled_back_by: '',
    });
  });

  it('names the file by scope and date, and tells who asked', async () => {
    expect(exportFilename('todo backend', 'prod', T0)).toBe('todo_backend-prod-history-2026-11-20.csv');
    await golden('export/shared', notice(exportSharedText('todobackend', 'prod', 42, false)));
    await golden('export/failed', notice(exportFailedText({ data: { error: 'not_in_channel' } })));
    expect(exportSharedText('todobackend', undefined, 0, false)).toContain('nothing to export');
    expect(exportSharedText('todobackend', undefined, 2000, true)).toContain(
      'the latest 2000 entries (the ledger holds more)',
    );
  });
});
