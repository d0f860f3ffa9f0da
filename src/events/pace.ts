import type { Clock } from '../ports/clock.js';

/**
 * While events flow for a poll group, it is polled this many times less often: polling is only the
 * safety net against a lost event (30 s at the default 5 s interval). Each event costs a look, so
 * three times less often would not make a third of the calls.
 */
export const SAFETY_NET_FACTOR = 6;
/** Events "flow" for a group while the last one about it is at most this old. */
export const EVENTS_FLOW_FOR_MS = 10 * 60_000;

export interface EventPaceOptions {
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly factor?: number;
  readonly flowForMs?: number;
}

/**
 * Remembers which poll groups heard from AWS lately and tells the poll loop how often to look at
 * each: a group with events is looked at when they arrive, and polled only as a safety net against
 * an event lost on the way; a group without (Beanstalk, or no rule for its service) as usual.
 */
export class EventPace {
  private readonly heardAt = new Map<string, number>();

  constructor(private readonly o: EventPaceOptions) {}

  heard(groups: Iterable<string>): void {
    const now = this.o.clock.now();
    for (const g of groups) {
      this.heardAt.delete(g);
      this.heardAt.set(g, now);
    }
    // Oldest first: drop what no longer counts.
    for (const [g, at] of this.heardAt) {
      if (now - at <= this.flowFor) break;
      this.heardAt.delete(g);
    }
  }

  /** Whether events arrived lately for this group. */
  flowing(group: string): boolean {
    const at = this.heardAt.get(group);
    return at !== undefined && this.o.clock.now() - at <= this.flowFor;
  }

  /** How often the poll loop looks at a group. */
  readonly intervalFor = (group: string): number =>
    this.flowing(group) ? this.o.intervalMs * (this.o.factor ?? SAFETY_NET_FACTOR) : this.o.intervalMs;

  private get flowFor(): number {
    return this.o.flowForMs ?? EVENTS_FLOW_FOR_MS;
  }
}
