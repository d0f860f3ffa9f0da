export interface ApprovalResultInput {
  readonly region: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly action: string;
  readonly token: string;
  readonly status: 'Approved' | 'Rejected';
  readonly summary: string;
}

export interface Pipelines {
  /** Throws CapstanError('conflict') when the approval was already decided or expired. */
  putApprovalResult(input: ApprovalResultInput): Promise<void>;
  /** The approval action's latest execution: status and token, if CodePipeline reports one. */
  approvalState(
    region: string,
    pipeline: string,
    stage: string,
    action: string,
  ): Promise<{ readonly status?: string | undefined; readonly token?: string | undefined } | undefined>;
}

export interface Subscriptions {
  confirm(topicArn: string, token: string): Promise<string | undefined>;
}

export interface QueueMessage {
  readonly id: string;
  readonly body: string;
  readonly receipt: string;
}

export interface Queue {
  /** Long-polls; resolves with what arrived (possibly nothing). */
  receive(waitSeconds: number, signal?: AbortSignal): Promise<readonly QueueMessage[]>;
  delete(receipt: string): Promise<void>;
}
