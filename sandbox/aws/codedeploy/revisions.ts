import { parse as parseYaml } from 'yaml';
import type { SimEcs, SimImage } from '../ecs.js';
import type { SimS3 } from '../s3.js';
import { type Group, type Revision, cdError } from './model.js';

/** The task definition an ECS AppSpec names, if ECS has it. */
export function appSpecTaskDefinition(ecs: SimEcs, content: string): string {
  let spec: unknown;
  try {
    spec = parseYaml(content);
  } catch {
    spec = undefined;
  }
  const resources = (spec as { Resources?: unknown } | undefined)?.Resources;
  const first = (Array.isArray(resources) ? (resources[0] as Record<string, unknown>) : undefined) ?? {};
  const service = Object.values(first)[0] as { Properties?: { TaskDefinition?: unknown } } | undefined;
  const arn = service?.Properties?.TaskDefinition;
  if (typeof arn !== 'string')
    throw cdError(
      'InvalidRevisionException',
      'The AppSpec file is not well-formed: Resources[0].TargetService.Properties.TaskDefinition is missing.',
    );
  if (!ecs.taskDefs.has(arn))
    throw cdError('InvalidRevisionException', `The ECS task definition ${arn} does not exist.`);
  return arn;
}

/** The image a revision deploys, after checking the revision the way CreateDeployment does. */
export function imageOf(s3: SimS3, ecs: SimEcs, g: Group, r: Revision): SimImage | undefined {
  if (r.revisionType === 'S3') {
    const { bucket, key, bundleType } = r.s3Location ?? {};
    const allowed = g.platform === 'Server' ? ['tar', 'tgz', 'zip'] : ['YAML', 'JSON'];
    if (!bucket || !key || !bundleType || !allowed.includes(bundleType))
      throw cdError(
        'InvalidRevisionException',
        `The S3 revision needs a bucket, a key and a bundleType of ${allowed.join(', ')}.`,
      );
    const object = s3.get(bucket, key);
    if (!object)
      throw cdError(
        'RevisionDoesNotExistException',
        `No application revision found for revision: s3://${bucket}/${key} (bundleType ${bundleType}).`,
      );
    if (g.platform === 'Server') return ecs.imageNamedIn(key);
    return ecs.imageOf(appSpecTaskDefinition(ecs, object.body.toString('utf8')));
  }
  if (r.revisionType === 'AppSpecContent' && g.platform === 'ECS')
    return ecs.imageOf(appSpecTaskDefinition(ecs, r.appSpecContent?.content ?? ''));
  throw cdError(
    'InvalidRevisionException',
    `Revision type ${r.revisionType} is not valid for ${g.platform}.`,
  );
}
