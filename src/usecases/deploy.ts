import type { Environment, Principal } from '../domain/catalog.js';
import type { Deployment, DeploymentKind, FreezeOverride, Review } from '../domain/deployment.js';
import { CapstanError } from '../domain/errors.js';
import { FrozenError, openWindow } from '../domain/freeze.js';
import { newId } from '../lib/ids.js';
import type { Checked, TargetStrategy } from '../targets/strategy.js';
import { isAllowed, requireDeployer } from './access.js';
import { targetAs } from './actAs.js';
import type { DeployDeps } from './deps.js';
import { execute } from './execute.js';
import { requireIdle, requireUnlocked } from './guards.js';
import { finish, save, showAndRecord } from './record.js';
import { errorReported } from '../domain/reported.js';
import { type PromotionPreview, passPromotion, previewPromotion } from './promotion.js';
import { checkAlarmsBefore } from './verify/preflight.js';

export type { DeployDeps } from './deps.js';

export function needsApproval(env: Environment): boolean {
  return env.policy.approvals > 0;
}

export function newDeployment(
  env: Environment,
  kind: DeploymentKind,
  version: string,
  requestedBy: string,
  now: number,
  extra: Partial<Deployment> = {},
): Deployment {
  return {
    id: newId(kind === 'release' ? 'r' : 'dep'),
    rev: 0,
    kind,
    app: env.app,
    env: env.name,
    requestedBy,
    toVersion: version,
    state: 'checking',
    channel: env.channel,
    createdAt: now,
    updatedAt: now,
    approvals: [],
    ...extra,
  };
}

/** An admin's reason to go through a freeze, and who the admins are. */
export interface OverrideRequest {
  readonly reason: string;
  readonly admins: readonly Principal[];
}

/**
 * Deploys and releases wait while a freeze is in force; rollbacks never do. An admin may go
 * through with a reason, which is recorded with the request and announced in its thread.
 */
async function passFreeze(
  deps: DeployDeps,
  env: Environment,
  requestedBy: string,
  override: OverrideRequest | undefined,
): Promise<FreezeOverride | undefined> {
  const open = openWindow(env.freezes ?? [], deps.clock.now());
  if (!open) return undefined;
  if (!override) throw new FrozenError(open, { app: env.app, env: env.name }, 'request');
  if (override.admins.length === 0 || !(await isAllowed(deps.directory, requestedBy, override.admins))) {
    throw new CapstanError('forbidden', {
      kind: 'freeze.overrideForbidden',
      freeze: open.name,
      admins: [...override.admins],
    });
  }
  return { by: requestedBy, reason: override.reason, freeze: open.name, until: open.endsAt };
}

export type DeployResult =
  | {
      readonly kind: 'dry_run';
      readonly review: Review;
      readonly fromVersion?: string | undefined;
      readonly unchanged: boolean;
      /** What the destination's promotion gate would say of this image (absent without a gate, or for a rollback). */
      readonly promotion?: PromotionPreview | undefined;
    }
  | { readonly kind: 'started'; readonly deployment: Deployment; readonly approval: boolean };

/**
 * `/deploy <app> <version> [to <env>]` and rollbacks, on any target: the checks that can refuse
 * at once, then the record (the one-in-flight guard), then the review or the change in the background.
 */
export async function requestDeploy(
  deps: DeployDeps,
  env: Environment,
  version: string,
  requestedBy: string,
  options: {
    readonly dryRun?: boolean;
    readonly kind?: 'deploy' | 'rollback';
    /** `--override "<reason>"`: an admin deploying through a freeze or the promotion gate. */
    readonly override?: OverrideRequest | undefined;
    /** `/deploy promote`: the source environment, and the digest verified there that must be what runs. */
    readonly promote?: { readonly from: string; readonly digest: string } | undefined;
    /** A rollback to what ran here: the image is found by the digest that ran. */
    readonly digest?: string | undefined;
  } = {},
): Promise<DeployResult> {
  await requireDeployer(deps.directory, env, requestedBy);
  await requireUnlocked(deps.store, env);
  // A dry run changes nothing, so a freeze does not stop it.
  const override =
    options.kind === 'rollback' || options.dryRun
      ? undefined
      : await passFreeze(deps, env, requestedBy, options.override);
  await requireIdle(deps.store, env);
  // A rollback goes whatever the alarms say; a dry run changes nothing.
  const alarmOverride =
    options.kind === 'rollback' || options.dryRun
      ? undefined
      : await checkAlarmsBefore(deps, env, requestedBy, options.override);
  const target = targetAs(deps, env, requestedBy);
  // A promotion deploys the verified digest, found by it in this environment's repository.
  const checked = await target.check(env, version, { digest: options.promote?.digest ?? options.digest });
  if (options.promote) requireDigest(env, version, options.promote.digest, checked);
  const rollback = options.kind === 'rollback';
  if (options.dryRun) return dryRun(deps, env, target, { version, requestedBy, checked, rollback });
  const via = options.promote ? 'promote' : 'deploy';
  // Rollbacks go back to what ran before.
  const promotionOverride = rollback
    ? undefined
    : await passPromotion(deps, env, { version, digest: checked.digest, via }, requestedBy, options.override);
  const approval = needsApproval(env);
  const kind = options.kind === 'rollback' ? 'rollback' : approval ? 'release' : 'deploy';
  const d = newDeployment(env, kind, version, requestedBy, deps.clock.now(), {
    fromVersion: checked.fromVersion,
    imageDigest: checked.digest,
    imagePushedAt: checked.pushedAt,
    override,
    promotedFrom: options.promote?.from,
    promotionOverride,
    alarmOverride,
  });
  // Owned before it exists, so no other replica's coordinator can take it over while it is prepared.
  await deps.own(d);
  // The atomic guard: a second deploy racing this one fails here, before anything changes.
  await deps.store.create(d);
  const shown = await showAndRecord(deps, d);
  sayOverrides(deps, shown, { override, promotionOverride, alarmOverride });
  deps.background(prepareAndGate(deps, env, shown, checked));
  return { kind: 'started', deployment: shown, approval };
}

