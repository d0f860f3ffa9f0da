import { type Deployment, type DeploymentState, isTerminal } from '../../../domain/deployment.js';
import { CapstanError } from '../../../domain/errors.js';
import { type GoodVersion, goodVersionOf } from '../../../ports/store.js';
import { type RowWarn, deploymentRowOf } from '../rows.js';
import type { DeploymentLedger } from '../ledgers.js';
import type { TableAccess } from './access.js';
import {
  CREATE_ONLY,
  type Condition,
  type Item,
  type Key,
  type Values,
  envKey,
  k,
  num,
  parseWith,
  pointerKey,
  recordKey,
  recordKeyOf,
} from './keys.js';

const busy = (d: Deployment) =>
  new CapstanError('conflict', { kind: 'request.inFlight', app: d.app, env: d.env });
const recordOf = (d: Deployment): Key & Values => ({
  ...recordKey(d.app, d.env, d.createdAt, d.id),
  id: d.id,
  state: d.state,
  finished: isTerminal(d.state),
  rev: d.rev,
  createdAt: d.createdAt,
  data: JSON.stringify(d),
});

/** The table and how a deployment's item is read. */
interface Ledger {
  readonly db: TableAccess;
  readonly parse: (item: Item | undefined) => Deployment | undefined;
}

/** Deployments of one environment, newest first, skipping `abandoned` placeholders. */
async function* deploymentsOf(
  l: Ledger,
  app: string,
  env: string,
  page: number,
  filter = 'attribute_exists(#data)',
  values?: Values,
) {
  const q = { prefix: 'DEP#', descending: true, filter, page, ...(values === undefined ? {} : { values }) };
  for await (const item of l.db.query(k('ENV', app, env), q)) yield l.parse(item)!;
}

/** The deployment an ENVS item says is in flight, if it really still is. */
async function holder(l: Ledger, envItem: Item | undefined): Promise<Deployment | undefined> {
  const e = envItem;
  const key = recordKeyOf(e?.app?.S, e?.env?.S, num(e?.inflightAt), e?.inflightId?.S);
  const record = key === undefined ? undefined : await l.db.read(key);
  return record?.finished?.BOOL === false ? l.parse(record) : undefined;
}

/** True when the claim of deployment `id` outlived it (see the header of ../dynamodb.ts). */
async function isStale(l: Ledger, app: string, env: string, at: number, id: string): Promise<boolean> {
  const key = recordKey(app, env, at, id);
  const record =
    (await l.db.read(key)) ??
    ((await l.db.put({ ...key, abandoned: true }, CREATE_ONLY)) ? undefined : await l.db.read(key));
  return record?.finished?.BOOL !== false;
}

async function claimEnvironment(l: Ledger, d: Deployment): Promise<void> {
  const key = envKey(d.app, d.env);
  const set = 'SET #app = :app, #env = :env, #inflightId = :id, #inflightAt = :at';
  const values = { ':app': d.app, ':env': d.env, ':id': d.id, ':at': d.createdAt };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await l.db.change(key, set, { condition: 'attribute_not_exists(#inflightId)', values })) return;
    const current = await l.db.read(key);
    const id = current?.inflightId?.S;
    const at = num(current?.inflightAt);
    if (id === undefined || at === undefined) continue;
    if (!(await isStale(l, d.app, d.env, at, id))) throw busy(d);
    const takeOver = { condition: '#inflightId = :holder', values: { ...values, ':holder': id } };
    if (await l.db.change(key, set, takeOver)) return;
  }
  throw busy(d);
}

