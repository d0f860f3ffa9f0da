import type { RolloutPause, RolloutStage } from '../../domain/deployment.js';
import type { EcsProgressiveFact } from '../../domain/facts/ecsProgressive.js';
import { escape, slackDate } from '../message.js';
import type { Words } from './words.js';

/** ECS's lifecycle stages, for people; a stage ECS adds later is shown as ECS names it. */
const STAGES: Record<string, string> = {
  RECONCILE_SERVICE: 'reconciling the service',
  PRE_SCALE_UP: 'about to scale up the new revision',
  SCALE_UP: 'scaling up the new revision',
  POST_SCALE_UP: 'new revision scaled up',
  TEST_TRAFFIC_SHIFT: 'shifting test traffic',
  POST_TEST_TRAFFIC_SHIFT: 'test traffic on the new revision',
  PRE_PRODUCTION_TRAFFIC_SHIFT: 'about to shift production traffic',
  PRODUCTION_TRAFFIC_SHIFT: 'shifting production traffic',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'production traffic on the new revision',
  BAKE_TIME: 'baking with both revisions up',
  CLEAN_UP: 'cleaning up the old revision',
};

export const stageName = (stage: string): string => STAGES[stage] ?? escape(stage);

/** Where a progressive ECS rollout is: the stage, the share of traffic shifted, a bake's end. */
export function stageWords(s: RolloutStage): string {
  const parts = [stageName(s.stage)];
  if (s.productionPercent !== undefined && /PRODUCTION|BAKE/.test(s.stage))
    parts.push(`${s.productionPercent}% of production traffic`);
  else if (s.testPercent !== undefined && /TEST/.test(s.stage))
    parts.push(`${s.testPercent}% of test traffic`);
  if (s.until !== undefined) parts.push(`until ${slackDate(s.until)}`);
  return parts.join(', ');
}

/** What ECS does when nobody decides at a pause, and when. */
export function timeoutWords(p: Pick<RolloutPause, 'timeoutAction' | 'expiresAt'>): string {
  const action = p.timeoutAction === 'CONTINUE' ? 'continues' : 'rolls back';
  return p.expiresAt !== undefined
    ? `ECS ${action} by itself at ${slackDate(p.expiresAt)}`
    : `ECS ${action} by itself when the hook times out`;
}

export const ecsProgressiveWords: Words<EcsProgressiveFact> = {
  'ecs.serviceDeploymentStarted': (f) =>
    `Registered \`${escape(f.taskDefinitionArn.split('/').pop() ?? f.taskDefinitionArn)}\` with \`${escape(f.image.split('/').pop() ?? f.image)}\`; ECS ${escape(f.strategy)} deployment ${f.arn ? `\`${escape(f.arn.split('/').pop() ?? f.arn)}\` ` : ''}started on service \`${escape(f.service)}\`.`,
  'ecs.stageReached': (f) => `:arrow_right: ${stageWords(f)}`,
  'ecs.hookAwaiting': (f) =>
    `:double_vertical_bar: Paused at ${stageName(f.stage)}: waiting for Continue or Roll back; ${timeoutWords(f)}.`,
  'ecs.hookEnded': (f) =>
    f.status === 'TIMED_OUT'
      ? `:hourglass: Nobody decided at ${stageName(f.stage)} in time: ECS ${f.timeoutAction === 'CONTINUE' ? 'continued' : 'rolled back'} by itself.`
      : `The pause at ${stageName(f.stage)} was decided outside Slack (${escape(f.status)}).`,
  'ecs.hookDecided': (f) =>
    f.action === 'continue'
      ? `:arrow_forward: <@${f.by}> let it go on${f.stage ? ` from ${stageName(f.stage)}` : ''}.`
      : `:rewind: <@${f.by}> rolled it back through ECS${f.stage ? ` at ${stageName(f.stage)}` : ''}.`,
  'ecs.serviceDeploymentFailed': (f) => {
    const alarms = f.alarms ?? [];
    const first =
      alarms.length > 0
        ? `:rotating_light: Alarm${alarms.length > 1 ? 's' : ''} ${alarms.map((a) => `\`${escape(a)}\``).join(', ')} went off: `
        : '';
    return first + ecsFailed(f);
  },
  'ecs.serviceDeploymentGone': (f) => `ECS no longer knows service deployment ${escape(f.arn)}`,
  'ecs.nothingToRollBack': (f) =>
    `There is no ECS deployment in flight to roll back${f.status ? ` (it is ${escape(f.status)})` : ''}.`,
};

function ecsFailed(f: Extract<EcsProgressiveFact, { kind: 'ecs.serviceDeploymentFailed' }>): string {
  const why = [f.rollbackReason, f.reason].filter((r): r is string => r !== undefined && r !== '');
  const said = why.length > 0 ? `: ${escape(why.join('; '))}` : '';
  switch (f.status) {
    case 'ROLLBACK_SUCCESSFUL':
      return `ECS rolled the deployment back${said}`;
    case 'ROLLBACK_FAILED':
      return `ECS could not roll the deployment back${said}`;
    case 'STOPPED':
      return `The ECS deployment was stopped${said}`;
    default:
      return `ECS is rolling the deployment back${said}`;
  }
}
