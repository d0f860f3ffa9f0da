import type { AwsRefusal, CommonFact } from '../../domain/facts/common.js';
import { describePrincipals } from '../principals.js';
import { shortDigest } from '../../domain/version.js';
import { lockRefusedText } from '../lock.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

const at = (f: { readonly resource: string; readonly region: string }) =>
  `${escape(f.resource)} (${escape(f.region)})`;
const place = (f: { readonly app: string; readonly env: string }) => `${escape(f.app)}/${escape(f.env)}`;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** AWS's own words, shortened: a "not found" names the resource first. */
const detail = (m: string | undefined) =>
  m ? ` (${escape(m.length > 160 ? `${m.slice(0, 160)}…` : m)})` : '';

export const commonWords: Words<CommonFact> = {
  'store.tableNotActive': (f) =>
    `DynamoDB table ${escape(f.table)} was not ACTIVE after ${f.seconds} s; try again, or create it beforehand (deploy/capstan.yaml does).`,
  'store.alreadyRecorded': (f) =>
    `${f.what === 'deployment' ? 'Deployment' : 'Pipeline approval'} ${escape(f.id)} is already recorded${f.what === 'deployment' ? ' elsewhere' : ''}.`,
  'record.unreadable': (f) =>
    `Capstan cannot read what it recorded for ${escape(f.id)} (${escape(f.what)}): ${escape(f.problem)}`,
  'aws.callFailed': (f) =>
    `:warning: Could not read ${escape(f.what)}${f.action ? ` (${escape(f.action)})` : ''}: ${
      typeof f.error === 'string' ? escape(f.error) : sayAwsRefusal(f.error)
    }`,
  'aws.noCredentials': (f) => `No AWS credentials to read ${at(f)}: give Capstan a role or set AWS_PROFILE.`,
  'aws.expired': (f) =>
    f.what === 'session'
      ? `The AWS credentials Capstan used for ${at(f)} have expired (${escape(f.code)}): renew the session or the role Capstan runs with; no IAM permission is missing.`
      : `AWS refused a request to ${at(f)} as expired (${escape(f.code)}): the clock of the machine Capstan runs on is probably off.`,
  'aws.unknownKey': (f) =>
    `AWS does not recognize the credentials Capstan used for ${at(f)} (${escape(f.code)}): the access key is wrong or was deleted.`,
  'aws.accessDenied': (f) =>
    `AWS denied ${escape(f.action)} on ${at(f)}: allow ${escape(f.action)} in Capstan's IAM policy.`,
  'aws.throttled': (f) => `AWS is throttling ${escape(f.action)} on ${at(f)}; try again in a minute.`,
  'aws.notFound': (f) =>
    `${capitalize(escape(f.resource))} was not found in ${escape(f.region)}${detail(f.message)}.`,
  'aws.failed': (f) => `${escape(f.action)} on ${at(f)} failed: ${escape(f.message)}`,
  'aws.assumeRoleDenied': (f) =>
    `Capstan could not assume ${escape(f.roleArn)} for ${escape(f.user)}: the role's trust policy must allow Capstan sts:AssumeRole and sts:SetSourceIdentity (${escape(f.message)}).`,
  'env.notConfigured': (f) =>
    `${place(f)} is not configured.${f.closest === undefined ? '' : ` Did you mean ${escape(f.closest)}?`}`,
  'access.notDeployer': (f) =>
    `You may not deploy ${escape(f.app)} to ${escape(f.env)}. Deployers there: ${describePrincipals(f.deployers)}.`,
  'request.inFlight': (f) =>
    f.other
      ? `${place(f)} already has a ${f.other.kind} of \`${escape(f.other.version)}\` in flight (by <@${f.other.by}>, \`${escape(f.other.id)}\`). Wait for it to finish.`
      : `${place(f)} already has a deploy in flight.`,
  'lock.locked': (f) => lockRefusedText(f, f.refused),
  'lock.taken': (f) => `${place(f)} is already locked.`,
  'lock.notLocked': (f) => `${place(f)} is not locked.`,
  'lock.notOwner': (f) => `Only <@${f.owner}> (who locked it) or a Capstan admin can unlock ${place(f)}.`,
  'freeze.frozen': (f) =>
    f.when === 'request'
      ? `${place(f)} is frozen (${escape(f.freeze)}). Deploys and releases wait until it ends; rollbacks are still allowed. An admin can add --override "reason" to the command.`
      : `${place(f)} is frozen (${escape(f.freeze)}); nothing was changed. Request it again after the freeze, or an admin can override with --override "reason".`,
  'freeze.overrideForbidden': (f) =>
    `Only an admin can override the freeze (${escape(f.freeze)}). Admins: ${describePrincipals(f.admins)}.`,
  'approval.ownRequest': () => 'You asked for this change, so someone else has to approve it.',
  'approval.notApprover': (f) =>
    `You are not an approver here. Approvers: ${describePrincipals(f.approvers)}.`,
  'approval.already': () => 'You already approved this; it needs another approver.',
  'approval.wouldNotCount': (f) =>
    `Your approval would not count: the rules you can meet already have their approvals. Still needed: ${
      f.needed.length
        ? f.needed.map((n) => `${n.count} from ${describePrincipals(n.from)}`).join(', ')
        : 'nothing'
    }.`,
  'rollback.noGoodVersion': (f) =>
    `Capstan has no earlier good version of ${escape(f.app)} in ${escape(f.env)}. Name one: \`/deploy rollback ${escape(f.app)} ${escape(f.env)} to &lt;version&gt;\`.`,
  'rollback.alreadyRuns': (f) => `${place(f)} already runs \`${escape(f.version)}\`.`,
  'release.tagMoved': (f) =>
    `Tag \`${escape(f.version)}\` now points to ${shortDigest(f.digest)}, not the reviewed ${shortDigest(f.reviewedDigest)}, so nothing was changed. Prepare a fresh review to see what it would change now.`,
  'release.locked': (f) =>
    `${place(f)} is locked${f.reason ? ` (“${escape(f.reason)}”)` : ''}; nothing was changed. Request it again once it is unlocked.`,
  'release.nothingToChange': (f) => `Nothing to change: ${place(f)} already runs \`${escape(f.version)}\`.`,
  'release.expired': () => 'Nobody approved it in time; request it again.',
  'pipeline.approvalGone': () => 'This approval was already decided or has expired.',
};

/** An AWS refusal nested in another fact, worded as on its own. */
function sayAwsRefusal(r: AwsRefusal): string {
  const word = commonWords[r.kind] as (f: AwsRefusal) => string;
  return word(r);
}
