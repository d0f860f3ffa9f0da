export interface StackInfo {
  readonly stackId: string;
  readonly name: string;
  readonly status: string;
  readonly statusReason?: string | undefined;
  readonly parameters: Readonly<Record<string, string>>;
  /** LastUpdatedTime, or CreationTime for a stack never updated (ISO string). */
  readonly updatedAt: string;
  /** The rollback triggers the stack holds from its last update (RollbackConfiguration), where it has any. */
  readonly rollbackTriggers?:
    { readonly alarms: readonly { readonly arn: string }[]; readonly monitoringMinutes: number } | undefined;
}

export interface StackEvent {
  readonly id: string;
  readonly at: number;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason?: string | undefined;
  /**
   * The ClientRequestToken of the stack operation that caused the event: every event of one
   * operation carries the same one (Capstan passes its request id to ExecuteChangeSet; console
   * operations read `Console-<Operation>-<uuid>`). Absent for an operation started without one.
   */
  readonly clientRequestToken?: string | undefined;
}

export interface ResourceChange {
  readonly action: string;
  readonly logicalId: string;
  readonly physicalId?: string | undefined;
  readonly resourceType: string;
  readonly replacement?: string | undefined;
  readonly scope: readonly string[];
}

export interface ChangeSetInfo {
  readonly arn: string;
  readonly name: string;
  readonly stackId: string;
  readonly status: string;
  readonly statusReason?: string | undefined;
  readonly executionStatus: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly changes: readonly ResourceChange[];
}

export interface CreateChangeSetInput {
  readonly region: string;
  readonly stack: string;
  readonly name: string;
  readonly parameter: { readonly key: string; readonly value: string };
  /** Every other parameter the stack has; each is sent with UsePreviousValue. */
  readonly keep: readonly string[];
  readonly capabilities: readonly string[];
  readonly roleArn?: string | undefined;
  readonly description: string;
  /** CloudFormation's own watch (RollbackConfiguration): these alarms roll the update back while it monitors. */
  readonly rollbackTriggers?:
    | {
        readonly alarms: readonly { readonly arn: string; readonly composite: boolean }[];
        readonly monitoringMinutes: number;
      }
    | undefined;
}

export interface ChangeSetWait {
  /** How long between two looks. */
  readonly pollMs: number;
  /** How long to wait at most. */
  readonly timeoutMs: number;
  /** Capstan is stopping: the wait ends at once. */
  readonly signal?: AbortSignal | undefined;
}

export interface Stacks {
  describeStack(region: string, stack: string): Promise<StackInfo>;
  /**
   * Newest first, at most `limit`; with `since`, pages back until events older than it (so a busy
   * stack cannot push the events of an execution off the first page).
   */
  events(region: string, stack: string, limit: number, since?: number): Promise<readonly StackEvent[]>;
  createChangeSet(input: CreateChangeSetInput): Promise<{ readonly arn: string; readonly stackId: string }>;
  /** All pages of changes. */
  describeChangeSet(region: string, arn: string): Promise<ChangeSetInfo>;
  /**
   * Waits while CloudFormation computes the change set (CREATE_PENDING, CREATE_IN_PROGRESS), then
   * answers it whole as it is when that ends, the time is up or `signal` aborts: the caller judges
   * its status. An error of the first look (denied, not found) rejects at once.
   */
  waitForChangeSet(region: string, arn: string, wait: ChangeSetWait): Promise<ChangeSetInfo>;
  executeChangeSet(region: string, arn: string, clientToken: string): Promise<void>;
  deleteChangeSet(region: string, arn: string): Promise<void>;
}
