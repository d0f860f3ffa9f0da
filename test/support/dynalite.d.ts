declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** How long a table stays CREATING / DELETING / UPDATING (default 500 ms). */
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    readonly maxItemSizeKb?: number;
    /** LevelDB directory; in memory when absent. */
    readonly path?: string;
    readonly ssl?: boolean;
  }

  /** An HTTP server speaking the DynamoDB JSON protocol; call listen() on it. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
