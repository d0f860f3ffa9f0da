import type { Store } from '../../ports/store.js';
import type { RowWarn } from './rows.js';
import { pipelineApprovalLedger } from './sqlite/approvals.js';
import { type PruneOptions, claimLedger } from './sqlite/claims.js';
import { deploymentLedger } from './sqlite/deployments.js';
import { openDatabase } from './sqlite/schema.js';

export interface SqliteStoreOptions extends PruneOptions {
  /** Told when part of a record is left out as unreadable (a deployment's cause of an unknown kind). */
  readonly warn?: RowWarn;
}

/**
 * The embedded ledger. `path` is a file, or `:memory:` for a throwaway database. What is needed
 * only for a while (once-only claims, SNS message ids already seen) is pruned after
 * SHORT_LIVED_RETENTION_MS: at start, then at most every `pruneEveryMs` as new rows come in.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const db = openDatabase(path);
  return {
    ...deploymentLedger(db, options.warn),
    ...pipelineApprovalLedger(db),
    ...claimLedger(db, options),
    close() {
      db.close();
    },
  };
}
