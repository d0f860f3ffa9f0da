import { z } from 'zod';
import { CapstanError, isCapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { errorOf } from './errors.js';
import type {
  CodeDeploy,
  CodeDeployDeployment,
  DeploymentGroupRef,
  NewRevision,
} from '../../ports/codedeploy.js';

/** How far back a search for the deployment of a request looks. */
const SEARCH_WINDOW_MS = 24 * 3600_000;

/** Capstan's deployments carry the request id at the start of their description (see apply). */
export const isFor = (d: CodeDeployDeployment, requestId: string) =>
  d.description?.startsWith(`Capstan ${requestId} `) === true;

/**
 * The deployment a request started in a group, found by identity: the description carrying the
 * request id. `hint` is a deployment id worth looking at first (the one a refusal named).
 */
export async function findOwn(
  cd: CodeDeploy,
  ref: DeploymentGroupRef,
  requestId: string,
  now: number,
  options: {
    readonly hint?: string | undefined;
    readonly matches?: (d: CodeDeployDeployment) => boolean;
  } = {},
): Promise<CodeDeployDeployment | undefined> {
  const fits = (d: CodeDeployDeployment | undefined): d is CodeDeployDeployment =>
    d !== undefined && isFor(d, requestId) && (options.matches?.(d) ?? true);
  if (options.hint) {
    const d = await cd.getDeployment(ref.region, options.hint);
    if (fits(d)) return d;
  }
  const ids = await cd.listDeployments(ref, [], { createdAfter: now - SEARCH_WINDOW_MS, limit: 20 });
  for (const id of ids) {
    if (id === options.hint) continue;
    const d = await cd.getDeployment(ref.region, id);
    if (fits(d)) return d;
  }
  return undefined;
}

/** The deployment a refusal names as the one in the way ("already has an active Deployment 'd-…'"). */
function namedIn(e: unknown): string | undefined {
  const cause = isCapstanError(e) && e.cause !== undefined ? errorMessage(e.cause) : '';
  return /\b(d-[A-Z0-9]{8,})\b/.exec(`${errorMessage(e)} ${cause}`)?.[1];
}

/** No answer came at all (a network error, a timeout): the request may or may not have reached AWS. */
function lostAnswer(e: unknown): boolean {
  if (!isCapstanError(e) || e.code !== 'upstream') return false;
  const answered = sdkAnswer.safeParse(e.cause);
  return !answered.success || answered.data.$metadata.httpStatusCode === undefined;
}

/** What an SDK error says about the HTTP answer it came with, if any. */
const sdkAnswer = z.object({ $metadata: z.object({ httpStatusCode: z.number().optional() }) });

/**
 * CreateDeployment without a second deployment for one request. The API takes no idempotency
 * token, so after any error (a lost answer, or a refusal such as DeploymentLimitExceeded that may be
 * a retry meeting the deployment its first attempt started) CodeDeploy is read for this request's
 * own deployment before anything is concluded. Only when none exists is a lost answer asked once
 * more: CodeDeploy runs one deployment per group, so that retry cannot start one beside a first
 * that was missed. `error` is set when the deployment was found after an error.
 */
export async function createDeploymentOnce(
  cd: CodeDeploy,
  ref: DeploymentGroupRef,
  revision: NewRevision,
  description: string,
  request: {
    readonly requestId: string;
    readonly now: () => number;
    readonly matches?: (d: CodeDeployDeployment) => boolean;
  },
): Promise<{ readonly id: string; readonly error?: unknown }> {
  let first: unknown;
  for (let attempt = 1; ; attempt++) {
    try {
      return { id: await cd.createDeployment(ref, revision, description), error: first };
    } catch (e) {
      first ??= e;
      let own: CodeDeployDeployment | undefined;
      try {
        own = await findOwn(cd, ref, request.requestId, request.now(), {
          hint: namedIn(e),
          matches: request.matches,
        });
      } catch (readError) {
        throw new CapstanError(
          'upstream',
          {
            kind: 'codedeploy.startUnknown',
            group: ref.group,
            error: errorOf(e),
            readError: errorOf(readError),
          },
          { cause: e },
        );
      }
      if (own) return { id: own.id, error: e };
      if (attempt >= 2 || !lostAnswer(e)) throw e;
    }
  }
}
