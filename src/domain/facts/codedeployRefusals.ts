import { z } from 'zod';
import { CommonFact } from './common.js';

/**
 * Why CodeDeploy or Capstan refused a change to a CodeDeploy group, and the errors CodeDeploy facts
 * carry (part of codedeploy.ts's union; src/views/facts/codedeploy.ts words them).
 */

/** A fact of one kind with these fields. */
export const fact = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z.object({ kind: z.literal(kind), ...shape });

export const deploymentId = z.string();

/** What a group deploys, as CodeDeploy records it (or a task definition revision, for ECS). */
export const revision = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('s3'), uri: z.string() }),
  z.object({ kind: z.literal('appspec') }),
  z.object({ kind: z.literal('other'), type: z.string() }),
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('taskDefinition'), name: z.string() }),
]);
export type Revision = z.infer<typeof revision>;

/** A deployment of the group, as far as it could be read. */
const deploymentSeen = z.object({
  deploymentId,
  /** Absent when the deployment could not be read. */
  seen: z
    .object({ status: z.string(), description: z.string().optional(), creator: z.string().optional() })
    .optional(),
});

// Refusals and errors thrown by the CodeDeploy adapter.

/** CreateDeployment refused: another deployment is in progress in the group. */
export const codedeployConcurrentRefused = fact('codedeploy.concurrentRefused', {
  group: z.string(),
  application: z.string(),
  region: z.string(),
});

/** ContinueDeployment refused: the deployment no longer waits. */
export const codedeployNotWaiting = fact('codedeploy.notWaiting', { deploymentId, region: z.string() });

/** An error as it was thrown, when nothing better describes it (outside text). */
export const codedeployError = fact('codedeploy.error', { message: z.string() });

/** An error inside another CodeDeploy fact: one AWS refusal of any service, one of CodeDeploy's own, or its text. */
export const errorSaid = z.union([
  CommonFact,
  codedeployConcurrentRefused,
  codedeployNotWaiting,
  codedeployError,
]);
export type ErrorSaid = z.infer<typeof errorSaid>;

// Refusals of check() and apply().

export const codedeployGroupNotFound = fact('codedeploy.groupNotFound', {
  group: z.string(),
  application: z.string(),
  region: z.string(),
});
export const codedeployWrongPlatform = fact('codedeploy.wrongPlatform', {
  group: z.string(),
  /** What the group deploys to (CodeDeploy's compute platform). */
  platform: z.string(),
  /** What capstan.yml describes. */
  expected: z.enum(['Server', 'ECS']),
});
export const codedeployGroupBusy = fact('codedeploy.groupBusy', {
  group: z.string(),
  busy: deploymentSeen,
  /** It is only waiting to remove the original environment (blue/green). */
  terminationWait: z.boolean(),
});
/** CreateDeployment answered with an error and CodeDeploy could not be read to tell whether it started. */
export const codedeployStartUnknown = fact('codedeploy.startUnknown', {
  group: z.string(),
  error: errorSaid,
  readError: errorSaid,
});
export const codedeployOtherService = fact('codedeploy.otherService', {
  group: z.string(),
  /** `cluster/service` of each service the group deploys. */
  deploys: z.array(z.string()),
  cluster: z.string(),
  service: z.string(),
});
export const codedeployServiceNotFound = fact('codedeploy.serviceNotFound', {
  service: z.string(),
  cluster: z.string(),
  region: z.string(),
});
export const codedeployNoTaskDefinition = fact('codedeploy.noTaskDefinition', { service: z.string() });
export const codedeployServiceChanged = fact('codedeploy.serviceChanged', {
  service: z.string(),
  runs: z.string(),
  reviewed: z.string(),
});
export const codedeployContainerMissing = fact('codedeploy.containerMissing', {
  taskDefinition: z.string(),
  container: z.string(),
  available: z.array(z.string()),
});
export const codedeployNotABundleName = fact('codedeploy.notABundleName', { version: z.string() });
export const codedeployBundleMissing = fact('codedeploy.bundleMissing', {
  version: z.string(),
  uri: z.string(),
  region: z.string(),
});
export const codedeployBundleGone = fact('codedeploy.bundleGone', { uri: z.string() });
export const codedeployBundleReplaced = fact('codedeploy.bundleReplaced', { uri: z.string() });
export const codedeployGroupChanged = fact('codedeploy.groupChanged', {
  group: z.string(),
  deploys: revision,
});
