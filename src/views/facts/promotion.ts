import type { PromotionFact } from '../../domain/facts/promotion.js';
import { shortDigest } from '../../domain/version.js';
import { ago, escape, slackDate } from '../message.js';
import { describePrincipals } from '../principals.js';
import type { Words } from './words.js';

const place = (f: { readonly app: string; readonly env: string }) => `*${escape(f.app)}/${escape(f.env)}*`;
const code = (s: string) => `\`${escape(s)}\``;
const image = (f: { readonly version: string; readonly digest: string }) =>
  `${code(f.version)} (${escape(shortDigest(f.digest))})`;
const promote = (f: { readonly app: string; readonly env: string }) =>
  code(`/deploy promote ${f.app} to ${f.env}`);
const OVERRIDE = 'An admin can go now with --override "reason".';
/** A soak as people say it: `1h`, `5m`, `1h 30m`. */
const soak = (ms: number) => ago(ms).replace(/ 0[ms]$/, '');

type Refusal = Extract<
  PromotionFact,
  { kind: 'promotion.notVerified' | 'promotion.soaking' | 'promotion.rolledBackInSource' }
>;

/** What `/deploy promote` would do instead, said only when it works now or says when it will. */
function instead(f: Refusal): string {
  const runs = f.sourceRuns;
  if (!runs || runs.digest === f.digest) return '';
  const what = `what *${escape(f.from)}* runs, ${image(runs)}`;
  return runs.allowedAt === undefined
    ? ` Works now: ${promote(f)}, for ${what}, verified there.`
    : ` ${promote(f)} works after ${slackDate(runs.allowedAt)}, for ${what}, once it has soaked.`;
}

/** The command that was refused, to run again once the image has soaked. */
const again = (f: Extract<PromotionFact, { kind: 'promotion.soaking' }>) =>
  f.via === 'promote'
    ? `${promote(f)} works after ${slackDate(f.allowedAt)}, while *${escape(f.from)}* still runs it.`
    : `${code(`/deploy ${f.app} ${f.version} to ${f.env}`)} works after ${slackDate(f.allowedAt)}.`;

/** Why the gate held an image an admin sent past it, for the deploy's message, its thread and the history. */
export function gateRefusalWords(refused: 'notVerified' | 'soaking' | 'rolledBack', from: string): string {
  const words = { notVerified: 'not verified', soaking: 'still soaking', rolledBack: 'rolled back' };
  return `${words[refused]} in ${escape(from)}`;
}

export const promotionWords: Words<PromotionFact> = {
  'promotion.notVerified': (f) =>
    `:no_entry: ${place(f)} takes only images verified in *${escape(f.from)}*${f.soakMs > 0 ? ` at least ${soak(f.soakMs)} before` : ''}, and ${image(f)} was not verified there. ` +
    `Deploy it there first: ${code(`/deploy ${f.app} ${f.version} to ${f.from}`)}.${instead(f)} ${OVERRIDE}`,
  'promotion.soaking': (f) =>
    `:hourglass: ${image(f)} was verified in *${escape(f.from)}* ${slackDate(f.verifiedAt)} and must soak there for ${soak(f.soakMs)}, until ${slackDate(f.allowedAt)}, before it goes to ${place(f)}. ` +
    `${again(f)}${instead(f)} ${OVERRIDE}`,
  'promotion.rolledBackInSource': (f) =>
    `:no_entry: ${image(f)} was verified in *${escape(f.from)}* ${slackDate(f.verifiedAt)}, but ${f.how === 'rollback' ? `*${escape(f.from)}* was rolled back from it` : 'it failed there'} ${slackDate(f.at)}, so it does not go to ${place(f)}. ` +
    `Deploy a fixed image to *${escape(f.from)}* first.${instead(f)} ${OVERRIDE}`,
  'promotion.digestMissing': (f) =>
    `:no_entry: ECR repository *${escape(f.repository)}* (${escape(f.region)}) holds no image ${escape(shortDigest(f.digest))}, the one verified as ${code(f.version)}: nothing was changed. ` +
    'Replicate or push that exact image there (same digest, any tag), then promote again.',
  'promotion.untagged': (f) =>
    `:no_entry: Stack *${escape(f.stack)}* takes a tag in ${code(f.parameter)}, and no tag names ${escape(shortDigest(f.digest))} (verified as ${code(f.version)}) in ECR repository *${escape(f.repository)}*: nothing was changed. ` +
    `Tag that image there (for example push it as ${code(f.version)}), then promote again.`,
  'promotion.overrideForbidden': (f) =>
    `Only an admin can deploy past the promotion gate. Admins: ${describePrincipals(f.admins)}.`,
  'promotion.noSource': (f) =>
    `${place(f)} has no \`promotion.from\`: say where from, e.g. ${code(`/deploy promote ${f.app} from <env> to ${f.env}`)}.`,
  'promotion.noImage': (f) =>
    `:no_entry: *${escape(f.app)}/${escape(f.bundleEnv)}* deploys a CodeDeploy revision (an S3 bundle), which has no image digest to promote ${f.end === 'from' ? 'from' : 'to'}: promotion takes an image, verified in one environment, to another that runs images.`,
  'promotion.nothingVerified': (f) =>
    f.last
      ? `:no_entry: *${escape(f.app)}/${escape(f.from)}* runs nothing verified to promote: what runs there, ${code(f.last.version)}, ended ${escape(f.last.state.replace(/_/g, ' '))}. Deploy a good version there first.`
      : `:no_entry: *${escape(f.app)}/${escape(f.from)}* has no deploy to promote yet.`,
  'promotion.digestMoved': (f) =>
    `:no_entry: Tag ${code(f.version)} names ${escape(shortDigest(f.found))} in the repository of ${place(f)}, not the verified ${escape(shortDigest(f.expected))}: nothing was changed. Push that exact image there (same digest) and promote again.`,
  'promotion.overridden': (f) =>
    `:warning: <@${f.by}> deployed past the promotion gate (${gateRefusalWords(f.refused, f.from)}): ${escape(f.reason)}`,
};
