import type { Deployment } from '../domain/deployment.js';
import { sayWhy } from './why.js';
import { isTerminal } from '../domain/deployment.js';
import {
  type SlackMessage,
  capBlocks,
  context,
  escape,
  header,
  link,
  section,
  slackDate,
} from './message.js';
import { stateText } from './deploy.js';
import { decisionsText } from './pause.js';
import { tookPhrase } from './took.js';

export function historyMessage(
  app: string,
  env: string | undefined,
  entries: readonly Deployment[],
  now: number,
): SlackMessage {
  const scope = env ? `${app}/${env}` : app;
  if (entries.length === 0)
    return {
      text: `No deploys of ${escape(scope)} yet.`,
      blocks: [section(`No deploys of *${escape(scope)}* recorded yet.`)],
    };
  const blocks = entries.map((d) => {
    const end = isTerminal(d.state) ? (d.finishedAt ?? d.updatedAt) : now;
    const from = d.fromVersion ? `\`${escape(d.fromVersion)}\` → ` : '';
    const thread = link(d.permalink, 'thread');
    const why = sayWhy(d, 300);
    return section(
      `*${d.kind}* ${env ? '' : `to *${escape(d.env)}* `}${from}\`${escape(d.toVersion)}\`: *${stateText(d)}*\n` +
        `<@${d.requestedBy}> · ${slackDate(d.createdAt)} · ${tookPhrase(d, end)}${thread ? ` · ${thread}` : ''}` +
        (why ? `\n_${why}_` : '') +
        (d.decisions?.length ? `\n${decisionsText(d.decisions)}` : '') +
        (d.override
          ? `\n:warning: freeze “${escape(d.override.freeze)}” overridden by <@${d.override.by}>: ${escape(d.override.reason)}`
          : '') +
        (d.promotionOverride
          ? `\n:warning: promotion gate overridden by <@${d.promotionOverride.by}> (${d.promotionOverride.refused === 'soaking' ? 'still soaking' : 'not verified'} in ${escape(d.promotionOverride.from)}): ${escape(d.promotionOverride.reason)}`
          : ''),
    );
  });
  return {
    text: `History of ${escape(scope)}`,
    blocks: capBlocks([
      header(`History of ${scope}`),
      ...blocks,
      context([`last ${entries.length} deploys and rollbacks, newest first`]),
    ]),
  };
}
