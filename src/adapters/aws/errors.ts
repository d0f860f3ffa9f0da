import { CapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';

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

/** Maps an SDK error to one line naming the resource and, for a denial, the missing permission. */
export function toCapstanError(e: unknown, op: Operation): CapstanError {
  if (e instanceof CapstanError) return e;
  const name = e instanceof Error ? e.name : 'Error';
  // AWS's words end up in Slack mrkdwn: escaped here, once, where they enter.
  const message = escapeMrkdwn(errorMessage(e));
  const where = `${op.resource} (${op.region})`;
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new CapstanError(
      'no_credentials',
      `No AWS credentials to read ${where}: give Capstan a role or set AWS_PROFILE.`,
      { cause: e },
    );
  }
  if (EXPIRED.has(name) || /security token included in the request is expired/i.test(message)) {
    return new CapstanError(
      'expired',
      `The AWS credentials Capstan used for ${where} have expired (${name}): renew the session or the role Capstan runs with; no IAM permission is missing.`,
      { cause: e },
    );
  }
  if (name === 'RequestExpired' || /signature expired/i.test(message)) {
    return new CapstanError(
      'expired',
      `AWS refused a request to ${where} as expired (${name}): the clock of the machine Capstan runs on is probably off.`,
      { cause: e },
    );
  }
  if (UNKNOWN_KEY.has(name)) {
    return new CapstanError(
      'no_credentials',
      `AWS does not recognize the credentials Capstan used for ${where} (${name}): the access key is wrong or was deleted.`,
      { cause: e },
    );
  }
  if (DENIED.has(name) || /not authorized to perform/i.test(message)) {
    const action = /perform: ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? op.action;
    return new CapstanError(
      'access_denied',
      `AWS denied ${action} on ${where}: allow ${action} in Capstan's IAM policy.`,
      { cause: e },
    );
  }
  if (isThrottling(e)) {
    return new CapstanError(
      'throttled',
      `AWS is throttling ${op.action} on ${where}; try again in a minute.`,
      { cause: e },
    );
  }
  if (NOT_FOUND.has(name) || /does not exist|not found|^No Application( Version)? named/i.test(message)) {
    return new CapstanError(
      'not_found',
      `${capitalize(op.resource)} was not found in ${op.region}${detail(message)}.`,
      { cause: e },
    );
  }
  return new CapstanError('upstream', `${op.action} on ${where} failed: ${message}`, { cause: e });
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

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function detail(message: string): string {
  return message ? ` (${message.length > 160 ? `${message.slice(0, 160)}…` : message})` : '';
}
