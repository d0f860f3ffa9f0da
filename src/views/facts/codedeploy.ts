import type { CodeDeployFact, CodeDeployFactOf, ErrorSaid, Revision } from '../../domain/facts/codedeploy.js';
import { short } from '../../lib/text.js';
import { escape, slackDate } from '../message.js';
import { commonWords } from './common.js';
import type { Words } from './words.js';

const code = (s: string) => `\`${escape(s)}\``;
const whose = (rollback: boolean) => (rollback ? "CodeDeploy's rollback" : 'CodeDeploy deployment');
const counts = (p: { done: number; total: number } | undefined) =>
  p ? ` (${p.done}/${p.total} targets done)` : '';

function revisionWords(r: Revision): string {
  switch (r.kind) {
    case 's3':
      return escape(r.uri);
    case 'appspec':
      return 'an AppSpec';
    case 'other':
      return `a ${escape(r.type)} revision`;
    case 'none':
      return '(none)';
    case 'taskDefinition':
      return escape(r.name);
  }
}

/** What CodeDeploy said when a deployment ended, escaped. */
function summary(f: CodeDeployFactOf<'codedeploy.ended'>): string {
  const err = f.error;
  return escape(
    short(err ? `${err.code ?? 'error'}: ${err.message ?? ''}` : (f.statusMessage ?? `ended ${f.status}`)),
  );
}

/** The failing lifecycle event of a target, cause first, escaped. */
function eventWords(f: CodeDeployFactOf<'codedeploy.eventFailed'>): string {
  const parts = [f.errorCode, f.message && short(f.message)].filter(Boolean).join(': ');
  const script = f.scriptName && !f.message?.includes(f.scriptName) ? ` [${f.scriptName}]` : '';
  return escape(
    `${f.event} failed on ${f.target}${parts ? `: ${parts}` : ''}${script}${f.log ? ` (log: ${f.log})` : ''}`,
  );
}

/** An error inside a CodeDeploy fact: CodeDeploy's own, or any AWS refusal (worded as common facts are). */
function errorWords(e: ErrorSaid): string {
  switch (e.kind) {
    case 'codedeploy.concurrentRefused':
    case 'codedeploy.notWaiting':
    case 'codedeploy.error':
      return wordWith(codeDeployWords, e);
    default:
      return wordWith(commonWords, e);
  }
}

/** A fact worded by its area's words. */
function wordWith<F extends { readonly kind: string }>(words: Words<F>, f: F): string {
  // Each kind's function takes exactly its fact; TypeScript cannot follow that through an index.
  const word = words[f.kind as F['kind']] as (fact: F) => string;
  return word(f);
}

function who(b: CodeDeployFactOf<'codedeploy.groupBusy'>['busy']): string {
  if (!b.seen) return `CodeDeploy deployment ${b.deploymentId}`;
  const by = b.seen.description ? `"${short(b.seen.description, 80)}"` : (b.seen.creator ?? 'someone');
  return `CodeDeploy deployment ${b.deploymentId} (${b.seen.status}, ${by})`;
}

const deployedWords = (d: CodeDeployFactOf<'codedeploy.started'>['deployed']): string => {
  switch (d.kind) {
    case 'bundle':
      return code(d.uri);
    case 'blueGreen':
      return `${code(d.taskDefinition)} with ${code(d.image)} (blue/green on ECS service ${code(d.service)})`;
    case 'version':
      return code(d.version);
  }
};

