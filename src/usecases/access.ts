import type { Catalog, Environment, Principal } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import { type Membership, matches } from '../domain/policy.js';
import type { Directory } from '../ports/chat.js';

/** The groups among `principals` that the user belongs to (only those are looked up). */
export async function membershipFor(
  directory: Directory,
  userId: string,
  principals: readonly Principal[],
): Promise<Membership> {
  const groups = principals.flatMap((p): { id?: string; handle?: string }[] =>
    p.kind === 'group' ? [{ id: p.id }] : p.kind === 'handle' ? [{ handle: p.handle }] : [],
  );
  if (
    groups.length === 0 ||
    principals.some((p) => p.kind === 'anyone' || (p.kind === 'user' && p.id === userId))
  ) {
    return { groups: new Set() };
  }
  return { groups: await directory.groupsOf(userId, groups) };
}

export async function isAllowed(
  directory: Directory,
  userId: string,
  principals: readonly Principal[],
): Promise<boolean> {
  return matches(principals, userId, await membershipFor(directory, userId, principals));
}

export async function requireDeployer(directory: Directory, env: Environment, userId: string): Promise<void> {
  if (!(await isAllowed(directory, userId, env.policy.deployers))) {
    throw new CapstanError('forbidden', {
      kind: 'access.notDeployer',
      app: env.app,
      env: env.name,
      deployers: [...env.policy.deployers],
    });
  }
}

export async function isAdmin(directory: Directory, catalog: Catalog, userId: string): Promise<boolean> {
  return catalog.admins.length > 0 && isAllowed(directory, userId, catalog.admins);
}
