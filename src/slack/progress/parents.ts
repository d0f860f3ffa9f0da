import type { Deployment } from '../../domain/deployment.js';
import type { Placed, ShownMessage } from '../../ports/notifier.js';
import { KEEP } from './options.js';

/** A deployment's parent message, as this notifier knows it. */
export interface Parent {
  /** Where it is, once posted here: first, or anew when the one before could not be edited. */
  ts?: string | undefined;
  permalink?: string | undefined;
  /** Timestamps it replaced (the ledger may still hold one of them). */
  readonly replaced: Set<string>;
  /** It could not be edited: the next attempt posts it anew. */
  lost?: boolean;
  /** Slack refused it for good (the channel is gone or archived): progress is not sent any more, the outcome still is. */
  unreachable?: boolean;
  /** Who records where it is, when it lands where the caller could not be told at once. */
  placed?: Placed | undefined;
}

/** The parent messages of the last deployments this notifier showed (at most KEEP). */
export class Parents {
  private readonly parents = new Map<string, Parent>();

  /** What is known of `id`'s parent message, remembered from now on. */
  of(id: string): Parent {
    let p = this.parents.get(id);
    if (!p) {
      p = { replaced: new Set() };
      this.parents.set(id, p);
      if (this.parents.size > KEEP) this.parents.delete(this.parents.keys().next().value!);
    }
    return p;
  }

  /** What is known of `id`'s parent message, if anything. */
  known(id: string): Parent | undefined {
    return this.parents.get(id);
  }

  /** Where `d`'s parent message is: where this notifier put it, else where the ledger says. */
  where(d: Deployment): ShownMessage | undefined {
    const p = this.parents.get(d.id);
    if (
      p?.ts !== undefined &&
      (d.messageTs === undefined || d.messageTs === p.ts || p.replaced.has(d.messageTs))
    ) {
      return { messageTs: p.ts, permalink: p.permalink ?? (d.messageTs === p.ts ? d.permalink : undefined) };
    }
    return d.messageTs === undefined ? undefined : { messageTs: d.messageTs, permalink: d.permalink };
  }
}
