import { z } from 'zod';
import { principal } from './common.js';

/**
 * Facts of promotion: an environment with `promotion: { from, soak }` takes only an image digest
 * verified in `from` at least `soak` ago. Versions are tags as typed; digests decide.
 */
const place = { app: z.string(), env: z.string() };
const image = { from: z.string(), version: z.string(), digest: z.string() };

/** The digest was never verified in the source environment. */
export const promotionNotVerified = z.object({
  kind: z.literal('promotion.notVerified'),
  ...place,
  ...image,
});

/** Verified in the source, but less than `soak` ago: allowed from `allowedAt`. */
export const promotionSoaking = z.object({
  kind: z.literal('promotion.soaking'),
  ...place,
  ...image,
  verifiedAt: z.number(),
  allowedAt: z.number(),
});

/** Only an admin may deploy past the promotion gate. */
export const promotionOverrideForbidden = z.object({
  kind: z.literal('promotion.overrideForbidden'),
  admins: z.array(principal),
});

/** `/deploy promote` named no source, and the destination has no `promotion.from`. */
export const promotionNoSource = z.object({ kind: z.literal('promotion.noSource'), ...place });

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
  refused: z.enum(['notVerified', 'soaking']),
});

export const PromotionFact = z.discriminatedUnion('kind', [
  promotionNotVerified,
  promotionSoaking,
  promotionOverrideForbidden,
  promotionNoSource,
  promotionNothingVerified,
  promotionDigestMoved,
  promotionOverridden,
]);
export type PromotionFact = z.infer<typeof PromotionFact>;
