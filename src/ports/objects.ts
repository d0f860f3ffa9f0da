/** Object storage for deploy bundles (S3). */
export interface ObjectStore {
  put(
    region: string,
    bucket: string,
    key: string,
    body: string,
    contentType: string,
  ): Promise<{ readonly etag?: string | undefined }>;
  /** undefined when there is no such object. */
  head(
    region: string,
    bucket: string,
    key: string,
  ): Promise<{ readonly etag?: string | undefined; readonly size?: number | undefined } | undefined>;
  /** undefined when there is no such object. */
  getText(region: string, bucket: string, key: string): Promise<string | undefined>;
}
