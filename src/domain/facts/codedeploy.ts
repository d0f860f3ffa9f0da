import { z } from 'zod';
import {
  fact,
  deploymentId,
  revision,
  codedeployConcurrentRefused,
  codedeployNotWaiting,
  codedeployError,
  errorSaid,
  codedeployGroupNotFound,
  codedeployWrongPlatform,
  codedeployGroupBusy,
  codedeployStartUnknown,
  codedeployOtherService,
  codedeployServiceNotFound,
  codedeployNoTaskDefinition,
  codedeployServiceChanged,
  codedeployContainerMissing,
  codedeployNotABundleName,
  codedeployBundleMissing,
  codedeployBundleGone,
  codedeployBundleReplaced,
  codedeployGroupChanged,
} from './codedeployRefusals.js';

/**
 * What the CodeDeploy strategies (server groups and ECS blue/green) report; src/views/facts/codedeploy.ts
 * words them. Text from AWS (statuses, error messages, diagnostics, descriptions) is kept as AWS wrote it.
 */

/** The deployment is CodeDeploy's own rollback that Capstan follows, not Capstan's deployment. */
const rollback = z.boolean();
const progress = z.object({ done: z.number(), total: z.number() }).optional();

// What a deployment did, for the thread.

/** What Capstan deployed, for people. */
const deployed = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bundle'), uri: z.string() }),
  z.object({
    kind: z.literal('blueGreen'),
    taskDefinition: z.string(),
    /** The repository's name and the image's short digest. */
    image: z.string(),
    service: z.string(),
  }),
  z.object({ kind: z.literal('version'), version: z.string() }),
]);

export const codedeployStarted = fact('codedeploy.started', { deploymentId, group: z.string(), deployed });

/** CodeDeploy answered the call that started the deployment with an error, yet it started. */
export const codedeployChangedDespiteError = fact('codedeploy.changedDespiteError', { error: errorSaid });

export const codedeployStatus = fact('codedeploy.status', {
  deploymentId,
  rollback,
  status: z.string(),
  progress,
});

/** Blue/green: the new version runs beside the old one; Continue reroutes traffic. */
export const codedeployReady = fact('codedeploy.ready', {
  deploymentId,
  rollback,
  /** CodeDeploy stops the deployment when traffic is not rerouted within these minutes. */
  stopsAfterMinutes: z.number().optional(),
  /**
   * When CodeDeploy stops it at the latest (ms): those minutes from the look that first saw it
   * ready. CodeDeploy does not say when it became ready; it was then or before.
   */
  stopsBy: z.number().optional(),
});

export const codedeploySucceeded = fact('codedeploy.succeeded', {
  deploymentId,
  rollback,
  progress,
  /** A rollback Capstan followed: the version the group runs again. */
  runsAgain: z.string().optional(),
});

/** Blue/green: all traffic is on the new version; CodeDeploy keeps the original until its wait ends. */
export const codedeployTrafficRerouted = fact('codedeploy.trafficRerouted', { deploymentId, rollback });

/** Capstan asked CodeDeploy to go on (ContinueDeployment). */
export const codedeployRerouting = fact('codedeploy.rerouting', { deploymentId });

/** Someone stopped the deployment in CodeDeploy: the line for the thread. */
export const codedeployManualStop = fact('codedeploy.manualStop', { deploymentId });
/** Someone stopped the deployment in CodeDeploy: the reason of the failure. */
export const codedeployStoppedByHand = fact('codedeploy.stoppedByHand', { deploymentId });

/** A failed or stopped deployment, with CodeDeploy's error or first status message. */
export const codedeployEnded = fact('codedeploy.ended', {
  deploymentId,
  status: z.string(),
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
  statusMessage: z.string().optional(),
});

/** The failing lifecycle event of one target, with its diagnostics. */
export const codedeployEventFailed = fact('codedeploy.eventFailed', {
  event: z.string(),
  target: z.string(),
  errorCode: z.string().optional(),
  message: z.string().optional(),
  scriptName: z.string().optional(),
  /** The last lines of the script's log. */
  log: z.string().optional(),
});

export const codedeployTargetsUnread = fact('codedeploy.targetsUnread', { error: errorSaid });

