import type { Principal } from '../domain/catalog.js';

/**
 * A principal as Slack shows it. A configured `@handle` is plain text that notifies nobody; with
 * its group id (`groupIds`: handle → id, from usergroups.list) it becomes a mention that does.
 */
export function describePrincipal(p: Principal, groupIds?: ReadonlyMap<string, string>): string {
  switch (p.kind) {
    case 'anyone':
      return 'anyone';
    case 'user':
      return `<@${p.id}>`;
    case 'group':
      return `<!subteam^${p.id}>`;
    case 'handle': {
      const id = groupIds?.get(p.handle);
      return id ? `<!subteam^${id}>` : `@${p.handle}`;
    }
  }
}

export function describePrincipals(ps: readonly Principal[], groupIds?: ReadonlyMap<string, string>): string {
  return ps.length === 0 ? 'nobody' : ps.map((p) => describePrincipal(p, groupIds)).join(', ');
}
