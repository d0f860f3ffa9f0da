import type { Deployment } from '../domain/deployment.js';

/** The audit export's columns, in order: one row per deploy, release or rollback, decisions included. */
export const CSV_COLUMNS = [
  'id',
  'kind',
  'app',
  'env',
  'state',
  'requested_by',
  'from_version',
  'to_version',
  'image_digest',
  'image_pushed_at',
  'created_at',
  'finished_at',
  'approved_by',
  'rejected_by',
  'reason',
  'freeze_override_by',
  'freeze_override_reason',
  'promoted_from',
  'promotion_override_by',
  'promotion_override_reason',
  'rollback_version',
  'link',
] as const;

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

/**
 * Text people typed may start with what a spreadsheet takes for a formula (`=`, `+`, `-`, `@`):
 * such a cell is prefixed with `'` so opening the export never runs it (OWASP's CSV injection advice).
 */
export function defuse(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(d: Deployment): string[] {
  return [
    d.id,
    d.kind,
    d.app,
    d.env,
    d.state,
    d.requestedBy,
    d.fromVersion ?? '',
    d.toVersion,
    d.imageDigest ?? '',
    iso(d.imagePushedAt),
    iso(d.createdAt),
    iso(d.finishedAt),
    d.approvals.map((a) => `${a.userId}@${iso(a.at)}`).join(' '),
    d.rejectedBy ?? '',
    defuse(d.reason ?? ''),
    d.override?.by ?? '',
    defuse(d.override?.reason ?? ''),
    d.promotedFrom ?? '',
    d.promotionOverride?.by ?? '',
    defuse(d.promotionOverride?.reason ?? ''),
    d.rollbackVersion ?? '',
    d.permalink ?? '',
  ];
}

/** The ledger entries as CSV (header first, CRLF line ends as RFC 4180 asks), oldest first. */
export function historyCsv(entries: readonly Deployment[]): string {
  const sorted = [...entries].sort((a, b) => a.createdAt - b.createdAt);
  return [CSV_COLUMNS, ...sorted.map(row)].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
