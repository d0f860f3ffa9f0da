import type { Environment, StackTarget } from '../domain/catalog.js';
import type { Deployment, ParameterChange, ReleasePlan } from '../domain/deployment.js';
import { CapstanError } from '../domain/errors.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { DeployNotifier } from '../ports/notifier.js';
import type { Registry } from '../ports/registry.js';
import type { StackInfo, Stacks } from '../ports/stacks.js';
import type { Store } from '../ports/store.js';
import { requireDeployer } from './access.js';
import { newDeployment, requireIdle, requireImage, requireUnlocked, save, showAndRecord } from './deploy.js';
import { rollbackTarget } from './rollback.js';

export interface ReleaseDeps {
  readonly store: Store;
  readonly stacks: Stacks;
  readonly registry: Registry;
  readonly directory: Directory;
  readonly notifier: DeployNotifier;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hands an executing change set to the stack poller. */
  readonly follow: (d: Deployment) => void;
  readonly changeSetPollMs: number;
  readonly changeSetTimeoutMs: number;
  /** Work that goes on after the Slack request was answered; kept so shutdown can wait for it. */
  readonly background: (work: Promise<unknown>) => void;
}

const NO_CHANGES = [/^The submitted information didn't contain changes/, /^No updates are to be performed/];
export const FRESH_OFFER = 'Prepare a fresh change set to try again.';

export function stackTarget(env: Environment): StackTarget {
  if (env.target.kind !== 'cloudformation')
    throw new CapstanError('invalid_state', `${env.app}/${env.name} is not a CloudFormation environment.`);
  return env.target;
}

/** `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters, unique per request. */
export function changeSetName(app: string, version: string, id: string): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-+/g, '-');
  const tail = `-${clean(id)}`;
  return `capstan-${clean(app)}-${clean(version)}`.slice(0, 128 - tail.length) + tail;
}

/** `/deploy <app> <version> to <env>` on a CloudFormation environment: checks, then a change set in the background. */
export async function startRelease(
  deps: ReleaseDeps,
  env: Environment,
  version: string,
  requestedBy: string,
  kind: 'release' | 'rollback' = 'release',
  /** The stack as just read, when the caller already has it. */
  known?: StackInfo,
): Promise<Deployment> {
  const target = stackTarget(env);
  await requireDeployer(deps.directory, env, requestedBy);
  await requireUnlocked(deps.store, env);
  await requireIdle(deps.store, env);
  const [image, stack] = await Promise.all([
    requireImage(deps.registry, target.region, target.repository, version),
    known ?? deps.stacks.describeStack(target.region, target.stack),
  ]);
  if (!(target.imageParameter in stack.parameters)) {
    throw new CapstanError(
      'invalid_state',
      `Stack ${target.stack} has no parameter ${target.imageParameter}; fix \`imageParameter\` in capstan.yml.`,
    );
  }
  if (stack.status.endsWith('_IN_PROGRESS')) {
    throw new CapstanError('conflict', `Stack ${target.stack} is ${stack.status}; wait until it settles.`);
  }
  const now = deps.clock.now();
  const draft = newDeployment(env, kind, version, requestedBy, now, {
    fromVersion: stack.parameters[target.imageParameter],
    imageDigest: image.digest,
  });
  const release: ReleasePlan = {
    region: target.region,
    stack: target.stack,
    changeSetName: changeSetName(env.app, version, draft.id),
    stackId: stack.stackId,
    stackUpdatedAt: stack.updatedAt,
    parameters: [],
    changes: [],
  };
  const d = { ...draft, release };
  await deps.store.create(d);
  const shown = await showAndRecord(deps, d);
  deps.background(prepareChangeSet(deps, env, shown, Object.keys(stack.parameters)));
  return shown;
}

async function prepareChangeSet(
  deps: ReleaseDeps,
  env: Environment,
  d: Deployment,
  parameterKeys: readonly string[],
): Promise<void> {
  const target = stackTarget(env);
  const release = d.release!;
  try {
    const created = await deps.stacks.createChangeSet({
      region: target.region,
      stack: target.stack,
      name: release.changeSetName,
      parameter: { key: target.imageParameter, value: d.toVersion },
      // An omitted parameter silently reverts to its template default: keep every other one.
      keep: parameterKeys.filter((k) => k !== target.imageParameter),
      capabilities: target.capabilities,
      roleArn: target.roleArn,
      description: `Capstan ${d.id}: ${d.app} ${d.toVersion} requested by ${d.requestedBy}`,
    });
    const withArn = await save(
      deps.store,
      d,
      { release: { ...release, changeSetArn: created.arn, stackId: created.stackId } },
      deps.clock.now(),
    );
    deps.notifier.detail(withArn, [
      `Change set \`${release.changeSetName}\` requested; waiting for CloudFormation to compute it.`,
    ]);
    await reviewChangeSet(deps, env, withArn);
  } catch (e) {
    await fail(deps, d, `Could not create the change set: ${errorMessage(e)}`);
  }
}

