import type { z } from 'zod';

/** What the promotion checks read of one environment (after its target was told apart). */
interface PromotionEnv {
  readonly promotion?: { readonly from: string } | undefined;
  readonly codedeploy?: { readonly kind: string } | undefined;
}

/**
 * The promotion gate compares image digests; a CodeDeploy revision on EC2/on-premises is an S3 bundle
 * with none, so such a gate would refuse every deploy. Said at start, where the file can be fixed.
 */
const hasNoDigest = (e: PromotionEnv | undefined) => e?.codedeploy?.kind === 'codedeploy-server';

/** `promotion:` on an environment that deploys an S3 bundle (EC2/on-premises). */
export function checkPromotionTarget(e: PromotionEnv, ctx: z.RefinementCtx): void {
  if (e.promotion === undefined || !hasNoDigest(e)) return;
  ctx.addIssue({
    code: 'custom',
    path: ['promotion'],
    message:
      'cannot gate a CodeDeploy revision (an S3 bundle has no image digest to compare, so every deploy would be refused): remove promotion from this environment',
  });
}

/** `promotion.from` naming an environment that deploys an S3 bundle: nothing there is ever a verified digest. */
export function checkPromotionSources(
  envs: Readonly<Record<string, PromotionEnv>>,
  ctx: z.RefinementCtx,
): void {
  for (const [envName, e] of Object.entries(envs)) {
    const from = e.promotion?.from;
    if (from === undefined || from === envName || !hasNoDigest(envs[from])) continue;
    ctx.addIssue({
      code: 'custom',
      path: [envName, 'promotion', 'from'],
      message: `${from} deploys a CodeDeploy revision (an S3 bundle, no image digest), so nothing verified there can be promoted: name an environment that runs an image, or remove promotion`,
    });
  }
}
