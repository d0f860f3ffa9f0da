import { z } from 'zod';
import type { CodeDeployTarget, Environment } from '../domain/catalog.js';
import type { Progress } from '../domain/deployment.js';
import { CapstanError, isCapstanError } from '../domain/errors.js';
import {
  ContainerNotFound,
  READ_ONLY_MEMBERS,
  type TaskDefinition,
  type TaskDefinitionDocument,
  VERSION_TAG,
  containerImage,
  diffTaskDefinitions,
  nextRevision,
  runningVersion,
  tagValue,
} from '../domain/taskDefinition.js';
import { isImageTag, parseImage, shortDigest } from '../domain/version.js';
import { errorMessage } from '../lib/errors.js';
import { escapeMrkdwn, unescapeMrkdwn } from '../lib/mrkdwn.js';
import {
  ACTIVE_STATUSES,
  type CodeDeploy,
  type CodeDeployDeployment,
  type DeploymentGroup,
  type DeploymentGroupRef,
  type RevisionLocation,
} from '../ports/codedeploy.js';
import type { Ecs, EcsService } from '../ports/ecs.js';
import type { ObjectStore } from '../ports/objects.js';
import type { Registry } from '../ports/registry.js';
import { createDeploymentOnce, findOwn } from './codedeployCreate.js';
import { observeEach } from './each.js';
import { requireImage } from './image.js';
import type {
  AwsEvent,
  Checked,
  Observation,
  Observed,
  Reading,
  RecentEvent,
  Started,
  TargetStrategy,
} from './strategy.js';

export interface CodeDeployStrategyDeps {
  readonly codedeploy: CodeDeploy;
  readonly objects: ObjectStore;
  readonly registry: Registry;
  readonly ecs: Ecs;
  readonly now: () => number;
}

/** How long a failed deployment may wait for the automatic rollback its group promises before Capstan acts. */
const ROLLBACK_GRACE_MS = 90_000;
/** Failing targets read for diagnostics, and failure lines shown. */
const FAILED_TARGETS_READ = 5;
const FAILURE_LINES = 3;
const DESCRIPTION_MAX = 100;

type ServerRevision = NonNullable<CodeDeployTarget['revision']>;
type EcsBlueGreen = NonNullable<CodeDeployTarget['ecs']>;

export function isCodeDeployEnvironment(env: Environment): env is Environment & { target: CodeDeployTarget } {
  return env.target.kind === 'codedeploy';
}

export function codeDeployOf(env: Environment): CodeDeployTarget {
  if (!isCodeDeployEnvironment(env))
    throw new Error(`${env.app}/${env.name} is not a CodeDeploy environment`);
  return env.target;
}

const groupRef = (t: CodeDeployTarget): DeploymentGroupRef => ({
  region: t.region,
  application: t.application,
  group: t.deploymentGroup,
});

type Mode =
  | { readonly kind: 'server'; readonly revision: ServerRevision }
  | { readonly kind: 'ecs'; readonly ecs: EcsBlueGreen };

function modeOf(t: CodeDeployTarget): Mode {
  if (t.ecs && !t.revision) return { kind: 'ecs', ecs: t.ecs };
  if (t.revision && !t.ecs) return { kind: 'server', revision: t.revision };
  throw new CapstanError(
    'invalid_state',
    `CodeDeploy group ${t.deploymentGroup} needs exactly one of \`revision\` (EC2/on-premises) or \`ecs\` (ECS blue/green) in capstan.yml.`,
  );
}

// ---- S3 bundles named by version -------------------------------------------------------------

const VERSION_PLACEHOLDER = '{version}';
const bundleKey = (r: ServerRevision, version: string) => r.key.replaceAll(VERSION_PLACEHOLDER, version);
const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;
const bareETag = (e: string | undefined) => e?.replace(/^"|"$/g, '');

/** The version a bundle key names, read back through the key pattern; undefined when it does not fit. */
export function versionFromKey(pattern: string, key: string): string | undefined {
  const at = pattern.indexOf(VERSION_PLACEHOLDER);
  if (at < 0) return undefined;
  const before = pattern.slice(0, at);
  const after = pattern.slice(at + VERSION_PLACEHOLDER.length).split(VERSION_PLACEHOLDER)[0] ?? '';
  if (!key.startsWith(before)) return undefined;
  for (let end = key.length; end > before.length; end--) {
    const version = key.slice(before.length, end);
    if (!key.slice(end).startsWith(after)) continue;
    if (isImageTag(version) && pattern.replaceAll(VERSION_PLACEHOLDER, version) === key) return version;
  }
  return undefined;
}

function serverVersion(r: ServerRevision, rev: RevisionLocation | undefined): string | undefined {
  return rev?.kind === 's3' && rev.bucket === r.bucket ? versionFromKey(r.key, rev.key) : undefined;
}

