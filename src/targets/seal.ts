import type { z } from 'zod';
import type { Environment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import {
  type EarlyObservations,
  type EnvironmentOf,
  type Observation,
  type Observed,
  type Strategy,
  type TargetKind,
  type TargetStrategy,
  isOfKind,
} from './strategy.js';

/** What Capstan recorded could not be read back: named, so people know which record to look at. */
export class UnreadableRecord extends CapstanError {
  constructor(
    readonly what: string,
    readonly id: string,
    readonly problem: string,
  ) {
    super('invalid_state', { kind: 'record.unreadable', id, what, problem });
  }
}

function decode<T>(schema: z.ZodType<T>, value: unknown, what: string, id: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new UnreadableRecord(what, id, `${at}${issue?.message ?? 'not readable'}`);
}

/**
 * The one place where the typed strategy of a kind meets everything else: each environment is
 * checked once to be of that kind (the registry picks strategies by kind, so a mismatch is a bug),
 * and what comes back from the ledger is decoded with the strategy's schemas before its logic sees it.
 * A plan that does not decode refuses the change; tracking data that does not decode ends that
 * rollout with an `unrecorded` observation.
 */
export function seal<K extends TargetKind, P, D, C>(s: Strategy<K, P, D, C>): TargetStrategy {
  const own = ownerOf(s);
  const plan = (value: unknown, id: string) => decode(s.schemas.plan, value, 'the plan', id);
  const data = trackingDecoder(s.schemas.data);
  const context = (value: unknown): C | undefined => {
    // The context only saves reads: one that does not fit is read again.
    const r = s.schemas.context.safeParse(value);
    return r.success ? r.data : undefined;
  };

  const observe = sealedObserve(s, own, data);

  return {
    label: s.label,
    artifact: s.artifact,
    describe: (env) => s.describe(own(env)),
    pollGroup: (env) => s.pollGroup(own(env)),
    check: async (env, version, options) => s.check(own(env), version, options),
    prepare: async (env, req) =>
      s.prepare(own(env), { ...req, checked: { ...req.checked, context: context(req.checked.context) } }),
    discard: async (env, recorded) => {
      if (recorded.plan !== undefined)
        await s.discard(own(env), plan(recorded.plan, `${env.app}/${env.name}`));
    },
    apply: async (env, req) => s.apply(own(env), { ...req, plan: plan(req.plan, req.requestId) }),
    reconcile: async (env, req) => s.reconcile(own(env), { ...req, plan: plan(req.plan, req.requestId) }),
    observe,
    read: async (envs, detail) => s.read(envs.map(own), detail),
    running: async (env) => s.running(own(env)),
    ...(s.proceed
      ? {
          proceed: async (env: Environment, data: unknown) =>
            s.proceed!(own(env), decode(s.schemas.data, data, 'its tracking', `${env.app}/${env.name}`)),
        }
      : {}),
    ...(s.rollBackInPlace
      ? {
          rollBackInPlace: async (env: Environment, data: unknown) =>
            s.rollBackInPlace!(
              own(env),
              decode(s.schemas.data, data, 'its tracking', `${env.app}/${env.name}`),
            ),
        }
      : {}),
    ...(s.eventGroups ? { eventGroups: s.eventGroups.bind(s) } : {}),
  };
}

/** Hands the strategy only environments of its kind; any other is a bug of the registry. */
function ownerOf<K extends TargetKind, P, D, C>(
  s: Strategy<K, P, D, C>,
): (env: Environment) => EnvironmentOf<K> {
  return (env) => {
    if (isOfKind(env, s.kind)) return env;
    throw new Error(
      `the ${s.label} strategy was handed ${env.app}/${env.name}, a ${env.target.kind} environment`,
    );
  };
}

/**
 * Each look hands over the tracking data the ledger gave, mostly the very object of the look before:
 * decoded once, not at every look of every rollout.
 */
function trackingDecoder<D>(schema: z.ZodType<D>): (value: unknown, id: string) => D {
  const decoded = new WeakMap<object, D>();
  return (value, id) => {
    if (typeof value !== 'object' || value === null) return decode(schema, value, 'its tracking', id);
    let d = decoded.get(value);
    if (d === undefined) decoded.set(value, (d = decode(schema, value, 'its tracking', id)));
    return d;
  };
}

/** The strategy's looks at the rollouts whose tracking decodes; the others end as `unrecorded`. */
function sealedObserve<K extends TargetKind, P, D, C>(
  s: Strategy<K, P, D, C>,
  own: (env: Environment) => EnvironmentOf<K>,
  data: (value: unknown, id: string) => D,
): TargetStrategy['observe'] {
  return async function observe(
    items: readonly Observed[],
    early?: EarlyObservations,
  ): Promise<ReadonlyMap<string, Observation>> {
    const out = new Map<string, Observation>();
    const readable: Observed<D, EnvironmentOf<K>>[] = [];
    for (const item of items) {
      try {
        readable.push({
          ...item,
          env: own(item.env),
          data: data(item.data, item.id),
        });
      } catch (e) {
        if (!(e instanceof UnreadableRecord)) throw e;
        const what = { kind: 'record.unreadable', id: e.id, what: e.what, problem: e.problem } as const;
        out.set(item.id, { kind: 'unrecorded', data: item.data, lines: [], what });
      }
    }
    if (readable.length === 0) return out;
    for (const [id, obs] of await s.observe(readable, early)) out.set(id, obs);
    return out;
  };
}
