import { z } from 'zod';

/**
 * Facts every target and use case may report. A fact is data about what happened, never words:
 * src/views/facts/ turns each kind into Slack text (and escapes what came from outside, once).
 * Refusals (what a CapstanError carries) live here too, so any rollout fact may nest them.
 */

/** Where an AWS call went: what it acted on, as a person names it ("ECS service web"), and the region. */
const where = { resource: z.string(), region: z.string() };

/** No credentials at all to call AWS with. */
export const awsNoCredentials = z.object({ kind: z.literal('aws.noCredentials'), ...where });

/**
 * The credentials were refused as expired: `session` when a session ran out (no permission is
 * missing), `request` when the request itself was stale (the machine's clock is off).
 */
export const awsExpired = z.object({
  kind: z.literal('aws.expired'),
  ...where,
  what: z.enum(['session', 'request']),
  /** AWS's error code. */
  code: z.string(),
});

/** AWS does not know the access key (wrong or deleted). */
export const awsUnknownKey = z.object({ kind: z.literal('aws.unknownKey'), ...where, code: z.string() });

/** AWS denied an action: the IAM permission that is missing. */
export const awsAccessDenied = z.object({
  kind: z.literal('aws.accessDenied'),
  ...where,
  action: z.string(),
});

export const awsThrottled = z.object({ kind: z.literal('aws.throttled'), ...where, action: z.string() });

export const awsNotFound = z.object({
  kind: z.literal('aws.notFound'),
  ...where,
  /** What AWS said (outside text), when it said anything. */
  message: z.string().optional(),
});

/** Any other error AWS answered with. */
export const awsFailed = z.object({
  kind: z.literal('aws.failed'),
  ...where,
  action: z.string(),
  message: z.string(),
});

/** An AWS refusal, nested in a fact that says what it stopped. */
export const AwsRefusal = z.discriminatedUnion('kind', [
  awsNoCredentials,
  awsExpired,
  awsUnknownKey,
  awsAccessDenied,
  awsThrottled,
  awsNotFound,
  awsFailed,
]);
export type AwsRefusal = z.infer<typeof AwsRefusal>;

/** A read or call to AWS that failed for this rollout alone; the rollout goes on. */
export const awsCallFailed = z.object({
  kind: z.literal('aws.callFailed'),
  /** IAM action, e.g. `ecs:ListTasks`. */
  action: z.string().optional(),
  /** What it acted on, e.g. "stopped tasks of ECS service web". */
  what: z.string(),
  /** Why: AWS's refusal, or what the error said (outside text). */
  error: z.union([z.string(), AwsRefusal]),
});

/** What Capstan recorded in the ledger cannot be read back (written by another version, or damaged). */
export const recordUnreadable = z.object({
  kind: z.literal('record.unreadable'),
  /** The deployment or environment it belongs to. */
  id: z.string(),
  /** Which part: "the plan", "its tracking". */
  what: z.string(),
  /** What did not decode, as the schema says it. */
  problem: z.string(),
});

/** The ledger's DynamoDB table did not turn ACTIVE in time at start-up. */
export const storeTableNotActive = z.object({
  kind: z.literal('store.tableNotActive'),
  table: z.string(),
  seconds: z.number(),
});

/** The ledger already holds a record of this id (written by another replica). */
export const storeAlreadyRecorded = z.object({
  kind: z.literal('store.alreadyRecorded'),
  what: z.enum(['deployment', 'pipelineApproval']),
  id: z.string(),
});

/** A role to act on someone's behalf could not be assumed: its trust policy is the usual cause. */
export const awsAssumeRoleDenied = z.object({
  kind: z.literal('aws.assumeRoleDenied'),
  roleArn: z.string(),
  user: z.string(),
  message: z.string(),
});

/** Who a policy names (catalog.ts Principal), for views to word as mentions. */
export const principal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: z.string() }),
  z.object({ kind: z.literal('group'), id: z.string() }),
  z.object({ kind: z.literal('handle'), handle: z.string() }),
  z.object({ kind: z.literal('anyone') }),
]);

const place = { app: z.string(), env: z.string() };

/** No such environment in capstan.yml. */
export const envNotConfigured = z.object({
  kind: z.literal('env.notConfigured'),
  ...place,
  /** The configured environment of the app closest to what was typed. */
  closest: z.string().optional(),
});

/** The user may not deploy there. */
export const accessNotDeployer = z.object({
  kind: z.literal('access.notDeployer'),
  ...place,
  deployers: z.array(principal),
});

/** Another request is in flight there. */
export const requestInFlight = z.object({
  kind: z.literal('request.inFlight'),
  ...place,
  /** Which request, when the ledger could say (the store's own guard cannot). */
  other: z
    .object({
      id: z.string(),
      kind: z.enum(['deploy', 'rollback', 'release']),
      version: z.string(),
      by: z.string(),
    })
    .optional(),
});