function revisionLabel(rev: RevisionLocation | undefined): string {
  if (!rev) return '(none)';
  if (rev.kind === 's3') return s3Uri(rev.bucket, rev.key);
  return rev.kind === 'appspec' ? 'an AppSpec' : `a ${rev.type} revision`;
}

// ---- ECS blue/green --------------------------------------------------------------------------

/** The AppSpec CodeDeploy needs for an ECS blue/green deployment of one task definition revision. */
export function ecsAppSpec(taskDefinitionArn: string, containerName: string, containerPort: number): string {
  const resources = [
    {
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: taskDefinitionArn,
          LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort },
        },
      },
    },
  ];
  // Written out so the version reads 0.0, as in CodeDeploy's own examples (JSON.stringify gives 0).
  return `{"version":0.0,"Resources":${JSON.stringify(resources)}}`;
}

function taskDefinitionInAppSpec(content: string | undefined): string | undefined {
  return content ? /"?TaskDefinition"?\s*:\s*"?([^"\s,}]+)/.exec(content)?.[1] : undefined;
}

const revisionName = (arn: string) => arn.split('/').pop() ?? arn;

function withoutReadOnly(td: TaskDefinition): TaskDefinition {
  const out: Record<string, unknown> = { ...td };
  for (const m of READ_ONLY_MEMBERS) delete out[m];
  return out;
}

// ---- What the ledger keeps (plain JSON, validated when read back) ------------------------------

const documentSchema = z.object({
  taskDefinition: z.record(z.string(), z.unknown()),
  tags: z.array(z.object({ key: z.string(), value: z.string() })),
});
const asDocument = (d: z.infer<typeof documentSchema>) => d as TaskDefinitionDocument;

const contextSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('server'),
    version: z.string(),
    current: z.object({ bucket: z.string(), key: z.string(), eTag: z.string().optional() }).optional(),
    /** The group's last deployment succeeded: its target revision is what runs. */
    settled: z.boolean(),
    bundle: z.object({ key: z.string(), eTag: z.string().optional() }),
  }),
  z.object({
    kind: z.literal('ecs'),
    version: z.string(),
    currentArn: z.string(),
    current: documentSchema,
    image: z.object({ repositoryUri: z.string(), digest: z.string() }),
  }),
]);
type Context = z.infer<typeof contextSchema>;

const planSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('server'),
    version: z.string(),
    bucket: z.string(),
    key: z.string(),
    bundleType: z.string(),
    eTag: z.string().optional(),
    /** The key the group deployed when this was reviewed. */
    baseKey: z.string().optional(),
  }),
  z.object({
    kind: z.literal('ecs'),
    version: z.string(),
    next: documentSchema,
    baseTaskDefinitionArn: z.string(),
    image: z.string(),
  }),
]);
type Plan = z.infer<typeof planSchema>;

const trackSchema = z.object({
  deploymentId: z.string(),
  version: z.string().optional(),
  taskDefinitionArn: z.string().optional(),
  /** Set while following CodeDeploy's own rollback: the deployment it rolls back. */
  rollbackOf: z.string().optional(),
  /** What the last look saw (status and counts), to tell whether anything moved. */
  seen: z.string().optional(),
  /** How far forward the deployment got (see forward()): only a new high is progress. */
  best: z.number().optional(),
  /** First look at a failure whose automatic rollback CodeDeploy had not started yet. */
  failedAt: z.number().optional(),
  /** The failure, already posted while waiting for that rollback. */
  reason: z.string().optional(),
});
type Track = z.infer<typeof trackSchema>;

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`unreadable CodeDeploy ${what}: ${r.error.message}`);
  return r.data;
}

// ---- Words for people ------------------------------------------------------------------------

const code = (s: string) => `\`${escapeMrkdwn(s)}\``;

function groupConsoleUrl(t: CodeDeployTarget): string {
  return `${consoleBase(t.region)}/codesuite/codedeploy/applications/${encodeURIComponent(t.application)}/deployment-groups/${encodeURIComponent(t.deploymentGroup)}?region=${t.region}`;
}

function consoleBase(region: string): string {
  return region.startsWith('cn-') ? 'https://console.amazonaws.cn' : 'https://console.aws.amazon.com';
}

function description(requestId: string, actor: string, version: string): string {
  // Starts with the request id so a truncated description still identifies the request (see reconcile).
  const full = `Capstan ${requestId} by ${actor}: ${version}`;
  return full.length > DESCRIPTION_MAX ? `${full.slice(0, DESCRIPTION_MAX - 1)}…` : full;
}

function progressOf(d: CodeDeployDeployment): Progress | undefined {
  const o = d.overview;
  const total = o.pending + o.inProgress + o.succeeded + o.failed + o.skipped + o.ready;
  return total > 0 ? { done: o.succeeded, total } : undefined;
}

