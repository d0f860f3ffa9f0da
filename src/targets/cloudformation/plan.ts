import type { ParameterChange, Review } from '../../domain/deployment.js';
import { CapstanError } from '../../domain/errors.js';
import type { ChangeSetInfo } from '../../ports/stacks.js';
import { requireImage } from '../image.js';
import type { PrepareRequest, Prepared } from '../strategy.js';
import type { StackEnvironment, StackStrategyDeps } from './deps.js';
import { changeSetConsoleUrl, changeSetName, imageParameterValue } from './names.js';
import { rollbackTriggers } from './rollbackTriggers.js';
import { cloudFormationPlatformAlarms } from '../shared/platformAlarms.js';
import type { StackContext, StackPlan } from './schemas.js';

const NO_CHANGES = [/^The submitted information didn't contain changes/, /^No updates are to be performed/];

/**
 * A change set of the image parameter alone, every other parameter kept, computed by CloudFormation
 * for people to review. The approval binds to it and to the stack as it was when it was made.
 */
export async function prepare(
  deps: StackStrategyDeps,
  env: StackEnvironment,
  req: PrepareRequest<StackContext>,
): Promise<Prepared<StackPlan>> {
  const t = env.target;
  const ctx = req.checked.context;
  const stack = ctx?.stack ?? (await deps.stacks.describeStack(t.region, t.stack));
  const image = ctx?.image ?? (await requireImage(deps.registry, t.region, t.repository, req.version));
  // Exactly the image that was checked (and that an approval binds to), in the form the template takes.
  const value = imageParameterValue(t, image);
  const name = changeSetName(env.app, req.version, req.requestId);
  const triggers = await rollbackTriggers(deps, env);
  const platformAlarms = triggers && cloudFormationPlatformAlarms(env, triggers);
  const created = await deps.stacks.createChangeSet({
    region: t.region,
    stack: t.stack,
    name,
    parameter: { key: t.imageParameter, value },
    // An omitted parameter silently reverts to its template default: keep every other one.
    keep: Object.keys(stack.parameters).filter((k) => k !== t.imageParameter),
    capabilities: t.capabilities,
    roleArn: t.roleArn,
    description: `Capstan ${req.requestId}: ${env.app} ${req.version} requested by ${req.requestedBy}`,
    rollbackTriggers: triggers,
  });
  const plan: StackPlan = {
    region: t.region,
    stack: t.stack,
    changeSetName: name,
    changeSetArn: created.arn,
    stackId: created.stackId,
    stackUpdatedAt: stack.updatedAt,
    ...((t.imageParameterFormat ?? 'tag') === 'tag' && {
      pinnedTag: { repository: t.repository, tag: value, digest: image.digest },
    }),
    ...(platformAlarms && {
      monitoring: { minutes: triggers.monitoringMinutes, alarms: platformAlarms.alarms },
    }),
  };
  const link = {
    label: 'Change set in the AWS console',
    url: changeSetConsoleUrl(t.region, created.stackId, created.arn),
  };
  const cs = await computed(deps, plan);
  if (cs.status === 'FAILED') {
    const reason = cs.statusReason ?? 'no reason given';
    if (NO_CHANGES.some((re) => re.test(reason))) return { plan, unchanged: true, review: { link } };
    await discard(deps, plan).catch(() => undefined);
    throw new CapstanError('upstream', { kind: 'cloudformation.changeSetFailed', reason });
  }
  const parameters: ParameterChange[] = [
    { key: t.imageParameter, from: stack.parameters[t.imageParameter], to: value },
  ].filter((p) => p.from !== p.to);
  return { plan, review: { ...review(cs, parameters, link), ...(platformAlarms && { platformAlarms }) } };
}

/** The change set once CloudFormation has computed it (CREATE_COMPLETE or FAILED). */
async function computed(deps: StackStrategyDeps, plan: StackPlan): Promise<ChangeSetInfo> {
  const cs = await deps.stacks.waitForChangeSet(plan.region, plan.changeSetArn, {
    pollMs: deps.changeSetPollMs,
    timeoutMs: deps.changeSetTimeoutMs,
    signal: deps.signal,
  });
  if (cs.status === 'CREATE_COMPLETE' || cs.status === 'FAILED') return cs;
  // Nothing will execute it: it is not left behind in the stack's change sets.
  await discard(deps, plan).catch(() => undefined);
  if (deps.signal?.aborted) {
    throw new CapstanError('upstream', { kind: 'cloudformation.changeSetInterrupted' });
  }
  throw new CapstanError('upstream', {
    kind: 'cloudformation.changeSetTimedOut',
    status: cs.status,
    seconds: Math.round(deps.changeSetTimeoutMs / 1000),
  });
}

function review(cs: ChangeSetInfo, parameters: ParameterChange[], link: Review['link']): Review {
  return {
    parameters,
    changes: cs.changes.map((c) => ({
      action: c.action,
      logicalId: c.logicalId,
      resourceType: c.resourceType,
      replacement: c.replacement,
    })),
    link,
  };
}

/** Removes the change set when the request ends without executing it. */
export async function discard(deps: StackStrategyDeps, plan: StackPlan): Promise<void> {
  await deps.stacks.deleteChangeSet(plan.region, plan.changeSetArn);
}
