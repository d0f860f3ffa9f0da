import type { ServerResponse } from 'node:http';
import type { Send } from './http.js';
import type { RecordedCall, SlackFault } from './types.js';

/** A fault set up with failNext(): for the next `left` calls of `method` that `when` accepts. */
export interface PendingFault {
  readonly method: string;
  readonly fault: SlackFault;
  left: number;
  readonly when?: ((args: Record<string, unknown>) => boolean) | undefined;
}

/** The faults the stand-in was told to answer with, and its record of calls. */
export interface FaultBook {
  /** Methods that answer 429 with Retry-After once per entry. */
  readonly rateLimitOnce: Map<string, number>;
  /** Methods that answer `{ ok: false, error }` once per entry. */
  readonly failOnce: Map<string, string>;
  readonly faults: PendingFault[];
  readonly calls: RecordedCall[];
}

/** How a fault is recorded: `<method>:error`, `<method>:raw`, `<method>:500` or `<method>:429`. */
function faultSuffix(fault: SlackFault): string {
  return typeof fault === 'string' ? 'error' : 'raw' in fault ? 'raw' : String(fault.status);
}

/** Answers as the fault says. */
function sendFault(fault: SlackFault, res: ServerResponse, send: Send): void {
  if (typeof fault === 'string') return send(200, { ok: false, error: fault });
  if ('raw' in fault) {
    res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/html; charset=utf-8' });
    res.end(fault.raw);
    return;
  }
  if (fault.status === 429 && 'retryAfter' in fault)
    return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
  return send(500, { ok: false, error: 'internal_error' });
}

/**
 * Answers and records the call with the first fault set up for it: a rate limit, then a
 * failNext() fault ('fault'), then a failOnce error. undefined when none applies.
 */
export function takeFault(
  book: FaultBook,
  method: string,
  args: Record<string, unknown>,
  res: ServerResponse,
  send: Send,
): 'rateLimit' | 'fault' | 'failOnce' | undefined {
  const limited = book.rateLimitOnce.get(method);
  if (limited !== undefined) {
    book.rateLimitOnce.delete(method);
    book.calls.push({ method: `${method}:429`, args, at: Date.now() });
    send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited) });
    return 'rateLimit';
  }
  const f = book.faults.find((x) => x.method === method && x.left > 0 && (x.when?.(args) ?? true));
  if (f) {
    f.left -= 1;
    book.calls.push({ method: `${method}:${faultSuffix(f.fault)}`, args, at: Date.now() });
    sendFault(f.fault, res, send);
    return 'fault';
  }
  const failure = book.failOnce.get(method);
  if (failure !== undefined) {
    book.failOnce.delete(method);
    book.calls.push({ method: `${method}:error`, args, at: Date.now() });
    send(200, { ok: false, error: failure });
    return 'failOnce';
  }
  return undefined;
}
