import type { BeanstalkTarget } from '../../domain/catalog.js';
import type { BeanstalkEnvironment, EnvironmentRef } from '../../ports/beanstalk.js';

export const refOf = (t: BeanstalkTarget): EnvironmentRef => ({
  region: t.region,
  application: t.application,
  environment: t.environment,
});

/** Where it deploys, for people. */
export const where = (t: BeanstalkTarget) =>
  `Elastic Beanstalk environment ${t.environment} of ${t.application} (${t.region})`;

export function environmentConsoleUrl(t: BeanstalkTarget, envId?: string): string {
  const host = t.region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  const app = encodeURIComponent(t.application);
  const page = envId
    ? `environment/dashboard?applicationName=${app}&environmentId=${encodeURIComponent(envId)}`
    : `application/overview?applicationName=${app}`;
  return `https://${host}/elasticbeanstalk/home?region=${t.region}#/${page}`;
}

/** status|health|healthStatus|label: what a look compares with the previous one. */
export const fingerprint = (e: BeanstalkEnvironment) =>
  [e.status, e.health ?? '', e.healthStatus ?? '', e.versionLabel ?? ''].join('|');

/** The live environment of that name: a name can also belong to one terminated a while ago. */
export function liveOne(
  found: readonly BeanstalkEnvironment[],
  name: string,
): BeanstalkEnvironment | undefined {
  const named = found.filter((e) => e.name === name);
  return named.find((e) => e.status !== 'Terminated') ?? named[0];
}
