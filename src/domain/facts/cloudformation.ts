import { z } from 'zod';

/**
 * What the CloudFormation strategy reports (src/views/facts/cloudformation.ts words them). Names,
 * statuses and reasons are CloudFormation's own words, unescaped.
 */

/** A stack event of one resource: a line of the rollout's thread. */
export const cfnResourceEvent = z.object({
  kind: z.literal('cloudformation.resourceEvent'),
  logicalId: z.string(),
  resourceType: z.string(),
  status: z.string(),
  reason: z.string().optional(),
});

/** Capstan executed the reviewed change set. */
export const cfnExecuting = z.object({
  kind: z.literal('cloudformation.executing'),
  changeSet: z.string(),
});

/** After a restart: the change set Capstan executed is in this ExecutionStatus. */
export const cfnChangeSetIs = z.object({
  kind: z.literal('cloudformation.changeSetIs'),
  changeSet: z.string(),
  executionStatus: z.string(),
});

/** Refusal to execute: the reviewed change set can no longer be executed. */
export const cfnChangeSetNotAvailable = z.object({
  kind: z.literal('cloudformation.changeSetNotAvailable'),
  changeSet: z.string(),
  executionStatus: z.string(),
  statusReason: z.string().optional(),
});

/** Refusal to execute: the stack was updated after the change set was made. */
export const cfnStackChanged = z.object({
  kind: z.literal('cloudformation.stackChanged'),
  stack: z.string(),
  /** The stack's status now. */
  status: z.string(),
  /** The ClientRequestToken of the update that changed it, where its events carry one. */
  byToken: z.string().optional(),
});

/** Refusal: the stack has no parameter of the name capstan.yml gives for the image. */
export const cfnNoImageParameter = z.object({
  kind: z.literal('cloudformation.noImageParameter'),
  stack: z.string(),
  parameter: z.string(),
});

/** Refusal: the stack is in the middle of an operation. */
export const cfnStackBusy = z.object({
  kind: z.literal('cloudformation.stackBusy'),
  stack: z.string(),
  status: z.string(),
});

/** Refusal: DescribeStacks knows no such stack. */
export const cfnStackNotFound = z.object({
  kind: z.literal('cloudformation.stackNotFound'),
  stack: z.string(),
  region: z.string(),
});

/** The stack of a rollout was deleted while Capstan followed it. */
export const cfnStackGone = z.object({
  kind: z.literal('cloudformation.stackGone'),
  stack: z.string(),
  region: z.string(),
});

/** CloudFormation could not compute the change set (its StatusReason). */
export const cfnChangeSetFailed = z.object({
  kind: z.literal('cloudformation.changeSetFailed'),
  reason: z.string(),
});

/** Capstan stopped while the change set was being computed; the change set was removed. */
export const cfnChangeSetInterrupted = z.object({
  kind: z.literal('cloudformation.changeSetInterrupted'),
});

/** The change set was not computed in time; it was removed. */
export const cfnChangeSetTimedOut = z.object({
  kind: z.literal('cloudformation.changeSetTimedOut'),
  status: z.string(),
  seconds: z.number(),
});

/** The first resource that failed in an operation: the cause, not its consequences. */
export const cfnFailedResource = z.object({
  logicalId: z.string(),
  resourceType: z.string(),
  reason: z.string(),
});
export type CfnFailedResource = z.infer<typeof cfnFailedResource>;

/** Capstan's stack operation failed (CloudFormation has put the stack back). */
export const cfnOperationFailed = z.object({
  kind: z.literal('cloudformation.operationFailed'),
  /** What ended so: the stack (by its own events) or the change set (by its ExecutionStatus). */
  of: z.enum(['stack', 'changeSet']),
  name: z.string(),
  status: z.string(),
  firstFailure: cfnFailedResource.optional(),
  /** Without a failing resource: the operation's own account, or the change set's StatusReason. */
  account: z.string().optional(),
  /**
   * A rollback trigger went off (CloudFormation's alarm rollback): the alarms its account names,
   * or (`named` false) every trigger of the change set when it names none of them.
   */
  triggered: z.object({ alarms: z.array(z.string()), named: z.boolean() }).optional(),
});

/** The stack's status, for `status`. */
export const cfnStackStatus = z.object({
  kind: z.literal('cloudformation.stackStatus'),
  status: z.string(),
});

export const CloudFormationFact = z.discriminatedUnion('kind', [
  cfnResourceEvent,
  cfnExecuting,
  cfnChangeSetIs,
  cfnChangeSetNotAvailable,
  cfnStackChanged,
  cfnNoImageParameter,
  cfnStackBusy,
  cfnStackNotFound,
  cfnStackGone,
  cfnChangeSetFailed,
  cfnChangeSetInterrupted,
  cfnChangeSetTimedOut,
  cfnOperationFailed,
  cfnStackStatus,
]);
export type CloudFormationFact = z.infer<typeof CloudFormationFact>;
