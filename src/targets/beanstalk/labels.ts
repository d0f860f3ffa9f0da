import { z } from 'zod';

/** Elastic Beanstalk's limit on a version label. */
export const MAX_LABEL = 100;
/** A label Capstan may have suffixed with 12 hex of the image digest. */
export const SUFFIXED = /^(.+)-([0-9a-f]{12})$/;

const DockerrunSchema = z.object({ Image: z.object({ Name: z.string() }) });

export const hex12 = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/**
 * The tag a version label stands for. Capstan labels a re-pushed tag `<tag>-<12 hex of digest>`;
 * the suffix is stripped only when the version itself confirms that digest, so a tag that merely
 * ends in hex (`main-3f9c2a1b4d5e`) keeps its name.
 */
export function tagOfLabel(label: string, evidence: { description?: string; digest?: string } = {}): string {
  const m = SUFFIXED.exec(label);
  if (!m?.[1] || !m[2]) return label;
  const hex = m[2];
  const confirmed =
    (evidence.digest !== undefined && hex12(evidence.digest) === hex) ||
    (evidence.description?.includes(`sha256:${hex}`) ?? false);
  return confirmed ? m[1] : label;
}

export function versionDescription(requestId: string, actor: string, tag: string, digest: string): string {
  // The digest comes first: tagOfLabel() looks for it, and a long tag must not push it past the limit.
  return `Capstan: image sha256:${hex12(digest)}… tag ${tag}, request ${requestId} by ${actor}`.slice(0, 200);
}

/** Dockerrun.aws.json v1 naming the image by digest, so every instance pulls exactly what was reviewed. */
export function dockerrun(image: string, containerPort: number): string {
  return JSON.stringify({
    AWSEBDockerrunVersion: '1',
    Image: { Name: image, Update: 'true' },
    Ports: [{ ContainerPort: containerPort }],
  });
}

/** The image a Dockerrun.aws.json v1 names; undefined for anything else (a zip, Compose). */
export function dockerrunImage(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed = DockerrunSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.Image.Name : undefined;
  } catch {
    return undefined;
  }
}
