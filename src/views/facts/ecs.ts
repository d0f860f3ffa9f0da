import type { EcsAlarmsWentOff, EcsFact, EcsFailure, StopCause } from '../../domain/facts/ecs.js';
import { escape } from '../message.js';
import { ecsProgressiveWords } from './ecsProgressive.js';
import type { Words } from './words.js';

/** `family:revision`, the last part of a task definition ARN. */
function revision(taskDefinitionArn: string): string {
  return escape(taskDefinitionArn.split('/').pop() ?? taskDefinitionArn);
}

/** What a text says without its closing punctuation, so a sentence built on it does not end twice. */
function bare(text: string): string {
  return text.replace(/[.;\s]+$/, '');
}

const same = (text: string): string => text;

/** ECS's stoppedReason, and in brackets what containers add: `app: exit code 1`. */
function stopCauseWords(c: StopCause): string {
  const containers = (c.containers ?? []).map(
    (x) => `${escape(x.name)}: ${x.reason !== undefined ? escape(x.reason) : `exit code ${x.exitCode}`}`,
  );
  const stopped = escape(c.reason ?? 'no reason given');
  return containers.length > 0 ? `${stopped} (${containers.join('; ')})` : stopped;
}

/** The cause, then Capstan's judgement after it. */
function after(cause: StopCause | undefined, judgement: string): string {
  return cause ? `${stopCauseWords(cause)}: ${judgement}` : judgement;
}

/** The service's own alarms that failed the rollout; `start`: they begin the sentence. */
function alarmsWords(a: EcsAlarmsWentOff, start: boolean): string {
  const names = a.names.map((n) => `\`${escape(n)}\``).join(', ');
  if (!a.named) return `${start ? 'One' : 'one'} of the service's alarms (${names}) went off`;
  return `${start ? 'Alarm' : 'alarm'}${a.names.length > 1 ? 's' : ''} ${names} went off`;
}

/**
 * ECS's account of a failure, the alarms that failed it first; `tail` shapes the outside text it
 * ends with (before escaping). `alone`: it is the cause people read first, not said within a line.
 */
function failureWords(f: EcsFailure, tail: (text: string) => string = same, alone = true): string {
  const said = accountWords(f, tail);
  if (!f.alarms) return said;
  return alone
    ? `:rotating_light: ${alarmsWords(f.alarms, true)}: ${said}`
    : `${alarmsWords(f.alarms, false)}: ${said}`;
}

/** What ECS said of the failure. */
function accountWords(f: EcsFailure, tail: (text: string) => string): string {
  if (f.kind === 'ecs.rolloutFailed') return escape(tail(f.reason ?? 'ECS marked the rollout FAILED'));
  const runsNow = f.runsNow ? `; the service now runs ${revision(f.runsNow)}` : '';
  // The text ends with the revision when it names one, otherwise with the id or ECS's event.
  const end = runsNow ? same : tail;
  if (f.event === undefined) return `ECS replaced deployment ${escape(end(f.deploymentId))}${runsNow}`;
  // The event names the service the thread is about already.
  const event = f.event.replace(/^\(service [^)]+\) /, '');
  return `ECS rolled back deployment ${escape(f.deploymentId)}: ${escape(end(event))}${runsNow}`;
}

export const ecsWords: Words<EcsFact> = {
  'ecr.imageNotFound': (f) =>
    `There is no image tagged \`${escape(f.tag)}\` in ECR repository ${escape(f.repository)} (${escape(f.region)}).` +
    (f.recent.length > 0
      ? ` Most recently pushed: ${f.recent.map((t) => `\`${escape(t)}\``).join(', ')}.`
      : ' The repository has no tagged images.'),
  'ecs.taskStopped': (f) => `:x: Task \`${escape(f.id)}\` stopped: ${stopCauseWords(f)}`,
  'ecs.taskStopCause': (f) => stopCauseWords(f),
  'ecs.serviceNotFound': (f) =>
    `ECS service ${escape(f.service)} was not found in cluster ${escape(f.cluster)} (${escape(f.region)}).`,
  'ecs.serviceNotActive': (f) => `ECS service ${escape(f.service)} is ${escape(f.status)}, not ACTIVE.`,
  'ecs.clusterNotActive': (f) =>
    `ECS cluster ${escape(f.cluster)} (${escape(f.region)}) is ${escape(f.status ?? 'missing')}, not ACTIVE.`,
  'ecs.serviceBusy': (f) =>
    `ECS service ${escape(f.service)} is already rolling out ${escape(f.deploymentId)}; wait until it finishes.`,
  'ecs.serviceChanged': (f) =>
    `ECS service ${escape(f.service)} changed since this was reviewed: it now runs ${revision(f.runsNow)}, not ${revision(f.reviewed)}. Request the deploy again.`,
  'ecs.containerNotFound': (f) =>
    `Task definition ${escape(f.taskDefinition)} has no container "${escape(f.container)}" (it has ${f.available.map(escape).join(', ')}); fix \`container\` in capstan.yml.`,
  'ecs.describeFailed': (f) =>
    f.reason === undefined
      ? `ecs:DescribeServices in ECS cluster ${escape(f.cluster)} (${escape(f.region)}) answered nothing about service ${escape(f.service)}`
      : `ECS could not describe service ${escape(f.service)} in cluster ${escape(f.cluster)} (${escape(f.region)}): ${escape(f.reason)}`,
  'ecs.deploymentStarted': (f) =>
    `Registered \`${revision(f.taskDefinitionArn)}\` with \`${escape(f.image.split('/').pop() ?? f.image)}\`; ECS deployment \`${escape(f.deploymentId)}\` started on service \`${escape(f.service)}\`.`,
  'ecs.serviceEvent': (f) => `:information_source: ${escape(f.message)}`,
  'ecs.taskCount': (f) =>
    `tasks ${f.running}/${f.desired} running${f.pending ? `, ${f.pending} pending` : ''}`,
  'ecs.serviceGone': (f) =>
    `ECS service ${escape(f.service)} in cluster ${escape(f.cluster)} (${escape(f.region)}) ${f.status ? `is ${escape(f.status)}` : 'no longer exists'}`,
  'ecs.clusterGone': (f) => `ECS cluster ${escape(f.cluster)} (${escape(f.region)}) no longer exists`,
  'ecs.rolloutFailed': (f) => failureWords(f),
  'ecs.deploymentReplaced': (f) => failureWords(f),
  'ecs.tasksKeepStopping': (f) =>
    after(f.cause, `tasks of the new revision keep stopping (${f.failedTasks} in a row)`),
  'ecs.tasksKeepExiting': (f) =>
    after(f.cause, `containers of the new revision keep exiting (${f.crashes} tasks stopped)`),
  'ecs.gaveUp': (f) => `:octagonal_sign: ${failureWords(f.failure, bare, false)}.`,
  'ecs.rollingBack': (f) =>
    `:rewind: ECS is rolling back by itself (${failureWords(f.failure, bare, false)}). Capstan follows that rollback and does not start another.`,
  ...ecsProgressiveWords,
};
