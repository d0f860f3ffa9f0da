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
import { gateRefusalWords } from './facts/promotion.js';
import { decisionsText } from './pause.js';
import { tookPhrase } from './took.js';

/** The gates an admin let this entry past: a freeze, the promotion gate, alarms in ALARM. */
function overrideLines(d: Deployment): string[] {
  const lines: string[] = [];
  if (d.override)
    lines.push(
      `freeze “${escape(d.override.freeze)}” overridden by <@${d.override.by}>: ${escape(d.override.reason)}`,
    );
  const p = d.promotionOverride;
  if (p)
    lines.push(
      `promotion gate overridden by <@${p.by}> (${gateRefusalWords(p.refused, p.from)}): ${escape(p.reason)}`,
    );
  const a = d.alarmOverride;
  if (a) {
    const alarms = a.alarms.map((n) => `\`${escape(n)}\``).join(', ');
    lines.push(`alarms overridden by <@${a.by}> (${alarms} in ALARM): ${escape(a.reason)}`);
  }
  return lines;
}

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
        overrideLines(d)
          .map((l) => `\n:warning: ${l}`)
          .join(''),
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
