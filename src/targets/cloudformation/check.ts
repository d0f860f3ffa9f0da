import { CapstanError } from '../../domain/errors.js';
import { requireImage } from '../image.js';
import type { Checked } from '../strategy.js';
import type { StackEnvironment, StackStrategyDeps } from './deps.js';
import { versionOfParameter } from './names.js';
import type { StackContext } from './schemas.js';

/** Pre-flight: the image exists, the stack has the image parameter and is not busy. Reads only. */
export async function check(
  deps: StackStrategyDeps,
  env: StackEnvironment,
  version: string,
): Promise<Checked<StackContext>> {
  const t = env.target;
  const [image, stack] = await Promise.all([
    requireImage(deps.registry, t.region, t.repository, version),
    deps.stacks.describeStack(t.region, t.stack),
  ]);
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
