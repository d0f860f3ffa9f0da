import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TABLE_POLL_DELAYS_MS, ensureTable, openDynamoStore } from '../../src/adapters/store/dynamodb.js';
import { SHORT_LIVED_RETENTION_MS } from '../../src/adapters/store/retention.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { describeStoreContract } from './storeContract.js';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let endpoint = '';
let tables = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const newClient = () =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  });

/** A fresh table: every test starts from an empty ledger. */
async function freshTable(): Promise<string> {
  const table = `capstan-${++tables}`;
  const client = newClient();
  await ensureTable(client, table);
  client.destroy();
  return table;
}

describeStoreContract('DynamoDB', async (warn) => {
  const store = openDynamoStore({ table: await freshTable(), client: newClient(), warn });
  return { store, cleanup: async () => store.close() };
});

const deployment = (id: string, over: Partial<Deployment> = {}): Deployment => ({
  id,
  rev: 0,
  kind: 'deploy',
  app: 'todobackend',
  env: 'dev',
  requestedBy: 'U0ALICE',
  toVersion: '1.0.0',
  state: 'checking',
  channel: 'C0DEV',
  createdAt: 100,
  updatedAt: 100,
  approvals: [],
  ...over,
});

/** Writes the environment's in-flight claim as a replica that crashed would have left it. */
async function leaveClaim(table: string, id: string, createdAt: number): Promise<void> {
  const client = newClient();
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: 'ENVS' },
        sk: { S: 'todobackend#dev' },
        app: { S: 'todobackend' },
        env: { S: 'dev' },
        inflightId: { S: id },
        inflightAt: { N: String(createdAt) },
      },
    }),
  );
  client.destroy();
}

describe('DynamoDB store', () => {
  it('creates the table once, keyed by pk and sk', async () => {
    const table = await freshTable();
    const client = newClient();
    await ensureTable(client, table);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes).toBeUndefined();
    client.destroy();
  });

  it('takes over a claim whose creator stopped before writing the record', async () => {
    const table = await freshTable();
    await leaveClaim(table, 'd-ghost', 50);
    const store = openDynamoStore({ table, client: newClient() });
    await store.create(deployment('d-1'));
    expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe('d-1');
    // The placeholder that blocks the ghost's record is not a deployment.
    expect((await store.history('todobackend', 'dev', 10)).map((d) => d.id)).toEqual(['d-1']);
    store.close();
  });

  it('takes over a claim whose deployment finished before the claim was released', async () => {
    const table = await freshTable();
    const store = openDynamoStore({ table, client: newClient() });
    await store.create(deployment('d-1', { state: 'succeeded' }));
    await leaveClaim(table, 'd-1', 100);
    expect(await store.inFlightFor('todobackend', 'dev')).toBeUndefined();
    expect(await store.inFlight()).toEqual([]);
    await store.create(deployment('d-2', { createdAt: 200 }));
    expect((await store.inFlightFor('todobackend', 'dev'))?.id).toBe('d-2');
    store.close();
  });

  it('a slow creator overtaken between its claim and its record loses, and only it', async () => {
    const table = await freshTable();
    let reachedRecord!: () => void;
    const reached = new Promise<void>((resolve) => (reachedRecord = resolve));
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const slowClient = newClient();
    slowClient.middlewareStack.add(
      (next, context) => async (args) => {
        const sk = (args.input as PutItemCommandInput).Item?.sk?.S ?? '';
        if (context.commandName === 'PutItemCommand' && sk.startsWith('DEP#')) {
          reachedRecord();
          await gate;
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const slow = openDynamoStore({ table, client: slowClient });
    const fast = openDynamoStore({ table, client: newClient() });
    const slowCreate = slow.create(deployment('d-slow'));
    await reached;
    await fast.create(deployment('d-fast', { createdAt: 101 }));
    letGo();
    await expect(slowCreate).rejects.toMatchObject({ code: 'conflict' });
    expect((await fast.inFlight()).map((d) => d.id)).toEqual(['d-fast']);
    expect(await fast.get('d-slow')).toBeUndefined();
    slow.close();
    fast.close();
  });

  it('reports a missing table as a CapstanError naming it', async () => {
    const store = openDynamoStore({ table: 'no-such-table', client: newClient() });
    await expect(store.get('d-1')).rejects.toMatchObject({
      name: 'CapstanError',
      code: 'not_found',
      message: expect.stringContaining('DynamoDB table no-such-table') as unknown,
    });
    store.close();
  });

  it('close() destroys the SDK client', async () => {
    const client = newClient();
    const destroy = vi.spyOn(client, 'destroy');
    openDynamoStore({ table: 'unused', client }).close();
    expect(destroy).toHaveBeenCalledOnce();
  });
});

/** A client whose DescribeTable answers CREATING for the first `creating` looks after the table exists. */
function slowToActivate(creating: number) {
  const client = newClient();
  const calls: number[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'DescribeTableCommand') return next(args);
      calls.push(calls.length);
      const out = await next(args);
      const table = (out.output as DescribeTableCommandOutput).Table;
      if (table !== undefined && creating > 0) {
        creating--;
        table.TableStatus = 'CREATING';
      }
      return out;
    },
    { step: 'initialize' },
  );
  return { client, calls };
}

