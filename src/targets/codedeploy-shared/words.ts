import type { CodeDeployGroupTarget } from '../../domain/catalog.js';
import type { Progress } from '../../domain/deployment.js';
import { isCapstanError } from '../../domain/errors.js';
import { errorMessage } from '../../lib/errors.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';
import type { CodeDeployDeployment } from '../../ports/codedeploy.js';
import type { Started } from '../strategy.js';
import type { Track } from './schemas.js';

const DESCRIPTION_MAX = 100;

export const code = (s: string) => `\`${escapeMrkdwn(s)}\``;

export function short(s: string, max = 300): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

export function logTail(tail: string | undefined): string {
  const lines = (tail ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3);
  const text = lines.join(' ⏎ ');
  return text.length > 300 ? `…${text.slice(-300)}` : text;
}

/** The description of Capstan's deployment: starts with the request id, so a truncated one still identifies it. */
export function description(requestId: string, actor: string, version: string): string {
  const full = `Capstan ${requestId} by ${actor}: ${version}`;
  return full.length > DESCRIPTION_MAX ? `${full.slice(0, DESCRIPTION_MAX - 1)}…` : full;
}

/** Who started a deployment, for people. */
export function whoStarted(d: CodeDeployDeployment): string {
  const by = d.description ? `"${short(d.description, 80)}"` : (d.creator ?? 'someone');
  return `CodeDeploy deployment ${d.id} (${d.status}, ${by})`;
}

export function progressOf(d: CodeDeployDeployment): Progress | undefined {
  const o = d.overview;
  const total = o.pending + o.inProgress + o.succeeded + o.failed + o.skipped + o.ready;
  return total > 0 ? { done: o.succeeded, total } : undefined;
}

export function counts(d: CodeDeployDeployment): string {
  const p = progressOf(d);
  return p ? ` (${p.done}/${p.total} targets done)` : '';
}

export function started(t: CodeDeployGroupTarget, track: Track, what: string): Started<Track> {
  return {
    data: track,
    lines: [
      `:rocket: CodeDeploy deployment ${code(track.deploymentId)} started: ${what} to group ${code(t.deploymentGroup)}.`,
    ],
  };
}

/** A change that took effect although CodeDeploy answered with an error: said first, then followed. */
export function afterError(s: Started<Track>, error: unknown): Started<Track> {
  if (error === undefined) return s;
  const said = isCapstanError(error) ? error.message : escapeMrkdwn(errorMessage(error));
  return {
    ...s,
    lines: [`:warning: AWS answered with an error (${said}), but the change took effect.`, ...s.lines],
  };
}
