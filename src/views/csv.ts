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
  'promotion_override_check',
  'alarm_override_by',
  'alarm_override_reason',
  'alarm_override_alarms',
  'pause_decisions',
  'verify_decision',
  'verify_decision_by',
  'verify_decision_at',
  'verify_decision_reason',
  'verify_extended_by',
  'rollback_version',
  'rolled_back_by',
  'rejected_at',
  'link',
] as const;

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());
/** Who and when, several in one cell: `U0BOB@2026-11-20T10:00:00.000Z`, space-separated. */
const whoWhen = (xs: readonly { readonly by: string; readonly at: number }[] | undefined) =>
  (xs ?? []).map((x) => `${x.by}@${iso(x.at)}`).join(' ');

/** The gate a promotion override went past, as the metrics name it. */
const CHECK = {
  notVerified: 'not_verified',
  soaking: 'soaking',
  rolledBack: 'rolled_back_in_source',
} as const;
/** How a bake ended, by whom (people) or by Capstan (time up, an alarm). */
const BAKE_DECISION = {
  timeUp: 'time_up',
  alarm: 'alarm',
  complete: 'complete_now',
  rollback: 'roll_back',
  keep: 'keep',
} as const;

/**
 * Who rolled it back: the target by itself (ECS, CodeDeploy…), the person who chose Roll back (at a
 * pause or during verification), else Capstan; empty when it was not rolled back.
 */
function rolledBackBy(d: Deployment): string {
  const rolledBack = d.state === 'rolled_back' || d.state === 'rollback_failed';
  if (!rolledBack && d.tracking?.phase !== 'rollback') return '';
  if (d.tracking?.rolledBackBy) return d.tracking.rolledBackBy;
  const decided = d.verification?.decision;
  if (decided?.kind === 'rollback' && decided.by) return decided.by;
  return d.decisions?.findLast((p) => p.action === 'rollback')?.by ?? 'Capstan';
}

/** The decisions people took: at the target's pauses (continue, rollback), who and when. */
const pauseDecisions = (d: Deployment) =>
  (d.decisions ?? []).map((p) => `${p.action}:${p.by}@${iso(p.at)}`).join(' ');

function verification(d: Deployment): string[] {
  const v = d.verification;
  const decided = v?.decision;
  return [
    decided ? BAKE_DECISION[decided.kind] : '',
    decided?.by ?? '',
    iso(decided?.at),
    defuse(decided?.reason ?? ''),
    whoWhen(v?.extended),
  ];
}

/**
 * Text people typed, or set in AWS outside Capstan, may start with what a spreadsheet takes for a formula (`=`, `+`, `-`, `@`):
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
    // Versions are read from AWS (a stack's parameter, a Beanstalk label), which anyone may have set.
    defuse(d.fromVersion ?? ''),
    defuse(d.toVersion),
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
    d.promotionOverride ? CHECK[d.promotionOverride.refused] : '',
    d.alarmOverride?.by ?? '',
    defuse(d.alarmOverride?.reason ?? ''),
    defuse((d.alarmOverride?.alarms ?? []).join(' ')),
    pauseDecisions(d),
    ...verification(d),
    defuse(d.rollbackVersion ?? ''),
    rolledBackBy(d),
    d.state === 'rejected' ? iso(d.finishedAt ?? d.updatedAt) : '',
    d.permalink ?? '',
  ];
}

/** The ledger entries as CSV (header first, CRLF line ends as RFC 4180 asks), oldest first. */
export function historyCsv(entries: readonly Deployment[]): string {
  const sorted = [...entries].sort((a, b) => a.createdAt - b.createdAt);
  return [CSV_COLUMNS, ...sorted.map(row)].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
