import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What Capstan's listeners read from a Slack payload, checked before Bolt routes it: a payload that
 * does not have it is dropped (acknowledged, logged) instead of failing inside a listener.
 * Fields Capstan does not read are left alone, so Slack may add to its payloads freely.
 */
const id = z.string().min(1).max(255);
const url = z.string().refine((s) => URL.canParse(s), 'not a URL');

const command = z.object({
  command: z.string().min(1),
  text: z.string(),
  user_id: id,
  // Only what is answered in the acknowledgement (help, a typo) can do without these two.
  channel_id: id.optional(),
  response_url: url.optional(),
});

const mention = z.object({
  type: z.literal('app_mention'),
  text: z.string(),
  user: id.optional(),
  channel: id,
  ts: id,
  thread_ts: id.optional(),
});
const homeOpened = z.object({ type: z.literal('app_home_opened'), user: id, tab: z.string().optional() });
const anyEvent = z.object({ type: z.string().min(1) });

const eventCallback = z.object({
  event_id: id.optional(),
  event: z.record(z.string(), z.unknown()),
});

const blockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }),
  trigger_id: id.optional(),
  response_url: url.optional(),
  actions: z.array(z.object({ action_id: z.string().min(1), value: z.string().optional() })).min(1),
});

const inputValue = z.object({ value: z.string().nullish() });
const viewSubmission = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id }),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), inputValue)) }),
  }),
});

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function problemOf(schema: z.ZodType, value: unknown, what: string): string | undefined {
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const first = r.error.issues[0];
  return `${what}: ${first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid'}`;
}

/** What kind of payload this is, for the log; never its content. */
export function kindOf(body: unknown): string {
  if (!isRecord(body)) return typeof body;
  if (isRecord(body.event) && typeof body.event.type === 'string')
    return `event:${body.event.type.slice(0, 40)}`;
  if (typeof body.command === 'string') return 'command';
  return typeof body.type === 'string' ? body.type.slice(0, 40) : 'unknown';
}

/** Why Capstan cannot act on this payload, or undefined when it can be routed. */
export function inboundProblem(body: unknown): string | undefined {
  if (!isRecord(body)) return 'not an object';
  if ('event' in body || body.type === 'event_callback') {
    const outer = problemOf(eventCallback, body, 'event');
    if (outer) return outer;
    const event = body.event as Record<string, unknown>;
    if (event.type === 'app_mention') return problemOf(mention, event, 'app_mention');
    if (event.type === 'app_home_opened') return problemOf(homeOpened, event, 'app_home_opened');
    return problemOf(anyEvent, event, 'event');
  }
  if ('command' in body) return problemOf(command, body, 'slash command');
  if (body.type === 'block_actions') return problemOf(blockActions, body, 'block_actions');
  if (body.type === 'view_submission') return problemOf(viewSubmission, body, 'view_submission');
  return `nothing in Capstan handles ${JSON.stringify(kindOf(body))}`;
}

/**
 * What makes two deliveries the same one. An event is named by its event_id, which Slack keeps
 * across retries; anything else by its whole payload, which a retry repeats byte for byte while two
 * real commands or clicks never do (each has its own trigger_id, and a click its own action_ts).
 */
export function deliveryKey(body: Record<string, unknown>): string {
  if (typeof body.event_id === 'string' && body.event_id !== '') return `slack:event:${body.event_id}`;
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40);
  return `slack:payload:${digest}`;
}