/** Writes in the order a crash can be repaired from: the pointer, the claim, the record (../dynamodb.ts). */
async function create(l: Ledger, d: Deployment): Promise<void> {
  // Idempotent for the same deployment, so a create retried after a conflict can succeed.
  const pointer = { ...pointerKey(d.id), app: d.app, env: d.env, createdAt: d.createdAt };
  const samePlace = {
    condition: 'attribute_not_exists(pk) OR (#app = :app AND #env = :env AND #createdAt = :at)',
    values: { ':app': d.app, ':env': d.env, ':at': d.createdAt },
  };
  if (!(await l.db.put(pointer, samePlace))) {
    throw new CapstanError('conflict', { kind: 'store.alreadyRecorded', what: 'deployment', id: d.id });
  }
  if (isTerminal(d.state)) {
    const values = { ':app': d.app, ':env': d.env };
    await l.db.change(envKey(d.app, d.env), 'SET #app = :app, #env = :env', { values });
  } else {
    await claimEnvironment(l, d);
  }
  // Fails when a rival found our claim without a record and blocked it: the rival holds the environment.
  if (!(await l.db.put(recordOf(d), CREATE_ONLY))) throw busy(d);
}

async function update(l: Ledger, d: Deployment): Promise<Deployment | undefined> {
  const next = { ...d, rev: d.rev + 1 };
  const done = isTerminal(next.state);
  const guard: Condition = done
    ? { condition: '#rev = :expected', values: { ':expected': d.rev } }
    : { condition: '#rev = :expected AND #finished = :no', values: { ':expected': d.rev, ':no': false } };
  if (!(await l.db.put(recordOf(next), guard))) return undefined;
  if (done) {
    const c = { condition: '#inflightId = :id', values: { ':id': d.id } };
    await l.db.change(envKey(d.app, d.env), 'REMOVE #inflightId, #inflightAt', c);
  }
  return next;
}

async function history(l: Ledger, app: string, env: string | undefined, limit: number) {
  if (limit <= 0) return [];
  const envs: string[] = [];
  if (env !== undefined) envs.push(env);
  else for await (const item of l.db.query('ENVS', { prefix: `${k(app)}#` })) envs.push(item.env!.S!);
  const newest = async (e: string) => {
    const out: Deployment[] = [];
    for await (const d of deploymentsOf(l, app, e, limit)) if (out.push(d) === limit) break;
    return out;
  };
  const lists = await Promise.all(envs.map(newest));
  return lists
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, limit);
}

async function goodVersions(
  l: Ledger,
  app: string,
  env: string,
  limit: number,
  states: readonly DeploymentState[],
) {
  const out: GoodVersion[] = [];
  if (limit <= 0 || states.length === 0) return out;
  const names = states.map((_, i) => `:s${i}`);
  const good = `#state IN (${names.join(', ')})`;
  const values = Object.fromEntries(states.map((s, i) => [`:s${i}`, s]));
  for await (const d of deploymentsOf(l, app, env, limit * 2, good, values)) {
    const g = goodVersionOf(d);
    if (!out.some((o) => o.version === g.version) && out.push(g) === limit) break;
  }
  return out;
}

/**
 * Deployments: ENV#app#env holds the records, DEP#id points at them, ENVS holds each environment's
 * in-flight claim. The order create() writes in, and how a stale claim is taken over, is drawn in
 * ../dynamodb.ts.
 */
export function deploymentLedger(db: TableAccess, warn?: RowWarn): DeploymentLedger {
  const l: Ledger = { db, parse: parseWith<Deployment>(deploymentRowOf(warn), 'deployment') };
  return {
    create: (d) => create(l, d),
    async get(id) {
      const p = await db.read(pointerKey(id));
      const key = recordKeyOf(p?.app?.S, p?.env?.S, num(p?.createdAt), id);
      return key === undefined ? undefined : l.parse(await db.read(key));
    },
    update: (d) => update(l, d),
    async inFlight() {
      const envs: Item[] = [];
      for await (const item of db.query('ENVS')) envs.push(item);
      const found = await Promise.all(envs.map((e) => holder(l, e)));
      return found.filter((d) => d !== undefined).sort((a, b) => a.createdAt - b.createdAt);
    },
    inFlightFor: async (app, env) => holder(l, await db.read(envKey(app, env))),
    history: (app, env, limit) => history(l, app, env, limit),
    goodVersions: (app, env, limit, states) => goodVersions(l, app, env, limit, states),
  };
}