function fingerprint(d: CodeDeployDeployment): string {
  const o = d.overview;
  return [d.status, o.pending, o.inProgress, o.succeeded, o.failed, o.skipped, o.ready].join('|');
}

/** How far forward a deployment is: targets done count twice, targets being deployed once. */
function forward(d: CodeDeployDeployment): number {
  const o = d.overview;
  return 2 * (o.succeeded + o.skipped + o.ready) + o.inProgress;
}

function counts(d: CodeDeployDeployment): string {
  const p = progressOf(d);
  return p ? ` (${p.done}/${p.total} targets done)` : '';
}

function logTail(tail: string | undefined): string {
  const lines = (tail ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3);
  const text = lines.join(' ⏎ ');
  return text.length > 300 ? `…${text.slice(-300)}` : text;
}

function short(s: string, max = 300): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** Who started a deployment, for people. */
function whoStarted(d: CodeDeployDeployment): string {
  const by = d.description ? `"${short(d.description, 80)}"` : (d.creator ?? 'someone');
  return `CodeDeploy deployment ${d.id} (${d.status}, ${by})`;
}

/** CodeDeploy rolls a deployment back by itself after this ending. */
function rollbackEventFor(d: CodeDeployDeployment): string {
  if (d.status === 'Failed') return 'DEPLOYMENT_FAILURE';
  return d.error?.code === 'ALARM_ACTIVE' ? 'DEPLOYMENT_STOP_ON_ALARM' : 'DEPLOYMENT_STOP_ON_REQUEST';
}

const sameBundle = (d: CodeDeployDeployment, key: string) =>
  d.revision?.kind === 's3' && d.revision.key === key;

/** A change that took effect although CodeDeploy answered with an error: said first, then followed. */
function afterError(s: Started, error: unknown): Started {
  if (error === undefined) return s;
  const said = isCapstanError(error) ? error.message : escapeMrkdwn(errorMessage(error));
  return {
    ...s,
    lines: [`:warning: AWS answered with an error (${said}), but the change took effect.`, ...s.lines],
  };
}

// ---- The strategy ----------------------------------------------------------------------------

