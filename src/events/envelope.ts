import { z } from 'zod';
import type { AwsEvent } from '../targets/strategy.js';

/** What EventBridge puts in the SQS body when the rule's target has no input transformer. */
const eventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  region: z.string().min(1),
  time: z.string().optional(),
  resources: z.array(z.string()).default([]),
  detail: z.record(z.string(), z.unknown()),
});

/** An EventBridge → SNS → SQS route wraps the event in a notification (raw delivery off). */
const notificationSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

export type ParsedEvent =
  { readonly ok: true; readonly event: AwsEvent } | { readonly ok: false; readonly problem: string };

/** Reads one queue message as an EventBridge event; never throws. */
export function parseEvent(body: string): ParsedEvent {
  let json = parseJson(body);
  const wrapped = notificationSchema.safeParse(json);
  if (wrapped.success) json = parseJson(wrapped.data.Message);
  if (json === undefined) return { ok: false, problem: 'not JSON' };
  const r = eventSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    return {
      ok: false,
      problem: `not an EventBridge event (${first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid'})`,
    };
  }
  const e = r.data;
  const time = e.time === undefined ? undefined : Date.parse(e.time);
  return {
    ok: true,
    event: {
      id: e.id,
      source: e.source,
      detailType: e['detail-type'],
      region: e.region,
      time: time !== undefined && Number.isFinite(time) ? time : undefined,
      resources: e.resources,
      detail: e.detail,
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