/** Why a deployment failed: its first failing event when one was read, else what CodeDeploy said. */
export const codedeployFailure = fact('codedeploy.failure', {
  ended: codedeployEnded,
  event: codedeployEventFailed.optional(),
});

/**
 * CodeDeploy stopped the deployment because one of the group's alarms went off (ALARM_ACTIVE):
 * the alarms named first, those CodeDeploy's message names, else every alarm of the group.
 */
export const codedeployAlarmStopped = fact('codedeploy.alarmStopped', {
  deploymentId,
  alarms: z.array(z.string()),
  message: z.string().optional(),
});

export const codedeployRollingBackItself = fact('codedeploy.rollingBackItself', { rollbackId: deploymentId });
export const codedeployRollbackNote = fact('codedeploy.rollbackNote', { message: z.string() });
export const codedeployAwaitingRollback = fact('codedeploy.awaitingRollback', {});
export const codedeployRollbackNeverStarted = fact('codedeploy.rollbackNeverStarted', { deploymentId });
/** A rollback by Capstan failed and CodeDeploy rolls that one back too. */
export const codedeployRollbackRolledBack = fact('codedeploy.rollbackRolledBack', {
  rollbackId: deploymentId,
});

// What is gone.

export const codedeployDeploymentGone = fact('codedeploy.deploymentGone', {
  deploymentId,
  region: z.string(),
});
export const codedeployGroupGone = fact('codedeploy.groupGone', {
  group: z.string(),
  application: z.string(),
  region: z.string(),
});

// What `status` shows of a group.

export const codedeployLastDeployment = fact('codedeploy.lastDeployment', {
  deploymentId,
  status: z.string(),
});
export const codedeployNoDeployments = fact('codedeploy.noDeployments', {});
export const codedeployLastSuccess = fact('codedeploy.lastSuccess', { deploymentId });
export const codedeployRevision = fact('codedeploy.revision', { revision });
export const codedeployAutoRollback = fact('codedeploy.autoRollback', {
  enabled: z.boolean(),
  events: z.array(z.string()),
});

export const CodeDeployFact = z.discriminatedUnion('kind', [
  codedeployConcurrentRefused,
  codedeployNotWaiting,
  codedeployError,
  codedeployStarted,
  codedeployChangedDespiteError,
  codedeployStatus,
  codedeployReady,
  codedeploySucceeded,
  codedeployTrafficRerouted,
  codedeployRerouting,
  codedeployManualStop,
  codedeployStoppedByHand,
  codedeployEnded,
  codedeployEventFailed,
  codedeployTargetsUnread,
  codedeployFailure,
  codedeployAlarmStopped,
  codedeployRollingBackItself,
  codedeployRollbackNote,
  codedeployAwaitingRollback,
  codedeployRollbackNeverStarted,
  codedeployRollbackRolledBack,
  codedeployDeploymentGone,
  codedeployGroupGone,
  codedeployGroupNotFound,
  codedeployWrongPlatform,
  codedeployGroupBusy,
  codedeployStartUnknown,
  codedeployOtherService,
  codedeployServiceNotFound,
  codedeployNoTaskDefinition,
  codedeployServiceChanged,
  codedeployContainerMissing,
  codedeployNotABundleName,
  codedeployBundleMissing,
  codedeployBundleGone,
  codedeployBundleReplaced,
  codedeployGroupChanged,
  codedeployLastDeployment,
  codedeployNoDeployments,
  codedeployLastSuccess,
  codedeployRevision,
  codedeployAutoRollback,
]);
export type CodeDeployFact = z.infer<typeof CodeDeployFact>;
export { type ErrorSaid, type Revision, errorSaid } from './codedeployRefusals.js';
/** Why a CodeDeploy rollout failed (an Observation's `reason`). */
export const CodeDeployFailure = z.discriminatedUnion('kind', [
  codedeployFailure,
  codedeployStoppedByHand,
  codedeployAlarmStopped,
]);
export type CodeDeployFailure = z.infer<typeof CodeDeployFailure>;
/** One kind of CodeDeploy fact. */
export type CodeDeployFactOf<K extends CodeDeployFact['kind']> = Extract<CodeDeployFact, { kind: K }>;
