export const USAGE = {
  deploy: '/deploy <app> <version> [to <env>] [--dry-run] [--override "<reason>"]',
  status: '/deploy status [<app>] [<env>]',
  approve: '/deploy approve <request-id>',
  reject: '/deploy reject <request-id> [reason…]',
  rollback: '/deploy rollback <app> [<env>] [to <version>]',
  history: '/deploy history <app> [<env>]',
  lock: '/deploy lock <app> <env> [reason…]',
  unlock: '/deploy unlock <app> <env>',
  help: '/deploy help',
} as const;

export type UsageKey = keyof typeof USAGE;
