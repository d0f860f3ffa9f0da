import {
  DescribeImagesCommand,
  ECRClient,
  type ImageDetail,
  type ImageIdentifier,
  paginateDescribeImages,
} from '@aws-sdk/client-ecr';
import type { ImageDetails, Registry } from '../../ports/registry.js';
import { perRegion } from './clients.js';
import { call, toCapstanError } from './errors.js';

function repositoryUri(registryId: string, region: string, repository: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${registryId}.dkr.ecr.${region}.${suffix}/${repository}`;
}

/** Pages of DescribeImages read to find the most recently pushed tags. */
const MAX_PAGES = 5;

export function createEcrAdapter(
  client: (region: string) => ECRClient = perRegion(
    (region, credentials) => new ECRClient({ region, credentials }),
  ),
): Registry {
  return {
    async findImage(region, repository, tag): Promise<ImageDetails | undefined> {
      const detail = await describeOne(client(region), region, repository, { imageTag: tag });
      if (!detail?.imageDigest || !detail.registryId) return undefined;
      return {
        tag,
        digest: detail.imageDigest,
        repositoryUri: repositoryUri(detail.registryId, region, repository),
        pushedAt: detail.imagePushedAt?.getTime(),
      };
    },

    async findDigest(region, repository, digest, name): Promise<ImageDetails | undefined> {
      const detail = await describeOne(client(region), region, repository, { imageDigest: digest });
      if (detail?.imageDigest !== digest || !detail.registryId) return undefined;
      return {
        tag: name,
        digest,
        repositoryUri: repositoryUri(detail.registryId, region, repository),
        pushedAt: detail.imagePushedAt?.getTime(),
        tags: detail.imageTags ?? [],
      };
    },

    async recentTags(region, repository, limit) {
      const op = { action: 'ecr:DescribeImages', resource: `ECR repository ${repository}`, region };
      const images: ImageDetail[] = [];
      // A repository can hold thousands of images; a few pages are enough to find the newest.
      await call(op, async () => {
        const pages = paginateDescribeImages(
          { client: client(region), pageSize: 1000 },
          { repositoryName: repository, filter: { tagStatus: 'TAGGED' } },
        );
        let read = 0;
        for await (const page of pages) {
          images.push(...(page.imageDetails ?? []));
          if (++read >= MAX_PAGES) break;
        }
      });
      return images
        .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
        .flatMap((i) => i.imageTags ?? [])
        .slice(0, limit);
    },
  };
}

/** One image of a repository, by tag or by digest; undefined when the repository has no such image. */
async function describeOne(
  client: ECRClient,
  region: string,
  repository: string,
  id: ImageIdentifier,
): Promise<ImageDetail | undefined> {
  try {
    const out = await client.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [id] }));
    return out.imageDetails?.[0];
  } catch (e) {
    if (e instanceof Error && e.name === 'ImageNotFoundException') return undefined;
    throw toCapstanError(e, {
      action: 'ecr:DescribeImages',
      resource: `ECR repository ${repository}`,
      region,
    });
  }
}
