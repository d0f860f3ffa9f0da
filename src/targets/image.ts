import { CapstanError } from '../domain/errors.js';
import type { ImageDetails, Registry } from '../ports/registry.js';

/** The tag must exist in the environment's repository; if not, say which tags do. */
export async function requireImage(
  registry: Registry,
  region: string,
  repository: string,
  version: string,
): Promise<ImageDetails> {
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
