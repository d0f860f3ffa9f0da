import { CapstanError } from '../domain/errors.js';
import type { ImageDetails, Registry } from '../ports/registry.js';

/**
 * The tag must exist in the environment's repository; if not, say which tags do. With `digest` (a
 * promotion), the image is found by that digest, whatever tags it carries here, and `version` only
 * names it.
 */
export async function requireImage(
  registry: Registry,
  region: string,
  repository: string,
  version: string,
  digest?: string,
): Promise<ImageDetails> {
  if (digest !== undefined) {
    const found = await registry.findDigest(region, repository, digest, version);
    if (found) return found;
    throw new CapstanError('image_not_found', {
      kind: 'promotion.digestMissing',
      repository,
      region,
      version,
      digest,
    });
  }
  const image = await registry.findImage(region, repository, version);
  if (image) return image;
  const recent = await registry.recentTags(region, repository, 5).catch(() => []);
  throw new CapstanError('image_not_found', {
    kind: 'ecr.imageNotFound',
    repository,
    region,
    tag: version,
    recent: [...recent],
  });
}
