export const USAGE = {
  deploy: '/deploy <app> <version> [to <env>] [--dry-run] [--override "<reason>"]',
  status: '/deploy status [<app>] [<env>]',
  approve: '/deploy approve <request-id>',
  reject: '/deploy reject <request-id> [reason…]',
  rollback: '/deploy rollback <app> [<env>] [to <version>]',
  history: '/deploy history <app> [<env>] [--csv]',
  lock: '/deploy lock <app> <env> [reason…]',
  unlock: '/deploy unlock <app> <env>',
  stats: '/deploy stats [<app>] [<env>] [--days 30]',
  promote: '/deploy promote <app> [from <env>] to <env> [--override "<reason>"]',
  help: '/deploy help',
} as const;

export type UsageKey = keyof typeof USAGE;
