import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import type { z } from 'zod';
import { type Deployment, type Lock, isTerminal } from '../../domain/deployment.js';
import { CapstanError } from '../../domain/errors.js';
import type { PipelineApproval } from '../../domain/pipelineApproval.js';
import { type GoodVersion, type Lease, type Store, goodVersionOf } from '../../ports/store.js';
import { toCapstanError } from '../aws/errors.js';
import { TTL_ATTRIBUTE, expiresAfter } from './retention.js';
import { type RowWarn, deploymentRowOf, lockRow, pipelineApprovalRow, readRow } from './rows.js';

/*
 * One table, string keys `pk` (hash) and `sk` (range), no secondary index. Name parts are
 * URI-encoded, so a `#` in a name cannot forge a key. Records are JSON in `data`; beside it only
 * id, state, rev, createdAt and "finished" are ever read. app, env and createdAt place a
 * deployment, so they must not change after create() (an update that moves them finds nothing).
 *
 *   pk                  sk                      what
 *   ENV#app#env         DEP#<createdAt>#id      a deployment (history: newest first by sk)
 *   DEP#id              DEP                     where deployment `id` lives (app, env, createdAt)
 *   ENVS                app#env                 the environment; `inflightId`/`inflightAt` while busy
 *   LOCKS               app#env                 a lock
 *   SEEN#key            SEEN                    an SNS MessageId already handled (expires: `ttl`)
 *   PA#id               PA                      a pipeline approval
 *   PIPE#pipeline       PA#id                   "approval id may be open" (rev of the version that opened it)
 *   PIPES               pipeline                "pipeline may have open approvals" (never removed: few)
 *   LEASES              name                    a lease: owner, fence, expiresAt
 *   ONCE#key            ONCE                    a claimOnce key (expires: `ttl`)
 *
 * Without transactions, create() writes in an order a crash can be repaired from: the pointer,
 * then the ENVS claim (`attribute_not_exists(inflightId)`), then the record. A claim whose record
 * is finished (a crash between update() and the release of the claim) or missing (a crash before
 * the record was written) is stale and is taken over. A missing record is first blocked with an
 * `abandoned` placeholder written only if the item does not exist, so a creator that was merely
 * slow fails its own write and reports the conflict, instead of both believing they won.
 *
 * Every read is strongly consistent. ENVS, LOCKS and LEASES are one small partition each (read with
 * a Query, never a Scan). SEEN and ONCE items carry `ttl` (epoch seconds, see retention.ts), which
 * the table's Time to Live deletes: ensureTable() turns it on for a table it creates, and
 * deploy/capstan.yaml for the table it declares. Dynalite lacks TTL; there the items stay. Lease
 * expiry compares the callers' clocks, so keep TTLs far above clock skew. Not for global tables:
 * their last-writer-wins replication defeats every conditional write here.
 */

type Item = Record<string, AttributeValue>;
type Value = string | number | boolean;
type Values = Record<string, Value>;
interface Key {
  readonly pk: string;
  readonly sk: string;
}
interface Condition {
  readonly condition?: string;
  readonly values?: Values;
}

export interface DynamoStoreOptions {
  readonly table: string;
  readonly region?: string;
  readonly client?: DynamoDBClient;
  /** Told when part of a record is left out as unreadable (a deployment's cause of an unknown kind). */
  readonly warn?: RowWarn;
}

const k = (...parts: string[]): string => parts.map(encodeURIComponent).join('#');
const pointerKey = (id: string): Key => ({ pk: k('DEP', id), sk: 'DEP' });
const envKey = (app: string, env: string): Key => ({ pk: 'ENVS', sk: k(app, env) });
const recordKey = (app: string, env: string, createdAt: number, id: string): Key => ({
  pk: k('ENV', app, env),
  sk: k('DEP', String(createdAt).padStart(15, '0'), id),
});
const recordKeyOf = (app?: string, env?: string, createdAt?: number, id?: string): Key | undefined =>
  app === undefined || env === undefined || createdAt === undefined || id === undefined
    ? undefined
    : recordKey(app, env, createdAt, id);
