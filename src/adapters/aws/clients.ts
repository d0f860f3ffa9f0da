import { type CredentialProvider, currentSession } from './identity.js';

/** Role-session clients kept per adapter, least recently used dropped first. */
const MAX_SESSION_CLIENTS = 100;

/**
 * One SDK client per region, made on first use; credentials and endpoints come from the SDK's own
 * chain. Inside AwsIdentity.run() for an environment with a role, one client per (region, role,
 * person) instead, signing with that person's role session: `make` passes `credentials` on.
 */
export function perRegion<C>(
  make: (region: string, credentials?: CredentialProvider) => C,
  maxSessionClients = MAX_SESSION_CLIENTS,
): (region: string) => C {
  const own = new Map<string, C>();
  const assumed = new Map<string, C>();
  return (region) => {
    const session = currentSession();
    if (!session) {
      let c = own.get(region);
      if (c === undefined) own.set(region, (c = make(region)));
      return c;
    }
    const key = `${region}|${session.key}`;
    let c = assumed.get(key);
    if (c === undefined) {
      c = make(region, session.credentials);
      if (assumed.size >= maxSessionClients) assumed.delete(assumed.keys().next().value!);
    } else {
      assumed.delete(key);
    }
    assumed.set(key, c);
    return c;
  };
}
