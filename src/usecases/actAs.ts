import type { Environment } from '../domain/catalog.js';
import type { AwsIdentity } from '../ports/identity.js';
import type { TargetRegistry, TargetStrategy } from '../targets/strategy.js';

/** The strategy methods that call AWS; the others (label, describe, pollGroup) only name things. */
const CALLS_AWS: ReadonlySet<PropertyKey> = new Set<keyof TargetStrategy>([
  'check',
  'prepare',
  'discard',
  'apply',
  'reconcile',
  'observe',
  'read',
  'running',
  'proceed',
  'rollBackInPlace',
]);

/**
 * The strategy of `env`, whose AWS calls are made on behalf of `user` (a Slack user id, or
 * CAPSTAN): with the environment's `roleArn`, through a role session naming that user. The
 * strategy itself never knows.
 */
export function targetAs(
  deps: { readonly targets: TargetRegistry; readonly identity?: AwsIdentity | undefined },
  env: Environment,
  user: string,
): TargetStrategy {
  const strategy = deps.targets.for(env);
  const identity = deps.identity;
  if (!identity) return strategy;
  const caller = { roleArn: env.roleArn, user, region: env.target.region };
  return new Proxy(strategy, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (!CALLS_AWS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        identity.run(caller, () =>
          Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)),
        );
    },
  });
}
