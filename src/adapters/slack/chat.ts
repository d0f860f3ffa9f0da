import type { KnownBlock, WebClient } from '@slack/web-api';
import type { Chat, Directory, GroupResolver } from '../../ports/chat.js';
import type { SlackMessage } from '../../views/message.js';

const blocksOf = (m: SlackMessage) => (m.blocks ? (m.blocks as unknown as KnownBlock[]) : undefined);

/** Chat over the Web API; WebClient waits out a 429's Retry-After and retries by itself. */
export function createSlackChat(client: WebClient): Chat {
  const names = new Map<string, string>();
  return {
    async post(channel, message, threadTs, options) {
      const thread = threadTs ? { thread_ts: threadTs, reply_broadcast: options?.broadcast === true } : {};
      const r = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: blocksOf(message),
        ...thread,
        unfurl_links: false,
      });
      return { ts: r.ts ?? '' };
    },
    async update(channel, ts, message) {
      await client.chat.update({ channel, ts, text: message.text, blocks: blocksOf(message) ?? [] });
    },
    async postEphemeral(channel, user, message) {
      await client.chat.postEphemeral({ channel, user, text: message.text, blocks: blocksOf(message) });
    },
    async permalink(channel, ts) {
      const r = await client.chat.getPermalink({ channel, message_ts: ts });
      return r.permalink;
    },
    async displayName(userId) {
      const cached = names.get(userId);
      if (cached) return cached;
      try {
        const r = await client.users.info({ user: userId });
        const name = r.user?.profile?.display_name || r.user?.real_name || r.user?.name || userId;
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
  let groups: { at: number; list: Group[] } | undefined;
  let unavailableAt: number | undefined;
  const members = new Map<string, { at: number; users: Set<string> }>();

  async function allGroups(): Promise<Group[]> {
    if (groups && now() - groups.at < ttlMs) return groups.list;
    const r = await client.usergroups.list({ include_disabled: false });
    const list = (r.usergroups ?? []).map((g) => ({ id: g.id ?? '', handle: g.handle ?? '' }));
    groups = { at: now(), list };
    return list;
  }

  async function usersOf(groupId: string): Promise<Set<string>> {
    const hit = members.get(groupId);
    if (hit && now() - hit.at < ttlMs) return hit.users;
    const r = await client.usergroups.users.list({ usergroup: groupId });
    const users = new Set(r.users ?? []);
    members.set(groupId, { at: now(), users });
    return users;
  }

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
