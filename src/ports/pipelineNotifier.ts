import type { Policy } from '../domain/catalog.js';
import type { PipelineApproval, PipelineStageChange } from '../domain/pipelineApproval.js';

/** Where relayed pipeline approvals and pipeline updates are shown. */
export interface PipelineNotifier {
  /** Posts the approval message; returns the message's timestamp. */
  post(a: PipelineApproval, policy: Policy): Promise<string>;
  /** Shows the approval's current state in its message. */
  update(a: PipelineApproval, policy: Policy): Promise<void>;
  /** A one-line pipeline or stage update in the pipeline's channel. */
  stageChanged(channel: string, change: PipelineStageChange): Promise<void>;
  /** A name to put in the summary CodePipeline keeps. */
  displayName(userId: string): Promise<string>;
}
