import type { AddressInfo } from 'node:net';
import {
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTable, openDynamoStore } from '../../src/adapters/store/dynamodb.js';
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

describeStoreContract('DynamoDB', async () => {
  const store = openDynamoStore({ table: await freshTable(), client: newClient() });
  return { store, cleanup: async () => store.close() };
});

const deployment = (id: string, over: Partial<Deployment> = {}): Deployment =>
  ({ id, rev: 0, app: 'todobackend', env: 'dev', state: 'checking', createdAt: 100, ...over }) as Deployment;

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
