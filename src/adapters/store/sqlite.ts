import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Deployment, type Lock, isTerminal } from '../../domain/deployment.js';
import { CapstanError } from '../../domain/errors.js';
import type { PipelineApproval } from '../../domain/pipelineApproval.js';
import { type GoodVersion, type Lease, type Store, goodVersionOf } from '../../ports/store.js';
import { SHORT_LIVED_RETENTION_MS } from './retention.js';
import { type RowWarn, deploymentRowOf, lockRow, pipelineApprovalRow, readRow, readValue } from './rows.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deployments (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  env TEXT NOT NULL,
  state TEXT NOT NULL,
  active INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
-- The race guard: at most one deployment in flight per environment, enforced by SQLite itself.
CREATE UNIQUE INDEX IF NOT EXISTS one_in_flight ON deployments(app, env) WHERE active = 1;
CREATE INDEX IF NOT EXISTS by_env ON deployments(app, env, created_at DESC);
CREATE TABLE IF NOT EXISTS locks (
  app TEXT NOT NULL, env TEXT NOT NULL, owner TEXT NOT NULL, reason TEXT, at INTEGER NOT NULL,
  PRIMARY KEY (app, env)
);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pipeline_approvals (
  id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  stage TEXT NOT NULL,
  action TEXT NOT NULL,
  state TEXT NOT NULL,
  rev INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pipeline_open ON pipeline_approvals(pipeline, stage, action) WHERE state IN ('open', 'deciding');
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY, owner TEXT NOT NULL, fence INTEGER NOT NULL, expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, at INTEGER NOT NULL);
`;

interface Row {
  data: string;
}

export interface SqliteStoreOptions {
  /** The clock the ledger prunes by at start (none: no prune at start); later prunes go by the times callers pass in. */
  readonly now?: () => number;
  /** How often, in the callers' time, expired rows are pruned again (hourly by default). */
  readonly pruneEveryMs?: number;
  /** Told when part of a record is left out as unreadable (a deployment's cause of an unknown kind). */
  readonly warn?: RowWarn;
}

/**
 * The embedded ledger. `path` is a file, or `:memory:` for a throwaway database. What is needed
 * only for a while (once-only claims, SNS message ids already seen) is pruned after
 * SHORT_LIVED_RETENTION_MS: at start, then at most every `pruneEveryMs` as new rows come in.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const deploymentRow = deploymentRowOf(options.warn);
  const parse = (r: Row | undefined): Deployment | undefined =>
    r ? readRow(deploymentRow, 'deployment', r.data) : undefined;

  const insert = db.prepare(
    'INSERT INTO deployments (id, app, env, state, active, rev, created_at, data) VALUES (@id, @app, @env, @state, @active, @rev, @created_at, @data)',
  );
  // A finished deployment never comes back in flight (`active = 1 OR @active = 0`).
  const cas = db.prepare(
    'UPDATE deployments SET state = @state, active = @active, rev = @rev, data = @data WHERE id = @id AND rev = @expected AND (active = 1 OR @active = 0)',
  );
  const byId = db.prepare<[string], Row>('SELECT data FROM deployments WHERE id = ?');
  const active = db.prepare<[], { id: string; rev: number }>(
    'SELECT id, rev FROM deployments WHERE active = 1 ORDER BY created_at',
  );
  // What inFlight() read last time, by id: a row whose rev has not moved since is not read again.
  let inFlightRead = new Map<string, Deployment>();
  const activeFor = db.prepare<[string, string], Row>(
    'SELECT data FROM deployments WHERE active = 1 AND app = ? AND env = ?',
  );
  const historyEnv = db.prepare<[string, string, number], Row>(
    'SELECT data FROM deployments WHERE app = ? AND env = ? ORDER BY created_at DESC LIMIT ?',
  );
  const historyApp = db.prepare<[string, number], Row>(
    'SELECT data FROM deployments WHERE app = ? ORDER BY created_at DESC LIMIT ?',
  );
  const good = db.prepare<[string, string], Row>(
    "SELECT data FROM deployments WHERE app = ? AND env = ? AND state IN ('succeeded', 'verified') ORDER BY created_at DESC",
  );
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
  const insertPa = db.prepare(
    'INSERT INTO pipeline_approvals (id, pipeline, stage, action, state, rev, data) VALUES (@id, @pipeline, @stage, @action, @state, @rev, @data)',
  );
  const casPa = db.prepare(
    'UPDATE pipeline_approvals SET state = @state, rev = @rev, data = @data WHERE id = @id AND rev = @expected',
  );
  const getPa = db.prepare<[string], Row>('SELECT data FROM pipeline_approvals WHERE id = ?');
  const openPa = db.prepare<[string], Row>(
    "SELECT data FROM pipeline_approvals WHERE pipeline = ? AND state IN ('open', 'deciding')",
  );
  const openPipelines = db.prepare<[], { pipeline: string }>(
    "SELECT DISTINCT pipeline FROM pipeline_approvals WHERE state IN ('open', 'deciding') ORDER BY pipeline",
  );
  const paRow = (a: PipelineApproval) => ({
    id: a.id,
    pipeline: a.pipeline,
    stage: a.stage,
    action: a.action,
    state: a.state,
    rev: a.rev,
    data: JSON.stringify(a),
  });
  const parsePa = (r: Row | undefined): PipelineApproval | undefined =>
    r ? readRow(pipelineApprovalRow, 'pipeline approval', r.data) : undefined;
  const getLease = db.prepare<[string], { owner: string; fence: number; expires_at: number }>(
    'SELECT owner, fence, expires_at FROM leases WHERE name = ?',
  );
  const putLease = db.prepare(
    'INSERT OR REPLACE INTO leases (name, owner, fence, expires_at) VALUES (@name, @owner, @fence, @expiresAt)',
  );
  const renewLease = db.prepare(
    'UPDATE leases SET expires_at = @expiresAt WHERE name = @name AND owner = @owner AND fence = @fence AND expires_at > @now',
  );
  const releaseLease = db.prepare('UPDATE leases SET expires_at = 0 WHERE name = ? AND owner = ?');
  const heldLeases = db.prepare<[number], Lease>(
    'SELECT name, owner, fence, expires_at AS expiresAt FROM leases WHERE expires_at > ? ORDER BY name',
  );
  const claim = db.prepare('INSERT OR IGNORE INTO claims (key, owner, at) VALUES (?, ?, ?)');
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
  // IMMEDIATE: read and write under one write lock, also against other processes on the same file.
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

  const row = (d: Deployment) => ({
    id: d.id,
    app: d.app,
    env: d.env,
    state: d.state,
    active: isTerminal(d.state) ? 0 : 1,
    rev: d.rev,
    created_at: d.createdAt,
    data: JSON.stringify(d),
  });
  // The replica coordinator asks every few seconds, with a thousand rollouts in flight: their numbers
  // are read, and only the records that changed since are read and decoded again (in one transaction,
  // so another process's write cannot fall between the two reads).
  const readInFlight = db.transaction(() => {
    const read = new Map<string, Deployment>();
    for (const { id, rev } of active.all()) {
      const known = inFlightRead.get(id);
      const d = known?.rev === rev ? known : parse(byId.get(id));
      if (d) read.set(id, d);
    }
    return read;
  });
  const lockOf = (l: unknown): Lock | undefined => (l ? readValue(lockRow, 'lock', l) : undefined);

  return {
    async create(d) {
      try {
        insert.run(row(d));
      } catch (e) {
        if (e instanceof Error && 'code' in e && String(e.code).startsWith('SQLITE_CONSTRAINT')) {
          throw new CapstanError(
            'conflict',
            { kind: 'request.inFlight', app: d.app, env: d.env },
            {
              cause: e,
            },
          );
        }
        throw e;
      }
    },
    async get(id) {
      return parse(byId.get(id));
    },
    async update(d) {
      const next = { ...d, rev: d.rev + 1 };
      try {
        const r = cas.run({ ...row(next), expected: d.rev });
        return r.changes === 1 ? next : undefined;
      } catch (e) {
        if (e instanceof Error && 'code' in e && String(e.code).startsWith('SQLITE_CONSTRAINT'))
          return undefined;
        throw e;
      }
    },
    async inFlight() {
      inFlightRead = readInFlight();
      return [...inFlightRead.values()];
    },
    async inFlightFor(app, env) {
      return parse(activeFor.get(app, env));
    },
    async history(app, env, limit) {
      const rows = env === undefined ? historyApp.all(app, limit) : historyEnv.all(app, env, limit);
      return rows.map((r) => parse(r)!);
    },
    async goodVersions(app, env, limit) {
      const out: GoodVersion[] = [];
      if (limit <= 0) return out;
      for (const r of good.iterate(app, env)) {
        const g = goodVersionOf(parse(r)!);
        if (out.some((o) => o.version === g.version)) continue;
        out.push(g);
        if (out.length === limit) break;
      }
      return out;
    },
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
    async createPipelineApproval(a) {
      insertPa.run(paRow(a));
    },
    async getPipelineApproval(id) {
      return parsePa(getPa.get(id));
    },
    async updatePipelineApproval(a) {
      const next = { ...a, rev: a.rev + 1 };
      return casPa.run({ ...paRow(next), expected: a.rev }).changes === 1 ? next : undefined;
    },
    async openPipelineApprovals(pipeline, stage, action) {
      return openPa
        .all(pipeline)
        .map((r) => parsePa(r)!)
        .filter(
          (a) => (stage === undefined || a.stage === stage) && (action === undefined || a.action === action),
        );
    },
    async pipelinesWithOpenApprovals() {
      return openPipelines.all().map((r) => r.pipeline);
    },
    async acquireLease(name, owner, ttlMs, now) {
      return acquire.immediate(name, owner, ttlMs, now);
    },
    async renewLease(name, owner, fence, ttlMs, now) {
      return renewLease.run({ name, owner, fence, now, expiresAt: now + ttlMs }).changes === 1;
    },
    async releaseLease(name, owner) {
      releaseLease.run(name, owner);
    },
    async leases(now) {
      return heldLeases.all(now);
    },
    async claimOnce(key, owner, now) {
      prune(now);
      return claim.run(key, owner, now).changes === 1;
    },
    close() {
      db.close();
    },
  };
}