/** A CodeDeploy deployment group: an S3 bundle per version on EC2/on-premises, or ECS blue/green. */
export function createCodeDeployStrategy(deps: CodeDeployStrategyDeps): TargetStrategy {
  const { codedeploy: cd, objects, ecs } = deps;

  async function requireGroup(t: CodeDeployTarget, mode: Mode): Promise<DeploymentGroup> {
    const group = await cd.getDeploymentGroup(groupRef(t));
    if (!group) {
      throw new CapstanError(
        'not_found',
        `CodeDeploy deployment group ${t.deploymentGroup} of application ${t.application} was not found in ${t.region}.`,
      );
    }
    const platform = mode.kind === 'ecs' ? 'ECS' : 'Server';
    if (group.computePlatform !== platform) {
      throw new CapstanError(
        'invalid_state',
        `CodeDeploy group ${t.deploymentGroup} deploys to ${escapeMrkdwn(group.computePlatform)}, but capstan.yml describes ${mode.kind === 'ecs' ? 'an ECS service' : 'an S3 bundle for EC2/on-premises'}.`,
      );
    }
    if (mode.kind === 'ecs' && group.ecsServices.length > 0) {
      const { cluster, service } = mode.ecs;
      if (!group.ecsServices.some((s) => s.service === service && s.cluster === cluster)) {
        const actual = group.ecsServices.map((s) => `${s.cluster}/${s.service}`).join(', ');
        throw new CapstanError(
          'invalid_state',
          `CodeDeploy group ${t.deploymentGroup} deploys ECS service ${escapeMrkdwn(actual)}, not ${cluster}/${service} as capstan.yml says.`,
        );
      }
    }
    return group;
  }

  /** CodeDeploy runs one deployment per group at a time: refuse rather than fail later. */
  async function requireIdle(t: CodeDeployTarget): Promise<void> {
    const [busy] = await cd.listDeployments(groupRef(t), ACTIVE_STATUSES, { limit: 1 });
    if (busy === undefined) return;
    const d = await cd.getDeployment(t.region, busy);
    const what = d ? whoStarted(d) : `CodeDeploy deployment ${busy}`;
    const wait = d?.terminationWaitStarted
      ? ' It is waiting to remove the original environment; end that wait in CodeDeploy or let it run out.'
      : ' Wait for it to end, or stop it in CodeDeploy.';
    throw new CapstanError(
      'conflict',
      `${escapeMrkdwn(what)} is already in progress in group ${t.deploymentGroup}.${wait}`,
    );
  }

  async function readService(t: CodeDeployTarget, e: EcsBlueGreen): Promise<EcsService> {
    const { services } = await ecs.describeServices({ region: t.region, cluster: e.cluster }, [e.service]);
    const service = services[0];
    if (!service) {
      throw new CapstanError(
        'not_found',
        `ECS service ${e.service} was not found in cluster ${e.cluster} (${t.region}).`,
      );
    }
    return service;
  }

  /** The task definition the blue/green service runs: the service says it; the group's AppSpec is the fallback. */
  async function currentTaskDefinition(
    t: CodeDeployTarget,
    e: EcsBlueGreen,
    group: DeploymentGroup | undefined,
  ): Promise<{ arn: string; doc: TaskDefinitionDocument }> {
    const service = await readService(t, e);
    const rev = group?.targetRevision;
    const arn =
      service.taskDefinition || (rev?.kind === 'appspec' ? taskDefinitionInAppSpec(rev.content) : undefined);
    if (!arn) {
      throw new CapstanError(
        'invalid_state',
        `ECS service ${e.service} names no task definition to start from.`,
      );
    }
    return { arn, doc: await ecs.describeTaskDefinition(t.region, arn) };
  }

  function next(
    e: EcsBlueGreen,
    ctx: Extract<Context, { kind: 'ecs' }>,
    version: string,
    requestedBy: string,
  ) {
    try {
      return nextRevision(asDocument(ctx.current), {
        container: e.container,
        image: `${ctx.image.repositoryUri}@${ctx.image.digest}`,
        version,
        requestedBy,
      });
    } catch (err) {
      if (err instanceof ContainerNotFound) {
        throw new CapstanError(
          'invalid_state',
          `Task definition ${revisionName(ctx.currentArn)} has no container "${err.container}" (it has ${err.available.map(escapeMrkdwn).join(', ')}); fix \`container\` in capstan.yml.`,
        );
      }
      throw err;
    }
  }

  async function check(env: Environment, version: string): Promise<Checked> {
    const t = codeDeployOf(env);
    const mode = modeOf(t);
    const group = await requireGroup(t, mode);
    await requireIdle(t);
    if (mode.kind === 'server') {
      const r = mode.revision;
      const key = bundleKey(r, version);
      if (!isImageTag(version)) {
        throw new CapstanError('invalid_state', `\`${escapeMrkdwn(version)}\` cannot name a bundle in S3.`);
      }
      const head = await objects.head(t.region, r.bucket, key);
      if (!head) {
        throw new CapstanError(
          'not_found',
          `There is no bundle for \`${version}\` at ${s3Uri(r.bucket, key)} (${t.region}): upload it first.`,
        );
      }
      const rev = group.targetRevision;
      const context: Context = {
        kind: 'server',
        version,
        current: rev?.kind === 's3' ? { bucket: rev.bucket, key: rev.key, eTag: rev.eTag } : undefined,
        settled: group.lastAttempted === undefined || group.lastAttempted.status === 'Succeeded',
        bundle: { key, eTag: head.etag },
      };
      return { fromVersion: serverVersion(r, rev), context };
    }
    const e = mode.ecs;
    const [image, current] = await Promise.all([
      requireImage(deps.registry, t.region, e.repository, version),
      currentTaskDefinition(t, e, group),
    ]);
    const context: Context = {
      kind: 'ecs',
      version,
      currentArn: current.arn,
      current: { taskDefinition: { ...current.doc.taskDefinition }, tags: [...current.doc.tags] },
      image: { repositoryUri: image.repositoryUri, digest: image.digest },
    };
    next(e, context, version, 'check'); // refuses a missing container before anything is recorded
    return { fromVersion: runningVersion(current.doc, e.container), digest: image.digest, context };
  }

  function started(t: CodeDeployTarget, track: Track, what: string): Started {
    return {
      data: track,
      lines: [
        `:rocket: CodeDeploy deployment ${code(track.deploymentId)} started: ${what} to group ${code(t.deploymentGroup)}.`,
      ],
    };
  }

  // ---- observe ----

  /** The failing lifecycle events of a deployment, one line each, cause first. */
  async function failingEvents(region: string, d: CodeDeployDeployment): Promise<string[]> {
    const ids = await cd.listDeploymentTargets(region, d.id, ['Failed']);
    const targets = await cd.batchGetDeploymentTargets(region, d.id, ids.slice(0, FAILED_TARGETS_READ));
    const out: string[] = [];
    for (const target of targets) {
      const ev = target.lifecycleEvents.find((x) => x.status === 'Failed');
      if (!ev) continue;
      const diag = ev.diagnostics;
      const parts = [diag?.errorCode, diag?.message && short(diag.message)].filter(Boolean).join(': ');
      const script =
        diag?.scriptName && !diag.message?.includes(diag.scriptName) ? ` [${diag.scriptName}]` : '';
      const tail = logTail(diag?.logTail);
      out.push(
        escapeMrkdwn(
          `${ev.name} failed on ${target.id}${parts ? `: ${parts}` : ''}${script}${tail ? ` (log: ${tail})` : ''}`,
        ),
      );
    }
    return out;
  }

  async function failureOf(
    region: string,
    d: CodeDeployDeployment,
  ): Promise<{ reason: string; lines: string[] }> {
    const err = d.error;
    if (err?.code === 'MANUAL_STOP') {
      return {
        reason: 'stopped by someone in CodeDeploy',
        lines: [`:octagonal_sign: CodeDeploy deployment ${code(d.id)} was stopped by someone in CodeDeploy.`],
      };
    }
    const summary = err
      ? escapeMrkdwn(short(`${err.code ?? 'error'}: ${err.message ?? ''}`))
      : escapeMrkdwn(short(d.statusMessages[0] ?? `ended ${d.status}`));
    let events: string[] = [];
    let unread: string | undefined;
    try {
      events = (await failingEvents(region, d)).slice(0, FAILURE_LINES);
    } catch (e) {
      if (isCapstanError(e) && e.code === 'throttled') throw e; // look again on the next poll
      unread = `:warning: Could not read the failing targets: ${escapeMrkdwn(errorMessage(e))}`;
    }
    const first = events[0];
    return {
      reason: first ? `${first} — CodeDeploy: ${escapeMrkdwn(err?.code ?? d.status)}` : summary,
      lines: [
        `:x: CodeDeploy deployment ${code(d.id)} ${d.status === 'Stopped' ? 'stopped' : 'failed'}: ${summary}`,
        ...events.map((x) => `:x: ${x}`),
        ...(unread ? [unread] : []),
      ],
    };
  }

  /** Another deployment (not this one, not its rollback) that came after it, if any. */
  async function supersededBy(t: CodeDeployTarget, d: CodeDeployDeployment, ours: ReadonlySet<string>) {
    const ids = await cd.listDeployments(groupRef(t), [], { createdAfter: d.createdAt, limit: 5 });
    let looked = 0;
    for (const id of ids) {
      if (ours.has(id) || id === d.rollback?.deploymentId) continue;
      if (++looked > 3) break;
      const other = await cd.getDeployment(t.region, id);
      if (!other || (other.createdAt ?? 0) < (d.createdAt ?? 0)) continue;
      // Scale-out deployments and CodeDeploy's rollbacks of ours replace nothing.
      if (other.creator === 'autoscaling' || other.rollback?.triggeringDeploymentId === d.id) continue;
      return whoStarted(other);
    }
    return undefined;
  }

  async function expectsRollback(t: CodeDeployTarget, d: CodeDeployDeployment): Promise<boolean> {
    const config = d.autoRollback ?? (await cd.getDeploymentGroup(groupRef(t)))?.autoRollback;
    return config?.enabled === true && config.events.includes(rollbackEventFor(d));
  }

  async function ended(
    item: Observed,
    t: CodeDeployTarget,
    d: CodeDeployDeployment,
    track: Track,
    moved: boolean,
  ) {
    const now = deps.now();
    const rollbackId = d.rollback?.deploymentId;
    const failure =
      track.reason !== undefined ? { reason: track.reason, lines: [] } : await failureOf(t.region, d);
    if (item.phase === 'rollout' && rollbackId) {
      const following: Track = { deploymentId: rollbackId, rollbackOf: d.id };
      return {
        kind: 'failed',
        data: track,
        reason: unescapeMrkdwn(failure.reason),
        lines: [
          ...failure.lines,
          `:rewind: CodeDeploy is rolling back by itself (deployment ${code(rollbackId)}). Capstan follows that rollback and does not start another.`,
        ],
        selfRollback: { kind: 'following', data: following },
      } satisfies Observation;
    }
    const lines = [...failure.lines];
    if (item.phase === 'rollout' && d.rollback?.message && track.reason === undefined) {
      // What this message says when a rollback is merely late is not documented: it only informs.
      lines.push(`:information_source: CodeDeploy says: ${escapeMrkdwn(short(d.rollback.message))}`);
    }
    if (item.phase === 'rollout' && (await expectsRollback(t, d))) {
      // The group promises a rollback that has not started yet: a rollback by Capstan now would race it.
      const failedAt = track.failedAt ?? now;
      if (now - failedAt < Math.min(ROLLBACK_GRACE_MS, item.env.rolloutTimeoutMs / 2)) {
        return {
          kind: 'progress',
          data: { ...track, failedAt, reason: failure.reason },
          moved,
          progress: progressOf(d),
          lines:
            track.reason === undefined
              ? [...lines, ':hourglass_flowing_sand: Waiting for CodeDeploy to start its automatic rollback.']
              : [],
        } satisfies Observation;
      }
      lines.push(
        `:warning: CodeDeploy's group is set to roll back by itself, but it did not start a rollback of ${code(d.id)}.`,
      );
    }
    const ours = new Set([d.id, ...(track.rollbackOf ? [track.rollbackOf] : [])]);
    const by = await supersededBy(t, d, ours);
    if (by) return { kind: 'superseded', data: track, lines, by } satisfies Observation;
    if (item.phase === 'rollback' && rollbackId)
      lines.push(`:information_source: CodeDeploy rolls this one back too (deployment ${code(rollbackId)}).`);
    return {
      kind: 'failed',
      data: track,
      lines,
      reason: unescapeMrkdwn(failure.reason),
    } satisfies Observation;
  }

  async function observeOne(item: Observed): Promise<Observation> {
    const t = codeDeployOf(item.env);
    const read = trackSchema.safeParse(item.data);
    if (!read.success) {
      // Not a reason to hold up the other rollouts of this poll group, nor to roll anything back.
      return {
        kind: 'missing',
        data: item.data,
        lines: [],
        what: 'Capstan cannot read what it recorded about this CodeDeploy deployment',
      };
    }
    const track = read.data;
    const d = await cd.getDeployment(t.region, track.deploymentId);
    if (!d) {
      // Say what is gone: most often the whole group (or application), with its deployments.
      const group = await cd.getDeploymentGroup(groupRef(t));
      return {
        kind: 'missing',
        data: track,
        lines: [],
        what: group
          ? `CodeDeploy deployment ${track.deploymentId} no longer exists in ${t.region}`
          : `CodeDeploy deployment group ${t.deploymentGroup} of application ${t.application} no longer exists in ${t.region}`,
      };
    }
    const seen = fingerprint(d);
    const statusChanged = d.status !== track.seen?.split('|')[0];
    // Only what moves the deployment forward is progress: a new stage, targets starting or done.
    // Failed targets and looks that repeat what was seen are not, so a stalled deployment meets its deadline.
    const best = track.best ?? 0;
    const moved = statusChanged || forward(d) > best;
    const looked: Track = { ...track, seen, best: Math.max(best, forward(d)) };
    const whose = track.rollbackOf ? "CodeDeploy's rollback" : 'CodeDeploy deployment';
    switch (d.status) {
      case 'Succeeded': {
        const version = modeOf(t).kind === 'server' ? serverVersionOf(t, d.revision) : undefined;
        return {
          kind: 'succeeded',
          data: looked,
          lines: [
            `:white_check_mark: ${whose} ${code(d.id)} succeeded${counts(d)}${track.rollbackOf && version ? `: the group runs ${code(version)} again` : ''}.`,
          ],
        };
      }
      case 'Failed':
      case 'Stopped':
        return ended(item, t, d, looked, moved);
      case 'Ready': {
        const opt = d.readyOption;
        const deadline =
          opt?.actionOnTimeout === 'STOP_DEPLOYMENT' && opt.waitMinutes !== undefined
            ? ` CodeDeploy stops the deployment if traffic is not rerouted within ${opt.waitMinutes} min.`
            : '';
        return {
          kind: 'progress',
          data: looked,
          moved,
          progress: progressOf(d),
          waiting: 'waiting to reroute traffic',
          lines: statusChanged
            ? [
                `:double_vertical_bar: ${whose} ${code(d.id)} is ready: the new version runs beside the old one, which still gets the traffic. Continue reroutes it.${deadline}`,
              ]
            : [],
        };
      }
      default:
        if (d.terminationWaitStarted) {
          // Traffic is on the new version; CodeDeploy only keeps the original around for a while.
          return {
            kind: 'succeeded',
            data: looked,
            lines: [
              `:white_check_mark: ${whose} ${code(d.id)} rerouted all traffic to the new version; CodeDeploy keeps the original environment until its termination wait ends.`,
            ],
          };
        }
        return {
          kind: 'progress',
          data: looked,
          moved,
          progress: progressOf(d),
          lines: statusChanged
            ? [`:hourglass_flowing_sand: ${whose} ${code(d.id)}: ${escapeMrkdwn(d.status)}${counts(d)}.`]
            : [],
        };
    }
  }

  function serverVersionOf(t: CodeDeployTarget, rev: RevisionLocation | undefined): string | undefined {
    return t.revision ? serverVersion(t.revision, rev) : undefined;
  }

  /** The version the group runs: the target revision's key, or the ECS service's task definition. */
  async function runningOf(
    t: CodeDeployTarget,
    group: DeploymentGroup,
  ): Promise<{ version?: string | undefined; digest?: string | undefined; revision: string }> {
    const mode = modeOf(t);
    if (mode.kind === 'server') {
      return {
        version: serverVersion(mode.revision, group.targetRevision),
        revision: revisionLabel(group.targetRevision),
      };
    }
    const current = await currentTaskDefinition(t, mode.ecs, group);
    const image = containerImage(current.doc.taskDefinition, mode.ecs.container);
    return {
      version: runningVersion(current.doc, mode.ecs.container),
      digest: image ? parseImage(image).digest : undefined,
      revision: revisionName(current.arn),
    };
  }

  async function readingOf(env: Environment, detail: boolean): Promise<Reading> {
    const t = codeDeployOf(env);
    const group = await requireGroup(t, modeOf(t));
    const running = await runningOf(t, group);
    const last = group.lastAttempted;
    const facts = [
      last ? `last deployment ${last.id} ${last.status}` : 'no deployments yet',
      ...(group.lastSuccessful && group.lastSuccessful.id !== last?.id
        ? [`last success ${group.lastSuccessful.id}`]
        : []),
      `revision ${running.revision}`,
      group.autoRollback.enabled
        ? `CodeDeploy rolls back on ${group.autoRollback.events.join(', ') || 'nothing'}`
        : 'no automatic rollback in CodeDeploy',
    ];
    const events: RecentEvent[] = [];
    if (detail && last && (last.status === 'Failed' || last.status === 'Stopped')) {
      const d = await cd.getDeployment(t.region, last.id);
      if (d?.error) {
        events.push({
          at: d.completedAt ?? d.createdAt ?? 0,
          message: `${d.id} ${d.status}: ${d.error.code ?? ''} ${short(d.error.message ?? '')}`,
        });
      }
    }
    return {
      version: running.version,
      digest: running.digest,
      state: last?.status ?? 'no deployments',
      facts,
      inProgress: last !== undefined && ACTIVE_STATUSES.includes(last.status),
      changedAt: last?.endedAt ?? last?.createdAt,
      events,
      consoleUrl: groupConsoleUrl(t),
    };
  }

  return {
    label: 'CodeDeploy',
    describe(env) {
      const t = codeDeployOf(env);
      return `CodeDeploy deployment group ${t.deploymentGroup} of ${t.application} (${t.region})`;
    },
    pollGroup(env) {
      return `codedeploy|${codeDeployOf(env).region}`;
    },

    check,

    async prepare(env, req) {
      const t = codeDeployOf(env);
      const mode = modeOf(t);
      const fromCheck = contextSchema.safeParse(req.checked.context);
      const ctx =
        fromCheck.success && fromCheck.data.version === req.version
          ? fromCheck.data
          : parsed(contextSchema, (await check(env, req.version)).context, 'check context');
      const link = { label: `CodeDeploy group ${t.deploymentGroup}`, url: groupConsoleUrl(t) };
      if (mode.kind === 'server' && ctx.kind === 'server') {
        const r = mode.revision;
        const to = s3Uri(r.bucket, ctx.bundle.key);
        const from = ctx.current ? s3Uri(ctx.current.bucket, ctx.current.key) : '(none)';
        const eTag = bareETag(ctx.bundle.eTag);
        const plan: Plan = {
          kind: 'server',
          version: req.version,
          bucket: r.bucket,
          key: ctx.bundle.key,
          bundleType: r.bundleType,
          eTag,
          baseKey: ctx.current?.key,
        };
        const same =
          ctx.settled &&
          ctx.current?.bucket === r.bucket &&
          ctx.current.key === ctx.bundle.key &&
          (!ctx.current.eTag || !eTag || bareETag(ctx.current.eTag) === eTag);
        return {
          plan,
          unchanged: same,
          review: {
            diff: {
              title: 'Revision',
              lines: [`${from} → ${to}${eTag ? ` (eTag ${eTag})` : ''}`],
            },
            link,
          },
        };
      }
      if (mode.kind === 'ecs' && ctx.kind === 'ecs') {
        const doc = next(mode.ecs, ctx, req.version, req.requestedBy);
        const image = `${ctx.image.repositoryUri}@${ctx.image.digest}`;
        const current = asDocument(ctx.current);
        const lines = diffTaskDefinitions(withoutReadOnly(current.taskDefinition), doc.taskDefinition);
        const fromTag = tagValue(current.tags, VERSION_TAG);
        if (fromTag !== req.version)
          lines.push(`tags.${VERSION_TAG}: ${fromTag ?? '(none)'} → ${req.version}`);
        const plan: Plan = {
          kind: 'ecs',
          version: req.version,
          next: { taskDefinition: { ...doc.taskDefinition }, tags: [...doc.tags] },
          baseTaskDefinitionArn: ctx.currentArn,
          image,
        };
        return {
          plan,
          unchanged: containerImage(current.taskDefinition, mode.ecs.container) === image,
          review: { diff: { title: 'Task definition changes', lines }, link },
        };
      }
      throw new Error(`CodeDeploy check context for ${ctx.kind} does not fit a ${mode.kind} target`);
    },

    async discard() {
      // prepare() leaves nothing in AWS: the task definition is registered by apply().
    },

    async apply(env, req) {
      const t = codeDeployOf(env);
      const mode = modeOf(t);
      const plan = parsed(planSchema, req.plan, 'plan');
      const group = await requireGroup(t, mode);
      await requireIdle(t);
      const desc = description(req.requestId, req.actor, req.version);
      if (plan.kind === 'server' && mode.kind === 'server') {
        const uri = s3Uri(plan.bucket, plan.key);
        const head = await objects.head(t.region, plan.bucket, plan.key);
        if (!head) throw new CapstanError('not_found', `The bundle ${uri} is gone since it was reviewed.`);
        if (plan.eTag && head.etag && bareETag(head.etag) !== plan.eTag) {
          throw new CapstanError(
            'conflict',
            `The bundle ${uri} was replaced since it was reviewed. Request the deploy again.`,
          );
        }
        const rev = group.targetRevision;
        const baseKey = rev?.kind === 's3' ? rev.key : undefined;
        if (baseKey !== plan.baseKey) {
          throw new CapstanError(
            'conflict',
            `CodeDeploy group ${t.deploymentGroup} changed since this was reviewed: it now deploys ${escapeMrkdwn(revisionLabel(rev))}. Request the deploy again.`,
          );
        }
        const created = await createDeploymentOnce(
          cd,
          groupRef(t),
          { kind: 's3', bucket: plan.bucket, key: plan.key, bundleType: plan.bundleType, eTag: plan.eTag },
          desc,
          { requestId: req.requestId, now: deps.now, matches: (d) => sameBundle(d, plan.key) },
        );
        return afterError(
          started(t, { deploymentId: created.id, version: plan.version }, code(uri)),
          created.error,
        );
      }
      if (plan.kind === 'ecs' && mode.kind === 'ecs') {
        const service = await readService(t, mode.ecs);
        if (service.taskDefinition !== plan.baseTaskDefinitionArn) {
          throw new CapstanError(
            'conflict',
            `ECS service ${mode.ecs.service} changed since this was reviewed: it now runs ${escapeMrkdwn(revisionName(service.taskDefinition))}, not ${escapeMrkdwn(revisionName(plan.baseTaskDefinitionArn))}. Request the deploy again.`,
          );
        }
        const arn = await ecs.registerTaskDefinition(t.region, asDocument(plan.next));
        const content = ecsAppSpec(arn, mode.ecs.container, mode.ecs.containerPort);
        const created = await createDeploymentOnce(cd, groupRef(t), { kind: 'appspec', content }, desc, {
          requestId: req.requestId,
          now: deps.now,
        });
        const ref = parseImage(plan.image);
        const label = `${ref.repository.split('/').pop() ?? ''}@${ref.digest ? shortDigest(ref.digest) : ''}`;
        return afterError(
          started(
            t,
            { deploymentId: created.id, version: plan.version, taskDefinitionArn: arn },
            `${code(revisionName(arn))} with ${code(label)} (blue/green on ECS service ${code(mode.ecs.service)})`,
          ),
          created.error,
        );
      }
      throw new Error(`CodeDeploy plan for ${plan.kind} does not fit a ${mode.kind} target`);
    },

    async reconcile(env, req) {
      const t = codeDeployOf(env);
      const plan = parsed(planSchema, req.plan, 'plan');
      const d = await findOwn(cd, groupRef(t), req.requestId, deps.now(), {
        matches: (x) => plan.kind !== 'server' || sameBundle(x, plan.key),
      });
      if (!d) return undefined;
      const what = plan.kind === 'server' ? code(s3Uri(plan.bucket, plan.key)) : code(plan.version);
      return started(t, { deploymentId: d.id, version: plan.version }, what);
    },

    observe(items) {
      return observeEach(items, observeOne);
    },

    async read(envs, detail) {
      const out = new Map<Environment, Reading | Error>();
      await Promise.all(
        envs.map(async (env) => {
          try {
            out.set(env, await readingOf(env, detail));
          } catch (e) {
            out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
          }
        }),
      );
      return out;
    },

    async running(env) {
      const t = codeDeployOf(env);
      const group = await requireGroup(t, modeOf(t));
      return (await runningOf(t, group)).version;
    },

    async proceed(env, data) {
      const t = codeDeployOf(env);
      const track = parsed(trackSchema, data, 'tracking data');
      await cd.continueDeployment(t.region, track.deploymentId, 'READY_WAIT');
      return [
        `:arrow_forward: CodeDeploy deployment ${code(track.deploymentId)} is rerouting traffic to the new version.`,
      ];
    },

    eventGroups: codeDeployEventGroups,
  };
}

/**
 * CodeDeploy's rollouts are observed per region, so a deployment's state change concerns its
 * region's group. The detail's fields are not documented well enough to narrow it further.
 */
function codeDeployEventGroups(e: AwsEvent): readonly string[] {
  if (e.source !== 'aws.codedeploy' || e.detailType !== 'CodeDeploy Deployment State-change Notification')
    return [];
  return e.region ? [`codedeploy|${e.region}`] : [];
}