export const codeDeployWords: Words<CodeDeployFact> = {
  'codedeploy.concurrentRefused': (f) =>
    `CodeDeploy refused a new deployment to group ${escape(f.group)} of ${escape(f.application)} (${escape(f.region)}): another deployment is in progress.`,
  'codedeploy.notWaiting': (f) =>
    `CodeDeploy deployment ${escape(f.deploymentId)} is no longer waiting to go on (${escape(f.region)}).`,
  'codedeploy.error': (f) => escape(f.message),

  'codedeploy.started': (f) =>
    `:rocket: CodeDeploy deployment ${code(f.deploymentId)} started: ${deployedWords(f.deployed)} to group ${code(f.group)}.`,
  'codedeploy.changedDespiteError': (f) =>
    `:warning: AWS answered with an error (${errorWords(f.error)}), but the change took effect.`,
  'codedeploy.status': (f) =>
    `:hourglass_flowing_sand: ${whose(f.rollback)} ${code(f.deploymentId)}: ${escape(f.status)}${counts(f.progress)}.`,
  'codedeploy.ready': (f) =>
    `:double_vertical_bar: ${whose(f.rollback)} ${code(f.deploymentId)} is ready: the new version runs beside the old one, which still gets the traffic. Continue reroutes it.${
      f.stopsAfterMinutes !== undefined
        ? ` CodeDeploy stops the deployment if traffic is not rerouted within ${f.stopsAfterMinutes} min${
            f.stopsBy !== undefined ? ` of becoming ready, by ${slackDate(f.stopsBy)} at the latest` : ''
          }.`
        : ''
    }`,
  'codedeploy.succeeded': (f) =>
    `:white_check_mark: ${whose(f.rollback)} ${code(f.deploymentId)} succeeded${counts(f.progress)}${
      f.runsAgain !== undefined ? `: the group runs ${code(f.runsAgain)} again` : ''
    }.`,
  'codedeploy.trafficRerouted': (f) =>
    `:white_check_mark: ${whose(f.rollback)} ${code(f.deploymentId)} rerouted all traffic to the new version; CodeDeploy keeps the original environment until its termination wait ends.`,
  'codedeploy.rerouting': (f) =>
    `:arrow_forward: CodeDeploy deployment ${code(f.deploymentId)} is rerouting traffic to the new version.`,
  'codedeploy.manualStop': (f) =>
    `:octagonal_sign: CodeDeploy deployment ${code(f.deploymentId)} was stopped by someone in CodeDeploy.`,
  'codedeploy.stoppedByHand': () => 'stopped by someone in CodeDeploy',
  'codedeploy.ended': (f) =>
    `:x: CodeDeploy deployment ${code(f.deploymentId)} ${f.status === 'Stopped' ? 'stopped' : 'failed'}: ${summary(f)}`,
  'codedeploy.eventFailed': (f) => `:x: ${eventWords(f)}`,
  'codedeploy.targetsUnread': (f) => `:warning: Could not read the failing targets: ${errorWords(f.error)}`,
  'codedeploy.failure': (f) =>
    f.event
      ? `${eventWords(f.event)} — CodeDeploy: ${escape(f.ended.error?.code ?? f.ended.status)}`
      : summary(f.ended),
  'codedeploy.alarmStopped': (f) =>
    `:rotating_light: ${
      f.alarms.length > 0 ? `Alarm ${f.alarms.map(code).join(', ')}` : 'An alarm of the deployment group'
    } went off: CodeDeploy stopped deployment ${code(f.deploymentId)}${
      f.message ? ` (${escape(short(f.message))})` : ''
    }`,
  'codedeploy.rollingBackItself': (f) =>
    `:rewind: CodeDeploy is rolling back by itself (deployment ${code(f.rollbackId)}). Capstan follows that rollback and does not start another.`,
  'codedeploy.rollbackNote': (f) => `:information_source: CodeDeploy says: ${escape(short(f.message))}`,
  'codedeploy.awaitingRollback': () =>
    ':hourglass_flowing_sand: Waiting for CodeDeploy to start its automatic rollback.',
  'codedeploy.rollbackNeverStarted': (f) =>
    `:warning: CodeDeploy's group is set to roll back by itself, but it did not start a rollback of ${code(f.deploymentId)}.`,
  'codedeploy.rollbackRolledBack': (f) =>
    `:information_source: CodeDeploy rolls this one back too (deployment ${code(f.rollbackId)}).`,

  'codedeploy.deploymentGone': (f) =>
    `CodeDeploy deployment ${escape(f.deploymentId)} no longer exists in ${escape(f.region)}`,
  'codedeploy.groupGone': (f) =>
    `CodeDeploy deployment group ${escape(f.group)} of application ${escape(f.application)} no longer exists in ${escape(f.region)}`,

  'codedeploy.groupNotFound': (f) =>
    `CodeDeploy deployment group ${escape(f.group)} of application ${escape(f.application)} was not found in ${escape(f.region)}.`,
  'codedeploy.wrongPlatform': (f) =>
    `CodeDeploy group ${escape(f.group)} deploys to ${escape(f.platform)}, but capstan.yml describes ${
      f.expected === 'ECS' ? 'an ECS service' : 'an S3 bundle for EC2/on-premises'
    }.`,
  'codedeploy.groupBusy': (f) =>
    `${escape(who(f.busy))} is already in progress in group ${escape(f.group)}.${
      f.terminationWait
        ? ' It is waiting to remove the original environment; end that wait in CodeDeploy or let it run out.'
        : ' Wait for it to end, or stop it in CodeDeploy.'
    }`,
  'codedeploy.startUnknown': (f) =>
    `CodeDeploy answered CreateDeployment for group ${escape(f.group)} with an error (${errorWords(f.error)}), and whether the deployment started could not be read (${errorWords(f.readError)}): look at the group in the CodeDeploy console before deploying again.`,
  'codedeploy.otherService': (f) =>
    `CodeDeploy group ${escape(f.group)} deploys ECS service ${escape(f.deploys.join(', '))}, not ${escape(`${f.cluster}/${f.service}`)} as capstan.yml says.`,
  'codedeploy.serviceNotFound': (f) =>
    `ECS service ${escape(f.service)} was not found in cluster ${escape(f.cluster)} (${escape(f.region)}).`,
  'codedeploy.noTaskDefinition': (f) =>
    `ECS service ${escape(f.service)} names no task definition to start from.`,
  'codedeploy.serviceChanged': (f) =>
    `ECS service ${escape(f.service)} changed since this was reviewed: it now runs ${escape(f.runs)}, not ${escape(f.reviewed)}. Request the deploy again.`,
  'codedeploy.containerMissing': (f) =>
    `Task definition ${escape(f.taskDefinition)} has no container "${escape(f.container)}" (it has ${f.available.map(escape).join(', ')}); fix \`container\` in capstan.yml.`,
  'codedeploy.notABundleName': (f) => `${code(f.version)} cannot name a bundle in S3.`,
  'codedeploy.bundleMissing': (f) =>
    `There is no bundle for ${code(f.version)} at ${escape(f.uri)} (${escape(f.region)}): upload it first.`,
  'codedeploy.bundleGone': (f) => `The bundle ${escape(f.uri)} is gone since it was reviewed.`,
  'codedeploy.bundleReplaced': (f) =>
    `The bundle ${escape(f.uri)} was replaced since it was reviewed. Request the deploy again.`,
  'codedeploy.groupChanged': (f) =>
    `CodeDeploy group ${escape(f.group)} changed since this was reviewed: it now deploys ${revisionWords(f.deploys)}. Request the deploy again.`,

  'codedeploy.lastDeployment': (f) => `last deployment ${escape(f.deploymentId)} ${escape(f.status)}`,
  'codedeploy.noDeployments': () => 'no deployments yet',
  'codedeploy.lastSuccess': (f) => `last success ${escape(f.deploymentId)}`,
  'codedeploy.revision': (f) => `revision ${revisionWords(f.revision)}`,
  'codedeploy.autoRollback': (f) =>
    f.enabled
      ? `CodeDeploy rolls back on ${escape(f.events.join(', ')) || 'nothing'}`
      : 'no automatic rollback in CodeDeploy',
};
