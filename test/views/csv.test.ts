import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, historyCsv } from '../../src/views/csv.js';
import { exportFailedText, exportFilename, exportSharedText } from '../../src/views/export.js';
import { notice } from '../../src/views/help.js';
import { DIGEST_NEW, MIN, T0, ended, release } from '../fixtures/deployments.js';
import { parseCsv } from '../support/csv.js';
import { golden } from './blockKit.js';

const tricky = 'rolled back: "health, check" failed\nsee INC-7 — ünïcode';
const entries = [
  release({
    id: 'r-2',
    state: 'rejected',
    createdAt: T0 + 10 * MIN,
    finishedAt: T0 + 11 * MIN,
    rejectedBy: 'U0BOB',
    reason: '=HYPERLINK("http://evil")',
  }),
  ended('rolled_back', {
    id: 'd-1',
    reason: tricky,
    imagePushedAt: T0 - 60 * MIN,
    approvals: [{ userId: 'U0CAROL', at: T0 + MIN }],
    override: { by: 'U0ADMIN', reason: 'hotfix, now', freeze: 'weekend', until: T0 + 600 * MIN },
    promotedFrom: 'staging',
    promotionOverride: { by: 'U0ADMIN', reason: 'INC "7"', from: 'staging', refused: 'soaking' },
    rollbackVersion: '1.2.2',
  }),
];

describe('the CSV audit export', () => {
  it('round-trips: every field reads back as written, oldest first, header first', () => {
    const rows = parseCsv(historyCsv(entries));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
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
      rollback_version: '1.2.2',
    });
    const second = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[2]![i]]));
    expect(second).toMatchObject({ id: 'r-2', kind: 'release', state: 'rejected', rejected_by: 'U0BOB' });
    // A formula typed as a reason is kept as text.
    expect(second.reason).toBe(`'=HYPERLINK("http://evil")`);
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