const lockKey = (app: string, env: string): Key => ({ pk: 'LOCKS', sk: k(app, env) });
const approvalKey = (id: string): Key => ({ pk: k('PA', id), sk: 'PA' });
const openKey = (a: PipelineApproval): Key => ({ pk: k('PIPE', a.pipeline), sk: k('PA', a.id) });
const leaseKey = (name: string): Key => ({ pk: 'LEASES', sk: k(name) });
const CREATE_ONLY: Condition = { condition: 'attribute_not_exists(pk)' };

const attr = (v: Value): AttributeValue =>
  typeof v === 'string' ? { S: v } : typeof v === 'number' ? { N: String(v) } : { BOOL: v };
const attrs = (vs: Values): Item => Object.fromEntries(Object.entries(vs).map(([n, v]) => [n, attr(v)]));
const num = (v: AttributeValue | undefined): number | undefined =>
  v?.N === undefined ? undefined : Number(v.N);
/** ExpressionAttributeNames for every `#name` used, so reserved words (state, data, owner) are safe. */
function names(...exprs: (string | undefined)[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const e of exprs) for (const m of e?.matchAll(/#(\w+)/g) ?? []) out[m[0]] = m[1]!;
  return Object.keys(out).length > 0 ? out : undefined;
}
/** The record an item keeps as JSON in `data`, read with its schema (rows.ts). */
const parseWith =
  <T>(schema: z.ZodType<T>, what: string) =>
  (item: Item | undefined): T | undefined =>
    item?.data?.S === undefined ? undefined : readRow(schema, what, item.data.S);
const parseLock = parseWith<Lock>(lockRow, 'lock');
const parseApproval = parseWith<PipelineApproval>(pipelineApprovalRow, 'pipeline approval');
const isOpen = (a: PipelineApproval) => a.state === 'open' || a.state === 'deciding';
const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

async function failure(e: unknown, client: DynamoDBClient, table: string, action: string, region?: string) {
  const where = region ?? (await client.config.region().catch(() => 'its region'));
  return toCapstanError(e, {
    action: `dynamodb:${action}`,
    resource: `DynamoDB table ${table}`,
    region: where,
  });
}

export interface EnsureTableOptions {
  /** Waits between looks at a table being created (a timer in production; tests pass their own). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Gives up after this long in all (120 s by default). */
  readonly maxWaitMs?: number;
  /** Told when Time to Live could not be turned on; the ledger works without it, it only keeps more. */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
}

/** Waits between looks at a table being created: short at first, never more than a second. */
export const TABLE_POLL_DELAYS_MS = [100, 200, 400, 800, 1000] as const;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates the table when it is missing (tests, the sandbox, a first start) and waits until it is
 * usable. Asks first, so a role without dynamodb:CreateTable works once the table exists. The SDK's
 * waiter would first look again after 20 s; a table is usually ACTIVE within seconds, so it is
 * asked again after 0.1 s, then ever less often but at least once a second.
 */
export async function ensureTable(
  client: DynamoDBClient,
  table: string,
  options: EnsureTableOptions = {},
): Promise<void> {
  let status: string | undefined;
  let created = false;
  try {
    status = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
  } catch (e) {
    if (!(e instanceof Error && e.name === 'ResourceNotFoundException')) {
      throw await failure(e, client, table, 'DescribeTable');
    }
    created = await createTable(client, table);
  }
  if (status !== 'ACTIVE') await untilActive(client, table, options);
  if (created) await enableTimeToLive(client, table, options);
}

async function untilActive(client: DynamoDBClient, table: string, o: EnsureTableOptions): Promise<void> {
  const sleep = o.sleep ?? realSleep;
  const maxWaitMs = o.maxWaitMs ?? 120_000;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: table }));
      if (out.Table?.TableStatus === 'ACTIVE') return;
    } catch (e) {
      // Just created: a read can reach a node that does not know the table yet.
      if (!(e instanceof Error && e.name === 'ResourceNotFoundException')) {
        throw await failure(e, client, table, 'DescribeTable');
      }
    }
    const delay = TABLE_POLL_DELAYS_MS[Math.min(attempt, TABLE_POLL_DELAYS_MS.length - 1)]!;
    if (waited + delay > maxWaitMs) {
      throw new CapstanError('upstream', {
        kind: 'store.tableNotActive',
        table,
        seconds: Math.round(maxWaitMs / 1000),
      });
    }
    await sleep(delay);
    waited += delay;
  }
}

