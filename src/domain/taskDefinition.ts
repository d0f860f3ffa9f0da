import { parseImage } from './version.js';

/**
 * A task definition as ECS describes it. Only the members Capstan reads are typed; every other
 * member is carried through untouched, so a re-registration keeps what it does not understand.
 */
export interface ContainerDefinition {
  readonly name?: string | undefined;
  readonly image?: string | undefined;
  readonly [member: string]: unknown;
}

export interface TaskDefinition {
  readonly family?: string | undefined;
  readonly containerDefinitions?: readonly ContainerDefinition[] | undefined;
  readonly taskDefinitionArn?: string | undefined;
  readonly revision?: number | undefined;
  readonly [member: string]: unknown;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface TaskDefinitionDocument {
  readonly taskDefinition: TaskDefinition;
  readonly tags: readonly Tag[];
}

/** Members DescribeTaskDefinition returns that RegisterTaskDefinition refuses. */
export const READ_ONLY_MEMBERS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

export const VERSION_TAG = 'Version';
export const REQUESTED_BY_TAG = 'capstan:requested-by';

export class ContainerNotFound extends Error {
  constructor(
    readonly container: string,
    readonly available: readonly string[],
  ) {
    super(`container ${container} not found`);
  }
}

/**
 * The next revision: the running one with only `container`'s image changed, read-only members
 * removed, and the tags carried over with Version and the requester set.
 */
export function nextRevision(
  current: TaskDefinitionDocument,
  change: {
    readonly container: string;
    readonly image: string;
    readonly version: string;
    readonly requestedBy: string;
  },
): TaskDefinitionDocument {
  const containers = current.taskDefinition.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === change.container)) {
    throw new ContainerNotFound(
      change.container,
      containers.map((c) => c.name ?? '?'),
    );
  }
  const td: Record<string, unknown> = { ...current.taskDefinition };
  for (const member of READ_ONLY_MEMBERS) delete td[member];
  td.containerDefinitions = containers.map((c) =>
    c.name === change.container ? { ...c, image: change.image } : c,
  );
  const tags = current.tags.filter((t) => t.key !== VERSION_TAG && t.key !== REQUESTED_BY_TAG);
  tags.push(
    { key: VERSION_TAG, value: change.version },
    { key: REQUESTED_BY_TAG, value: change.requestedBy },
  );
  return { taskDefinition: td, tags };
}

export function containerImage(td: TaskDefinition, container: string): string | undefined {
  return td.containerDefinitions?.find((c) => c.name === container)?.image;
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

/** The version a task definition runs: its Version tag (set by Capstan), else the container image's tag. */
export function runningVersion(doc: TaskDefinitionDocument, container: string): string | undefined {
  const image = containerImage(doc.taskDefinition, container);
  return tagValue(doc.tags, VERSION_TAG) ?? (image ? parseImage(image).tag : undefined);
}

/** Lines that differ between two task definitions, as `path: before → after`. */
export function diffTaskDefinitions(before: TaskDefinition, after: TaskDefinition): string[] {
  const out: string[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (isRecord(a) && isRecord(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(path ? `${path}.${k}` : k, a[k], b[k]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((x, i) => {
        const name = isRecord(x) && typeof x.name === 'string' ? x.name : String(i);
        walk(`${path}[${name}]`, x, b[i]);
      });
      return;
    }
    out.push(`${path}: ${short(a)} → ${short(b)}`);
  };
  walk('', before, after);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function short(v: unknown): string {
  if (v === undefined) return '(none)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
