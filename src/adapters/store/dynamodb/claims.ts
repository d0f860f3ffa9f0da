import type { Lock } from '../../../domain/deployment.js';
import type { Lease } from '../../../ports/store.js';
import { TTL_ATTRIBUTE, expiresAfter } from '../retention.js';
import type { ClaimLedger } from '../ledgers.js';
import type { TableAccess } from './access.js';
import { CREATE_ONLY, k, leaseKey, lockKey, num, parseLock } from './keys.js';

/**
 * What is taken by the first writer: locks (LOCKS), SNS messages seen (SEEN#key), leases (LEASES)
 * and once-only claims (ONCE#key). SEEN and ONCE items carry `ttl`, so the table's Time to Live
 * deletes them.
 */
export function claimLedger(db: TableAccess): ClaimLedger {
  return { ...lockClaims(db), ...onceClaims(db), ...leaseClaims(db) };
}

function lockClaims({
  read,
  put,
  remove,
  query,
}: TableAccess): Pick<ClaimLedger, 'getLock' | 'putLock' | 'deleteLock' | 'locks'> {
  return {
    async getLock(app, env) {
      return parseLock(await read(lockKey(app, env)));
    },
    async putLock(lock) {
      return put({ ...lockKey(lock.app, lock.env), data: JSON.stringify(lock) }, CREATE_ONLY);
    },
    async deleteLock(app, env) {
      await remove(lockKey(app, env));
    },
    async locks() {
      const out: Lock[] = [];
      for await (const item of query('LOCKS')) out.push(parseLock(item)!);
      return out;
    },
  };
}

/** SNS messages seen and once-only claims: the first writer takes the key, until Time to Live deletes it. */
function onceClaims({
  put,
  remove,
}: TableAccess): Pick<ClaimLedger, 'firstSighting' | 'forgetSighting' | 'claimOnce'> {
  return {
    async firstSighting(key, at) {
      return put({ pk: k('SEEN', key), sk: 'SEEN', at, [TTL_ATTRIBUTE]: expiresAfter(at) }, CREATE_ONLY);
    },
    async forgetSighting(key) {
      await remove({ pk: k('SEEN', key), sk: 'SEEN' });
    },
    async claimOnce(key, owner, now) {
      return put(
        { pk: k('ONCE', key), sk: 'ONCE', owner, at: now, [TTL_ATTRIBUTE]: expiresAfter(now) },
        CREATE_ONLY,
      );
    },
  };
}

function leaseClaims(
  db: TableAccess,
): Pick<ClaimLedger, 'acquireLease' | 'renewLease' | 'releaseLease' | 'leases'> {
  const { change, query } = db;
  return {
    acquireLease: (name, owner, ttlMs, now) => acquireLease(db, name, owner, ttlMs, now),
    async renewLease(name, owner, fence, ttlMs, now) {
      const values = { ':owner': owner, ':fence': fence, ':now': now, ':until': now + ttlMs };
      const condition = '#owner = :owner AND #fence = :fence AND #expiresAt > :now';
      return change(leaseKey(name), 'SET #expiresAt = :until', { condition, values });
    },
    async releaseLease(name, owner) {
      const c = { condition: '#owner = :owner', values: { ':owner': owner, ':zero': 0 } };
      await change(leaseKey(name), 'SET #expiresAt = :zero', c);
    },
    async leases(now) {
      const out: Lease[] = [];
      for await (const item of query('LEASES')) {
        const lease = {
          name: item.name!.S!,
          owner: item.owner!.S!,
          fence: num(item.fence)!,
          expiresAt: num(item.expiresAt)!,
        };
        if (lease.expiresAt > now) out.push(lease);
      }
      return out;
    },
  };
}

/**
 * Takes the lease when it is free or expired (a takeover raises the fence), or renews it for its
 * owner; undefined while someone else holds it, or after three writes lost to others.
 */
async function acquireLease(
  { read, put }: TableAccess,
  name: string,
  owner: string,
  ttlMs: number,
  now: number,
): Promise<{ fence: number } | undefined> {
  const key = leaseKey(name);
  for (let attempt = 0; attempt < 3; attempt++) {
    const cur = await read(key);
    if (cur === undefined) {
      if (await put({ ...key, name, owner, fence: 1, expiresAt: now + ttlMs }, CREATE_ONLY))
        return { fence: 1 };
      continue;
    }
    const fence = num(cur.fence)!;
    const expiresAt = num(cur.expiresAt)!;
    const valid = expiresAt > now;
    if (valid && cur.owner?.S !== owner) return undefined;
    const next = valid ? fence : fence + 1;
    // (fence, expiresAt) as read is the lease's version: a renewal or a takeover since then changes it.
    const guard = {
      condition: '#fence = :fence AND #expiresAt = :seen',
      values: { ':fence': fence, ':seen': expiresAt },
    };
    if (await put({ ...key, name, owner, fence: next, expiresAt: now + ttlMs }, guard))
      return { fence: next };
  }
  return undefined;
}
