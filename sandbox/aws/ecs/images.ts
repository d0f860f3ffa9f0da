import { AwsError } from '../errors.js';
import { ACCOUNT, type SimImage, digestOf } from './model.js';

/** ECR for the sandbox: one repository of tagged images, one of them a broken build. */

export type Repositories = ReadonlyMap<string, readonly SimImage[]>;

export function initialImages(): SimImage[] {
  const tags = ['1.2.0', '1.2.1', '1.2.2', '1.2.3', '1.3.0', '1.2.4-broken'];
  return tags.map((tag, i) => ({
    tag,
    digest: digestOf(tag),
    pushedAt: new Date(Date.UTC(2026, 10, 10 + i, 9, 30)),
    broken: tag.endsWith('-broken'),
  }));
}

/**
 * The image an ECR reference names (`ACCT.dkr.ecr.R.amazonaws.com/repo:tag` or `…/repo@sha256:…`),
 * if the repository holds it.
 */
export function resolveImage(repos: Repositories, ref: string): SimImage | undefined {
  const at = ref.lastIndexOf('@');
  const path = at >= 0 ? ref.slice(0, at) : ref;
  const colon = path.lastIndexOf(':');
  const tagged = colon > path.lastIndexOf('/');
  const repo = (tagged ? path.slice(0, colon) : path).split('/').pop() ?? '';
  const images = repos.get(repo) ?? [];
  if (at >= 0) return images.find((i) => i.digest === ref.slice(at + 1));
  return tagged ? images.find((i) => i.tag === path.slice(colon + 1)) : undefined;
}

/** The image whose tag a text (an S3 key, a file name) names; the longest tag wins. */
export function imageNamedIn(repos: Repositories, text: string, repo: string): SimImage | undefined {
  return [...(repos.get(repo) ?? [])]
    .filter((i) => text.includes(i.tag))
    .sort((a, b) => b.tag.length - a.tag.length)[0];
}

/** The image a container's `image` reference ends with (a digest or a tag). */
export function imageByReference(repos: Repositories, image: string): SimImage | undefined {
  return [...repos.values()].flat().find((i) => image.endsWith(i.digest) || image.endsWith(`:${i.tag}`));
}

/** ECR DescribeImages: every image of the repository, or the one asked for (by tag or by digest). */
export function describeImages(
  repos: Repositories,
  input: {
    repositoryName: string;
    imageIds?: { imageTag?: string; imageDigest?: string }[];
    maxResults?: number;
  },
) {
  const repo = repos.get(input.repositoryName);
  if (!repo)
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${input.repositoryName}' does not exist in the registry with id '${ACCOUNT}'`,
    );
  const detail = (i: SimImage) => ({
    registryId: ACCOUNT,
    repositoryName: input.repositoryName,
    imageDigest: i.digest,
    // Every tag that names this image in the repository.
    imageTags: repo.filter((o) => o.digest === i.digest).map((o) => o.tag),
    imagePushedAt: i.pushedAt.getTime() / 1000,
    imageSizeInBytes: 48_000_000,
  });
  const id = input.imageIds?.[0];
  if (id) {
    const img = repo.find((i) => (id.imageDigest ? i.digest === id.imageDigest : i.tag === id.imageTag));
    if (!img)
      throw new AwsError(
        'ImageNotFoundException',
        `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${input.repositoryName}' in the registry with id '${ACCOUNT}'`,
      );
    return { imageDetails: [detail(img)] };
  }
  return { imageDetails: repo.map(detail) };
}
