import type { CodeDeployGroupTarget } from '../../domain/catalog.js';
import type { Progress } from '../../domain/deployment.js';
import type { CodeDeployFactOf } from '../../domain/facts/codedeploy.js';
import type { CodeDeployDeployment } from '../../ports/codedeploy.js';
import type { Started } from '../strategy.js';
import { errorOf } from './errors.js';
import type { Track } from './schemas.js';
import { short } from '../../lib/text.js';

const DESCRIPTION_MAX = 100;

/** The description of Capstan's deployment: starts with the request id, so a truncated one still identifies it. */
export function description(requestId: string, actor: string, version: string): string {
  const full = `Capstan ${requestId} by ${actor}: ${version}`;
  return full.length > DESCRIPTION_MAX ? `${full.slice(0, DESCRIPTION_MAX - 1)}…` : full;
}

/** Who started a deployment, as plain text: what a superseded rollout was replaced `by`. */
export function whoStarted(d: CodeDeployDeployment): string {
  const by = d.description ? `"${short(d.description, 80)}"` : (d.creator ?? 'someone');
  return `CodeDeploy deployment ${d.id} (${d.status}, ${by})`;
}

export function progressOf(d: CodeDeployDeployment): Progress | undefined {
  const o = d.overview;
  const total = o.pending + o.inProgress + o.succeeded + o.failed + o.skipped + o.ready;
  return total > 0 ? { done: o.succeeded, total } : undefined;
}

type Deployed = CodeDeployFactOf<'codedeploy.started'>['deployed'];

export function started(t: CodeDeployGroupTarget, track: Track, deployed: Deployed): Started<Track> {
  return {
    data: track,
    lines: [
      { kind: 'codedeploy.started', deploymentId: track.deploymentId, group: t.deploymentGroup, deployed },
    ],
  };
}

/** A change that took effect although CodeDeploy answered with an error: said first, then followed. */
export function afterError(s: Started<Track>, error: unknown): Started<Track> {
  if (error === undefined) return s;
  return { ...s, lines: [{ kind: 'codedeploy.changedDespiteError', error: errorOf(error) }, ...s.lines] };
}
