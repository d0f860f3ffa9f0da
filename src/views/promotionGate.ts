import type { KnownBlock } from '@slack/types';
import type { Deployment } from '../domain/deployment.js';
import { gateRefusalWords } from './facts/promotion.js';
import { clip, escape, section, slackDate } from './message.js';
import type { PromotionPreview } from '../usecases/promotion.js';

/** On the deploy's parent message, in the channel: the promotion gate an admin went past, and why. */
export function promotionBlocks(d: Deployment): KnownBlock[] {
  const o = d.promotionOverride;
  if (!o) return [];
  const gate = gateRefusalWords(o.refused, o.from);
  return [
    section(
      `:warning: <@${o.by}> deployed past the promotion gate (${gate}): ${clip(escape(o.reason), 500)}`,
    ),
  ];
}

/** A dry run's line on the promotion gate: what it would say of the image, had the deploy been real. */
export function promotionPreviewText(p: PromotionPreview): string {
  const from = `*${escape(p.from)}*`;
  const v = p.verdict;
  if (v.ok)
    return `:white_check_mark: The promotion gate would let it through: verified in ${from} ${slackDate(v.verifiedAt)}.`;
  switch (v.refused) {
    case 'notVerified':
      return `:no_entry: The promotion gate would refuse it: not verified in ${from}.`;
    case 'soaking':
      return `:hourglass: The promotion gate would refuse it until ${slackDate(v.allowedAt)}: verified in ${from} ${slackDate(v.verifiedAt)}, still soaking.`;
    case 'rolledBack':
      return `:no_entry: The promotion gate would refuse it: verified in ${from} ${slackDate(v.verifiedAt)}, then ${v.how === 'rollback' ? 'rolled back from' : 'failed there'} ${slackDate(v.at)}.`;
  }
}
