import { AsyncLocalStorage } from 'node:async_hooks';
import type { STSClient } from '@aws-sdk/client-sts';
import { CapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { type AwsCaller, type AwsIdentity, CAPSTAN } from '../../ports/identity.js';
import { toCapstanError } from './errors.js';

export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** What the SDK clients take as `credentials`: asked again by the SDK shortly before `expiration`. */
export type CredentialProvider = () => Promise<RoleCredentials>;

/** A role session of one person: what clients made inside AwsIdentity.run() sign with. */
export interface RoleSession {
  /** Stable for (roleArn, user): SDK clients are cached by it. */
  readonly key: string;
  readonly credentials: CredentialProvider;
}

const current = new AsyncLocalStorage<RoleSession | undefined>();

/** The role session of the AWS calls being made now; undefined: Capstan's own credentials (the SDK's chain). */
export function currentSession(): RoleSession | undefined {
  return current.getStore();
}

// STS: 2 to 64 characters of [\w+=,.@-] for both RoleSessionName and SourceIdentity.
const NOT_ALLOWED = /[^\w+=,.@-]/g;
const fit = (s: string): string => s.replace(NOT_ALLOWED, '-').slice(0, 64).padEnd(2, '-');

/** The session's source identity: the Slack user id, which is stable and unique. */
export const sourceIdentityOf = (user: string): string => fit(user);

/** The session name, shown in the assumed-role ARN: `capstan-<user id>`. */
export const sessionNameOf = (user: string): string => (user === CAPSTAN ? CAPSTAN : fit(`capstan-${user}`));

export interface AwsIdentityOptions {
  /** The STS client of a region (default: one per region, on the SDK's default credential chain). */
  readonly sts?: ((region: string) => STSClient) | undefined;
  readonly now?: (() => number) | undefined;
  /** A session is assumed again when it expires within this time (the SDK itself asks 5 min before). */
  readonly refreshBeforeMs?: number | undefined;
  readonly durationSeconds?: number | undefined;
  /** Sessions kept at most, least recently used dropped first. */
  readonly maxSessions?: number | undefined;
}

interface Entry extends RoleSession {
  creds?: RoleCredentials | undefined;
  pending?: Promise<RoleCredentials> | undefined;
}

/**
 * Assumes an environment's role for the person behind the calls, with STS AssumeRole and
 * `SourceIdentity` = their Slack user id, so CloudTrail names them; one session per
 * (role, person), reused until shortly before it expires.
 */
export function createAwsIdentity(opts: AwsIdentityOptions = {}): AwsIdentity {
  const now = opts.now ?? Date.now;
  const refreshBeforeMs = opts.refreshBeforeMs ?? 10 * 60_000;
  const durationSeconds = opts.durationSeconds ?? 3600;
  const maxSessions = opts.maxSessions ?? 500;
  const sts = stsOf(opts);
  const sessions = new Map<string, Entry>();

  const assume = (caller: AwsCaller & { roleArn: string }) => assumeRole(sts, caller, durationSeconds);

  function sessionOf(caller: AwsCaller & { roleArn: string }): Entry {
    const key = `${caller.roleArn}|${caller.user}`;
    let entry = sessions.get(key);
    if (entry) {
      sessions.delete(key); // most recently used goes last
    } else {
      const e: Entry = {
        key,
        credentials: () => {
          if (e.creds && e.creds.expiration.getTime() - now() > refreshBeforeMs)
            return Promise.resolve(e.creds);
          // Everyone asking at once shares one AssumeRole; a failure is not kept, the next call asks again.
          e.pending ??= assume(caller)
            .then((c) => (e.creds = c))
            .finally(() => (e.pending = undefined));
          return e.pending;
        },
      };
      entry = e;
      if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
    }
    sessions.set(key, entry);
    return entry;
  }

  return {
    async run(caller, fn) {
      if (!caller.roleArn) return current.run(undefined, fn);
      const session = sessionOf({ ...caller, roleArn: caller.roleArn });
      // Assumed here rather than on the first call: a role that refuses Capstan is reported before anything runs.
      await session.credentials();
      return current.run({ key: session.key, credentials: session.credentials }, fn);
    },
  };
}

/**
 * STS is always asked with Capstan's own credentials, never from inside a role session. Its SDK
 * client is loaded when a role is first assumed, not at start-up.
 */
function stsOf(opts: AwsIdentityOptions): (region: string) => Promise<STSClient> {
  const stsClients = new Map<string, STSClient>();
  return async (region) => {
    if (opts.sts) return opts.sts(region);
    let c = stsClients.get(region);
    if (!c) stsClients.set(region, (c = (await import('./stsCalls.js')).newStsClient(region)));
    return c;
  };
}

/** The person's session of the role; a refusal names the role and the person. */
async function assumeRole(
  sts: (region: string) => Promise<STSClient>,
  caller: AwsCaller & { roleArn: string },
  durationSeconds: number,
): Promise<RoleCredentials> {
  try {
    const { assumeRole } = await import('./stsCalls.js');
    const out = await assumeRole(await sts(caller.region), {
      RoleArn: caller.roleArn,
      RoleSessionName: sessionNameOf(caller.user),
      SourceIdentity: sourceIdentityOf(caller.user),
      DurationSeconds: durationSeconds,
    });
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
      throw new Error('STS answered without credentials');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  } catch (e) {
    const err = toCapstanError(e, {
      action: 'sts:AssumeRole',
      resource: `role ${caller.roleArn}`,
      region: caller.region,
    });
    if (err.code !== 'access_denied') throw err;
    throw new CapstanError(
      'access_denied',
      {
        kind: 'aws.assumeRoleDenied',
        roleArn: caller.roleArn,
        user: caller.user,
        message: errorMessage(e),
      },
      { cause: e },
    );
  }
}
