import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Store } from '../../ports/store.js';
import { tableAccess } from './dynamodb/access.js';
import { pipelineApprovalLedger } from './dynamodb/approvals.js';
import { claimLedger } from './dynamodb/claims.js';
import { deploymentLedger } from './dynamodb/deployments.js';
import { type EnsureTableOptions, ensureTable } from './dynamodb/table.js';
import type { RowWarn } from './rows.js';

export { type EnsureTableOptions, TABLE_POLL_DELAYS_MS, ensureTable } from './dynamodb/table.js';

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

export interface DynamoStoreOptions {
  readonly table: string;
  readonly region?: string;
  readonly client?: DynamoDBClient;
  /** Told when part of a record is left out as unreadable (a deployment's cause of an unknown kind). */
  readonly warn?: RowWarn;
}

/** The ledger in one DynamoDB table, shared by every replica. */
export function openDynamoStore(options: DynamoStoreOptions): Store {
  const { table, region } = options;
  const client = options.client ?? new DynamoDBClient(region === undefined ? {} : { region });
  const db = tableAccess(client, table, region);
  return {
    ...deploymentLedger(db, options.warn),
    ...pipelineApprovalLedger(db),
    ...claimLedger(db),
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
