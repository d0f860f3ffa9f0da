import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { connectDynamoStore } from '../adapters/store/dynamodb.js';
import { openSqliteStore } from '../adapters/store/sqlite.js';
import type { Config } from '../config/readConfig.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../ports/store.js';

export async function openStore(config: Config, logger: Logger, now: () => number): Promise<Store> {
  if (config.storage.kind === 'sqlite')
    return openSqliteStore(config.storage.path, { now, warn: (m, f) => logger.warn(m, f) });
  return connectDynamoStore({ ...config.storage, warn: (m, f) => logger.warn(m, f) });
}

/** Who this process is among replicas: one process on SQLite keeps its name across restarts; replicas on DynamoDB each have their own. */
export function replicaName(config: Config): string {
  return config.storage.kind === 'sqlite'
    ? 'local'
    : `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}
