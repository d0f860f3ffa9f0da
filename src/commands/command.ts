import type { UsageKey } from './usage.js';

export type Command =
  | {
      readonly kind: 'deploy';
      readonly app: string;
      readonly env: string;
      readonly version: string;
      readonly dryRun: boolean;
      /** No environment was typed: `env` is the app's first, and the channel may choose another. */
      readonly envDefaulted?: true | undefined;
      /** `--override "<reason>"`: an admin deploying through a freeze. */
      readonly override?: string | undefined;
    }
  | { readonly kind: 'status'; readonly app?: string | undefined; readonly env?: string | undefined }
  | { readonly kind: 'approve'; readonly requestId: string }
  | { readonly kind: 'reject'; readonly requestId: string; readonly reason?: string | undefined }
  | {
      readonly kind: 'rollback';
      readonly app: string;
      readonly env: string;
      readonly version?: string | undefined;
      /** No environment was typed: `env` is the app's first, and the channel may choose another. */
      readonly envDefaulted?: true | undefined;
    }
  | {
      readonly kind: 'history';
      readonly app: string;
      readonly env?: string | undefined;
      /** `--csv`: every entry, uploaded as a file. */
      readonly csv?: true | undefined;
    }
  | {
      readonly kind: 'lock';
      readonly app: string;
      readonly env: string;
      readonly reason?: string | undefined;
    }
  | { readonly kind: 'unlock'; readonly app: string; readonly env: string }
  | {
      readonly kind: 'stats';
      readonly app?: string | undefined;
      readonly env?: string | undefined;
      readonly days: number;
    }
  | {
      readonly kind: 'promote';
      readonly app: string;
      /** Absent: the destination's `promotion.from`. */
      readonly from?: string | undefined;
      readonly to: string;
      readonly override?: string | undefined;
    };

export type ParseResult =
  | { readonly kind: 'command'; readonly command: Command }
  | { readonly kind: 'help' }
  | {
      readonly kind: 'invalid';
      readonly message: string;
      readonly usage: string;
      readonly usageKey: UsageKey;
    };

/** App and environment names, in configuration order (the first environment is the default). */
export interface Names {
  readonly apps: readonly { readonly name: string; readonly envs: readonly string[] }[];
}
