import type { Environment, StackTarget } from '../domain/catalog.js';
import type { ParameterChange } from '../domain/deployment.js';
import { CapstanError, isCapstanError } from '../domain/errors.js';
import { errorMessage } from '../lib/errors.js';
import { parseImage, shortDigest } from '../domain/version.js';
import { escapeMrkdwn } from '../lib/mrkdwn.js';
import type { ImageDetails, Registry } from '../ports/registry.js';
import type { ChangeSetInfo, StackEvent, StackInfo, Stacks } from '../ports/stacks.js';
import { observeEach } from './each.js';
import { requireImage } from './image.js';
import type { AwsEvent, Observation, Reading, TargetStrategy } from './strategy.js';

export interface StackStrategyDeps {
  readonly stacks: Stacks;
  readonly registry: Registry;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How often a change set being computed is looked at, and for how long at most. */
  readonly changeSetPollMs: number;
  readonly changeSetTimeoutMs: number;
}

interface StackPlan {
  readonly region: string;
  readonly stack: string;
  readonly changeSetName: string;
  readonly changeSetArn: string;
  readonly stackId: string;
  /** Stack's LastUpdatedTime when the change set was made: the approval binds to it. */
  readonly stackUpdatedAt: string;
}

interface StackTrack extends StackPlan {
  /**
   * The ClientRequestToken passed to ExecuteChangeSet (the request id): every event of that stack
   * operation carries it, so the outcome is judged on Capstan's own operation, never on how the
   * stack looks. Absent in tracks written before Capstan followed tokens.
   */
  readonly token?: string | undefined;
  readonly executedAt: number;
  readonly seenEvents: readonly string[];
}

const SUCCESS = new Set(['UPDATE_COMPLETE']);
const FAILURE = new Set([
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
]);
const STACK_TYPE = 'AWS::CloudFormation::Stack';
const NO_CHANGES = [/^The submitted information didn't contain changes/, /^No updates are to be performed/];
const EVENTS_IN_DETAIL = 5;

export const FRESH_OFFER = 'Prepare a fresh change set to try again.';

/** What check() read, handed to prepare(). */
interface StackContext {
  readonly stack: StackInfo;
  readonly image: ImageDetails;
}

/** What the image parameter receives: the tag, the digest it resolved to, or the image pinned by digest. */
export function imageParameterValue(t: StackTarget, image: ImageDetails): string {
  switch (t.imageParameterFormat ?? 'tag') {
    case 'tag':
      return image.tag;
    case 'digest':
      return image.digest;
    case 'uri':
      return `${image.repositoryUri}@${image.digest}`;
  }
}

/** A digest in the parameter (alone or in an image reference), or undefined when it holds a tag. */
function digestIn(value: string): string | undefined {
  if (/^sha256:[0-9a-f]{64}$/i.test(value)) return value;
  return parseImage(value).digest;
}

/** The parameter as people know a version: a tag as it is, a digest shortened (`sha256:0123456789ab`). */
export function versionOfParameter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const digest = digestIn(value);
  if (digest) return shortDigest(digest);
  return parseImage(value).tag ?? value;
}

export function stackOf(env: Environment): StackTarget {
  if (env.target.kind !== 'cloudformation')
    throw new Error(`${env.app}/${env.name} is not a CloudFormation environment`);
  return env.target;
}

/** `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters, unique per request. */
export function changeSetName(app: string, version: string, id: string): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-+/g, '-');
  const tail = `-${clean(id)}`;
  return `capstan-${clean(app)}-${clean(version)}`.slice(0, 128 - tail.length) + tail;
}

function consoleHost(region: string): string {
  return region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
}

export function changeSetConsoleUrl(region: string, stackId: string, changeSetArn: string): string {
  return `https://${consoleHost(region)}/cloudformation/home?region=${region}#/stacks/changesets/changes?stackId=${encodeURIComponent(stackId)}&changeSetId=${encodeURIComponent(changeSetArn)}`;
}

export function stackConsoleUrl(region: string, stackId: string): string {
  return `https://${consoleHost(region)}/cloudformation/home?region=${region}#/stacks/events?stackId=${encodeURIComponent(stackId)}`;
}

/** The first resource that failed, oldest first: the cause, not its consequences. */
export function firstFailure(events: readonly StackEvent[]): string | undefined {
  const failed = [...events]
    .sort((a, b) => a.at - b.at)
    .find((e) => e.status.endsWith('_FAILED') && e.reason);
  return failed ? `${failed.logicalId} (${failed.resourceType}): ${failed.reason}` : undefined;
}

