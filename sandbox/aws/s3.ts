import { createHash } from 'node:crypto';
import { AwsError } from './errors.js';
import { escapeXml } from './xml.js';

export interface S3Object {
  readonly body: Buffer;
  /** Quoted, as S3 sends it: `"<md5>"`. */
  readonly etag: string;
  readonly contentType: string;
  readonly lastModified: Date;
}

/** What the server writes back: S3 answers in headers and a raw body. */
export interface S3Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

export interface S3Request {
  readonly operation: 'PutObject' | 'HeadObject' | 'GetObject';
  readonly Bucket: string;
  readonly Key: string;
}

const httpDate = (d: Date) => d.toUTCString();

/**
 * S3 with path-style addressing (`PUT /bucket/key`), objects in memory. Any bucket name works: a
 * bucket exists once something is put into it.
 */
export class SimS3 {
  private readonly buckets = new Map<string, Map<string, S3Object>>();

  put(bucket: string, key: string, body: Buffer | string, contentType = 'binary/octet-stream'): S3Object {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const object: S3Object = {
      body: bytes,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      contentType,
      lastModified: new Date(),
    };
    let objects = this.buckets.get(bucket);
    if (!objects) this.buckets.set(bucket, (objects = new Map<string, S3Object>()));
    objects.set(key, object);
    return object;
  }

  get(bucket: string, key: string): S3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  keys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])];
  }

  // --- API operations, by their wire names ---

  PutObject(input: S3Request & { Body: Buffer; ContentType?: string | undefined }): S3Reply {
    const o = this.put(input.Bucket, input.Key, input.Body, input.ContentType);
    return { status: 200, headers: { etag: o.etag } };
  }

  HeadObject(input: S3Request): S3Reply {
    const o = this.get(input.Bucket, input.Key);
    // A HEAD answer has no body, so the SDK can only name the error after the status: NotFound.
    if (!o) throw new AwsError('NotFound', 'Not Found', 404);
    return { status: 200, headers: objectHeaders(o) };
  }

  GetObject(input: S3Request): S3Reply {
    if (!this.buckets.has(input.Bucket))
      throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    const o = this.get(input.Bucket, input.Key);
    if (!o) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
    return { status: 200, headers: objectHeaders(o), body: o.body };
  }
}

function objectHeaders(o: S3Object): Record<string, string> {
  return {
    etag: o.etag,
    'content-type': o.contentType,
    'content-length': String(o.body.length),
    'last-modified': httpDate(o.lastModified),
    'accept-ranges': 'bytes',
  };
}

/** `PUT /bucket/some/key?x-id=PutObject` → the operation, bucket and (decoded) key. */
export function routeS3(method: string, url: string): S3Request {
  const path = url.split('?')[0] ?? '';
  const [bucket = '', ...rest] = path.replace(/^\//, '').split('/');
  const Key = rest.map(decodeURIComponent).join('/');
  const operation = ({ PUT: 'PutObject', HEAD: 'HeadObject', GET: 'GetObject' } as const)[
    method as 'PUT' | 'HEAD' | 'GET'
  ];
  if (!operation || !bucket || !Key)
    throw new AwsError('NotImplemented', `${method} ${path} is not supported by the sandbox`, 501);
  return { operation, Bucket: decodeURIComponent(bucket), Key };
}

/**
 * The object's bytes from a PUT body. The SDK sends streams of unknown length as `aws-chunked`
 * (`<hex size>[;chunk-signature=…]\r\n<bytes>\r\n`, ending with a zero chunk and trailers).
 */
export function decodePutBody(body: Buffer, contentEncoding: string | undefined): Buffer {
  if (!contentEncoding?.split(',').some((e) => e.trim() === 'aws-chunked')) return body;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function s3ErrorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
}
