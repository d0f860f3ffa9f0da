import { z } from 'zod';
import { CapstanError } from '../../domain/errors.js';
import {
  ContainerNotFound,
  READ_ONLY_MEMBERS,
  type TaskDefinition,
  type TaskDefinitionDocument,
  containerImage,
  diffTaskDefinitions,
  nextRevision,
} from '../../domain/taskDefinition.js';
import type { Ecs } from '../../ports/ecs.js';

/**
 * Task-definition planning for every target that rolls out a new ECS task definition revision (an
 * ECS service updated by Capstan, a CodeDeploy ECS blue/green deployment): the next revision is the
 * one the service runs now with only the container's image changed, pinned by digest.
 */

/**
 * A task definition as Capstan keeps it: typed for the members Capstan reads, every other member
 * kept as it is, so a re-registration carries what Capstan does not understand.
 */
export const taskDefinitionDocumentSchema: z.ZodType<TaskDefinitionDocument> = z.object({
  taskDefinition: z.looseObject({
    family: z.string().optional(),
    containerDefinitions: z
      .array(z.looseObject({ name: z.string().optional(), image: z.string().optional() }))
      .optional(),
    taskDefinitionArn: z.string().optional(),
    revision: z.number().optional(),
  }),
  tags: z.array(z.object({ key: z.string(), value: z.string() })),
});

/** The image a tag resolves to, by digest: what was reviewed is what runs even if the tag moves. */
export const pinnedImageSchema = z.object({ repositoryUri: z.string(), digest: z.string() });
export type PinnedImage = z.infer<typeof pinnedImageSchema>;

/** What the next revision is made from: the revision the service runs now, and the image to run. */
export const revisionSourceSchema = z.object({
  /** The revision the service runs now (not the newest of its family). */
  currentArn: z.string(),
  current: taskDefinitionDocumentSchema,
  image: pinnedImageSchema,
});
export type RevisionSource = z.infer<typeof revisionSourceSchema>;

export interface RevisionChange {
  readonly container: string;
  readonly version: string;
  readonly requestedBy: string;
}

export interface PlannedRevision {
  /** What to register: the current revision with the container's image changed and the tags set. */
  readonly next: TaskDefinitionDocument;
  /** The container's image in `next`: `<repository>@<digest>`. */
  readonly image: string;
  /** What differs from the current revision, as `path: before → after`. */
  readonly changes: string[];
  /** The current revision already runs this image: there is nothing to roll out. */
  readonly unchanged: boolean;
}

export function pinnedImage(image: PinnedImage): string {
  return `${image.repositoryUri}@${image.digest}`;
}

/** Reads the revision the service runs now, to make the next one from. */
export async function readRevisionSource(
  ecs: Pick<Ecs, 'describeTaskDefinition'>,
  region: string,
  currentArn: string,
  image: PinnedImage,
): Promise<RevisionSource> {
  const current = await ecs.describeTaskDefinition(region, currentArn);
  return { currentArn, current, image: { repositoryUri: image.repositoryUri, digest: image.digest } };
}

/**
 * The next revision and what it changes. Refuses (CapstanError) when the task definition has no
 * container of that name, so a wrong `container` in capstan.yml is said before anything is recorded.
 */
export function planRevision(source: RevisionSource, change: RevisionChange): PlannedRevision {
  const image = pinnedImage(source.image);
  let next: TaskDefinitionDocument;
  try {
    next = nextRevision(source.current, { ...change, image });
  } catch (e) {
    if (e instanceof ContainerNotFound) {
      throw new CapstanError('invalid_state', {
        kind: 'ecs.containerNotFound',
        taskDefinition: source.currentArn,
        container: e.container,
        available: [...e.available],
      });
    }
    throw e;
  }
  return {
    next,
    image,
    // Read-only members (revision, registeredAt…) are not differences anyone asked for.
    changes: diffTaskDefinitions(withoutReadOnly(source.current.taskDefinition), next.taskDefinition),
    unchanged: containerImage(source.current.taskDefinition, change.container) === image,
  };
}

export function withoutReadOnly(td: TaskDefinition): TaskDefinition {
  const out: Record<string, unknown> = { ...td };
  for (const m of READ_ONLY_MEMBERS) delete out[m];
  return out;
}
