import type { Deployment } from '../../domain/deployment.js';
import { errorReported, reported } from '../../domain/reported.js';
import type { Observation, TargetStrategy } from '../../targets/strategy.js';
import { why } from './cause.js';

/**
 * The truth that arrived after "outcome unknown" was said, as the change that replaces it; undefined
 * while the rollout still runs. Capstan starts nothing this late.
 */
export function lateEnding(
  d: Deployment,
  strategy: TargetStrategy,
  obs: Exclude<Observation, { kind: 'unreadable' }>,
): Partial<Deployment> | undefined {
  const t = d.tracking!;
  switch (obs.kind) {
    case 'progress':
      return undefined;
    case 'succeeded':
      return {
        state: t.phase === 'rollout' ? 'succeeded' : 'rolled_back',
        cause: undefined,
        reason: undefined,
      };
    case 'superseded':
      return {
        state: 'superseded',
        ...why({ kind: 'rollout.superseded', by: obs.by, late: true }),
      };
    case 'missing':
    case 'unrecorded':
      return {
        state: 'failed',
        ...why({ kind: 'rollout.cannotFollow', cause: reported(obs.what) }),
      };
    case 'failed':
      return {
        state: obs.selfRollback ? 'rolled_back' : 'failed',
        ...why({
          kind: 'rollout.failedLate',
          app: d.app,
          env: d.env,
          cause: reported(obs.reason),
          rolledBackBy: obs.selfRollback ? strategy.label : undefined,
        }),
      };
  }
}

/** AWS could not be read past the deadline: the outcome is unknown, with the last thing seen. */
export function outcomeUnknown(d: Deployment, e: unknown, now: number): Partial<Deployment> {
  const t = d.tracking!;
  return {
    state: 'outcome_unknown',
    finishedAt: now,
    ...why({
      kind: 'rollout.outcomeUnknown',
      seconds: Math.round((now - t.lastProgressAt) / 1000),
      error: errorReported(e),
      lastSeen: { state: d.state, progress: t.progress },
    }),
  };
}

/** The target rolls the rollout back itself, under another id: Capstan follows that rollback. */
export function followingSelfRollback(
  strategy: TargetStrategy,
  obs: Extract<Observation, { kind: 'failed' }>,
  data: unknown,
  now: number,
): Partial<Deployment> {
  return {
    state: 'rolling_back',
    ...why(reported(obs.reason)),
    tracking: {
      phase: 'rollback',
      rolledBackBy: strategy.label,
      startedAt: now,
      lastProgressAt: now,
      data,
    },
  };
}
