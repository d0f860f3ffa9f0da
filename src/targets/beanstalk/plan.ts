import type { BeanstalkTarget } from '../../domain/catalog.js';
import type { Review } from '../../domain/deployment.js';
import { CapstanError } from '../../domain/errors.js';
import { parseImage, shortDigest } from '../../domain/version.js';
import type { PrepareRequest, Prepared } from '../strategy.js';
import { inspect } from './check.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { environmentConsoleUrl } from './environment.js';
import { MAX_LABEL, dockerrun, hex12 } from './labels.js';
import { bundleImage } from './lookups.js';
import type { BeanstalkContext, BeanstalkPlan } from './schemas.js';

/** Where the version's bundle is, and whether it exists already. */
interface Chosen {
  readonly label: string;
  readonly reuse: boolean;
  readonly bucket: string;
  readonly key: string;
}

export async function prepare(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  req: PrepareRequest<BeanstalkContext>,
): Promise<Prepared<BeanstalkPlan>> {
  const ctx = req.checked.context ?? (await inspect(deps, t, req.version));
  if (req.checked.digest !== undefined && req.checked.digest !== ctx.digest) {
    throw new CapstanError('conflict', {
      kind: 'beanstalk.tagMoved',
      tag: req.version,
      digest: ctx.digest,
      requested: req.checked.digest,
    });
  }
  const image = `${ctx.repositoryUri}@${ctx.digest}`;
  const chosen = await chooseVersion(deps, t, req.version, ctx.digest);
  return {
    plan: {
      ...chosen,
      body: dockerrun(image, t.containerPort),
      image,
      previousLabel: ctx.currentLabel,
      previousTag: ctx.currentTag,
    },
    unchanged: ctx.currentLabel === chosen.label,
    review: review(t, req.version, ctx, chosen),
  };
}

/** Nothing exists before apply(); a bundle left in S3 later is harmless, and versions are kept. */
export async function discard(): Promise<void> {}

/** The label to deploy: the tag, reused when it already pins this digest, else `<tag>-<12 hex>`. */
async function chooseVersion(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  tag: string,
  digest: string,
): Promise<Chosen> {
  const candidates = [tag, `${tag}-${hex12(digest)}`].filter((l) => l.length <= MAX_LABEL);
  const existing = await deps.beanstalk.describeApplicationVersions(t.region, t.application, candidates);
  for (const label of candidates) {
    const v = existing.find((x) => x.label === label);
    if (!v)
      return {
        label,
        reuse: false,
        bucket: t.bucket,
        key: `${t.keyPrefix}${t.application}/${label}/Dockerrun.aws.json`,
      };
    const image = await bundleImage(deps, t, v);
    if (v.bundle && image !== undefined && parseImage(image).digest === digest)
      return { label, reuse: true, bucket: v.bundle.bucket, key: v.bundle.key };
  }
  throw new CapstanError('conflict', {
    kind: 'beanstalk.versionsTaken',
    labels: candidates,
    application: t.application,
  });
}

/** The repository without its registry host, as people name it. */
const repo = (uri: string) => parseImage(uri).repository.replace(/^[^/]*[.:][^/]*\//, '');

/** What runs now, as people name an image. */
function fromImage(ctx: BeanstalkContext): string {
  if (!ctx.currentImage) return 'unknown';
  const from = parseImage(ctx.currentImage);
  return from.digest
    ? `${repo(ctx.currentImage)}:${ctx.currentTag ?? '?'} (${shortDigest(from.digest)}…)`
    : repo(ctx.currentImage) + (from.tag ? `:${from.tag}` : '');
}

function review(t: BeanstalkTarget, version: string, ctx: BeanstalkContext, chosen: Chosen): Review {
  const renamed = chosen.label !== version ? ` (version ${version} exists with another image)` : '';
  return {
    diff: {
      title: 'Application version',
      lines: [
        `version label: ${ctx.currentLabel ?? 'none'} → ${chosen.label}${renamed}`,
        `image: ${fromImage(ctx)} → ${repo(ctx.repositoryUri)}@${shortDigest(ctx.digest)}…`,
        `bundle: s3://${chosen.bucket}/${chosen.key} (${chosen.reuse ? 'reused' : 'new'})`,
      ],
    },
    link: {
      label: `Environment ${t.environment} in the AWS console`,
      url: environmentConsoleUrl(t, ctx.envId),
    },
  };
}
