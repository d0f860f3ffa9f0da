import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import { type Condition, type Item, type Key, type Values, attrs, names } from './keys.js';
import { failure } from './table.js';

/** What a query of one partition may narrow and order. */
export interface QueryOptions {
  readonly prefix?: string;
  readonly descending?: boolean;
  readonly filter?: string;
  readonly values?: Values;
  readonly page?: number;
}

/** The table's reads and conditional writes; a write answers false when its condition did not hold. */
export interface TableAccess {
  readonly read: (key: Key) => Promise<Item | undefined>;
  readonly put: (item: Key & Values, c?: Condition) => Promise<boolean>;
  readonly change: (key: Key, update: string, c: Condition) => Promise<boolean>;
  readonly remove: (key: Key, c?: Condition) => Promise<boolean>;
  /** Items of one partition in sort-key order (newest first for `DEP#<createdAt>` keys when `descending`). */
  readonly query: (pk: string, o?: QueryOptions) => AsyncGenerator<Item>;
}

const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

type Fail = (e: unknown, action: string) => Promise<Error>;

/** Every read is strongly consistent; every failure names the table and the action (table.ts). */
export function tableAccess(client: DynamoDBClient, table: string, region?: string): TableAccess {
  const fail: Fail = (e, action) => failure(e, client, table, action, region);
  return { ...tableReads(client, table, fail), ...tableWrites(client, table, fail) };
}

function tableReads(client: DynamoDBClient, table: string, fail: Fail): Pick<TableAccess, 'read' | 'query'> {
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

  async function* query(pk: string, o: QueryOptions = {}) {
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

  return { read, query };
}

/** Writes, each under its condition. */
function tableWrites(
  client: DynamoDBClient,
  table: string,
  fail: Fail,
): Pick<TableAccess, 'put' | 'change' | 'remove'> {
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

  return { put, change, remove };
}
