import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CapstanError } from '../../../domain/errors.js';
import { toCapstanError } from '../../aws/errors.js';
import { TTL_ATTRIBUTE } from '../retention.js';

/** A DynamoDB failure as a CapstanError naming the table, the action and the region. */
export async function failure(
  e: unknown,
  client: DynamoDBClient,
  table: string,
  action: string,
  region?: string,
) {
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