/** `/deploy promote` deploys the image verified in the source environment, or nothing. */
function requireDigest(env: Environment, version: string, expected: string, checked: Checked): void {
  if (checked.digest === expected) return;
  throw new CapstanError('conflict', {
    kind: 'promotion.digestMoved',
    app: env.app,
    env: env.name,
    version,
    expected,
    found: checked.digest ?? 'none',
  });
}

/** What the change would be, prepared and discarded: nothing changes. */
async function dryRun(
  deps: DeployDeps,
  env: Environment,
  target: TargetStrategy,
  request: {
    readonly version: string;
    readonly requestedBy: string;
    readonly checked: Checked;
    /** A rollback goes back to what ran before: the promotion gate does not apply. */
    readonly rollback: boolean;
  },
): Promise<DeployResult> {
  const { version, requestedBy, checked } = request;
  const requestId = newId('dry');
  const prepared = await target.prepare(env, { requestId, version, requestedBy, checked });
  await target
    .discard(env, prepared)
    .catch((e: unknown) => deps.logger.warn('could not discard a dry run', { error: String(e) }));
  return {
    kind: 'dry_run',
    review: prepared.review,
    fromVersion: checked.fromVersion,
    unchanged: prepared.unchanged === true,
    promotion: request.rollback ? undefined : await previewPromotion(deps, env, checked.digest),
  };
}

/** Says in the thread which gate an admin overrode (a freeze, the promotion gate, the alarms). */
function sayOverrides(
  deps: DeployDeps,
  shown: Deployment,
  {
    override,
    promotionOverride,
    alarmOverride,
  }: Pick<Deployment, 'override' | 'promotionOverride' | 'alarmOverride'>,
): void {
  if (override) {
    deps.notifier.detail(shown, [
      { kind: 'rollout.freezeOverridden', by: override.by, freeze: override.freeze, reason: override.reason },
    ]);
  }
  if (promotionOverride)
    deps.notifier.detail(shown, [{ kind: 'promotion.overridden', ...promotionOverride }]);
  if (alarmOverride)
    deps.notifier.detail(shown, [
      { kind: 'verify.alarmOverridden', ...alarmOverride, alarms: [...alarmOverride.alarms] },
    ]);
}

/**
 * Asks the approvers for their review in the request's thread. The review itself arrives as an
 * edit of the parent message, and Slack notifies nobody of a mention added by an edit.
 */
export function askForReview(deps: Pick<DeployDeps, 'notifier'>, env: Environment, d: Deployment): void {
  deps.notifier.announce?.(d, {
    kind: 'review_requested',
    approvers: env.policy.approvers,
    required: Math.max(1, env.policy.approvals),
  });
}

/** Works out what will change; then asks for approval, or goes ahead where none is needed. */
export async function prepareAndGate(
  deps: DeployDeps,
  env: Environment,
  d: Deployment,
  checked?: Checked,
): Promise<void> {
  const target = targetAs(deps, env, d.requestedBy);
  let prepared;
  try {
    prepared = await target.prepare(env, {
      requestId: d.id,
      version: d.toVersion,
      requestedBy: d.requestedBy,
      checked: checked ?? (await target.check(env, d.toVersion)),
    });
  } catch (e) {
    await finish(deps, d, 'failed', errorReported(e));
    return;
  }
  const now = deps.clock.now();
  if (prepared.unchanged) {
    await target.discard(env, prepared).catch(() => undefined);
    await finish(deps, d, 'nothing_to_change', {
      kind: 'release.nothingToChange',
      app: env.app,
      env: env.name,
      version: d.toVersion,
    });
    return;
  }
  const withPlan = { plan: prepared.plan, review: prepared.review };
  if (needsApproval(env)) {
    const waiting = await save(
      deps.store,
      d,
      { ...withPlan, state: 'awaiting_approval', expiresAt: now + env.policy.approvalTtlMs },
      now,
    );
    await showAndRecord(deps, waiting);
    // An edit that adds a mention notifies nobody: the approvers are asked in the thread.
    askForReview(deps, env, waiting);
    return;
  }
  const ready = await save(deps.store, d, withPlan, now);
  await execute(deps, env, ready, d.requestedBy);
}