/** A CloudFormation stack changed through a change set people review: the image parameter, every other one kept. */
export function createStackStrategy(deps: StackStrategyDeps): TargetStrategy {
  const { stacks } = deps;

  async function waitForChangeSet(region: string, arn: string) {
    const deadline = deps.now() + deps.changeSetTimeoutMs;
    let cs = await stacks.describeChangeSet(region, arn);
    while (cs.status !== 'CREATE_COMPLETE' && cs.status !== 'FAILED') {
      if (deps.now() > deadline) {
        throw new CapstanError(
          'upstream',
          `The change set was still ${cs.status} after ${Math.round(deps.changeSetTimeoutMs / 1000)}s.`,
        );
      }
      await deps.sleep(deps.changeSetPollMs);
      cs = await stacks.describeChangeSet(region, arn);
    }
    return cs;
  }

  /** The change set Capstan executed, or undefined once CloudFormation has deleted it. */
  async function changeSetOf(r: StackTrack): Promise<ChangeSetInfo | undefined> {
    try {
      return await stacks.describeChangeSet(r.region, r.changeSetArn);
    } catch (e) {
      if (isCapstanError(e) && e.code === 'not_found') return undefined;
      throw e;
    }
  }

  /**
   * One look at the stack operation Capstan started, by identity: the events carrying its token and
   * the ExecutionStatus of its change set. The stack's own status may be somebody else's update.
   */
  async function observeOne(r: StackTrack): Promise<Observation> {
    let stack: StackInfo;
    let events: readonly StackEvent[];
    try {
      [stack, events] = await Promise.all([
        stacks.describeStack(r.region, r.stack),
        // Pages back to the execution, so a busy stack cannot hide Capstan's own events.
        stacks.events(r.region, r.stack, 500, r.executedAt - 1000),
      ]);
    } catch (e) {
      // A deleted stack ends the release; any other error is the group's to retry.
      if (!(isCapstanError(e) && e.code === 'not_found')) throw e;
      return {
        kind: 'missing',
        data: r,
        lines: [],
        what: `CloudFormation stack ${r.stack} (${r.region}) no longer exists`,
      };
    }
    // Tracks from before tokens were followed fall back on the time of execution.
    const mine = (e: StackEvent) =>
      r.token === undefined ? e.at >= r.executedAt - 1000 : e.clientRequestToken === r.token;
    const own = events.filter(mine);
    const seen = new Set(r.seenEvents);
    // Oldest first; events of the same millisecond keep the order AWS gave them.
    const fresh = own
      .filter((e) => !seen.has(e.id))
      .reverse()
      .sort((a, b) => a.at - b.at);
    const lines = fresh.map(
      (e) =>
        `\`${escapeMrkdwn(e.logicalId)}\` ${escapeMrkdwn(e.resourceType)} *${escapeMrkdwn(e.status)}*${e.reason ? `: ${escapeMrkdwn(e.reason)}` : ''}`,
    );
    const data: StackTrack = {
      ...r,
      seenEvents: [...r.seenEvents, ...fresh.map((e) => e.id)].slice(-500),
    };
    // Resources created, updated or rolled back are progress; a resource that failed is not.
    const moved = fresh.some((e) => !e.status.endsWith('_FAILED'));
    const progress: Observation = { kind: 'progress', data, lines, moved };
    const stackLevel = (e: StackEvent) => e.resourceType === STACK_TYPE && e.logicalId === stack.name;
    const failed = (ended: string, stated?: string): Observation => {
      // Capstan's operation's own account ("The following resource(s) failed to update: […]").
      const said =
        own.find((e) => stackLevel(e) && e.reason && /ROLLBACK|FAILED/.test(e.status))?.reason ?? stated;
      return {
        kind: 'failed',
        data,
        lines,
        reason: `${ended}. First failure: ${firstFailure(own) ?? said ?? 'no failing resource reported'}`,
        // CloudFormation has already put the stack back: there is nothing for Capstan to roll back.
        selfRollback: { kind: 'done' },
      };
    };

    // Events come newest first: Capstan's operation's latest word on the stack as a whole.
    const latest = own.find(stackLevel);
    if (latest && SUCCESS.has(latest.status)) return { kind: 'succeeded', data, lines };
    if (latest && FAILURE.has(latest.status)) return failed(`Stack ${r.stack} ended ${latest.status}`);
    // Operations on the stack since Capstan's own (or since it executed, while none of its events shows).
    const newestOwn = events.findIndex(mine);
    const later = events
      .slice(0, newestOwn === -1 ? events.length : newestOwn)
      .filter((e) => stackLevel(e) && !mine(e) && (newestOwn !== -1 || e.at >= r.executedAt - 1000));
    if (latest && later.length === 0) return progress;

    const cs = await changeSetOf(r);
    switch (cs?.executionStatus) {
      case 'EXECUTE_COMPLETE':
        return { kind: 'succeeded', data, lines };
      case 'EXECUTE_FAILED':
        return failed(`Change set ${r.changeSetName} ended EXECUTE_FAILED`, cs.statusReason);
      case 'EXECUTE_IN_PROGRESS':
        return progress;
    }
    if (later.length > 0 || cs?.executionStatus === 'OBSOLETE') {
      // The oldest of them is the operation that replaced Capstan's.
      const token = later.at(-1)?.clientRequestToken;
      return {
        kind: 'superseded',
        data,
        lines,
        by: token ? `stack update ${token}` : 'another stack update',
      };
    }
    return progress;
  }

  return {
    label: 'CloudFormation',
    describe(env) {
      const t = stackOf(env);
      return `CloudFormation stack ${t.stack} (${t.region})`;
    },
    pollGroup(env) {
      const t = stackOf(env);
      return `cloudformation|${t.region}|${t.stack}`;
    },

    async check(env, version) {
      const t = stackOf(env);
      const [image, stack] = await Promise.all([
        requireImage(deps.registry, t.region, t.repository, version),
        stacks.describeStack(t.region, t.stack),
      ]);
      if (!(t.imageParameter in stack.parameters)) {
        throw new CapstanError(
          'invalid_state',
          `Stack ${t.stack} has no parameter ${t.imageParameter}; fix \`imageParameter\` in capstan.yml.`,
        );
      }
      if (stack.status.endsWith('_IN_PROGRESS'))
        throw new CapstanError('conflict', `Stack ${t.stack} is ${stack.status}; wait until it settles.`);
      const context: StackContext = { stack, image };
      return {
        fromVersion: versionOfParameter(stack.parameters[t.imageParameter]),
        digest: image.digest,
        context,
      };
    },

    async prepare(env, req) {
      const t = stackOf(env);
      const ctx = req.checked.context as StackContext | undefined;
      const stack = ctx?.stack ?? (await stacks.describeStack(t.region, t.stack));
      const image = ctx?.image ?? (await requireImage(deps.registry, t.region, t.repository, req.version));
      // Exactly the image that was checked (and that an approval binds to), in the form the template takes.
      const value = imageParameterValue(t, image);
      const name = changeSetName(env.app, req.version, req.requestId);
      const created = await stacks.createChangeSet({
        region: t.region,
        stack: t.stack,
        name,
        parameter: { key: t.imageParameter, value },
        // An omitted parameter silently reverts to its template default: keep every other one.
        keep: Object.keys(stack.parameters).filter((k) => k !== t.imageParameter),
        capabilities: t.capabilities,
        roleArn: t.roleArn,
        description: `Capstan ${req.requestId}: ${env.app} ${req.version} requested by ${req.requestedBy}`,
      });
      const plan: StackPlan = {
        region: t.region,
        stack: t.stack,
        changeSetName: name,
        changeSetArn: created.arn,
        stackId: created.stackId,
        stackUpdatedAt: stack.updatedAt,
      };
      const link = {
        label: 'Change set in the AWS console',
        url: changeSetConsoleUrl(t.region, created.stackId, created.arn),
      };
      const cs = await waitForChangeSet(t.region, created.arn);
      if (cs.status === 'FAILED') {
        const reason = cs.statusReason ?? 'no reason given';
        if (NO_CHANGES.some((re) => re.test(reason))) return { plan, unchanged: true, review: { link } };
        await stacks.deleteChangeSet(t.region, created.arn).catch(() => undefined);
        throw new CapstanError(
          'upstream',
          `CloudFormation could not create the change set: ${escapeMrkdwn(reason)}`,
        );
      }
      const parameters: ParameterChange[] = [
        { key: t.imageParameter, from: stack.parameters[t.imageParameter], to: value },
      ].filter((p) => p.from !== p.to);
      return {
        plan,
        review: {
          parameters,
          changes: cs.changes.map((c) => ({
            action: c.action,
            logicalId: c.logicalId,
            resourceType: c.resourceType,
            replacement: c.replacement,
          })),
          link,
        },
      };
    },

    async discard(_env, recorded) {
      const plan = recorded.plan as StackPlan | undefined;
      if (plan?.changeSetArn) await stacks.deleteChangeSet(plan.region, plan.changeSetArn);
    },

    /** Only the exact change set that was approved: still AVAILABLE, on a stack that has not changed since. */
    async apply(_env, req) {
      const plan = req.plan as StackPlan;
      const [cs, stack] = await Promise.all([
        stacks.describeChangeSet(plan.region, plan.changeSetArn),
        stacks.describeStack(plan.region, plan.stack),
      ]);
      if (cs.executionStatus !== 'AVAILABLE') {
        throw new CapstanError(
          'conflict',
          `The change set is ${cs.executionStatus}${cs.statusReason ? ` (${cs.statusReason})` : ''}, so it was not executed. ${FRESH_OFFER}`,
        );
      }
      if (stack.updatedAt !== plan.stackUpdatedAt) {
        throw new CapstanError(
          'conflict',
          `Stack ${plan.stack} changed since this change set was made (${stack.status} at ${stack.updatedAt}), so it was not executed. ${FRESH_OFFER}`,
        );
      }
      await stacks.executeChangeSet(plan.region, plan.changeSetArn, req.requestId);
      const data: StackTrack = { ...plan, token: req.requestId, executedAt: deps.now(), seenEvents: [] };
      return { data, lines: [`Executing change set \`${escapeMrkdwn(plan.changeSetName)}\`.`] };
    },

    async reconcile(_env, req) {
      const plan = req.plan as StackPlan;
      const cs = await stacks.describeChangeSet(plan.region, plan.changeSetArn).catch(() => undefined);
      if (!cs || cs.executionStatus === 'AVAILABLE' || cs.executionStatus === 'UNAVAILABLE') return undefined;
      const data: StackTrack = { ...plan, token: req.requestId, executedAt: deps.now(), seenEvents: [] };
      return {
        data,
        lines: [`Change set \`${escapeMrkdwn(plan.changeSetName)}\` is ${cs.executionStatus}.`],
      };
    },

    observe(items) {
      return observeEach(items, (item) => observeOne(item.data as StackTrack));
    },

    async read(envs, detail) {
      const out = new Map<Environment, Reading | Error>();
      await Promise.all(
        envs.map(async (env) => {
          const t = stackOf(env);
          try {
            const [stack, events] = await Promise.all([
              stacks.describeStack(t.region, t.stack),
              detail ? stacks.events(t.region, t.stack, EVENTS_IN_DETAIL) : Promise.resolve([]),
            ]);
            out.set(env, {
              version: versionOfParameter(stack.parameters[t.imageParameter]),
              state: stack.status,
              facts: [stack.status],
              inProgress: stack.status.endsWith('_IN_PROGRESS'),
              changedAt: Date.parse(stack.updatedAt),
              events: events.map((e) => ({
                at: e.at,
                message: `${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ''}`,
              })),
              consoleUrl: stackConsoleUrl(t.region, stack.stackId),
            });
          } catch (e) {
            out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
          }
        }),
      );
      return out;
    },

    async running(env) {
      const t = stackOf(env);
      // A digest stays whole here, so that it can be compared with the digests in the ledger.
      const value = (await stacks.describeStack(t.region, t.stack)).parameters[t.imageParameter];
      return value === undefined ? undefined : (digestIn(value) ?? parseImage(value).tag ?? value);
    },

    eventGroups: stackEventGroups,
  };
}

/**
 * The stack a `CloudFormation Stack Status Change` is about, by name and by stack id (capstan.yml
 * may give either). `detail.stack-id` and `resources[0]` are `arn:…:stack/<name>/<uuid>`.
 */
function stackEventGroups(e: AwsEvent): readonly string[] {
  if (e.source !== 'aws.cloudformation' || e.detailType !== 'CloudFormation Stack Status Change') return [];
  const id = e.detail['stack-id'] ?? e.resources[0];
  if (typeof id !== 'string') return [];
  const name = /^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\//.exec(id)?.[1];
  return name ? [`cloudformation|${e.region}|${name}`, `cloudformation|${e.region}|${id}`] : [];
}
