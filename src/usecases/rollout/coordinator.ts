import type { Catalog } from '../../domain/catalog.js';
import { findEnvironment } from '../../domain/catalog.js';
import { type Deployment, isTerminal } from '../../domain/deployment.js';
import { errorMessage } from '../../lib/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import type { DeployDeps } from '../deploy.js';
import { sameStage, showAndRecord } from '../record.js';
import { resumeOne } from '../resume.js';
import { KEEP_CHECKING_MS } from './tracker.js';
import type { Watchlist } from './watchlist.js';

const leaseOf = (id: string) => `deployment:${id}`;

/** How long a lease taken by another replica is remembered as lost (Slack's retries give up well before). */
const LOST_KEPT_MS = 3_600_000;

/** How many of an environment's latest entries are looked at for outcomes still unknown. */
const RECENT = 10;

/**
 * A deployment is recorded before the replica that records it takes its lease: until a lease could
 * have run out, one still being prepared is its creator's, not work left behind by a dead replica.
 */
const justRecorded = (d: Deployment, now: number, leaseMs: number) =>
  d.state === 'checking' &&
  !d.tracking &&
  d.plan === undefined &&
  d.applyingSince === undefined &&
  now - d.createdAt < leaseMs;

/**
 * The deployments this replica owns: one lease each, with a fencing number that grows with every
 * new owner. Built before the use cases, which claim what they create, and the coordinator, which
 * renews, drops and takes over.
 */
export class Leases {
  readonly held = new Map<string, number>();
  /**
   * Until when each lease held is ours by this replica's own clock: the instant its last acquire or
   * renewal was sent, plus leaseFor. Past it, another replica may have taken the work over.
   */
  private readonly until = new Map<string, number>();
  /** Leases this replica found taken by another: the instant they ran out for it, and when it learnt it. */
  private readonly lost = new Map<string, { readonly ranOut: number; readonly learnt: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly owner: string,
    readonly leaseMs: number,
  ) {}

  holds(id: string): boolean {
    return this.held.has(id);
  }

  /**
   * Since when what this replica saw of a deployment may be stale, if it held its lease and can no
   * longer be sure it does: the lease ran out by its own clock (it stalled, or could not renew), or
   * another replica took it. What it wrote before that instant (a look's progress queued for Slack
   * when it stalled) must not be shown over what the new owner shows; what it writes later (a click
   * handled here) may. Undefined while it holds the lease, or never held it.
   */
  lapsedAt(id: string): number | undefined {
    const now = this.clock.now();
    const lost = this.lost.get(id);
    if (lost !== undefined) {
      if (now - lost.learnt <= LOST_KEPT_MS) return lost.ranOut;
      this.lost.delete(id);
    }
    const until = this.until.get(id);
    return until !== undefined && now >= until ? until : undefined;
  }

  async own(id: string): Promise<boolean> {
    if (this.held.has(id)) return true;
    const at = this.clock.now();
    const got = await this.store.acquireLease(leaseOf(id), this.owner, this.leaseMs, at);
    if (got) {
      this.held.set(id, got.fence);
      this.until.set(id, at + this.leaseMs);
      this.lost.delete(id);
    }
    return got !== undefined;
  }

  async renew(id: string): Promise<boolean> {
    const fence = this.held.get(id);
    const at = this.clock.now();
    const ok =
      fence !== undefined && (await this.store.renewLease(leaseOf(id), this.owner, fence, this.leaseMs, at));
    if (ok) this.until.set(id, at + this.leaseMs);
    else if (this.held.delete(id)) this.loseTrack(id, Math.min(at, this.until.get(id) ?? at), at);
    return ok;
  }

  async release(id: string): Promise<void> {
    this.held.delete(id);
    this.until.delete(id);
    await this.store.releaseLease(leaseOf(id), this.owner);
  }

  /** Hands every lease back, so another replica takes the work over at once (SIGTERM). */
  async releaseAll(): Promise<void> {
    for (const id of [...this.held.keys()]) await this.release(id).catch(() => undefined);
  }

  /** Remembers a lost lease (from when it ran out) for an hour after it was learnt; forgets older ones. */
  private loseTrack(id: string, ranOut: number, learnt: number): void {
    this.until.delete(id);
    this.lost.set(id, { ranOut, learnt });
    for (const [k, l] of this.lost) if (learnt - l.learnt > LOST_KEPT_MS) this.lost.delete(k);
  }
}

