import type { PromotionFact } from '../../domain/facts/promotion.js';
import { shortDigest } from '../../domain/version.js';
import { escape, slackDate } from '../message.js';
import { describePrincipals } from '../principals.js';
import type { Words } from './words.js';

const place = (f: { readonly app: string; readonly env: string }) => `*${escape(f.app)}/${escape(f.env)}*`;
const code = (s: string) => `\`${escape(s)}\``;
const image = (f: { readonly version: string; readonly digest: string }) =>
  `${code(f.version)} (${escape(shortDigest(f.digest))})`;
const promote = (f: { readonly app: string; readonly env: string }) =>
  code(`/deploy promote ${f.app} to ${f.env}`);
const OVERRIDE = 'An admin can go now with --override "reason".';

export const promotionWords: Words<PromotionFact> = {
  'promotion.notVerified': (f) =>
    `:no_entry: ${place(f)} takes only images verified in *${escape(f.from)}*, and ${image(f)} was not verified there. ` +
    `Works now: ${code(`/deploy ${f.app} ${f.version} to ${f.from}`)} first, or ${promote(f)} for what *${escape(f.from)}* runs verified. ${OVERRIDE}`,
  'promotion.soaking': (f) =>
    `:hourglass: ${image(f)} was verified in *${escape(f.from)}* ${slackDate(f.verifiedAt)} and must soak there until ${slackDate(f.allowedAt)} before it goes to ${place(f)}. ` +
    `Then run ${promote(f)}. ${OVERRIDE}`,
  'promotion.overrideForbidden': (f) =>
    `Only an admin can deploy past the promotion gate. Admins: ${describePrincipals(f.admins)}.`,
  'promotion.noSource': (f) =>
    `${place(f)} has no \`promotion.from\`: say where from, e.g. ${code(`/deploy promote ${f.app} from <env> to ${f.env}`)}.`,
  'promotion.nothingVerified': (f) =>
    f.last
      ? `:no_entry: *${escape(f.app)}/${escape(f.from)}* runs nothing verified to promote: its last deploy, ${code(f.last.version)}, ended ${escape(f.last.state.replace(/_/g, ' '))}. Deploy a good version there first.`
      : `:no_entry: *${escape(f.app)}/${escape(f.from)}* has no deploy to promote yet.`,
  'promotion.digestMoved': (f) =>
    `:no_entry: Tag ${code(f.version)} names ${escape(shortDigest(f.found))} in the repository of ${place(f)}, not the verified ${escape(shortDigest(f.expected))}: nothing was changed. Push that exact image there (same digest) and promote again.`,
  'promotion.overridden': (f) =>
    `:warning: <@${f.by}> deployed past the promotion gate (${f.refused === 'soaking' ? `still soaking in ${escape(f.from)}` : `not verified in ${escape(f.from)}`}): ${escape(f.reason)}`,
};