/** Waits for the change set, then asks for approval (or executes it at once where no approval is needed). */
export async function reviewChangeSet(deps: ReleaseDeps, env: Environment, d: Deployment): Promise<void> {
  const release = d.release!;
  const arn = release.changeSetArn!;
  const deadline = deps.clock.now() + deps.changeSetTimeoutMs;
  let cs = await deps.stacks.describeChangeSet(release.region, arn);
  while (cs.status !== 'CREATE_COMPLETE' && cs.status !== 'FAILED') {
    if (deps.clock.now() > deadline) {
      await fail(
        deps,
        d,
        `The change set was still ${cs.status} after ${Math.round(deps.changeSetTimeoutMs / 1000)}s.`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, deps.changeSetPollMs));
    cs = await deps.stacks.describeChangeSet(release.region, arn);
  }
  const now = deps.clock.now();
  if (cs.status === 'FAILED') {
    const reason = cs.statusReason ?? 'no reason given';
    await deps.stacks
      .deleteChangeSet(release.region, arn)
      .catch((e: unknown) =>
        deps.logger.warn('could not delete a failed change set', { arn, error: errorMessage(e) }),
      );
    if (NO_CHANGES.some((re) => re.test(reason))) {
      const done = await save(
        deps.store,
        d,
        {
          state: 'nothing_to_change',
          reason: `Nothing to change: the stack already runs these values.`,
          finishedAt: now,
        },
        now,
      );
      await showAndRecord(deps, done);
    } else {
      await fail(deps, d, `CloudFormation could not create the change set: ${reason}`);
    }
    return;
  }
  const parameters: ParameterChange[] = [
    { key: stackTarget(env).imageParameter, from: d.fromVersion, to: d.toVersion },
  ].filter((p) => p.from !== p.to);
  const changes = cs.changes.map((c) => ({
    action: c.action,
    logicalId: c.logicalId,
    resourceType: c.resourceType,
    replacement: c.replacement,
  }));
  const planned = { ...release, parameters, changes };
  if (env.policy.approvals === 0) {
    const executing = await save(deps.store, d, { release: planned, state: 'executing' }, now);
    deps.notifier.detail(executing, ['No approval needed here: executing the change set at once.']);
    await executeRelease(deps, executing);
    return;
  }
  const waiting = await save(
    deps.store,
    d,
    { release: planned, state: 'awaiting_approval', expiresAt: now + env.policy.approvalTtlMs },
    now,
  );
  await showAndRecord(deps, waiting);
}

/**
 * Runs an approved change set, but only the exact one that was approved: it must still be
 * AVAILABLE and the stack must not have changed since it was made.
 */
export async function executeRelease(deps: ReleaseDeps, d: Deployment): Promise<void> {
  const release = d.release!;
  const arn = release.changeSetArn!;
  try {
    const [cs, stack] = await Promise.all([
      deps.stacks.describeChangeSet(release.region, arn),
      deps.stacks.describeStack(release.region, release.stack),
    ]);
    if (cs.executionStatus !== 'AVAILABLE') {
      await fail(
        deps,
        d,
        `The change set is ${cs.executionStatus}${cs.statusReason ? ` (${cs.statusReason})` : ''}, so it was not executed. ${FRESH_OFFER}`,
      );
      return;
    }
    if (stack.updatedAt !== release.stackUpdatedAt) {
      await fail(
        deps,
        d,
        `Stack ${release.stack} changed since this change set was made (${stack.status} at ${stack.updatedAt}), so it was not executed. ${FRESH_OFFER}`,
      );
      return;
    }
    await deps.stacks.executeChangeSet(release.region, arn, d.id);
    const now = deps.clock.now();
    const executing = await save(
      deps.store,
      d,
      { state: 'executing', release: { ...release, executedAt: now, seenEvents: [] } },
      now,
    );
    deps.notifier.detail(executing, [`Executing change set \`${release.changeSetName}\`.`]);
    const shown = await showAndRecord(deps, executing);
    deps.follow(shown);
  } catch (e) {
    await fail(deps, d, `Executing the change set failed: ${errorMessage(e)}`);
  }
}

async function fail(
  deps: Pick<ReleaseDeps, 'store' | 'notifier' | 'clock' | 'logger'>,
  d: Deployment,
  reason: string,
): Promise<void> {
  const cur = (await deps.store.get(d.id)) ?? d;
  const now = deps.clock.now();
  const failed = await save(deps.store, cur, { state: 'failed', reason, finishedAt: now }, now);
  await showAndRecord(deps, failed);
}

/** `/deploy rollback` on a CloudFormation environment: a release of the last good version that is not running. */
export async function rollbackRelease(
  deps: ReleaseDeps,
  env: Environment,
  requestedBy: string,
  named?: string,
): Promise<Deployment> {
  const target = stackTarget(env);
  const stack = await deps.stacks.describeStack(target.region, target.stack);
  const running = stack.parameters[target.imageParameter];
  const version = await rollbackTarget(deps.store, env, running, named);
  return startRelease(deps, env, version, requestedBy, 'rollback', stack);
}
