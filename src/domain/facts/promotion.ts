import { z } from 'zod';
import { principal } from './common.js';

/**
 * Facts of promotion: an environment with `promotion: { from, soak }` takes only an image digest
 * verified in `from` at least `soak` ago. Versions are tags as typed; digests decide.
 */
const place = { app: z.string(), env: z.string() };
const image = { from: z.string(), version: z.string(), digest: z.string() };

/**
 * What a refusal can offer instead. `via`: the refused command was a plain `/deploy` or a promote.
 * `sourceRuns`: what the source runs now, when it would pass the same gate (now, or from `allowedAt`);
 * absent when it would not, so `/deploy promote` is not offered.
 */
const instead = {
  soakMs: z.number(),
  via: z.enum(['deploy', 'promote']),
  sourceRuns: z
    .object({ version: z.string(), digest: z.string(), allowedAt: z.number().optional() })
    .optional(),
};

/** The digest was never verified in the source environment. */
export const promotionNotVerified = z.object({
  kind: z.literal('promotion.notVerified'),
  ...place,
  ...image,
  ...instead,
});

/** Verified in the source, but less than `soak` ago: allowed from `allowedAt`. */
export const promotionSoaking = z.object({
  kind: z.literal('promotion.soaking'),
  ...place,
  ...image,
  ...instead,
  verifiedAt: z.number(),
  allowedAt: z.number(),
});

/** Verified in the source, then rolled back away from there (`rollback`) or failed there again (`failure`) at `at`. */
export const promotionRolledBack = z.object({
  kind: z.literal('promotion.rolledBackInSource'),
  ...place,
  ...image,
  ...instead,
  verifiedAt: z.number(),
  at: z.number(),
  how: z.enum(['rollback', 'failure']),
});

/** The destination's repository holds no image with the verified digest (`/deploy promote`). */
export const promotionDigestMissing = z.object({
  kind: z.literal('promotion.digestMissing'),
  version: z.string(),
  digest: z.string(),
  repository: z.string(),
  region: z.string(),
});

/**
 * The destination's stack takes a tag (`imageParameterFormat: tag`) and no tag names the verified
 * digest in its repository, so nothing could make that image run.
 */
export const promotionUntagged = z.object({
  kind: z.literal('promotion.untagged'),
  version: z.string(),
  digest: z.string(),
  repository: z.string(),
  stack: z.string(),
  parameter: z.string(),
});

/** Only an admin may deploy past the promotion gate. */
export const promotionOverrideForbidden = z.object({
  kind: z.literal('promotion.overrideForbidden'),
  admins: z.array(principal),
});

/** `/deploy promote` named no source, and the destination has no `promotion.from`. */
export const promotionNoSource = z.object({ kind: z.literal('promotion.noSource'), ...place });

/** One end of a promotion deploys a CodeDeploy revision (an S3 bundle): it has no image digest to promote. */
export const promotionNoImage = z.object({
  kind: z.literal('promotion.noImage'),
  ...place,
  /** The environment that deploys a bundle, and which end of the promotion it is. */
  bundleEnv: z.string(),
  end: z.enum(['from', 'to']),
});

/** What the source runs now is not verified (or the source has run nothing yet). */
export const promotionNothingVerified = z.object({
  kind: z.literal('promotion.nothingVerified'),
  ...place,
  from: z.string(),
  last: z.object({ version: z.string(), state: z.string() }).optional(),
});

/** The tag resolves to another digest in the destination's repository than the one verified. */
export const promotionDigestMoved = z.object({
  kind: z.literal('promotion.digestMoved'),
  ...place,
  version: z.string(),
  expected: z.string(),
  found: z.string(),
});

/** An admin deployed past the promotion gate (said in the deploy's thread). */
export const promotionOverridden = z.object({
  kind: z.literal('promotion.overridden'),
  by: z.string(),
  reason: z.string(),
  from: z.string(),
  refused: z.enum(['notVerified', 'soaking', 'rolledBack']),
});

export const PromotionFact = z.discriminatedUnion('kind', [
  promotionNotVerified,
  promotionSoaking,
  promotionRolledBack,
  promotionDigestMissing,
  promotionUntagged,
  promotionOverrideForbidden,
  promotionNoSource,
  promotionNoImage,
  promotionNothingVerified,
  promotionDigestMoved,
  promotionOverridden,
]);
export type PromotionFact = z.infer<typeof PromotionFact>;
