import type { RolloutPause, RolloutStage } from '../../../domain/deployment.js';
import type { EcsProgressiveFact } from '../../../domain/facts/ecsProgressive.js';
import type { Fact } from '../../../domain/facts/index.js';
import type { ServiceDeployment, ServiceDeploymentBrief } from '../../../ports/ecsServiceDeployments.js';
import type { Observation } from '../../strategy.js';
import type { EcsTrack } from '../schemas.js';
import type { AwaitingHook, ServiceDeploymentTrack } from './schemas.js';

/** One look at a service deployment: what ECS answered about the one Capstan follows. */
export interface ServiceDeploymentLook {
  /** Absent while ECS has not listed Capstan's deployment yet. */
  readonly deployment?: ServiceDeployment | undefined;
  /** ECS answered that it no longer knows the followed ARN. */
  readonly missing?: boolean | undefined;
  /** A deployment of the service created after Capstan's (read only when Capstan's was STOPPED). */
  readonly newer?: ServiceDeploymentBrief | undefined;
}

type Failed = Extract<EcsProgressiveFact, { kind: 'ecs.serviceDeploymentFailed' }>;

const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
const minutes = (m: number | undefined) => (m === undefined ? undefined : m * 60_000);

/** Where the deployment is; a bake gets its end from when Capstan first saw it start. */
function stageOf(d: ServiceDeployment, since: number): RolloutStage | undefined {
  if (!d.lifecycleStage) return undefined;
  const step = d.strategy === 'LINEAR' || d.strategy === 'CANARY';
  const bake =
    d.lifecycleStage === 'BAKE_TIME'
      ? minutes(d.bakeTimeMinutes)
      : step && d.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT'
        ? minutes(d.stepBakeTimeMinutes)
        : undefined;
  return {
    stage: d.lifecycleStage,
    productionPercent: d.productionWeight,
    testPercent: d.testWeight,
    until: bake !== undefined ? since + bake : undefined,
  };
}

function pauseOf(h: AwaitingHook): RolloutPause {
  return { stage: h.stage, timeoutAction: h.timeoutAction, expiresAt: h.expiresAt };
}

/**
 * Judges one look at the service deployment Capstan follows, by its ARN: ECS's own status decides
 * the outcome. A pause hook waiting for people and a bake are held by ECS's clock (`held`), never
 * by Capstan's rolloutTimeout. Each stage, step and pause is said once: the track remembers the
 * last one seen. Pure: `now` dates a stage Capstan sees begin.
 */
export function evaluateServiceDeployment(
  look: ServiceDeploymentLook,
  t: EcsTrack & { readonly sd: ServiceDeploymentTrack },
  phase: 'rollout' | 'rollback',
  now: number,
): Observation<EcsTrack> {
  const sd = t.sd;
  if (look.missing && sd.arn) {
    return { kind: 'missing', data: t, lines: [], what: { kind: 'ecs.serviceDeploymentGone', arn: sd.arn } };
  }
  const d = look.deployment;
  if (!d) return { kind: 'progress', data: t, lines: [], moved: false };

  const lines: Fact[] = [];
  const stageChanged = d.lifecycleStage !== sd.stage || d.productionWeight !== sd.productionPercent;
  const stageSince = stageChanged ? now : (sd.stageSince ?? now);
  const stage = stageOf(d, stageSince);
  if (stageChanged && stage && !ROLLING_BACK.has(d.status))
    lines.push({ kind: 'ecs.stageReached', ...stage });

  const { hook, ended } = hooksSeen(d, sd, lines);

  const data: EcsTrack = {
    ...t,
    sd: {
      ...sd,
      arn: d.arn,
      status: d.status,
      stage: d.lifecycleStage,
      productionPercent: d.productionWeight,
      testPercent: d.testWeight,
      hook,
      stageSince,
      ended: ended.slice(-20),
    },
  };
  const moved = stageChanged || d.status !== sd.status || hook?.hookId !== sd.hook?.hookId;

  const ending = endingOf(d, look, phase, data, lines);
  if (ending) return ending;
  const baking =
    d.lifecycleStage === 'BAKE_TIME' || (stage?.until !== undefined && !ROLLING_BACK.has(d.status));
  return {
    kind: 'progress',
    data,
    lines,
    moved,
    progress: d.requested ? { done: d.running ?? 0, total: d.requested } : undefined,
    stage: ROLLING_BACK.has(d.status) ? undefined : stage,
    pause: hook && phase === 'rollout' ? pauseOf(hook) : undefined,
    waiting: hook && phase === 'rollout' ? waitingOf(hook, d.productionWeight) : undefined,
    held: hook !== undefined || baking,
  };
}

