import { escapeMrkdwn } from '../../lib/mrkdwn.js';
import type { CodeDeployDeployment, DeploymentTarget } from '../../ports/codedeploy.js';
import type { Track } from './schemas.js';
import { code, logTail, short } from './words.js';

/** Why a deployment failed, in words, from what was read of it: pure. */

/** Failure lines shown. */
const FAILURE_LINES = 3;

/** Why a deployment failed, for people: `reason` (mrkdwn) and the lines to post. */
export interface Failure {
  readonly reason: string;
  readonly lines: readonly string[];
}

export const stoppedByHand = (d: CodeDeployDeployment) => d.error?.code === 'MANUAL_STOP';

export function manualStop(d: CodeDeployDeployment): Failure {
  return {
    reason: 'stopped by someone in CodeDeploy',
    lines: [`:octagonal_sign: CodeDeploy deployment ${code(d.id)} was stopped by someone in CodeDeploy.`],
  };
}

/** The failing lifecycle event of one target, one line, cause first; undefined when none failed. */
export function failedEventLine(target: DeploymentTarget): string | undefined {
  const ev = target.lifecycleEvents.find((x) => x.status === 'Failed');
  if (!ev) return undefined;
  const diag = ev.diagnostics;
  const parts = [diag?.errorCode, diag?.message && short(diag.message)].filter(Boolean).join(': ');
  const script = diag?.scriptName && !diag.message?.includes(diag.scriptName) ? ` [${diag.scriptName}]` : '';
  const tail = logTail(diag?.logTail);
  return escapeMrkdwn(
    `${ev.name} failed on ${target.id}${parts ? `: ${parts}` : ''}${script}${tail ? ` (log: ${tail})` : ''}`,
  );
}

/** A failure from the deployment's error and its failing events; `unread`: why those could not be read. */
export function failure(d: CodeDeployDeployment, eventLines: readonly string[], unread?: string): Failure {
  const err = d.error;
  const summary = err
    ? escapeMrkdwn(short(`${err.code ?? 'error'}: ${err.message ?? ''}`))
    : escapeMrkdwn(short(d.statusMessages[0] ?? `ended ${d.status}`));
  const events = eventLines.slice(0, FAILURE_LINES);
  const first = events[0];
  return {
    reason: first ? `${first} — CodeDeploy: ${escapeMrkdwn(err?.code ?? d.status)}` : summary,
    lines: [
      `:x: CodeDeploy deployment ${code(d.id)} ${d.status === 'Stopped' ? 'stopped' : 'failed'}: ${summary}`,
      ...events.map((x) => `:x: ${x}`),
      ...(unread !== undefined
        ? [`:warning: Could not read the failing targets: ${escapeMrkdwn(unread)}`]
        : []),
    ],
  };
}

/** The failure already posted while waiting for a rollback, or undefined when it is still to be read. */
export const knownFailure = (track: Track): Failure | undefined =>
  track.reason !== undefined ? { reason: track.reason, lines: [] } : undefined;
