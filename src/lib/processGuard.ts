import type { Logger } from './logger.js';

/** The part of `process` the guard listens on; tests pass an EventEmitter. */
export interface FaultSource {
  on(event: 'unhandledRejection' | 'uncaughtException', listener: (...args: unknown[]) => void): unknown;
  off(event: 'unhandledRejection' | 'uncaughtException', listener: (...args: unknown[]) => void): unknown;
}

export interface ProcessGuardOptions {
  readonly logger: Logger;
  /**
   * Called once when faults keep coming faster than Capstan can be trusted to serve: the caller
   * stops taking work, hands its leases back, drains what it owes Slack, then exits.
   */
  readonly onUnrecoverable: (why: string) => void;
  /** More faults than this within `windowMs` is a process that is not recovering. */
  readonly maxFaults?: number | undefined;
  readonly windowMs?: number | undefined;
  readonly now?: (() => number) | undefined;
  readonly source?: FaultSource | undefined;
}

function describe(e: unknown): Record<string, unknown> {
  if (e instanceof Error)
    return {
      error: e.message,
      name: e.name,
      ...('code' in e && typeof e.code === 'string' ? { code: e.code } : {}),
      stack: e.stack?.split('\n').slice(0, 8).join('\n'),
    };
  return { error: typeof e === 'string' ? e : String(e) };
}

/**
 * A fault nobody caught (a rejected promise, an exception thrown from a callback) is logged with
 * its context and Capstan keeps serving: one bad message from outside must not stop every rollout
 * it follows. Only a burst of faults (more than `maxFaults` in `windowMs`) counts as a state that
 * will not recover, and then `onUnrecoverable` runs once. Returns a function that removes the guard.
 */
export function guardProcess(o: ProcessGuardOptions): () => void {
  const source: FaultSource = o.source ?? process;
  const now = o.now ?? Date.now;
  const maxFaults = o.maxFaults ?? 50;
  const windowMs = o.windowMs ?? 60_000;
  const log = o.logger.child({ component: 'process' });
  let recent: number[] = [];
  let givenUp = false;

  const fault = (kind: string, e: unknown, extra: Record<string, unknown> = {}) => {
    const at = now();
    recent = [...recent.filter((t) => at - t < windowMs), at];
    log.error(`${kind}; Capstan keeps serving`, { ...describe(e), ...extra, faultsInWindow: recent.length });
    if (recent.length > maxFaults && !givenUp) {
      givenUp = true;
      const why = `${recent.length} faults within ${Math.round(windowMs / 1000)} s`;
      log.error('too many faults; stopping cleanly', { why });
      o.onUnrecoverable(why);
    }
  };
  const onRejection = (reason: unknown) => fault('unhandled rejection', reason);
  const onException = (e: unknown, origin: unknown) =>
    fault('uncaught exception', e, { origin: typeof origin === 'string' ? origin : undefined });
  source.on('unhandledRejection', onRejection);
  source.on('uncaughtException', onException);
  return () => {
    source.off('unhandledRejection', onRejection);
    source.off('uncaughtException', onException);
  };
}
