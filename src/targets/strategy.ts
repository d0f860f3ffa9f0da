import type { z } from 'zod';
import type { Environment, Target } from '../domain/catalog.js';
import type { Progress, Review, RolloutPause, RolloutStage } from '../domain/deployment.js';
import type { Fact } from '../domain/facts/index.js';
import type { NestableFact } from '../domain/facts/rollout.js';

/**
 * One kind of deploy target (an ECS service, a CloudFormation stack, an Elastic Beanstalk
 * environment, a CodeDeploy deployment group) behind one interface. Use cases, the poll loop,
 * status and Slack code speak only to this; the registry picks the strategy for an environment.
 *
 * Everything a strategy keeps between calls (`Prepared.plan`, `Started.data`) is plain JSON: it
 * lives in the ledger, so a restarted Capstan carries on where the previous process stopped.
 */
export interface TargetStrategy {
  /** Who acts when the target rolls back by itself, for people: "ECS", "CloudFormation", … */
  readonly label: string;
  /** What it deploys: a container image (a digest to compare and promote) or a revision bundle (none). */
  readonly artifact: 'image' | 'bundle';
  /** Where it deploys, for people: "ECS service x in cluster y (us-east-1)". */
  describe(env: Environment): string;
  /** Environments with the same key are observed together (one cluster, one stack…): one sick group never holds up another. */
  pollGroup(env: Environment): string;
  /**
   * Pre-flight: reads only, refuses with a CapstanError, and says what runs now and what the tag
   * resolves to. No change to AWS. `rollingBack`: Capstan is rolling back a failed rollout, so the
   * target being busy with that rollout is expected, not a reason to refuse.
   */
  check(env: Environment, version: string, options?: CheckOptions): Promise<Checked>;
  /** What will change, for dry runs, reviews and apply(). May take a while (a change set is computed). */
  prepare(env: Environment, request: PrepareRequest): Promise<Prepared>;
  /** Removes what prepare() left in AWS (a change set) when the request ends without being applied. */
  discard(env: Environment, recorded: { readonly plan?: unknown }): Promise<void>;
  /** Re-checks what can have changed since the review (CapstanError when it has), then changes AWS. */
  apply(env: Environment, request: ApplyRequest): Promise<Started>;
  /** After a restart or an error from apply(): did the change take effect? undefined when it did not. */
  reconcile(env: Environment, request: ApplyRequest): Promise<Started | undefined>;
  /**
   * One look at AWS for rollouts of one poll group, judged against exactly what Capstan started.
   * Each rollout is judged on its own answer: a read that fails for one item is that item's
   * `unreadable` observation; only a read every item depends on may reject the whole look.
   * A look made of several calls may tell `early` of the observations of one call as soon as they
   * are judged, so an ending there is not held up by the calls after it; they are in the answer too.
   */
  observe(items: readonly Observed[], early?: EarlyObservations): Promise<ReadonlyMap<string, Observation>>;
  /** What runs now, for `status`: one entry per environment, an Error where it could not be read. */
  read(envs: readonly Environment[], detail: boolean): Promise<ReadonlyMap<Environment, Reading | Error>>;
  /** The version running now, to pick a rollback target. */
  running(env: Environment): Promise<string | undefined>;
  /**
   * Lets a rollout that waits for people go on (CodeDeploy blue/green waiting to reroute traffic:
   * ContinueDeployment). Only strategies whose observations report `waiting` have it.
   */
  proceed?(env: Environment, data: unknown): Promise<readonly Fact[]>;
  /**
   * Rolls a rollout in flight back through the target's own rollback (ECS service deployments:
   * ContinueServiceDeployment ROLLBACK at a pause, else StopServiceDeployment ROLLBACK), never a
   * second deployment over it. undefined when this rollout has no such rollback. A rollback the
   * target carries out under another id (CodeDeploy's) returns the tracking data to follow it by.
   */
  rollBackInPlace?(env: Environment, data: unknown): Promise<InPlaceRollback | undefined>;
  /**
   * The poll groups (as pollGroup() names them) an event from AWS concerns, to be looked at now.
   * An event never decides an outcome: observe() still reads the truth, so a duplicate, late or
   * out-of-order event costs one look at most. Targets without events (Beanstalk) leave it out.
   */
  eventGroups?(event: AwsEvent): readonly string[];
}

/** What a rollback in place started: facts to say, or those and the tracking data to follow it by. */
export type InPlaceRollback<D = unknown> =
  readonly Fact[] | { readonly lines: readonly Fact[]; readonly data: D };