/** The environment is locked (a LockedError): who, since when, why, and what was refused. */
export const lockLocked = z.object({
  kind: z.literal('lock.locked'),
  ...place,
  owner: z.string(),
  reason: z.string().optional(),
  at: z.number(),
  refused: z.enum(['lock', 'change']),
});

/** Someone locked it at the same moment (the lock itself could not be read back). */
export const lockTaken = z.object({ kind: z.literal('lock.taken'), ...place });

export const lockNotLocked = z.object({ kind: z.literal('lock.notLocked'), ...place });

/** Only the owner or an admin may unlock. */
export const lockNotOwner = z.object({ kind: z.literal('lock.notOwner'), ...place, owner: z.string() });

/**
 * A freeze is in force: a deploy or release waits (`when: 'request'`), or one that waited for
 * approval did not run (`'execute'`). The end is in the freeze's own record, not here: the ledger
 * keeps this fact, and a view shows the end as a Slack date where it has it.
 */
export const freezeFrozen = z.object({
  kind: z.literal('freeze.frozen'),
  ...place,
  freeze: z.string(),
  when: z.enum(['request', 'execute']),
});

/** Only an admin may deploy through a freeze. */
export const freezeOverrideForbidden = z.object({
  kind: z.literal('freeze.overrideForbidden'),
  freeze: z.string(),
  admins: z.array(principal),
});

/** An approval refused by the policy: the person asked for the change themselves. */
export const approvalOwnRequest = z.object({ kind: z.literal('approval.ownRequest') });

/** An approval refused by the policy: the person is not among the approvers. */
export const approvalNotApprover = z.object({
  kind: z.literal('approval.notApprover'),
  approvers: z.array(principal),
});

/** An approval refused by the policy: the person approved already. */
export const approvalAlready = z.object({ kind: z.literal('approval.already') });

/** An approval refused by the policy: the rules this person can meet have their approvals; what is still needed. */
export const approvalWouldNotCount = z.object({
  kind: z.literal('approval.wouldNotCount'),
  needed: z.array(z.object({ count: z.number(), from: z.array(principal) })),
});

/** Capstan knows no earlier good version to roll back to. */
export const rollbackNoGoodVersion = z.object({ kind: z.literal('rollback.noGoodVersion'), ...place });

export const rollbackAlreadyRuns = z.object({
  kind: z.literal('rollback.alreadyRuns'),
  ...place,
  version: z.string(),
});

/** The tag was moved since the review: what was approved is not what would run. */
export const releaseTagMoved = z.object({
  kind: z.literal('release.tagMoved'),
  version: z.string(),
  digest: z.string(),
  reviewedDigest: z.string(),
});

/** Locked while the request waited: nothing was changed. */
export const releaseLocked = z.object({
  kind: z.literal('release.locked'),
  ...place,
  reason: z.string().optional(),
});

/** The target already runs this version. */
export const releaseNothingToChange = z.object({
  kind: z.literal('release.nothingToChange'),
  ...place,
  version: z.string(),
});

/** Nobody approved the request in time. */
export const releaseExpired = z.object({ kind: z.literal('release.expired') });

/** A pipeline approval that AWS says is no longer open. */
export const pipelineApprovalGone = z.object({ kind: z.literal('pipeline.approvalGone') });

export const CommonFact = z.discriminatedUnion('kind', [
  storeTableNotActive,
  storeAlreadyRecorded,
  recordUnreadable,
  awsCallFailed,
  awsNoCredentials,
  awsExpired,
  awsUnknownKey,
  awsAccessDenied,
  awsThrottled,
  awsNotFound,
  awsFailed,
  awsAssumeRoleDenied,
  envNotConfigured,
  accessNotDeployer,
  requestInFlight,
  lockLocked,
  lockTaken,
  lockNotLocked,
  lockNotOwner,
  freezeFrozen,
  freezeOverrideForbidden,
  approvalOwnRequest,
  approvalNotApprover,
  approvalAlready,
  approvalWouldNotCount,
  rollbackNoGoodVersion,
  rollbackAlreadyRuns,
  releaseTagMoved,
  releaseLocked,
  releaseNothingToChange,
  releaseExpired,
  pipelineApprovalGone,
]);
export type CommonFact = z.infer<typeof CommonFact>;

/** Why the approval policy refused an approval. */
export type ApprovalRefusalFact = z.infer<
  | typeof approvalOwnRequest
  | typeof approvalNotApprover
  | typeof approvalAlready
  | typeof approvalWouldNotCount
>;