/** Lets DynamoDB delete expired SEEN and ONCE items. A failure is told, not thrown: nothing depends on it. */
async function enableTimeToLive(client: DynamoDBClient, table: string, o: EnsureTableOptions) {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (e) {
    const error = await failure(e, client, table, 'UpdateTimeToLive');
    o.warn?.('could not turn on Time to Live; expired claims and SNS ids stay in the table', {
      table,
      error: error.message,
    });
  }
}

/** true when this call created it; false when another replica is creating it right now. */
async function createTable(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (e) {
    // Another replica is creating it right now.
    if (!(e instanceof Error && e.name === 'ResourceInUseException')) {
      throw await failure(e, client, table, 'CreateTable');
    }
    return false;
  }
  return true;
}

/** The ledger in one DynamoDB table, shared by every replica. */
export function openDynamoStore(options: DynamoStoreOptions): Store {
  const { table, region } = options;
  const client = options.client ?? new DynamoDBClient(region === undefined ? {} : { region });
  const fail = (e: unknown, action: string) => failure(e, client, table, action, region);
  const parseDeployment = parseWith<Deployment>(deploymentRowOf(options.warn), 'deployment');

  async function read(key: Key): Promise<Item | undefined> {
    try {
      const out = await client.send(
        new GetItemCommand({ TableName: table, Key: attrs({ ...key }), ConsistentRead: true }),
      );
      return out.Item;
    } catch (e) {
      throw await fail(e, 'GetItem');
    }
  }
  /** false when the condition did not hold: someone else wrote first. */
  async function conditional(action: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw await fail(e, action);
    }
  }
  const expression = (c: Condition, update?: string) => ({
    ConditionExpression: c.condition,
    ExpressionAttributeNames: names(c.condition, update),
    ExpressionAttributeValues: c.values === undefined ? undefined : attrs(c.values),
  });
  const put = (item: Key & Values, c: Condition = {}) =>
    conditional('PutItem', () =>
      client.send(new PutItemCommand({ TableName: table, Item: attrs(item), ...expression(c) })),
    );
  const change = (key: Key, update: string, c: Condition) =>
    conditional('UpdateItem', () =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: attrs({ ...key }),
          UpdateExpression: update,
          ...expression(c, update),
        }),
      ),
    );
  const remove = (key: Key, c: Condition = {}) =>
    conditional('DeleteItem', () =>
      client.send(new DeleteItemCommand({ TableName: table, Key: attrs({ ...key }), ...expression(c) })),
    );

  /** Items of one partition in sort-key order (newest first for `DEP#<createdAt>` keys when `descending`). */
  async function* query(
    pk: string,
    o: { prefix?: string; descending?: boolean; filter?: string; values?: Values; page?: number } = {},
  ) {
    const keyCondition = o.prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)';
    const pages = paginateQuery(
      { client, ...(o.page === undefined ? {} : { pageSize: o.page }) },
      {
        TableName: table,
        ConsistentRead: true,
        ScanIndexForward: o.descending !== true,
        KeyConditionExpression: keyCondition,
        FilterExpression: o.filter,
        ExpressionAttributeNames: names(keyCondition, o.filter),
        ExpressionAttributeValues: attrs({
          ':pk': pk,
          ...(o.prefix === undefined ? {} : { ':prefix': o.prefix }),
          ...o.values,
        }),
      },
    );
    try {
      for await (const page of pages) yield* page.Items ?? [];
    } catch (e) {
      throw await fail(e, 'Query');
    }
  }
  /** Deployments of one environment, newest first, skipping `abandoned` placeholders. */
  async function* deployments(
    app: string,
    env: string,
    page: number,
    filter = 'attribute_exists(#data)',
    values?: Values,
  ) {
    const q = { prefix: 'DEP#', descending: true, filter, page, ...(values === undefined ? {} : { values }) };
    for await (const item of query(k('ENV', app, env), q)) yield parseDeployment(item)!;
  }

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
  /** The deployment an ENVS item says is in flight, if it really still is. */
  async function holder(envItem: Item | undefined): Promise<Deployment | undefined> {
    const e = envItem;
    const key = recordKeyOf(e?.app?.S, e?.env?.S, num(e?.inflightAt), e?.inflightId?.S);
    const record = key === undefined ? undefined : await read(key);
    return record?.finished?.BOOL === false ? parseDeployment(record) : undefined;
  }
  /** True when the claim of deployment `id` outlived it (see the header). */
  async function isStale(app: string, env: string, at: number, id: string): Promise<boolean> {
    const key = recordKey(app, env, at, id);
    const record =
      (await read(key)) ??
      ((await put({ ...key, abandoned: true }, CREATE_ONLY)) ? undefined : await read(key));
    return record?.finished?.BOOL !== false;
  }
  async function claimEnvironment(d: Deployment): Promise<void> {
    const key = envKey(d.app, d.env);
    const set = 'SET #app = :app, #env = :env, #inflightId = :id, #inflightAt = :at';
    const values = { ':app': d.app, ':env': d.env, ':id': d.id, ':at': d.createdAt };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await change(key, set, { condition: 'attribute_not_exists(#inflightId)', values })) return;
      const current = await read(key);
      const id = current?.inflightId?.S;
      const at = num(current?.inflightAt);
      if (id === undefined || at === undefined) continue;
      if (!(await isStale(d.app, d.env, at, id))) throw busy(d);
      if (
        await change(key, set, { condition: '#inflightId = :holder', values: { ...values, ':holder': id } })
      )
        return;
    }
    throw busy(d);
  }
  const approvalOf = (a: PipelineApproval): Key & Values => ({
    ...approvalKey(a.id),
    state: a.state,
    rev: a.rev,
    data: JSON.stringify(a),
  });
  /** Lists `a` under its pipeline; a later version's entry (higher rev) is never replaced by an older one. */
  const listOpen = async (a: PipelineApproval) => {
    await put({ pk: 'PIPES', sk: k(a.pipeline), pipeline: a.pipeline });
    return put(
      { ...openKey(a), id: a.id, rev: a.rev },
      { condition: 'attribute_not_exists(pk) OR #rev < :rev', values: { ':rev': a.rev } },
    );
  };

  return {
    async create(d) {
      // Idempotent for the same deployment, so a create retried after a conflict can succeed.
      const pointer = { ...pointerKey(d.id), app: d.app, env: d.env, createdAt: d.createdAt };
      const samePlace = {
        condition: 'attribute_not_exists(pk) OR (#app = :app AND #env = :env AND #createdAt = :at)',
        values: { ':app': d.app, ':env': d.env, ':at': d.createdAt },
      };
      if (!(await put(pointer, samePlace))) {
        throw new CapstanError('conflict', { kind: 'store.alreadyRecorded', what: 'deployment', id: d.id });
      }
      if (isTerminal(d.state)) {
        const values = { ':app': d.app, ':env': d.env };
        await change(envKey(d.app, d.env), 'SET #app = :app, #env = :env', { values });
      } else {
        await claimEnvironment(d);
      }
      // Fails when a rival found our claim without a record and blocked it: the rival holds the environment.
      if (!(await put(recordOf(d), CREATE_ONLY))) throw busy(d);
    },
    async get(id) {
      const p = await read(pointerKey(id));
      const key = recordKeyOf(p?.app?.S, p?.env?.S, num(p?.createdAt), id);
      return key === undefined ? undefined : parseDeployment(await read(key));
    },
    async update(d) {
      const next = { ...d, rev: d.rev + 1 };
      const done = isTerminal(next.state);
      const guard: Condition = done
        ? { condition: '#rev = :expected', values: { ':expected': d.rev } }
        : { condition: '#rev = :expected AND #finished = :no', values: { ':expected': d.rev, ':no': false } };
      if (!(await put(recordOf(next), guard))) return undefined;
      if (done) {
        const c = { condition: '#inflightId = :id', values: { ':id': d.id } };
        await change(envKey(d.app, d.env), 'REMOVE #inflightId, #inflightAt', c);
      }
      return next;
    },
    async inFlight() {
      const envs: Item[] = [];
      for await (const item of query('ENVS')) envs.push(item);
      const found = await Promise.all(envs.map(holder));
      return found.filter((d) => d !== undefined).sort((a, b) => a.createdAt - b.createdAt);
    },
    async inFlightFor(app, env) {
      return holder(await read(envKey(app, env)));
    },
    async history(app, env, limit) {
      if (limit <= 0) return [];
      const envs: string[] = [];
      if (env !== undefined) envs.push(env);
      else for await (const item of query('ENVS', { prefix: `${k(app)}#` })) envs.push(item.env!.S!);
      const newest = async (e: string) => {
        const out: Deployment[] = [];
        for await (const d of deployments(app, e, limit)) if (out.push(d) === limit) break;
        return out;
      };
      const lists = await Promise.all(envs.map(newest));
      return lists
        .flat()
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit);
    },
    async goodVersions(app, env, limit) {
      const out: GoodVersion[] = [];
      if (limit <= 0) return out;
      // Verified counts as good, as succeeded does (environments that do not verify end there).
      for await (const d of deployments(app, env, limit * 2, '#state IN (:succeeded, :verified)', {
        ':succeeded': 'succeeded',
        ':verified': 'verified',
      })) {
        const g = goodVersionOf(d);
        if (!out.some((o) => o.version === g.version) && out.push(g) === limit) break;
      }
      return out;
    },
    async getLock(app, env) {
      return parseLock(await read(lockKey(app, env)));
    },
    async putLock(lock) {
      return put({ ...lockKey(lock.app, lock.env), data: JSON.stringify(lock) }, CREATE_ONLY);
    },
    async deleteLock(app, env) {
      await remove(lockKey(app, env));
    },
    async locks() {
      const out: Lock[] = [];
      for await (const item of query('LOCKS')) out.push(parseLock(item)!);
      return out;
    },
    async firstSighting(key, at) {
      return put({ pk: k('SEEN', key), sk: 'SEEN', at, [TTL_ATTRIBUTE]: expiresAfter(at) }, CREATE_ONLY);
    },
    async forgetSighting(key) {
      await remove({ pk: k('SEEN', key), sk: 'SEEN' });
    },
    async createPipelineApproval(a) {
      if (isOpen(a)) await listOpen(a);
      if (!(await put(approvalOf(a), CREATE_ONLY))) {
        throw new CapstanError('conflict', {
          kind: 'store.alreadyRecorded',
          what: 'pipelineApproval',
          id: a.id,
        });
      }
    },
    async getPipelineApproval(id) {
      return parseApproval(await read(approvalKey(id)));
    },
    async updatePipelineApproval(a) {
      const next = { ...a, rev: a.rev + 1 };
      // Listed before it is written and unlisted after, so an open approval is never missing from the list.
      if (isOpen(next)) await listOpen(next);
      if (!(await put(approvalOf(next), { condition: '#rev = :expected', values: { ':expected': a.rev } })))
        return undefined;
      if (!isOpen(next))
        await remove(openKey(next), { condition: '#rev <= :rev', values: { ':rev': next.rev } });
      return next;
    },
    async openPipelineApprovals(pipeline, stage, action) {
      const ids: string[] = [];
      for await (const item of query(k('PIPE', pipeline))) ids.push(item.id!.S!);
      const found = await Promise.all(ids.map(async (id) => parseApproval(await read(approvalKey(id)))));
      const wanted = (a: PipelineApproval | undefined): a is PipelineApproval =>
        a !== undefined &&
        isOpen(a) &&
        (stage === undefined || a.stage === stage) &&
        (action === undefined || a.action === action);
      return found.filter(wanted).sort((a, b) => a.createdAt - b.createdAt);
    },
    async pipelinesWithOpenApprovals() {
      const out: string[] = [];
      for await (const item of query('PIPES')) if (item.pipeline?.S !== undefined) out.push(item.pipeline.S);
      return out;
    },
    async acquireLease(name, owner, ttlMs, now) {
      const key = leaseKey(name);
      for (let attempt = 0; attempt < 3; attempt++) {
        const cur = await read(key);
        if (cur === undefined) {
          if (await put({ ...key, name, owner, fence: 1, expiresAt: now + ttlMs }, CREATE_ONLY))
            return { fence: 1 };
          continue;
        }
        const fence = num(cur.fence)!;
        const expiresAt = num(cur.expiresAt)!;
        const valid = expiresAt > now;
        if (valid && cur.owner?.S !== owner) return undefined;
        const next = valid ? fence : fence + 1;
        // (fence, expiresAt) as read is the lease's version: a renewal or a takeover since then changes it.
        const guard = {
          condition: '#fence = :fence AND #expiresAt = :seen',
          values: { ':fence': fence, ':seen': expiresAt },
        };
        if (await put({ ...key, name, owner, fence: next, expiresAt: now + ttlMs }, guard))
          return { fence: next };
      }
      return undefined;
    },
    async renewLease(name, owner, fence, ttlMs, now) {
      const values = { ':owner': owner, ':fence': fence, ':now': now, ':until': now + ttlMs };
      const condition = '#owner = :owner AND #fence = :fence AND #expiresAt > :now';
      return change(leaseKey(name), 'SET #expiresAt = :until', { condition, values });
    },
    async releaseLease(name, owner) {
      const c = { condition: '#owner = :owner', values: { ':owner': owner, ':zero': 0 } };
      await change(leaseKey(name), 'SET #expiresAt = :zero', c);
    },
    async leases(now) {
      const out: Lease[] = [];
      for await (const item of query('LEASES')) {
        const lease = {
          name: item.name!.S!,
          owner: item.owner!.S!,
          fence: num(item.fence)!,
          expiresAt: num(item.expiresAt)!,
        };
        if (lease.expiresAt > now) out.push(lease);
      }
      return out;
    },
    async claimOnce(key, owner, now) {
      return put(
        { pk: k('ONCE', key), sk: 'ONCE', owner, at: now, [TTL_ATTRIBUTE]: expiresAfter(now) },
        CREATE_ONLY,
      );
    },
    close() {
      client.destroy();
    },
  };
}

/** Opens the shared ledger for a replica: the table is created on first start when it does not exist. */
export async function connectDynamoStore(options: {
  table: string;
  region?: string | undefined;
  warn?: EnsureTableOptions['warn'];
}): Promise<Store> {
  const client = new DynamoDBClient(options.region === undefined ? {} : { region: options.region });
  await ensureTable(client, options.table, options.warn === undefined ? {} : { warn: options.warn });
  return openDynamoStore({
    table: options.table,
    region: options.region,
    client,
    ...(options.warn === undefined ? {} : { warn: options.warn }),
  });
}
