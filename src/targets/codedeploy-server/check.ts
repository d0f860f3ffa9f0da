import type { CodeDeployServerTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { isImageTag } from '../../domain/version.js';
import type { CodeDeploy, DeploymentGroup } from '../../ports/codedeploy.js';
import type { ObjectStore } from '../../ports/objects.js';
import { requireGroup, requireIdle } from '../codedeploy-shared/group.js';
import { codeDeployPlatformAlarms } from '../shared/platformAlarms.js';
import type { EnvironmentOf } from '../strategy.js';
import { bundleKey, s3Uri, serverVersion } from './bundle.js';
import type { Context } from './schemas.js';

export type ServerEnvironment = EnvironmentOf<'codedeploy-server'>;

export interface CheckDeps {
  readonly codedeploy: CodeDeploy;
  readonly objects: ObjectStore;
}

export const requireServerGroup = (cd: CodeDeploy, t: CodeDeployServerTarget): Promise<DeploymentGroup> =>
  requireGroup(cd, t, 'Server');

/** Pre-flight: the group deploys to servers and is idle, and the version's bundle is in S3. */
export async function check(
  deps: CheckDeps,
  env: ServerEnvironment,
  version: string,
): Promise<{ readonly fromVersion: string | undefined; readonly context: Context }> {
  const t = env.target;
  const group = await requireServerGroup(deps.codedeploy, t);
  await requireIdle(deps.codedeploy, t);
  const r = t.revision;
  const key = bundleKey(r, version);
  if (!isImageTag(version)) {
    throw new CapstanError('invalid_state', { kind: 'codedeploy.notABundleName', version });
  }
  const head = await deps.objects.head(t.region, r.bucket, key);
  if (!head) {
    throw new CapstanError('not_found', {
      kind: 'codedeploy.bundleMissing',
      version,
      uri: s3Uri(r.bucket, key),
      region: t.region,
    });
  }
  const rev = group.targetRevision;
  const context: Context = {
    version,
    current: rev?.kind === 's3' ? { bucket: rev.bucket, key: rev.key, eTag: rev.eTag } : undefined,
    settled: group.lastAttempted === undefined || group.lastAttempted.status === 'Succeeded',
    bundle: { key, eTag: head.etag },
    platformAlarms: codeDeployPlatformAlarms(env, group),
  };
  return { fromVersion: serverVersion(r, rev), context };
}
