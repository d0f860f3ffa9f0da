import type { BeanstalkTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import type { ApplicationVersion, BeanstalkEnvironment } from '../../ports/beanstalk.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { liveOne, refOf } from './environment.js';
import { SUFFIXED, dockerrunImage, tagOfLabel } from './labels.js';

/** A Dockerrun.aws.json is a few hundred bytes; anything much larger is a zip Capstan does not read. */
const MAX_BUNDLE_BYTES = 64 * 1024;

type Deps = Pick<BeanstalkStrategyDeps, 'beanstalk'>;

export async function findEnvironment(
  { beanstalk }: Deps,
  t: BeanstalkTarget,
): Promise<BeanstalkEnvironment | undefined> {
  const found = await beanstalk.describeEnvironments(t.region, t.application, [t.environment]);
  return liveOne(found, t.environment);
}

/** The environment, refused unless it exists and is Ready (Beanstalk takes one update at a time). */
export async function readyEnvironment(deps: Deps, t: BeanstalkTarget): Promise<BeanstalkEnvironment> {
  const e = await findEnvironment(deps, t);
  if (!e) throw notFound(t);
  if (e.status !== 'Ready') {
    throw new CapstanError('invalid_state', {
      kind: 'beanstalk.environmentNotReady',
      ...refOf(t),
      status: e.status,
      health: e.health,
      healthStatus: e.healthStatus,
    });
  }
  return e;
}

/** Refusal: no live environment of the target's name. */
export const notFound = (t: BeanstalkTarget): CapstanError =>
  new CapstanError('not_found', { kind: 'beanstalk.environmentNotFound', ...refOf(t) });

/** The image a version's bundle names, when the bundle is a small Dockerrun.aws.json. */
export async function bundleImage(
  { objects }: Pick<BeanstalkStrategyDeps, 'objects'>,
  t: BeanstalkTarget,
  v: ApplicationVersion,
): Promise<string | undefined> {
  if (!v.bundle) return undefined;
  const head = await objects.head(t.region, v.bundle.bucket, v.bundle.key);
  if (!head || (head.size ?? 0) > MAX_BUNDLE_BYTES) return undefined;
  return dockerrunImage(await objects.getText(t.region, v.bundle.bucket, v.bundle.key));
}

/** Tags for labels, looking up only the labels that carry a digest suffix (one call). */
export async function tagsOf(
  { beanstalk }: Deps,
  t: BeanstalkTarget,
  labels: readonly string[],
): Promise<Map<string, string>> {
  const tags = new Map(labels.map((l) => [l, l]));
  const suffixed = [...new Set(labels.filter((l) => SUFFIXED.test(l)))];
  if (suffixed.length === 0) return tags;
  try {
    const versions = await beanstalk.describeApplicationVersions(t.region, t.application, suffixed);
    for (const v of versions) tags.set(v.label, tagOfLabel(v.label, { description: v.description }));
  } catch {
    // Only a nicer name is lost: the label itself is still a true answer.
  }
  return tags;
}

/** The tag one label stands for. */
export async function tagOf(deps: Deps, t: BeanstalkTarget, label: string): Promise<string> {
  return (await tagsOf(deps, t, [label])).get(label) ?? label;
}
