import {
  ErrorCode,
  type KnownBlock,
  LogLevel,
  WebClient,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
} from '@slack/web-api';
import {
  type Chat,
  ChatError,
  type ChatFailure,
  type Directory,
  type GroupResolver,
} from '../../ports/chat.js';
import type { SlackMessage } from '../../views/message.js';

const blocksOf = (m: SlackMessage) => (m.blocks ? (m.blocks as unknown as KnownBlock[]) : undefined);

/** Slack's error strings by what the caller can do about them; any other is `refused`. */
const PASSING = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);
const MESSAGE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'is_inactive']);
const CONTENT = new Set([
  'msg_too_long',
  'msg_blocks_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'no_text',
  'too_many_attachments',
]);

/** Slack's error strings look like `channel_not_found`; anything else did not come from the Web API. */
const SLACK_CODE = /^[a-z0-9_.]{1,64}$/;
/** The code of a ChatError for an answer that is not what the Web API promises. */
export const MALFORMED = 'malformed_response';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The Web API client's errors as ChatError: what failed, Slack's code, and whether trying again can help. */
export function chatErrorOf(method: string, e: unknown): unknown {
  if (!(e instanceof Error) || !('code' in e)) return e;
  const of = (code: string, failure: ChatFailure, retryAfterMs?: number) =>
    new ChatError(method, code, failure, retryAfterMs, { cause: e });
  switch (e.code) {
    case ErrorCode.PlatformError: {
      const said: unknown = (e as WebAPIPlatformError).data?.error;
      // Not an answer from the Web API (an HTML page from a proxy, an empty body): it may pass.
      if (typeof said !== 'string' || !SLACK_CODE.test(said)) return of(MALFORMED, 'passing');
      const code = said;
      const failure = PASSING.has(code)
        ? 'passing'
        : MESSAGE.has(code)
          ? 'message'
          : CONTENT.has(code)
            ? 'content'
            : 'refused';
      return of(code, failure);
    }
    case ErrorCode.RateLimitedError:
      return of('ratelimited', 'passing', (e as WebAPIRateLimitedError).retryAfter * 1000);
    case ErrorCode.HTTPError: {
      const status = (e as WebAPIHTTPError).statusCode;
      return of(`http_${status}`, status >= 500 || status === 429 || status === 408 ? 'passing' : 'refused');
    }
    case ErrorCode.RequestError:
      return of('request_error', 'passing');
    default:
      return e;
  }
}

/**
 * The same workspace without the client's own retries: one attempt per call, a 429 reported with its
 * Retry-After. For callers that pace and retry themselves, with their own (injectable) waits.
 */
function singleAttempt(client: WebClient): WebClient {
  return new WebClient(client.token, {
    slackApiUrl: client.slackApiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // The caller logs each failure in Capstan's own format.
    logLevel: LogLevel.ERROR,
  });
}

/**
 * Chat over the Web API. By default WebClient waits out a 429's Retry-After and retries by itself;
 * with `callerRetries` a call is tried once through `once`, and the caller decides what comes next.
 */
export function createSlackChat(client: WebClient, once: WebClient = singleAttempt(client)): Chat {
  const names = new Map<string, string>();
  const via = (o: { callerRetries?: boolean | undefined } | undefined) => (o?.callerRetries ? once : client);
  return {
    async post(channel, message, threadTs, options) {
      const thread = threadTs ? { thread_ts: threadTs, reply_broadcast: options?.broadcast === true } : {};
      const r = await via(options)
        .chat.postMessage({
          channel,
          text: message.text,
          blocks: blocksOf(message),
          ...thread,
          unfurl_links: false,
        })
        .catch((e: unknown) => {
          throw chatErrorOf('chat.postMessage', e);
        });
      const ts = text(r.ts);
      // Without its timestamp the message cannot be edited or threaded: the post is treated as failed.
      if (ts === undefined || r.ok !== true) throw new ChatError('chat.postMessage', MALFORMED, 'passing');
      return { ts };
    },
    async update(channel, ts, message, options) {
      await via(options)
        .chat.update({ channel, ts, text: message.text, blocks: blocksOf(message) ?? [] })
        .catch((e: unknown) => {
          throw chatErrorOf('chat.update', e);
        });
    },
    async postEphemeral(channel, user, message) {
      await client.chat.postEphemeral({ channel, user, text: message.text, blocks: blocksOf(message) });
    },
    async permalink(channel, ts) {
      const r = await client.chat.getPermalink({ channel, message_ts: ts });
      return text(r.permalink);
    },
    async displayName(userId) {
      const cached = names.get(userId);
      if (cached) return cached;
      try {
        const r = await client.users.info({ user: userId });
        const user = r.user;
        const name = text(user?.profile?.display_name) ?? text(user?.real_name) ?? text(user?.name) ?? userId;
        names.set(userId, name);
        return name;
      } catch {
        return userId;
      }
    },
  };
}

interface Group {
  id: string;
  handle: string;
}

/**
 * User-group membership through usergroups.list / usergroups.users.list, and group ids for
 * mentions, cached briefly (both are Tier 2: about 20 calls a minute).
 */
export function createSlackDirectory(
  client: WebClient,
  ttlMs = 60_000,
  now: () => number = Date.now,
): Directory & GroupResolver {
  let unavailableAt: number | undefined;
  const { allGroups, usersOf } = groupCache(client, ttlMs, now);

  return {
    async groupIds() {
      // Without user groups (free plan, no usergroups:read) handles stay text: ask again later, not for every message.
      if (unavailableAt !== undefined && now() - unavailableAt < ttlMs) return new Map<string, string>();
      try {
        const list = await allGroups();
        unavailableAt = undefined;
        return new Map(list.filter((g) => g.id && g.handle).map((g) => [g.handle, g.id]));
      } catch {
        unavailableAt = now();
        return new Map<string, string>();
      }
    },
    async groupsOf(userId, wanted) {
      const out = new Set<string>();
      for (const w of wanted) {
        let id = w.id;
        if (id === undefined && w.handle !== undefined)
          id = (await allGroups()).find((g) => g.handle === w.handle)?.id;
        if (id === undefined) continue;
        if ((await usersOf(id)).has(userId)) {
          out.add(id);
          if (w.handle !== undefined) out.add(w.handle);
        }
      }
      return out;
    },
  };
}

/** The workspace's user groups and each group's members, each kept `ttlMs`. */
function groupCache(client: WebClient, ttlMs: number, now: () => number) {
  let groups: { at: number; list: Group[] } | undefined;
  const members = new Map<string, { at: number; users: Set<string> }>();

  async function allGroups(): Promise<Group[]> {
    if (groups && now() - groups.at < ttlMs) return groups.list;
    const r = await client.usergroups.list({ include_disabled: false });
    const found: unknown = r.usergroups;
    const list = (Array.isArray(found) ? (found as { id?: unknown; handle?: unknown }[]) : []).map((g) => ({
      id: text(g?.id) ?? '',
      handle: text(g?.handle) ?? '',
    }));
    groups = { at: now(), list };
    return list;
  }

  async function usersOf(groupId: string): Promise<Set<string>> {
    const hit = members.get(groupId);
    if (hit && now() - hit.at < ttlMs) return hit.users;
    const r = await client.usergroups.users.list({ usergroup: groupId });
    const found: unknown = r.users;
    const users = new Set(
      Array.isArray(found) ? found.filter((u): u is string => typeof u === 'string') : [],
    );
    members.set(groupId, { at: now(), users });
    return users;
  }
  return { allGroups, usersOf };
}
