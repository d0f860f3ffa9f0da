import type { ECSClient } from '@aws-sdk/client-ecs';

/** How many of each service's events, newest first, Capstan keeps from a DescribeServices answer. */
export const SERVICE_EVENTS_KEPT = 20;

type Body = AsyncIterable<Uint8Array | string>;
const isStream = (b: unknown): b is Body => typeof b === 'object' && b !== null && Symbol.asyncIterator in b;

async function readAll(body: Body): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * The JSON text with every array under `key` cut to its first `kept` (at least 1) elements, read as bytes
 * without building the document: strings are skipped whole (escapes included), brackets counted
 * outside them. Text that does not close is given back as it came, for the SDK to judge.
 */
export function cutArrays(raw: Buffer, key: string, kept: number): Buffer {
  const name = Buffer.from(key);
  const parts: Buffer[] = [];
  let from = 0;
  let depth = 0;
  let target = -1; // depth inside the array being cut; -1: none
  let elements = 0;
  let cutAt = -1;
  let afterKey = false; // just read `"<key>"`, waiting for `:` then `[`
  let colon = false;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === QUOTE) {
      const start = i + 1;
      for (i = start; i < raw.length && raw[i] !== QUOTE; i++) if (raw[i] === BACKSLASH) i++;
      if (i >= raw.length) return raw;
      afterKey = target === -1 && i - start === name.length && raw.subarray(start, i).equals(name);
      colon = false;
      continue;
    }
    if (isSpace(b)) continue;
    if (afterKey && !colon && b === COLON) {
      colon = true;
      continue;
    }
    const opensTarget = afterKey && colon && b === 0x5b;
    afterKey = false;
    if (OPEN.has(b)) {
      depth++;
      if (opensTarget) {
        target = depth;
        elements = 0;
      }
    } else if (CLOSE.has(b)) {
      if (depth === target) {
        if (cutAt !== -1) {
          parts.push(raw.subarray(from, cutAt));
          from = i;
        }
        target = -1;
        cutAt = -1;
      }
      depth--;
      if (depth < 0) return raw;
    } else if (b === COMMA && depth === target) {
      elements++;
      if (elements === kept && cutAt === -1) cutAt = i;
    }
  }
  if (depth !== 0 || target !== -1) return raw;
  if (parts.length === 0) return raw;
  parts.push(raw.subarray(from));
  return Buffer.concat(parts);
}

/**
 * ECS answers DescribeServices with each service's last 100 events. A look needs the newest only:
 * what happened since the look before (seconds ago) and, for `status`, the latest five. A thousand
 * rollouts make a hundred such calls every polling interval, and the SDK would build every event
 * of every answer into objects (and Capstan again from those), which sized the heap to three times
 * what it holds. The answer is cut to the newest `kept` events per service before the SDK reads it;
 * an answer that cannot be read so goes on to the SDK untouched.
 */
export function keepNewestServiceEvents(client: ECSClient, kept = SERVICE_EVENTS_KEPT): ECSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const response = out.response as { statusCode?: number; body?: unknown };
      if (context.commandName !== 'DescribeServicesCommand' || response.statusCode !== 200) return out;
      if (!isStream(response.body)) return out;
      response.body = cutArrays(await readAll(response.body), 'events', kept);
      return out;
    },
    // In the deserialize step after the SDK's deserializer: it sees the answer as it came.
    { step: 'deserialize', priority: 'low', name: 'capstanKeepNewestServiceEvents' },
  );
  return client;
}
