import type { SlackFiles } from '../slackFiles.js';
import type { HomeView, SlackGroup, SlackUser, StoredMessage } from './types.js';

/** The Web API methods the stand-in answers, each on the state it is given. */

export interface MethodContext {
  readonly messages: StoredMessage[];
  readonly homeViews: Map<string, HomeView>;
  readonly archived: Set<string>;
  readonly uploads: SlackFiles;
  readonly users: readonly SlackUser[];
  readonly groups: readonly SlackGroup[];
  readonly botUserId: string;
  readonly url: string;
  readonly nextTs: () => string;
  readonly onViewOpen: ((triggerId: string, view: Record<string, unknown>) => void) | undefined;
}

type Args = Record<string, unknown>;
type Answer = Record<string, unknown>;
type Method = (c: MethodContext, a: Args) => Answer;

const str = (a: Args, k: string) => (typeof a[k] === 'string' ? a[k] : undefined);
const blocksOf = (a: Args): unknown[] => {
  const b = a.blocks;
  if (typeof b === 'string') return JSON.parse(b) as unknown[];
  return Array.isArray(b) ? b : [];
};
const viewOf = (a: Args): unknown => (typeof a.view === 'string' ? JSON.parse(a.view) : a.view);

const authTest: Method = (c) => ({
  ok: true,
  user_id: c.botUserId,
  bot_id: 'BCAPSTAN',
  team_id: 'T0SANDBOX',
  user: 'capstan',
  team: 'Sandbox',
});

const postMessage: Method = (c, a) => {
  const channel = str(a, 'channel');
  if (!channel) return { ok: false, error: 'channel_not_found' };
  if (c.archived.has(channel)) return { ok: false, error: 'is_archived' };
  const ts = c.nextTs();
  const threadTs = str(a, 'thread_ts');
  c.messages.push({
    channel,
    ts,
    threadTs,
    // Form posts carry "true"; JSON posts carry true. Without a thread it means nothing.
    broadcast: threadTs !== undefined && (a.reply_broadcast === true || a.reply_broadcast === 'true'),
    text: str(a, 'text') ?? '',
    blocks: blocksOf(a),
    user: c.botUserId,
    edits: 0,
  });
  return { ok: true, channel, ts, message: { ts, text: str(a, 'text') } };
};

const update: Method = (c, a) => {
  if (c.archived.has(str(a, 'channel') ?? '')) return { ok: false, error: 'is_archived' };
  const m = c.messages.find((x) => x.channel === str(a, 'channel') && x.ts === str(a, 'ts'));
  if (!m) return { ok: false, error: 'message_not_found' };
  m.text = str(a, 'text') ?? m.text;
  m.blocks = blocksOf(a);
  m.edits += 1;
  return { ok: true, channel: m.channel, ts: m.ts };
};

const postEphemeral: Method = (c, a) => {
  const channel = str(a, 'channel') ?? '';
  const ts = c.nextTs();
  c.messages.push({
    channel,
    ts,
    text: str(a, 'text') ?? '',
    blocks: blocksOf(a),
    user: c.botUserId,
    edits: 0,
    ephemeralTo: str(a, 'user'),
  });
  return { ok: true, message_ts: ts };
};

const completeUpload: Method = (c, a) =>
  c.uploads.complete(a, (channel, text, files) => {
    c.messages.push({ channel, ts: c.nextTs(), text, blocks: [], user: c.botUserId, edits: 0, files });
  });

const getPermalink: Method = (c, a) => ({
  ok: true,
  channel: str(a, 'channel'),
  permalink: `${c.url}/archives/${str(a, 'channel')}/p${(str(a, 'message_ts') ?? '').replace('.', '')}`,
});

const viewsOpen: Method = (c, a) => {
  const view = viewOf(a);
  if (typeof view === 'object' && view !== null)
    c.onViewOpen?.(str(a, 'trigger_id') ?? '', view as Record<string, unknown>);
  return {
    ok: true,
    view: { id: `V${c.nextTs().replace('.', '')}`, ...(typeof view === 'object' ? view : {}) },
  };
};

const viewsPublish: Method = (c, a) => {
  const user = str(a, 'user_id');
  const view = viewOf(a);
  const v = typeof view === 'object' && view !== null ? (view as Record<string, unknown>) : {};
  const n = Array.isArray(v.blocks) ? v.blocks.length : 0;
  // Slack refuses a view that is not a Home tab or has more than 100 blocks.
  if (!user || v.type !== 'home' || n > 100) return { ok: false, error: 'invalid_arguments' };
  const current = c.homeViews.get(user);
  if (str(a, 'hash') !== undefined && current && str(a, 'hash') !== current.hash)
    return { ok: false, error: 'hash_conflict' };
  const stored = { ...v, id: current?.id ?? `V${c.nextTs().replace('.', '')}`, hash: c.nextTs() };
  c.homeViews.set(user, stored);
  return { ok: true, view: stored };
};

const usersInfo: Method = (c, a) => {
  const u = c.users.find((x) => x.id === str(a, 'user'));
  if (!u) return { ok: false, error: 'user_not_found' };
  return {
    ok: true,
    user: { id: u.id, name: u.name, real_name: u.name, profile: { display_name: u.name } },
  };
};

const usergroupsList: Method = (c) => ({
  ok: true,
  usergroups: c.groups.map((g) => ({ id: g.id, handle: g.handle, name: g.handle })),
});

const usergroupUsers: Method = (c, a) => {
  const g = c.groups.find((x) => x.id === str(a, 'usergroup'));
  return g ? { ok: true, users: g.users } : { ok: false, error: 'no_such_subteam' };
};

const METHODS = new Map<string, Method>([
  ['auth.test', authTest],
  ['chat.postMessage', postMessage],
  ['chat.update', update],
  ['chat.postEphemeral', postEphemeral],
  ['files.getUploadURLExternal', (c, a) => c.uploads.uploadUrl(a, c.url)],
  ['files.completeUploadExternal', completeUpload],
  ['chat.getPermalink', getPermalink],
  ['views.open', viewsOpen],
  ['views.publish', viewsPublish],
  ['users.info', usersInfo],
  ['usergroups.list', usergroupsList],
  ['usergroups.users.list', usergroupUsers],
]);

/** Answers one Web API call as Slack would; `unknown_method` for a method the stand-in lacks. */
export function callMethod(c: MethodContext, method: string, args: Args): Answer {
  const m = METHODS.get(method);
  return m ? m(c, args) : { ok: false, error: 'unknown_method' };
}
