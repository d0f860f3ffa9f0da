import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EventsWanted } from '../../ports/ecs.js';
import { type ElementFilter, cutArrays, holdsWithin, topLevelNumber } from './jsonCut.js';

/** How many of each service's events, newest first, Capstan keeps from a DescribeServices answer. */
export const SERVICE_EVENTS_KEPT = 20;

type Body = AsyncIterable<Uint8Array | string>;
const isStream = (b: unknown): b is Body => typeof b === 'object' && b !== null && Symbol.asyncIterator in b;

async function readAll(body: Body): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

const wanted = new WeakMap<object, EventsWanted>();

/** A DescribeServices input whose answer needs only the events `w` names (of the newest `kept`). */
export function eventsWanted<T extends object>(input: T, w: EventsWanted): T {
  wanted.set(input, w);
  return input;
}

const CREATED_AT = Buffer.from('createdAt');

/** An event newer than `w.after` (a second's leeway for rounding), or one naming what `w` names. */
function wantedEvent(w: EventsWanted): ElementFilter {
  const names = w.mentioning.filter((m) => m.length > 0).map((m) => Buffer.from(m));
  return (raw, start, end) => {
    const seconds = topLevelNumber(raw, start, end, CREATED_AT);
    return (
      seconds === undefined ||
      seconds * 1000 > w.after - 1000 ||
      names.some((n) => holdsWithin(raw, start, end, n))
    );
  };
}

/**
 * ECS answers DescribeServices with each service's last 100 events. A look needs the newest only:
 * what happened since the look before (seconds ago) and, for `status`, the latest five. A thousand
 * rollouts make a hundred such calls every polling interval, and the SDK would build every event
 * of every answer into objects (and Capstan again from those), which sized the heap to three times
 * what it holds. The answer is cut to the newest `kept` events per service before the SDK reads it,
 * and for a look (eventsWanted) further to those it has not seen yet: most looks then read none.
 * An answer that cannot be read so goes on to the SDK untouched.
 */
export function keepNewestServiceEvents(client: ECSClient, kept = SERVICE_EVENTS_KEPT): ECSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const response = out.response as { statusCode?: number; body?: unknown };
      if (context.commandName !== 'DescribeServicesCommand' || response.statusCode !== 200) return out;
      if (!isStream(response.body)) return out;
      const w = typeof args.input === 'object' && args.input !== null ? wanted.get(args.input) : undefined;
      response.body = cutArrays(await readAll(response.body), 'events', kept, w && wantedEvent(w));
      return out;
    },
    // In the deserialize step after the SDK's deserializer: it sees the answer as it came.
    { step: 'deserialize', priority: 'low', name: 'capstanKeepNewestServiceEvents' },
  );
  return client;
}