/**
 * The pause hook waiting for people now, and the hooks whose wait ended (said once each: the track
 * keeps the last 20). Says in `lines` each pause that begins or ends.
 */
function hooksSeen(
  d: ServiceDeployment,
  sd: ServiceDeploymentTrack,
  lines: Fact[],
): { hook: AwaitingHook | undefined; ended: string[] } {
  const waiting = d.hooks.find((h) => h.status === 'AWAITING_ACTION' && h.hookId !== '');
  const hook: AwaitingHook | undefined = waiting && {
    hookId: waiting.hookId,
    stage: d.lifecycleStage ?? sd.stage ?? 'unknown stage',
    timeoutAction: waiting.timeoutAction,
    expiresAt: waiting.expiresAt,
  };
  const ended = [...(sd.ended ?? [])];
  if (sd.hook && sd.hook.hookId !== hook?.hookId && !ended.includes(sd.hook.hookId)) {
    const seen = d.hooks.find((h) => h.hookId === sd.hook!.hookId);
    lines.push({
      kind: 'ecs.hookEnded',
      stage: sd.hook.stage,
      status: seen?.status ?? 'SUCCEEDED',
      timeoutAction: sd.hook.timeoutAction,
    });
    ended.push(sd.hook.hookId);
  }
  if (hook && hook.hookId !== sd.hook?.hookId) {
    lines.push({
      kind: 'ecs.hookAwaiting',
      stage: hook.stage,
      timeoutAction: hook.timeoutAction,
      expiresAt: hook.expiresAt,
    });
  }
  return { hook, ended };
}

/** What ECS says of a failure: its status, its reasons and the alarms that went off. */
function failureOf(d: ServiceDeployment): Failed {
  return {
    kind: 'ecs.serviceDeploymentFailed',
    status: d.status,
    ...(d.statusReason ? { reason: d.statusReason } : {}),
    ...(d.rollback?.reason ? { rollbackReason: d.rollback.reason } : {}),
    ...(d.triggeredAlarms?.length ? { alarms: [...d.triggeredAlarms] } : {}),
  };
}

/** The outcome ECS's status decides, or undefined while the deployment runs. */
function endingOf(
  d: ServiceDeployment,
  look: ServiceDeploymentLook,
  phase: 'rollout' | 'rollback',
  data: EcsTrack,
  lines: Fact[],
): Observation<EcsTrack> | undefined {
  const failure = failureOf(d);
  switch (d.status) {
    case 'SUCCESSFUL':
      // data.sd is the track's sd, updated: byEcs is as the track had it.
      return phase === 'rollout' || !data.sd?.byEcs
        ? { kind: 'succeeded', data, lines }
        : { kind: 'failed', data, lines, reason: failure };
    case 'ROLLBACK_SUCCESSFUL':
      if (phase === 'rollback') return { kind: 'succeeded', data, lines };
      return { kind: 'failed', data, lines, reason: failure, selfRollback: { kind: 'done' } };
    case 'ROLLBACK_FAILED':
      return { kind: 'failed', data, lines, reason: failure };
    case 'STOPPED':
      if (look.newer) {
        const by = look.newer.targetRevisionArn?.split('/').slice(-2).join(':') ?? look.newer.arn;
        return { kind: 'superseded', data, lines, by };
      }
      return { kind: 'failed', data, lines, reason: failure };
    default:
      break;
  }
  if (ROLLING_BACK.has(d.status) && phase === 'rollout') {
    // ECS rolls back (by its alarms or circuit breaker, or because someone asked): follow the same ARN.
    const following = { ...data, sd: { ...data.sd!, byEcs: true } };
    return {
      kind: 'failed',
      data,
      lines,
      reason: failure,
      selfRollback: { kind: 'following', data: following },
    };
  }
  return undefined;
}

/**
 * The tracker's plain mark of a rollout that waits for people (its deadline stops; the thread's
 * mention is said once per pause, so a linear step's pause names its share of traffic).
 */
function waitingOf(h: AwaitingHook, percent: number | undefined): string {
  return `paused at ${h.stage}${percent !== undefined ? ` (${percent}% production traffic)` : ''}`;
}
