import type { BeanstalkTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { parseImage } from '../../domain/version.js';
import { requireImage } from '../image.js';
import type { Checked } from '../strategy.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { MAX_LABEL, tagOfLabel } from './labels.js';
import { bundleImage, readyEnvironment } from './lookups.js';
import type { BeanstalkContext } from './schemas.js';

/** Pre-flight reads: the tag exists and fits a label, the environment is Ready; what it runs now. */
export async function inspect(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  version: string,
  /** `/deploy promote`: the image is found by this digest. */
  digest?: string,
): Promise<BeanstalkContext> {
  const [image, e] = await Promise.all([
    requireImage(deps.registry, t.region, t.repository, version, digest),
    readyEnvironment(deps, t),
  ]);
  if (version.length > MAX_LABEL) {
    throw new CapstanError('invalid_state', { kind: 'beanstalk.tagTooLong', tag: version, max: MAX_LABEL });
  }
  const current = e.versionLabel ? await runningNow(deps, t, e.versionLabel) : {};
  return {
    envId: e.id,
    repositoryUri: image.repositoryUri,
    digest: image.digest,
    currentLabel: e.versionLabel,
    currentTag: current.tag,
    currentImage: current.image,
  };
}

export async function check(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  version: string,
  digest?: string,
): Promise<Checked<BeanstalkContext>> {
  const context = await inspect(deps, t, version, digest);
  return { fromVersion: context.currentTag, digest: context.digest, context };
}

/** The tag and image of the label the environment runs, as far as its version says. */
async function runningNow(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  label: string,
): Promise<{ tag?: string; image?: string }> {
  try {
    const [v] = await deps.beanstalk.describeApplicationVersions(t.region, t.application, [label]);
    const image = v ? await bundleImage(deps, t, v) : undefined;
    const digest = image ? parseImage(image).digest : undefined;
    return { tag: tagOfLabel(label, { description: v?.description, digest }), image };
  } catch {
    // What runs now is shown, not relied on: an unreadable bundle must not block a deploy.
    return { tag: label };
  }
}
