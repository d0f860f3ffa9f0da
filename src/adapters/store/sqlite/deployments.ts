import type Database from 'better-sqlite3';
import { type Deployment, isTerminal } from '../../../domain/deployment.js';
import { CapstanError } from '../../../domain/errors.js';
import { type GoodVersion, goodVersionOf } from '../../../ports/store.js';
import type { DeploymentLedger } from '../ledgers.js';
import { type RowWarn, deploymentRowOf, readRow } from '../rows.js';
import type { Row } from './schema.js';

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
const isConstraint = (e: unknown) =>
  e instanceof Error && 'code' in e && String(e.code).startsWith('SQLITE_CONSTRAINT');

function statements(db: Database.Database) {
  return {
    insert: db.prepare(
      'INSERT INTO deployments (id, app, env, state, active, rev, created_at, data) VALUES (@id, @app, @env, @state, @active, @rev, @created_at, @data)',
    ),
    // A finished deployment never comes back in flight (`active = 1 OR @active = 0`).
    cas: db.prepare(
      'UPDATE deployments SET state = @state, active = @active, rev = @rev, data = @data WHERE id = @id AND rev = @expected AND (active = 1 OR @active = 0)',
    ),
    byId: db.prepare<[string], Row>('SELECT data FROM deployments WHERE id = ?'),
    active: db.prepare<[], { id: string; rev: number }>(
      'SELECT id, rev FROM deployments WHERE active = 1 ORDER BY created_at',
    ),
    activeFor: db.prepare<[string, string], Row>(
      'SELECT data FROM deployments WHERE active = 1 AND app = ? AND env = ?',
    ),
    historyEnv: db.prepare<[string, string, number], Row>(
      'SELECT data FROM deployments WHERE app = ? AND env = ? ORDER BY created_at DESC LIMIT ?',
    ),
    historyApp: db.prepare<[string, number], Row>(
      'SELECT data FROM deployments WHERE app = ? ORDER BY created_at DESC LIMIT ?',
    ),
    good: db.prepare<[string, string, string], Row>(
      'SELECT data FROM deployments WHERE app = ? AND env = ? AND state IN (SELECT value FROM json_each(?)) ORDER BY created_at DESC',
    ),
  };
}

type Statements = ReturnType<typeof statements>;
type Parse = (r: Row | undefined) => Deployment | undefined;

/**
 * Deployments in one table; the unique index `one_in_flight` (schema.ts) is the race guard: at most
 * one deployment in flight per environment.
 */
export function deploymentLedger(db: Database.Database, warn?: RowWarn): DeploymentLedger {
  const sql = statements(db);
  const deploymentRow = deploymentRowOf(warn);
  const parse: Parse = (r) => (r ? readRow(deploymentRow, 'deployment', r.data) : undefined);
  return {
    ...deploymentWrites(sql),
    ...deploymentReads(sql, parse),
    inFlight: inFlightReader(db, sql, parse),
  };
}

/** A new deployment, and each change to one as a compare-and-set on its `rev`. */
function deploymentWrites(sql: Statements): Pick<DeploymentLedger, 'create' | 'update'> {
  return {
    async create(d) {
      try {
        sql.insert.run(row(d));
      } catch (e) {
        if (isConstraint(e)) {
          throw new CapstanError(
            'conflict',
            { kind: 'request.inFlight', app: d.app, env: d.env },
            { cause: e },
          );
        }
        throw e;
      }
    },
    async update(d) {
      const next = { ...d, rev: d.rev + 1 };
      try {
        const r = sql.cas.run({ ...row(next), expected: d.rev });
        return r.changes === 1 ? next : undefined;
      } catch (e) {
        if (isConstraint(e)) return undefined;
        throw e;
      }
    },
  };
}

function deploymentReads(
  sql: Statements,
  parse: Parse,
): Pick<DeploymentLedger, 'get' | 'inFlightFor' | 'history' | 'goodVersions'> {
  return {
    async get(id) {
      return parse(sql.byId.get(id));
    },
    async inFlightFor(app, env) {
      return parse(sql.activeFor.get(app, env));
    },
    async history(app, env, limit) {
      const rows = env === undefined ? sql.historyApp.all(app, limit) : sql.historyEnv.all(app, env, limit);
      return rows.map((r) => parse(r)!);
    },
    async goodVersions(app, env, limit, states) {
      const out: GoodVersion[] = [];
      if (limit <= 0 || states.length === 0) return out;
      for (const r of sql.good.iterate(app, env, JSON.stringify(states))) {
        const g = goodVersionOf(parse(r)!);
        if (out.some((o) => o.version === g.version)) continue;
        out.push(g);
        if (out.length === limit) break;
      }
      return out;
    },
  };
}

/**
 * The deployments in flight. The replica coordinator asks every few seconds, with a thousand rollouts
 * in flight: their numbers are read, and only the records that changed since are read and decoded
 * again (in one transaction, so another process's write cannot fall between the two reads).
 */
function inFlightReader(db: Database.Database, sql: Statements, parse: Parse): DeploymentLedger['inFlight'] {
  // What inFlight() read last time, by id: a row whose rev has not moved since is not read again.
  let inFlightRead = new Map<string, Deployment>();
  const readInFlight = db.transaction(() => {
    const read = new Map<string, Deployment>();
    for (const { id, rev } of sql.active.all()) {
      const known = inFlightRead.get(id);
      const d = known?.rev === rev ? known : parse(sql.byId.get(id));
      if (d) read.set(id, d);
    }
    return read;
  });
  return async () => {
    inFlightRead = readInFlight();
    return [...inFlightRead.values()];
  };
}