describe('a first start on DynamoDB', () => {
  it('is ready at the first look that finds the table ACTIVE, looking again within a second each time', async () => {
    const table = `capstan-first-${++tables}`;
    const { client, calls } = slowToActivate(4);
    const slept: number[] = [];
    await ensureTable(client, table, { sleep: async (ms) => void slept.push(ms), warn: () => {} });
    // The look before creating finds nothing; then four looks see CREATING and the fifth ACTIVE.
    expect(calls).toHaveLength(6);
    expect(slept).toEqual([100, 200, 400, 800]);
    expect(Math.max(...TABLE_POLL_DELAYS_MS)).toBeLessThanOrEqual(1000);
    client.destroy();
  });

  it('keeps looking at most once a second, and gives up with the table named after the longest wait', async () => {
    const table = `capstan-never-${++tables}`;
    const { client } = slowToActivate(1000);
    const slept: number[] = [];
    const wait = ensureTable(client, table, {
      sleep: async (ms) => void slept.push(ms),
      maxWaitMs: 10_000,
      warn: () => {},
    });
    await expect(wait).rejects.toMatchObject({ message: expect.stringContaining(table) as unknown });
    expect(slept.slice(4).every((ms) => ms === 1000)).toBe(true);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
    client.destroy();
  });

  it('turns Time to Live on for the `ttl` attribute of a table it creates', async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
    ddb.on(CreateTableCommand).resolves({});
    ddb.on(UpdateTimeToLiveCommand).resolves({});
    const client = new DynamoDBClient({ region: 'us-east-1' });
    await ensureTable(client, 'capstan-ttl', { sleep: async () => {} });
    expect(ddb.commandCalls(UpdateTimeToLiveCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'capstan-ttl', TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } },
    ]);
    ddb.restore();
  });

  it('leaves Time to Live alone on a table that already exists', async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    const client = new DynamoDBClient({ region: 'us-east-1' });
    await ensureTable(client, 'capstan-ttl');
    expect(ddb.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(0);
    expect(ddb.commandCalls(CreateTableCommand)).toHaveLength(0);
    ddb.restore();
  });

  it('starts all the same where Time to Live cannot be turned on (dynalite), and says so', async () => {
    const table = `capstan-nottl-${++tables}`;
    const client = newClient();
    const warnings: unknown[] = [];
    await ensureTable(client, table, { warn: (m, f) => warnings.push({ m, f }) });
    expect(warnings).toEqual([
      {
        m: expect.stringContaining('Time to Live') as unknown,
        f: expect.objectContaining({
          table,
          error: expect.stringContaining('dynamodb:UpdateTimeToLive') as unknown,
        }) as unknown,
      },
    ]);
    const store = openDynamoStore({ table, client });
    expect(await store.claimOnce('said:x', 'replica-a', 5_000)).toBe(true);
    store.close();
  });

  it('writes once-only claims and seen SNS ids with an expiry, in epoch seconds', async () => {
    const table = await freshTable();
    const store = openDynamoStore({ table, client: newClient() });
    const at = 1_700_000_000_000;
    await store.claimOnce('said:d-1:outcome', 'replica-a', at);
    await store.firstSighting('msg-1', at);
    const client = newClient();
    const ttlOf = async (pk: string, sk: string) =>
      (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } } })))
        .Item?.ttl?.N;
    const expected = String((at + SHORT_LIVED_RETENTION_MS) / 1000);
    expect(await ttlOf('ONCE#said%3Ad-1%3Aoutcome', 'ONCE')).toBe(expected);
    expect(await ttlOf('SEEN#msg-1', 'SEEN')).toBe(expected);
    client.destroy();
    store.close();
  });
});
