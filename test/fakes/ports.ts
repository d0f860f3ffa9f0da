import type { Fact } from '../../src/domain/facts/index.js';
import { sayFact as say } from '../../src/views/facts/index.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { Directory } from '../../src/ports/chat.js';
import type { Clock } from '../../src/ports/clock.js';
import type { DeployNotifier } from '../../src/ports/notifier.js';

export class ManualClock implements Clock {
  constructor(public at = 1_800_000_000_000) {}
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Remembers what would have been shown in Slack. */
export class RecordingNotifier implements DeployNotifier {
  readonly shown: Deployment[] = [];
  readonly details: { id: string; lines: readonly string[] }[] = [];

  async show(d: Deployment) {
    this.shown.push(d);
    return { messageTs: d.messageTs ?? `ts-${d.id}` };
  }

  /** As Slack would show them: the recorded lines are the views' words for what was said. */
  detail(d: Deployment, lines: readonly Fact[]): void {
    this.details.push({ id: d.id, lines: lines.map(say) });
  }

  async flush(): Promise<void> {}

  last(id: string): Deployment | undefined {
    return this.shown.filter((d) => d.id === id).at(-1);
  }

  lines(id: string): string[] {
    return this.details.filter((x) => x.id === id).flatMap((x) => x.lines);
  }
}

/** Group membership from a table. */
export function directoryOf(groups: Record<string, readonly string[]>): Directory {
  return {
    async groupsOf(userId, wanted) {
      const out = new Set<string>();
      for (const g of wanted) {
        const key = g.id ?? g.handle ?? '';
        if (groups[key]?.includes(userId)) out.add(key);
      }
      return out;
    },
  };
}

/** A fact worded as its text alone: for tests of how lines travel, not of how they are worded. */
export const textFact = (message: string) => ({ kind: 'codedeploy.error', message }) as const;
