/** What the simulated CloudFormation keeps: the stack's resources, change sets and events. */

export interface Resource {
  readonly logicalId: string;
  readonly type: string;
  /** Replacement when the image parameter changes. */
  readonly replacement: 'True' | 'False' | 'Conditional';
}

export interface ChangeSet {
  arn: string;
  name: string;
  status: string;
  statusReason?: string;
  executionStatus: string;
  parameters: Record<string, string>;
  ticks: number;
  createdAt: Date;
}

export interface StackEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  /** The ClientRequestToken of the operation that caused the event: the one given to ExecuteChangeSet. */
  ClientRequestToken?: string | undefined;
  Timestamp: Date;
}
