import type { CodeDeployServerTarget } from '../../domain/catalog.js';
import type { Revision } from '../../domain/facts/codedeploy.js';
import { isImageTag } from '../../domain/version.js';
import type { CodeDeployDeployment, RevisionLocation } from '../../ports/codedeploy.js';

/** S3 bundles named by version: the pure part of a server group. */

type ServerRevision = CodeDeployServerTarget['revision'];

const VERSION_PLACEHOLDER = '{version}';

export const bundleKey = (r: ServerRevision, version: string) =>
  r.key.replaceAll(VERSION_PLACEHOLDER, version);
export const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;
export const bareETag = (e: string | undefined) => e?.replace(/^"|"$/g, '');

/** The version a bundle key names, read back through the key pattern; undefined when it does not fit. */
export function versionFromKey(pattern: string, key: string): string | undefined {
  const at = pattern.indexOf(VERSION_PLACEHOLDER);
  if (at < 0) return undefined;
  const before = pattern.slice(0, at);
  const after = pattern.slice(at + VERSION_PLACEHOLDER.length).split(VERSION_PLACEHOLDER)[0] ?? '';
  if (!key.startsWith(before)) return undefined;
  for (let end = key.length; end > before.length; end--) {
    const version = key.slice(before.length, end);
    if (!key.slice(end).startsWith(after)) continue;
    if (isImageTag(version) && pattern.replaceAll(VERSION_PLACEHOLDER, version) === key) return version;
  }
  return undefined;
}

/** The version a revision deploys, when it is a bundle of this group's bucket and pattern. */
export function serverVersion(r: ServerRevision, rev: RevisionLocation | undefined): string | undefined {
  return rev?.kind === 's3' && rev.bucket === r.bucket ? versionFromKey(r.key, rev.key) : undefined;
}

/** What a group's revision is, for the facts people read. */
export function revisionOf(rev: RevisionLocation | undefined): Revision {
  if (!rev) return { kind: 'none' };
  if (rev.kind === 's3') return { kind: 's3', uri: s3Uri(rev.bucket, rev.key) };
  return rev.kind === 'appspec' ? { kind: 'appspec' } : { kind: 'other', type: rev.type };
}

export const sameBundle = (d: CodeDeployDeployment, key: string) =>
  d.revision?.kind === 's3' && d.revision.key === key;
