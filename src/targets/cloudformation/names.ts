import type { StackTarget } from '../../domain/catalog.js';
import { parseImage, shortDigest } from '../../domain/version.js';
import type { ImageDetails } from '../../ports/registry.js';

/** What the image parameter receives: the tag, the digest it resolved to, or the image pinned by digest. */
export function imageParameterValue(t: StackTarget, image: ImageDetails): string {
  switch (t.imageParameterFormat ?? 'tag') {
    case 'tag':
      return image.tag;
    case 'digest':
      return image.digest;
    case 'uri':
      return `${image.repositoryUri}@${image.digest}`;
  }
}

/** A digest in the parameter (alone or in an image reference), or undefined when it holds a tag. */
export function digestIn(value: string): string | undefined {
  if (/^sha256:[0-9a-f]{64}$/i.test(value)) return value;
  return parseImage(value).digest;
}

/** The parameter as people know a version: a tag as it is, a digest shortened (`sha256:0123456789ab`). */
export function versionOfParameter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const digest = digestIn(value);
  if (digest) return shortDigest(digest);
  return parseImage(value).tag ?? value;
}

/** `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters, unique per request. */
export function changeSetName(app: string, version: string, id: string): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-+/g, '-');
  const tail = `-${clean(id)}`;
  return `capstan-${clean(app)}-${clean(version)}`.slice(0, 128 - tail.length) + tail;
}

function consoleHost(region: string): string {
  return region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
}

export function changeSetConsoleUrl(region: string, stackId: string, changeSetArn: string): string {
  return `https://${consoleHost(region)}/cloudformation/home?region=${region}#/stacks/changesets/changes?stackId=${encodeURIComponent(stackId)}&changeSetId=${encodeURIComponent(changeSetArn)}`;
}

export function stackConsoleUrl(region: string, stackId: string): string {
  return `https://${consoleHost(region)}/cloudformation/home?region=${region}#/stacks/events?stackId=${encodeURIComponent(stackId)}`;
}
