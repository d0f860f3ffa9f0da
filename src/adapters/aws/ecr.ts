import { DescribeImagesCommand, ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import type { ImageDetails, Registry } from '../../ports/registry.js';
import { perRegion } from './clients.js';
import { call, toCapstanError } from './errors.js';

function repositoryUri(registryId: string, region: string, repository: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${registryId}.dkr.ecr.${region}.${suffix}/${repository}`;
}

export function createEcrAdapter(
  client: (region: string) => ECRClient = perRegion(
    (region, credentials) => new ECRClient({ region, credentials }),
  ),
): Registry {
  return {
    async findImage(region, repository, tag): Promise<ImageDetails | undefined> {
      let detail: ImageDetail | undefined;
      try {
        const out = await client(region).send(
          new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
        );
        detail = out.imageDetails?.[0];
      } catch (e) {
        if (e instanceof Error && e.name === 'ImageNotFoundException') return undefined;
        throw toCapstanError(e, {
          action: 'ecr:DescribeImages',
          resource: `ECR repository ${repository}`,
          region,
        });
      }
      if (!detail?.imageDigest || !detail.registryId) return undefined;
      return {
        tag,
        digest: detail.imageDigest,
        repositoryUri: repositoryUri(detail.registryId, region, repository),
        pushedAt: detail.imagePushedAt?.getTime(),
      };
    },

    async recentTags(region, repository, limit) {
      const op = { action: 'ecr:DescribeImages', resource: `ECR repository ${repository}`, region };
      const images: ImageDetail[] = [];
      let nextToken: string | undefined;
      // A repository can hold thousands of images; a few pages are enough to find the newest.
      for (let page = 0; page < 5; page++) {
        const out = await call(op, () =>
          client(region).send(
            new DescribeImagesCommand({
              repositoryName: repository,
              filter: { tagStatus: 'TAGGED' },
              maxResults: 1000,
              nextToken,
            }),
          ),
        );
        images.push(...(out.imageDetails ?? []));
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
      return images
        .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
        .flatMap((i) => i.imageTags ?? [])
        .slice(0, limit);
    },
  };
}
