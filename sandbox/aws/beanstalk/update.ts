import type { SimEcs } from '../ecs.js';
import type { SimS3 } from '../s3.js';
import { type AppVersion, type Environment, INSTANCE, type Severity } from './model.js';

/** An environment update, one documented event a tick; a failed one ends back on the previous version. */

type Tell = (env: Environment, message: string, severity: Severity, requestId?: string) => void;

/** Why this version would fail on the instances, read from its Dockerrun.aws.json. */
export function failureOf(s3: SimS3, ecs: SimEcs, v: AppVersion): string | undefined {
  const bundle = s3.get(v.SourceBundle.S3Bucket, v.SourceBundle.S3Key);
  let imageName: string | undefined;
  try {
    const parsed = JSON.parse(bundle?.body.toString('utf8') ?? '') as { Image?: { Name?: unknown } };
    if (typeof parsed.Image?.Name === 'string') imageName = parsed.Image.Name;
  } catch {
    // Not a bare Dockerrun.aws.json (a zip, say): the sandbox trusts the tag the key names.
  }
  const image = imageName ? ecs.resolveImage(imageName) : ecs.imageNamedIn(v.SourceBundle.S3Key);
  if (!image)
    return imageName
      ? `Failed to pull Docker image ${imageName}: manifest unknown.`
      : 'Failed to read Dockerrun.aws.json from the source bundle.';
  if (image.broken)
    return `Docker container quit unexpectedly after launch: todobackend ${image.tag} exited with code 1.`;
  return undefined;
}

/** Moves the environment's update, if any, one step, telling each event. */
export function stepUpdate(env: Environment, tell: Tell): void {
  const u = env.update;
  if (!u) return;
  u.step += 1;
  env.updated = new Date();
  if (u.step === 1) {
    tell(env, 'Deploying new version to instance(s).', 'INFO', u.requestId);
  } else if (u.step === 2 && u.failure) {
    tell(
      env,
      `[Instance: ${INSTANCE}] Command failed on instance. Return code: 1 Output: ${u.failure} Hook /opt/elasticbeanstalk/hooks/appdeploy/enact/00run.sh failed.`,
      'ERROR',
      u.requestId,
    );
    tell(env, 'Failed to deploy application.', 'ERROR', u.requestId);
    env.health = 'Red';
    env.healthStatus = 'Severe';
  } else if (u.step === 2) {
    tell(env, 'New application version was deployed to running EC2 instances.', 'INFO', u.requestId);
  } else {
    tell(
      env,
      u.failure
        ? 'Update environment operation is complete, but with errors. For more information, see troubleshooting documentation.'
        : 'Environment update completed successfully.',
      u.failure ? 'ERROR' : 'INFO',
      u.requestId,
    );
    env.update = undefined;
    env.versionLabel = u.failure ? u.from : u.to;
    env.status = 'Ready';
    env.health = 'Green';
    env.healthStatus = 'Ok';
  }
}