/** The facts of a rollback in place, whichever shape the strategy answered. */
export const inPlaceLines = (r: InPlaceRollback): readonly Fact[] => ('lines' in r ? r.lines : r);

/**
 * An EventBridge event as the queue delivers it (the whole envelope). `detail` is what the service
 * sent, unchecked: services add fields and event types, so strategies read it defensively.
 */
export interface AwsEvent {
  readonly id: string;
  /** `aws.ecs`, `aws.cloudformation`, `aws.codedeploy`… */
  readonly source: string;
  /** `ECS Deployment State Change`, `CloudFormation Stack Status Change`… */
  readonly detailType: string;
  readonly region: string;
  /** When the service emitted it (ms since the epoch), when the envelope says. */
  readonly time?: number | undefined;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface Checked<C = unknown> {
  readonly fromVersion?: string | undefined;
  /** The image digest the tag resolves to now; an approval binds to it. */
  readonly digest?: string | undefined;
  /** When that image was pushed (ECR's imagePushedAt), where the registry says. */
  readonly pushedAt?: number | undefined;
  /** The strategy's own reads, handed to prepare() so it need not read them again. */
  readonly context?: C | undefined;
}

export interface CheckOptions {
  /** Capstan is rolling back a failed rollout: the target being busy with that rollout is expected. */
  readonly rollingBack?: boolean | undefined;
  /**
   * `/deploy promote`: the image is this digest, found by it in the environment's repository whatever
   * tags it carries there; the version only names it (the tag it carries in the source).
   */
  readonly digest?: string | undefined;
}

export interface PrepareRequest<C = unknown> {
  readonly requestId: string;
  readonly version: string;
  readonly requestedBy: string;
  readonly checked: Checked<C>;
}

export interface Prepared<P = unknown> {
  readonly review: Review;
  /** What apply() will do, exactly as reviewed. */
  readonly plan: P;
  /** The target already runs exactly this: there is nothing to apply. */
  readonly unchanged?: boolean | undefined;
}

export interface ApplyRequest<P = unknown> {
  readonly requestId: string;
  readonly version: string;
  readonly plan: P;
  /** The person whose action makes the change now: the requester, or the approver whose click completed it. */
  readonly actor: string;
}

export interface Started<D = unknown> {
  /** What identifies the change Capstan started (deployment id, change set, version label…). */
  readonly data: D;
  readonly lines: readonly Fact[];
}

export interface Observed<D = unknown, E extends Environment = Environment> {
  readonly id: string;
  readonly env: E;
  readonly phase: 'rollout' | 'rollback';
  readonly data: D;
  /** When Capstan started following this change: older events are not its own. */
  readonly startedAt: number;
}

/** Told of some observations of a look before the look ends (see TargetStrategy.observe). */
export type EarlyObservations<D = unknown> = (part: ReadonlyMap<string, Observation<D>>) => void;

export type Observation<D = unknown> =
  | {
      readonly kind: 'progress';
      readonly data: D;
      readonly lines: readonly Fact[];
      readonly progress?: Progress | undefined;
      /** Anything moved since the last look: tasks started or drained, resources updated. */
      readonly moved: boolean;
      /** Set while the rollout waits for people (e.g. "waiting to reroute traffic"): Slack offers Continue. */
      readonly waiting?: string | undefined;
      /** While waiting: when the target stops waiting by itself at the latest (ms), where that is known. */
      readonly waitingUntil?: number | undefined;
      /** Where a progressive rollout is (ECS's lifecycle stage). */
      readonly stage?: RolloutStage | undefined;
      /** A pause the target holds for people: Slack offers Continue and Roll back. */
      readonly pause?: RolloutPause | undefined;
      /** The target's own clock governs now (a pause, a bake): Capstan's rolloutTimeout does not run. */
      readonly held?: boolean | undefined;
    }
  | {
      readonly kind: 'succeeded';
      readonly data: D;
      readonly lines: readonly Fact[];
      /**
       * The target watched the environment's alarms itself from `from` until it succeeded
       * (CloudFormation's monitoring window): a bake counts that time instead of watching it twice.
       */
      readonly watched?: { readonly by: string; readonly from: number } | undefined;
    }
  | {
      readonly kind: 'failed';
      readonly data: D;
      readonly lines: readonly Fact[];
      /** The cause, from AWS. */
      readonly reason: NestableFact;
      /**
       * What the target does about it by itself: `following` is a rollback it started (to follow
       * with `data`), `done` a rollback already complete. Absent, Capstan rolls back if configured.
       */
      readonly selfRollback?:
        | { readonly kind: 'following'; readonly data: unknown }
        | { readonly kind: 'done'; readonly runsNow?: string | undefined }
        | undefined;
    }
  | {
      /** Someone else's change replaced Capstan's: reported as such, never rolled back over. */
      readonly kind: 'superseded';
      readonly data: D;
      readonly lines: readonly Fact[];
      readonly by: string;
    }
  | {
      /** AWS could not be read for this rollout alone (denied, throttled…): the others of the look stand. */
      readonly kind: 'unreadable';
      readonly data: D;
      readonly lines: readonly Fact[];
      readonly error: unknown;
    }
  | {
      /** The target itself is gone (service, stack, environment deleted). */
      readonly kind: 'missing';
      readonly data: D;
      readonly lines: readonly Fact[];
      readonly what: NestableFact;
    }
  | {
      /**
       * What Capstan recorded for this rollout cannot be read back (a ledger written by another
       * version, or damaged): the rollout ends, named, and nothing is rolled back blind.
       */
      readonly kind: 'unrecorded';
      readonly data: unknown;
      readonly lines: readonly Fact[];
      readonly what: NestableFact;
    };

export interface RecentEvent {
  readonly at: number;
  readonly message: string;
}

export interface Reading {
  readonly version?: string | undefined;
  readonly digest?: string | undefined;
  /** The target's own status word: ACTIVE, UPDATE_COMPLETE, Ready… */
  readonly state: string;
  /** Short facts: tasks running, health. */
  readonly facts: readonly Fact[];
  readonly inProgress: boolean;
  readonly changedAt?: number | undefined;
  readonly events: readonly RecentEvent[];
  readonly consoleUrl?: string | undefined;
}

/** Picks the strategy of an environment. */
export interface TargetRegistry {
  for(env: Environment): TargetStrategy;
}

export type TargetKind = Target['kind'];
export type TargetOf<K extends TargetKind> = Extract<Target, { readonly kind: K }>;
/** An environment whose target is of kind K: what a strategy of that kind is handed. */
export type EnvironmentOf<K extends TargetKind> = Environment & { readonly target: TargetOf<K> };

export function isOfKind<K extends TargetKind>(env: Environment, kind: K): env is EnvironmentOf<K> {
  return env.target.kind === kind;
}

/**
 * Zod schemas for what a strategy keeps between calls: `plan` and `data` live in the ledger (and are
 * decoded when read back), `context` is handed from check() to prepare() in memory.
 */
export interface StrategySchemas<P, D, C> {
  readonly plan: z.ZodType<P>;
  readonly data: z.ZodType<D>;
  readonly context: z.ZodType<C>;
}

/**
 * What one target module implements: the seam above, typed by its kind K, its plan P, its tracking
 * data D and its check context C. `seal()` (seal.ts) turns it into the TargetStrategy everyone else
 * speaks to, decoding what comes back from the ledger with `schemas`.
 */
export interface Strategy<K extends TargetKind, P, D, C> {
  readonly kind: K;
  readonly label: string;
  readonly artifact: 'image' | 'bundle';
  readonly schemas: StrategySchemas<P, D, C>;
  describe(env: EnvironmentOf<K>): string;
  pollGroup(env: EnvironmentOf<K>): string;
  check(env: EnvironmentOf<K>, version: string, options?: CheckOptions): Promise<Checked<C>>;
  prepare(env: EnvironmentOf<K>, request: PrepareRequest<C>): Promise<Prepared<P>>;
  discard(env: EnvironmentOf<K>, plan: P): Promise<void>;
  apply(env: EnvironmentOf<K>, request: ApplyRequest<P>): Promise<Started<D>>;
  reconcile(env: EnvironmentOf<K>, request: ApplyRequest<P>): Promise<Started<D> | undefined>;
  observe(
    items: readonly Observed<D, EnvironmentOf<K>>[],
    early?: EarlyObservations<D>,
  ): Promise<ReadonlyMap<string, Observation<D>>>;
  read(
    envs: readonly EnvironmentOf<K>[],
    detail: boolean,
  ): Promise<ReadonlyMap<Environment, Reading | Error>>;
  running(env: EnvironmentOf<K>): Promise<string | undefined>;
  proceed?(env: EnvironmentOf<K>, data: D): Promise<readonly Fact[]>;
  rollBackInPlace?(env: EnvironmentOf<K>, data: D): Promise<InPlaceRollback<D> | undefined>;
  eventGroups?(event: AwsEvent): readonly string[];
}
