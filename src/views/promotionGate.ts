import type { KnownBlock } from '@slack/types';
import type { Deployment } from '../domain/deployment.js';
import { clip, escape, section } from './message.js';

/** On the deploy's parent message, in the channel: the promotion gate an admin went past, and why. */
export function promotionBlocks(d: Deployment): KnownBlock[] {
  const o = d.promotionOverride;
  if (!o) return [];
  const gate =
    o.refused === 'soaking' ? `still soaking in ${escape(o.from)}` : `not verified in ${escape(o.from)}`;
  return [
    section(
      `:warning: <@${o.by}> deployed past the promotion gate (${gate}): ${clip(escape(o.reason), 500)}`,
    ),
  ];
}