/**
 * Makes exactly one replica follow each deployment in flight. Every round the owner renews its
 * leases and follows what it owns; a lease it lost is dropped at once, so two replicas never follow
 * the same rollout; a deployment whose owner stopped renewing (it died) is taken over and resumed.
 * With one process on SQLite the owner name is stable, so a restart resumes at once.
 */
export class Coordinator {
  /** When this replica last looked for "outcome unknown" rollouts nobody checks; never, at first. */
  private lookedForUnknownAt: number | undefined;

  constructor(
    private readonly deps: DeployDeps,
    private readonly opts: {
      readonly catalog: Catalog;
      readonly watchlist: Watchlist;
      readonly leases: Leases;
      /**
       * Whether a rollout taken over mid-run is shown once as the ledger has it: on a shared ledger, the
       * replica it comes from may have stalled and dropped its last edits (SlackProgress's lapsedAt).
       */
      readonly showTakenOver?: boolean;
    },
  ) {}

  async tick(): Promise<{ resumed: number; settled: number }> {
    const { watchlist, leases, catalog } = this.opts;
    let resumed = 0;
    let settled = 0;
    const inFlight = await this.deps.store.inFlight();
    const live = new Map(inFlight.map((d) => [d.id, d]));
    for (const id of [...leases.held.keys()]) {
      const d = live.get(id);
      if (!d) {
        // Ended, unless its outcome is unknown: the tracker keeps checking that one, so the truth can replace it.
        const unknown = watchlist.get(id)?.state === 'outcome_unknown';
        if (unknown && ((await leases.renew(id)) || (await leases.own(id)))) continue;
        watchlist.remove(id);
        await leases.release(id);
      } else if (!(await leases.renew(id))) {
        watchlist.remove(id);
        this.deps.logger.warn('lost the lease of a deployment to another replica', { id });
      } else if (d.tracking && !watchlist.has(id)) {
        // Started by another replica (an approval clicked there): the owner follows it.
        watchlist.add(d);
      } else {
        // A look that lost a race to a write at another stage (refused by saveInFlight) follows the ledger's record.
        const seen = watchlist.get(id);
        if (seen && seen.rev < d.rev && !sameStage(d, seen)) watchlist.set(d);
      }
    }
    const now = this.deps.clock.now();
    // Past the first round, what is taken over was left by a replica that died or stalled, this one included.
    const takingOver = this.opts.showTakenOver === true && this.lookedForUnknownAt !== undefined;
    for (const d of inFlight) {
      if (leases.holds(d.id) || justRecorded(d, now, leases.leaseMs)) continue;
      const env = findEnvironment(catalog, d.app, d.env);
      if (!env || !(await leases.own(d.id))) continue;
      try {
        if (await resumeOne(this.deps, env, d)) {
          resumed++;
          // A replica that stalled drops the edits it had queued: Slack shows the ledger's state again, as it is now.
          if (takingOver) await this.showAgain(d.id);
        } else settled++;
      } catch (e) {
        this.deps.logger.error('could not resume a deployment', { id: d.id, error: errorMessage(e) });
      }
    }
    // At start, then once a lease time: a replica that died stops renewing the leases of the
    // "outcome unknown" rollouts it kept checking, and a live one takes them over when they run out.
    if (this.lookedForUnknownAt === undefined || now - this.lookedForUnknownAt >= leases.leaseMs) {
      this.lookedForUnknownAt = now;
      resumed += await this.keepCheckingUnknown(now);
    }
    return { resumed, settled };
  }

  private async showAgain(id: string): Promise<void> {
    const cur = await this.deps.store.get(id);
    if (cur?.tracking && !isTerminal(cur.state)) await showAndRecord(this.deps, cur);
  }

  /**
   * Rollouts whose outcome was unknown when their replica stopped (this process before a restart, or
   * another replica that died) are no longer in flight, but still checked until the truth replaces
   * "outcome unknown" (or the tracker gives up on them). A live owner renews their leases, so only
   * those nobody checks any more can be taken.
   */
  private async keepCheckingUnknown(now: number): Promise<number> {
    const { watchlist, leases, catalog } = this.opts;
    let n = 0;
    for (const env of catalog.apps.flatMap((a) => a.environments)) {
      for (const d of await this.deps.store.history(env.app, env.name, RECENT)) {
        const recent = now - (d.finishedAt ?? 0) <= KEEP_CHECKING_MS;
        if (d.state !== 'outcome_unknown' || !d.tracking || !recent || watchlist.has(d.id)) continue;
        if (!(await leases.own(d.id))) continue;
        watchlist.keep(d);
        n++;
      }
    }
    return n;
  }
}
