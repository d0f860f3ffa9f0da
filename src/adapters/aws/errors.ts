import { CapstanError, type CapstanErrorCode } from '../../domain/errors.js';
import type { Fact } from '../../domain/facts/index.js';
import { errorMessage } from '../../lib/errors.js';

export interface Operation {
  /** IAM action, e.g. `ecs:DescribeServices`. */
  readonly action: string;
  /** What it acts on, as a person would name it. */
  readonly resource: string;
  readonly region: string;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'AuthorizationError',
  'InsufficientPrivilegesException',
]);
/** The credentials were good once and are no longer: a session ran out (not a missing permission). */
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
/** AWS does not know the credentials at all: a wrong or deleted access key. */
const UNKNOWN_KEY = new Set(['InvalidClientTokenId', 'UnrecognizedClientException']);
const NOT_FOUND = new Set([
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'ChangeSetNotFoundException',
  'ChangeSetNotFound',
  'PipelineNotFoundException',
  'DeploymentGroupDoesNotExistException',
  'ApplicationDoesNotExistException',
  'DeploymentDoesNotExistException',
  'StageNotFoundException',
  'ActionNotFoundException',
]);

export function isThrottling(e: unknown): boolean {
  return e instanceof Error && (THROTTLING.has(e.name) || /rate exceeded/i.test(e.message));
}

/** Maps an SDK error to a refusal naming the resource and, for a denial, the missing permission. */
export function toCapstanError(e: unknown, op: Operation): CapstanError {
  if (e instanceof CapstanError) return e;
  const name = e instanceof Error ? e.name : 'Error';
  // AWS's own words, as they are: views escape them where they are shown.
  const message = errorMessage(e);
  const where = { resource: op.resource, region: op.region };
  const refusal = (code: CapstanErrorCode, fact: Fact) => new CapstanError(code, fact, { cause: e });
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message))
    return refusal('no_credentials', { kind: 'aws.noCredentials', ...where });
  if (EXPIRED.has(name) || /security token included in the request is expired/i.test(message))
    return refusal('expired', { kind: 'aws.expired', ...where, what: 'session', code: name });
  if (name === 'RequestExpired' || /signature expired/i.test(message))
    return refusal('expired', { kind: 'aws.expired', ...where, what: 'request', code: name });
  if (UNKNOWN_KEY.has(name))
    return refusal('no_credentials', { kind: 'aws.unknownKey', ...where, code: name });
  if (DENIED.has(name) || /not authorized to perform/i.test(message)) {
    const action = /perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? op.action;
    return refusal('access_denied', { kind: 'aws.accessDenied', ...where, action });
  }
  if (isThrottling(e)) return refusal('throttled', { kind: 'aws.throttled', ...where, action: op.action });
  if (NOT_FOUND.has(name) || /does not exist|not found|^No Application( Version)? named/i.test(message))
    return refusal('not_found', { kind: 'aws.notFound', ...where, message: message || undefined });
  return refusal('upstream', { kind: 'aws.failed', ...where, action: op.action, message });
}

/** Told of every AWS call that failed, with AWS's error code (`ThrottlingException`…): metrics. */
export type AwsErrorListener = (code: string, op: Operation) => void;
const listeners = new Set<AwsErrorListener>();

/** The composition root subscribes its metrics here; the returned function unsubscribes. */
export function onAwsError(listener: AwsErrorListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export async function call<T>(op: Operation, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = toCapstanError(e, op);
    const code = e instanceof CapstanError ? e.code : e instanceof Error ? e.name : 'Error';
    for (const l of listeners) {
      try {
        l(code, op);
      } catch {
        // A listener's fault is never the caller's.
      }
    }
    throw err;
  }
}
