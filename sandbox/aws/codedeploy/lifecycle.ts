import { createHash } from 'node:crypto';
import { ACCOUNT, REGION } from '../ecs.js';
import {
  type Deployment,
  type Group,
  HOOK_FUNCTION,
  INSTANCES,
  type Revision,
  STEPS,
  type Target,
} from './model.js';

/** How a deployment runs: one step per tick, through its targets' lifecycle events, to its end. */

/** What the end of a deployment changes beyond it. */
export interface Ending {
  /** A deployment succeeded: its revision goes live (an ECS task set is replaced). */
  readonly succeeded: (d: Deployment) => void;
  /** CodeDeploy's rollback of a failed or stopped deployment: a new deployment of the last good revision. */
  readonly rollBack: (d: Deployment) => void;
}

function diagnosticsFor(platform: Group['platform'], why: string) {
  if (platform === 'Server')
    return {
      errorCode: 'ScriptFailed',
      scriptName: 'scripts/start_server.sh',
      message:
        'Script at specified location: scripts/start_server.sh run as user root failed with exit code 1',
      logTail: `[stdout]Starting todobackend\n[stderr]${why}\n`,
    };
  return {
    errorCode: 'ScriptFailed',
    scriptName: HOOK_FUNCTION,
    message: `The lifecycle hook ${HOOK_FUNCTION} returned Failed.`,
    logTail: `smoke test failed: ${why}`,
  };
}

/** The `seq`-th deployment of `revision` to `g`, created now with every lifecycle event pending. */
export function newDeployment(
  seq: number,
  g: Group,
  revision: Revision,
  o: Pick<Deployment, 'creator' | 'description' | 'autoRollback' | 'failure'>,
): Deployment {
  const now = new Date();
  const targets: Target[] = (g.platform === 'Server' ? INSTANCES : ['todobackend-bg:todobackend-bg']).map(
    (id) => ({
      id,
      arn:
        g.platform === 'Server'
          ? `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`
          : `arn:aws:ecs:${REGION}:${ACCOUNT}:service/todobackend-bg/todobackend-bg`,
      status: 'Pending',
      updated: now,
      events: STEPS[g.platform]
        .flatMap((s) => (s === 'READY' ? [] : s))
        .map((name) => ({ name, status: 'Pending' })),
      step: 0,
    }),
  );
  return {
    ...o,
    id: `d-${createHash('sha1').update(`deployment-${seq}`).digest('hex').slice(0, 9).toUpperCase()}`,
    group: g,
    revision,
    previousRevision: g.current,
    created: now,
    targets,
    status: 'Created',
    trafficShifted: false,
  };
}

/** Runs the next step of the first target not done; the deployment ends when none is left. */
export function advance(d: Deployment, ending: Ending): void {
  const t = d.targets.find((x) => x.status === 'Pending' || x.status === 'InProgress');
  if (!t) return finish(d, 'Succeeded', ending);
  const steps = STEPS[d.group.platform];
  let step = steps[t.step];
  if (step === 'READY') {
    t.step += 1;
    if (d.group.waitsForReady && d.creator === 'user') {
      t.status = 'Ready';
      d.status = 'Ready';
      return;
    }
    step = steps[t.step];
  }
  const now = new Date();
  t.status = 'InProgress';
  t.updated = now;
  for (const name of step === 'READY' ? [] : (step ?? [])) {
    const e = t.events.find((x) => x.name === name)!;
    e.start = now;
    e.end = now;
    if (d.failure?.event === name) {
      e.status = 'Failed';
      e.diagnostics = diagnosticsFor(d.group.platform, d.failure.why);
      for (const rest of t.events) if (rest.status === 'Pending') rest.status = 'Skipped';
      t.status = 'Failed';
      return fail(d, ending);
    }
    e.status = 'Succeeded';
    if (name === 'AllowTraffic') d.trafficShifted = true;
  }
  t.step += 1;
  if (t.step >= steps.length) t.status = 'Succeeded';
}

export function finish(d: Deployment, status: 'Succeeded' | 'Failed' | 'Stopped', ending: Ending): void {
  d.status = status;
  d.completed = new Date();
  for (const t of d.targets) {
    if (t.status === 'Pending' || t.status === 'InProgress' || t.status === 'Ready') t.status = 'Skipped';
    for (const e of t.events) if (e.status === 'Pending' || e.status === 'InProgress') e.status = 'Skipped';
  }
  if (status !== 'Succeeded') return;
  d.group.current = d.revision;
  ending.succeeded(d);
}

function fail(d: Deployment, ending: Ending): void {
  d.error =
    d.group.platform === 'Server'
      ? {
          code: 'HEALTH_CONSTRAINTS',
          message:
            'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.',
        }
      : {
          code: 'HOOK_EXECUTION_FAILURE',
          message: `The deployment failed because a lifecycle event hook failed: ${d.failure?.event} (${HOOK_FUNCTION}) returned Failed.`,
        };
  finish(d, 'Failed', ending);
  if (d.autoRollback.enabled && d.autoRollback.events?.includes('DEPLOYMENT_FAILURE')) ending.rollBack(d);
}
