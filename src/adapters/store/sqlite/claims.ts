import type Database from 'better-sqlite3';
import type { Lock } from '../../../domain/deployment.js';
import type { Lease } from '../../../ports/store.js';
import type { ClaimLedger } from '../ledgers.js';
import { SHORT_LIVED_RETENTION_MS } from '../retention.js';
import { lockRow, readValue } from '../rows.js';

export interface PruneOptions {
  /** The clock the ledger prunes by at start (none: no prune at start); later prunes go by the times callers pass in. */
  readonly now?: () => number;
  /** How often, in the callers' time, expired rows are pruned again (hourly by default). */
  readonly pruneEveryMs?: number;
}

const lockOf = (l: unknown): Lock | undefined => (l ? readValue(lockRow, 'lock', l) : undefined);

/**
 * Seen SNS messages and once-only claims are kept for SHORT_LIVED_RETENTION_MS: pruned at start
 * (when told the time), then at most every `pruneEveryMs` as new ones come in.
 */
function pruner(db: Database.Database, options: PruneOptions): (now: number) => void {
  const pruneSeen = db.prepare('DELETE FROM seen WHERE at < ?');
  const pruneClaims = db.prepare('DELETE FROM claims WHERE at < ?');
  const pruneEveryMs = options.pruneEveryMs ?? 3600_000;
  let prunedAt = Number.NEGATIVE_INFINITY;
  const prune = (now: number) => {
    if (now - prunedAt < pruneEveryMs) return;
    prunedAt = now;
    pruneSeen.run(now - SHORT_LIVED_RETENTION_MS);
    pruneClaims.run(now - SHORT_LIVED_RETENTION_MS);
  };
  if (options.now !== undefined) prune(options.now());
  return prune;
}

/** Leases: taken under one IMMEDIATE transaction, so read and write hold one write lock, also against other processes. */
function leaseStatements(db: Database.Database) {
  const getLease = db.prepare<[string], { owner: string; fence: number; expires_at: number }>(
    'SELECT owner, fence, expires_at FROM leases WHERE name = ?',
  );
  const putLease = db.prepare(
    'INSERT OR REPLACE INTO leases (name, owner, fence, expires_at) VALUES (@name, @owner, @fence, @expiresAt)',
  );
  const acquire = db.transaction(
    (name: string, owner: string, ttlMs: number, now: number): { fence: number } | undefined => {
      const cur = getLease.get(name);
      const valid = cur !== undefined && cur.expires_at > now;
      if (valid && cur.owner !== owner) return undefined;
      const fence = valid ? cur.fence : (cur?.fence ?? 0) + 1;
      putLease.run({ name, owner, fence, expiresAt: now + ttlMs });
      return { fence };
    },
  );
  return {
    acquire,
    renewLease: db.prepare(
      'UPDATE leases SET expires_at = @expiresAt WHERE name = @name AND owner = @owner AND fence = @fence AND expires_at > @now',
    ),
    releaseLease: db.prepare('UPDATE leases SET expires_at = 0 WHERE name = ? AND owner = ?'),
    heldLeases: db.prepare<[number], Lease>(
      'SELECT name, owner, fence, expires_at AS expiresAt FROM leases WHERE expires_at > ? ORDER BY name',
    ),
  };
}

/** What the first writer takes: locks, SNS messages seen, leases and once-only claims. */
export function claimLedger(db: Database.Database, options: PruneOptions): ClaimLedger {
  const getLock = db.prepare<[string, string], unknown>(
    'SELECT app, env, owner, reason, at FROM locks WHERE app = ? AND env = ?',
  );
  const putLock = db.prepare(
    'INSERT OR IGNORE INTO locks (app, env, owner, reason, at) VALUES (@app, @env, @owner, @reason, @at)',
  );
  const delLock = db.prepare('DELETE FROM locks WHERE app = ? AND env = ?');
  const allLocks = db.prepare<[], unknown>('SELECT app, env, owner, reason, at FROM locks ORDER BY app, env');
  const seen = db.prepare('INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)');
  const unsee = db.prepare('DELETE FROM seen WHERE key = ?');
  const claim = db.prepare('INSERT OR IGNORE INTO claims (key, owner, at) VALUES (?, ?, ?)');
  const leases = leaseStatements(db);
  const prune = pruner(db, options);

  return {
    async getLock(app, env) {
      return lockOf(getLock.get(app, env));
    },
    async putLock(lock) {
      return putLock.run({ ...lock, reason: lock.reason ?? null }).changes === 1;
    },
    async deleteLock(app, env) {
      delLock.run(app, env);
    },
    async locks() {
      return allLocks.all().map((l) => lockOf(l)!);
    },
    async firstSighting(key, at) {
      prune(at);
      return seen.run(key, at).changes === 1;
    },
    async forgetSighting(key) {
      unsee.run(key);
    },
    async acquireLease(name, owner, ttlMs, now) {
      return leases.acquire.immediate(name, owner, ttlMs, now);
    },
    async renewLease(name, owner, fence, ttlMs, now) {
      return leases.renewLease.run({ name, owner, fence, now, expiresAt: now + ttlMs }).changes === 1;
    },
    async releaseLease(name, owner) {
      leases.releaseLease.run(name, owner);
    },
    async leases(now) {
      return leases.heldLeases.all(now);
    },
    async claimOnce(key, owner, now) {
      prune(now);
      return claim.run(key, owner, now).changes === 1;
    },
  };
}
