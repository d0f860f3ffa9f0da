import { z } from 'zod';

/**
 * What the Elastic Beanstalk strategy reports (src/views/facts/beanstalk.ts words them). Names,
 * statuses and messages are Elastic Beanstalk's own words, unescaped.
 */

/** Which environment: what people read as "Elastic Beanstalk environment e of app (region)". */
const environment = {
  environment: z.string(),
  application: z.string(),
  region: z.string(),
};

/** Green, Yellow, Red, Grey; with enhanced health, also Ok, Warning, Severe… */
const health = {
  health: z.string().optional(),
  healthStatus: z.string().optional(),
};

/** An event of the environment, as Elastic Beanstalk reported it: a line of the rollout's thread. */
export const beanstalkEvent = z.object({
  kind: z.literal('beanstalk.event'),
  at: z.number(),
  severity: z.string(),
  message: z.string(),
});

/** More events than one look shows: how many earlier ones were left out of the thread. */
export const beanstalkEventsOmitted = z.object({
  kind: z.literal('beanstalk.eventsOmitted'),
  count: z.number(),
});

/** Elastic Beanstalk put the environment back on the version it ran before (a failed update). */
export const beanstalkPutBack = z.object({
  kind: z.literal('beanstalk.putBack'),
  environment: z.string(),
  label: z.string(),
});

/** The application version to deploy exists already, pointing at this bundle. */
export const beanstalkReusingVersion = z.object({
  kind: z.literal('beanstalk.reusingVersion'),
  label: z.string(),
  bucket: z.string(),
  key: z.string(),
});

/** Capstan wrote the bundle naming the image and created the application version. */
export const beanstalkVersionCreated = z.object({
  kind: z.literal('beanstalk.versionCreated'),
  label: z.string(),
  bucket: z.string(),
  key: z.string(),
  image: z.string(),
});

/** Capstan asked Elastic Beanstalk to update the environment to the label. */
export const beanstalkUpdating = z.object({
  kind: z.literal('beanstalk.updating'),
  environment: z.string(),
  label: z.string(),
  /** The request id UpdateEnvironment answered (its events carry it). */
  requestId: z.string().optional(),
});

/** Refusal: someone created the application version since the review, with another bundle. */
export const beanstalkVersionAppeared = z.object({
  kind: z.literal('beanstalk.versionAppeared'),
  label: z.string(),
  application: z.string(),
});

/** Refusal: the tag cannot be a version label. */
export const beanstalkTagTooLong = z.object({
  kind: z.literal('beanstalk.tagTooLong'),
  tag: z.string(),
  max: z.number(),
});

/** Refusal: the tag was pushed again since the request and names another image. */
export const beanstalkTagMoved = z.object({
  kind: z.literal('beanstalk.tagMoved'),
  tag: z.string(),
  /** What the tag names now, and what it named when requested (full digests). */
  digest: z.string(),
  requested: z.string(),
});

/** Refusal: every label Capstan could use already names another image. */
export const beanstalkVersionsTaken = z.object({
  kind: z.literal('beanstalk.versionsTaken'),
  labels: z.array(z.string()),
  application: z.string(),
});

/** Refusal: no live environment of that name. */
export const beanstalkEnvironmentNotFound = z.object({
  kind: z.literal('beanstalk.environmentNotFound'),
  ...environment,
});

/** Refusal: the environment is busy (Beanstalk takes one update at a time). */
export const beanstalkEnvironmentNotReady = z.object({
  kind: z.literal('beanstalk.environmentNotReady'),
  ...environment,
  status: z.string(),
  ...health,
});

/** The environment of a rollout is gone (terminated or deleted) while Capstan followed it. */
export const beanstalkEnvironmentGone = z.object({
  kind: z.literal('beanstalk.environmentGone'),
  ...environment,
  /** Terminating or Terminated; absent when the environment is no longer listed at all. */
  status: z.string().optional(),
});

/** The update failed: the first ERROR event of the update (shortened), as Beanstalk said it. */
export const beanstalkUpdateError = z.object({
  kind: z.literal('beanstalk.updateError'),
  message: z.string(),
});

/** The update failed: the environment is back on the previous label without an error event. */
export const beanstalkRevertedSilently = z.object({
  kind: z.literal('beanstalk.revertedSilently'),
  environment: z.string(),
  /** The label it runs again, and the one Capstan deployed. */
  label: z.string(),
  deployed: z.string(),
});

/** The update failed: the environment runs the label with bad health. */
export const beanstalkUnhealthy = z.object({
  kind: z.literal('beanstalk.unhealthy'),
  environment: z.string(),
  label: z.string(),
  ...health,
});

/** The environment's health, for `status`. */
export const beanstalkHealth = z.object({
  kind: z.literal('beanstalk.health'),
  ...health,
});

export const BeanstalkFact = z.discriminatedUnion('kind', [
  beanstalkEvent,
  beanstalkEventsOmitted,
  beanstalkPutBack,
  beanstalkReusingVersion,
  beanstalkVersionCreated,
  beanstalkUpdating,
  beanstalkVersionAppeared,
  beanstalkTagTooLong,
  beanstalkTagMoved,
  beanstalkVersionsTaken,
  beanstalkEnvironmentNotFound,
  beanstalkEnvironmentNotReady,
  beanstalkEnvironmentGone,
  beanstalkUpdateError,
  beanstalkRevertedSilently,
  beanstalkUnhealthy,
  beanstalkHealth,
]);
export type BeanstalkFact = z.infer<typeof BeanstalkFact>;
