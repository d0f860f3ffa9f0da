import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/readConfig.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../ports/store.js';

export async function openStore(config: Config, logger: Logger, now: () => number): Promise<Store> {
  // Only the ledger configured is loaded (the DynamoDB one brings its SDK client).
  if (config.storage.kind === 'sqlite')
    return (await import('../adapters/store/sqlite.js')).openSqliteStore(config.storage.path, {
      now,
      warn: (m, f) => logger.warn(m, f),
    });
  const { connectDynamoStore } = await import('../adapters/store/dynamodb.js');
  return connectDynamoStore({ ...config.storage, warn: (m, f) => logger.warn(m, f) });
}

/** Who this process is among replicas: one process on SQLite keeps its name across restarts; replicas on DynamoDB each have their own. */
export function replicaName(config: Config): string {
  return config.storage.kind === 'sqlite'
    ? 'local'
    : `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}
