import { z } from 'zod';
import { DEPLOYMENT_STATES, type Deployment, type Lock } from '../../domain/deployment.js';
import { Fact } from '../../domain/facts/index.js';
import type { PipelineApproval } from '../../domain/pipelineApproval.js';
import { verifyPlatformAlarms } from '../../domain/facts/verify.js';
import { Verification } from '../../domain/verify.js';

/**
 * What the ledger stores, read back through a schema rather than a cast: a row that does not have
 * the stored shape fails here, naming it, instead of reaching a use case half-formed. Unknown keys
 * are kept, so a record written by a newer replica survives being rewritten by this one. What a
 * strategy keeps (`plan`, `tracking.data`, `rollbackPlan`) is its own to decode (targets/registry).
 */
const opt = <T extends z.ZodType>(t: T) => t.optional();
const str = z.string();
const num = z.number();

const approval = z.looseObject({ userId: str, at: num, rules: opt(z.array(num)) });

const deploymentState = z.enum(DEPLOYMENT_STATES);

const review = z.looseObject({
  parameters: opt(z.array(z.looseObject({ key: str, from: opt(str), to: str }))),
  changes: opt(
    z.array(z.looseObject({ action: str, logicalId: str, resourceType: str, replacement: opt(str) })),
  ),
  diff: opt(z.looseObject({ title: str, lines: z.array(str) })),
  link: opt(z.looseObject({ label: str, url: str })),
  platformAlarms: opt(verifyPlatformAlarms),
});

const tracking = z
  .looseObject({
    phase: z.enum(['rollout', 'rollback']),
    rolledBackBy: opt(str),
    startedAt: num,
    lastProgressAt: num,
    progress: opt(z.looseObject({ done: num, total: num })),
    waiting: opt(str),
    stage: opt(
      z.looseObject({ stage: str, productionPercent: opt(num), testPercent: opt(num), until: opt(num) }),
    ),
    pause: opt(z.looseObject({ stage: str, timeoutAction: opt(str), expiresAt: opt(num) })),
    // JSON drops an undefined `data`; the record has the key all the same.
    data: opt(z.unknown()),
  })
  .transform(({ data, ...rest }) => ({ ...rest, data }));

const deploymentFields = z.looseObject({
  id: str,
  rev: num,
  kind: z.enum(['deploy', 'rollback', 'release']),
  app: str,
  env: str,
  requestedBy: str,
  fromVersion: opt(str),
  toVersion: str,
  imageDigest: opt(str),
  imagePushedAt: opt(num),
  state: deploymentState,
  cause: opt(z.unknown()),
  reason: opt(str),
  channel: str,
  messageTs: opt(str),
  permalink: opt(str),
  createdAt: num,
  updatedAt: num,
  finishedAt: opt(num),
  review: opt(review),
  plan: opt(z.unknown()),
  applyingSince: opt(num),
  tracking: opt(tracking),
  rollbackPlan: opt(z.unknown()),
  rollbackVersion: opt(str),
  approvals: z.array(approval),
  offerFresh: opt(z.boolean()),
  rejectedBy: opt(str),
  expiresAt: opt(num),
  override: opt(z.looseObject({ by: str, reason: str, freeze: str, until: num })),
  promotedFrom: opt(str),
  promotionOverride: opt(
    z.looseObject({
      by: str,
      reason: str,
      from: str,
      refused: z.enum(['notVerified', 'soaking', 'rolledBack']),
    }),
  ),
  decisions: opt(
    z.array(
      z.looseObject({
        by: str,
        at: num,
        action: z.enum(['continue', 'rollback']),
        stage: opt(str),
        key: opt(str),
      }),
    ),
  ),
  verification: opt(Verification),
  alarmOverride: opt(z.looseObject({ by: str, reason: str, alarms: z.array(str) })),
});

/** Told when part of a record is left out as unreadable (the record itself is kept). */
export type RowWarn = (message: string, fields: Record<string, unknown>) => void;

/**
 * A deployment as the ledger keeps it. Its `cause` is a fact; one that does not decode (a kind
 * this version does not know, a damaged field) is left out and told to `warn`: the entry, its
 * state and its `reason` stand, and views say what they can without it.
 */
export function deploymentRowOf(warn: RowWarn = () => undefined): z.ZodType<Deployment> {
  return deploymentFields.transform(({ cause, ...row }): Deployment => {
    if (cause === undefined) return row;
    const fact = Fact.safeParse(cause);
    if (fact.success) return { ...row, cause: fact.data };
    warn("a deployment's cause in the ledger is not a fact Capstan knows; it is left out", {
      id: row.id,
      problem: z.prettifyError(fact.error).slice(0, 500),
    });
    return row;
  });
}

export const deploymentRow = deploymentRowOf();

export const pipelineApprovalRow = z.looseObject({
  id: str,
  rev: num,
  region: str,
  pipeline: str,
  stage: str,
  action: str,
  token: str,
  expiresAt: opt(num),
  consoleLink: opt(str),
  reviewLink: opt(str),
  externalLink: opt(str),
  customData: opt(str),
  channel: str,
  messageTs: opt(str),
  state: z.enum(['open', 'deciding', 'approved', 'rejected', 'decided_elsewhere', 'expired']),
  approvals: z.array(approval),
  decidedBy: opt(str),
  outcome: opt(str),
  createdAt: num,
  updatedAt: num,
}) satisfies z.ZodType<PipelineApproval>;

export const lockRow = z.looseObject({
  app: str,
  env: str,
  owner: str,
  // SQLite keeps a missing reason as NULL.
  reason: str.nullish().transform((r) => r ?? undefined),
  at: num,
}) satisfies z.ZodType<Lock>;

/** Reads one stored record (JSON text) with its schema; a record of another shape is an error naming it. */
export function readRow<T>(schema: z.ZodType<T>, what: string, json: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`the ledger holds a ${what} that is not JSON`);
  }
  return readValue(schema, what, value);
}

/** Reads one stored record (columns already read) with its schema. */
export function readValue<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const id = typeof value === 'object' && value && 'id' in value ? ` ${String(value.id)}` : '';
  throw new Error(
    `the ledger's ${what}${id} does not have the stored shape: ${z.prettifyError(parsed.error)}`,
  );
}
