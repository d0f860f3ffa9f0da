import type { Catalog, PipelineRoute } from './catalog.js';
import type { Approval } from './deployment.js';

export type PipelineApprovalState =
  'open' | 'deciding' | 'approved' | 'rejected' | 'decided_elsewhere' | 'expired';

/** A CodePipeline manual approval relayed into Slack. The token never leaves Capstan's store. */
export interface PipelineApproval {
  readonly id: string;
  readonly rev: number;
  readonly region: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly action: string;
  readonly token: string;
  readonly expiresAt?: number | undefined;
  readonly consoleLink?: string | undefined;
  readonly reviewLink?: string | undefined;
  readonly externalLink?: string | undefined;
  readonly customData?: string | undefined;
  readonly channel: string;
  readonly messageTs?: string | undefined;
  readonly state: PipelineApprovalState;
  readonly approvals: readonly Approval[];
  readonly decidedBy?: string | undefined;
  readonly outcome?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A pipeline or stage execution changing state (EventBridge through SNS). */
export interface PipelineStageChange {
  readonly pipeline: string;
  readonly stage?: string | undefined;
  readonly state: string;
  readonly executionId?: string | undefined;
}

/** `*` matches any run of characters; everything else is literal. */
export function matchesPipeline(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

/** The route of a pipeline: the first in the configuration whose name or pattern matches it. */
export function routeFor(catalog: Catalog, pipeline: string): PipelineRoute | undefined {
  return catalog.pipelines.find((r) => matchesPipeline(r.pipeline, pipeline));
}

/** The summary PutApprovalResult records: who decided, through Capstan, and why (≤ 512 characters). */
export function approvalSummary(
  verb: 'Approved' | 'Rejected',
  people: readonly { name: string; id: string }[],
  comment?: string,
): string {
  const who = people.map((p) => `${p.name} (${p.id})`).join(', ');
  const s = `${verb} by ${who} via Capstan${comment ? `: ${comment}` : ''}`;
  return s.length <= 512 ? s : `${s.slice(0, 511)}…`;
}
