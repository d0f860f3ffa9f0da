import { CapstanError } from '../../domain/errors.js';
import { requireImage } from '../image.js';
import type { ImageDetails } from '../../ports/registry.js';
import type { Checked } from '../strategy.js';
import type { StackEnvironment, StackStrategyDeps } from './deps.js';
import { versionOfParameter } from './names.js';
import type { StackContext } from './schemas.js';

/** Pre-flight: the image exists, the stack has the image parameter and is not busy. Reads only. */
export async function check(
  deps: StackStrategyDeps,
  env: StackEnvironment,
  version: string,
  /** `/deploy promote`: the image is found by this digest. */
  digest?: string,
): Promise<Checked<StackContext>> {
  const t = env.target;
  const [found, stack] = await Promise.all([
    requireImage(deps.registry, t.region, t.repository, version, digest),
    deps.stacks.describeStack(t.region, t.stack),
  ]);
  const image = digest === undefined ? found : taggedHere(t, found);
  if (!(t.imageParameter in stack.parameters)) {
    throw new CapstanError('invalid_state', {
      kind: 'cloudformation.noImageParameter',
      stack: t.stack,
      parameter: t.imageParameter,
    });
  }
  if (stack.status.endsWith('_IN_PROGRESS'))
    throw new CapstanError('conflict', {
      kind: 'cloudformation.stackBusy',
      stack: t.stack,
      status: stack.status,
    });
  return {
    fromVersion: versionOfParameter(stack.parameters[t.imageParameter]),
    digest: image.digest,
    pushedAt: image.pushedAt,
    context: { stack, image },
  };
}

/**
 * An image found by digest, for a stack whose parameter takes a tag: the stack can only be given a
 * tag that names it in this repository (the one it carries in the source, if it does here too).
 */
function taggedHere(t: StackEnvironment['target'], image: ImageDetails): ImageDetails {
  if ((t.imageParameterFormat ?? 'tag') !== 'tag') return image;
  const tags = image.tags ?? [];
  const tag = tags.includes(image.tag) ? image.tag : tags[0];
  if (tag !== undefined) return { ...image, tag };
  throw new CapstanError('invalid_state', {
    kind: 'promotion.untagged',
    version: image.tag,
    digest: image.digest,
    repository: t.repository,
    stack: t.stack,
    parameter: t.imageParameter,
  });
}
