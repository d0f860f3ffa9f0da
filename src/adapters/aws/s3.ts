import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../ports/objects.js';
import { perRegion } from './clients.js';
import { call, toCapstanError } from './errors.js';

const isMissing = (e: unknown) =>
  e instanceof Error &&
  (e.name === 'NotFound' ||
    e.name === 'NoSuchKey' ||
    (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

export function createS3Adapter(
  client: (region: string) => S3Client = perRegion(
    // Path-style keeps bucket names with dots working and lets AWS_ENDPOINT_URL point at a stand-in.
    (region, credentials) =>
      new S3Client({ region, credentials, forcePathStyle: !!process.env.AWS_ENDPOINT_URL }),
  ),
): ObjectStore {
  const where = (bucket: string, key: string) => `S3 object s3://${bucket}/${key}`;
  return {
    async put(region, bucket, key, body, contentType) {
      const out = await call({ action: 's3:PutObject', resource: where(bucket, key), region }, () =>
        client(region).send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
        ),
      );
      return { etag: out.ETag };
    },
    async head(region, bucket, key) {
      try {
        const out = await client(region).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { etag: out.ETag, size: out.ContentLength };
      } catch (e) {
        if (isMissing(e)) return undefined;
        // HeadObject is authorized by s3:GetObject.
        throw toCapstanError(e, { action: 's3:GetObject', resource: where(bucket, key), region });
      }
    },
    async getText(region, bucket, key) {
      try {
        const out = await client(region).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString();
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw toCapstanError(e, { action: 's3:GetObject', resource: where(bucket, key), region });
      }
    },
  };
}
