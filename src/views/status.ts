import type { KnownBlock } from '@slack/types';
import { sayReported } from './facts/rollout.js';
import { sayFact } from './facts/index.js';
import { STATE_LABEL } from '../domain/deployment.js';
import { shortDigest } from '../domain/version.js';
import type { EnvStatus } from '../usecases/status.js';
import {
  type SlackMessage,
  LIMITS,
  capBlocks,
  context,
  divider,
  escape,
  fields,
  header,
  link,
  section,
  slackDate,
} from './message.js';
import { verdictLine, verdictWord } from './verdict.js';

function versionText(s: EnvStatus): string {
  if (!s.ok) return `:warning: ${sayReported(s.error)}`;
  const v = s.version ? `\`${escape(s.version)}\`` : '_unknown version_';
  return s.digest ? `${v} (${shortDigest(s.digest)})` : v;
}

/** `detail`: one environment, with room for why a version was kept after an alarm. */
function lines(s: EnvStatus, detail = false): string[] {
  const out: string[] = [];
  if (s.ok) {
    if (s.verdict) out.push(verdictLine(s.verdict, detail));
    out.push(...s.facts.map((f) => (typeof f === 'string' ? escape(f) : sayFact(f))));
    if (s.inProgress) out.push(':arrows_counterclockwise: rollout in progress');
    if (s.changedAt !== undefined && !Number.isNaN(s.changedAt))
      out.push(`changed ${slackDate(s.changedAt)}`);
  }
  if (s.inFlight) {
    const d = s.inFlight;
    const thread = link(d.permalink, 'thread');
    out.push(
      `:hourglass_flowing_sand: ${d.kind} of \`${escape(d.toVersion)}\` by <@${d.requestedBy}>: ${STATE_LABEL[d.state]}${thread ? ` (${thread})` : ''}`,
    );
  }
  if (s.lock)
    out.push(
      `:lock: locked by <@${s.lock.owner}> ${slackDate(s.lock.at)}${s.lock.reason ? `: ${escape(s.lock.reason)}` : ''}`,
    );
  const { open, next } = s.freeze ?? {};
  if (open) out.push(`:snowflake: frozen (${escape(open.name)}) until ${slackDate(open.endsAt)}`);
  if (next)
    out.push(`next freeze: ${escape(next.name)}, ${slackDate(next.startsAt)} to ${slackDate(next.endsAt)}`);
  return out;
}

/** One environment in the matrix of every app: its version, whether verified, and marks. */
function compactLine(s: EnvStatus): string {
  const verdict = s.ok && s.verdict ? ` · ${verdictWord(s.verdict)}` : '';
  const marks = `${s.ok && s.inProgress ? ' :arrows_counterclockwise:' : ''}${s.lock ? ' :lock:' : ''}${s.freeze?.open ? ' :snowflake:' : ''}`;
  return `• *${escape(s.env.name)}* ${versionText(s)}${verdict}${marks}`;
}

function appBlocks(app: string, statuses: readonly EnvStatus[], compact: boolean): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (!compact) blocks.push(header(`${app}: which version runs where`));
  const cells = statuses.map((s) => `*${escape(s.env.name)}*  ${versionText(s)}\n${lines(s).join('\n')}`);
  if (compact) {
    blocks.push(section(`*${escape(app)}*\n${statuses.map(compactLine).join('\n')}`));
  } else {
    for (let i = 0; i < cells.length; i += LIMITS.fields)
      blocks.push(fields(cells.slice(i, i + LIMITS.fields)));
  }
  return blocks;
}

/** The environment matrix for one app, or every app compactly. */
export function statusMatrix(statuses: readonly EnvStatus[]): SlackMessage {
  const apps = [...new Set(statuses.map((s) => s.env.app))];
  const compact = apps.length > 1;
  const blocks = apps.flatMap((app) =>
    appBlocks(
      app,
      statuses.filter((s) => s.env.app === app),
      compact,
    ),
  );
  if (compact) blocks.unshift(header('Which version runs where'));
  const text = statuses
    .map((s) => `${s.env.app}/${s.env.name}: ${s.ok ? escape(s.version ?? 'unknown') : 'error'}`)
    .join(', ');
  return {
    text: clipText(`Status: ${text}`),
    blocks: capBlocks(blocks, 0, (n) => `…and ${n} more; ask for one app with /deploy status <app>`),
  };
}

export function statusDetail(s: EnvStatus): SlackMessage {
  const where = (s.ok ? link(s.consoleUrl, s.where) : undefined) ?? escape(s.where);
  const blocks: KnownBlock[] = [
    header(`${s.env.app} / ${s.env.name}`),
    section(`${versionText(s)}\n${lines(s, true).join('\n')}`),
    context([where, ...(s.ok ? [`state: ${escape(s.state)}`] : [])]),
  ];
  if (s.ok && s.events.length > 0) {
    blocks.push(divider());
    blocks.push(
      section(
        `*Recent events*\n${s.events.map((e) => `${slackDate(e.at, '{time_secs}')} ${escape(e.message)}`).join('\n')}`,
      ),
    );
  }
  return {
    text: clipText(
      `Status of ${s.env.app}/${s.env.name}: ${s.ok ? escape(s.version ?? 'unknown') : sayReported(s.error)}`,
    ),
    blocks,
  };
}

function clipText(s: string): string {
  return s.length > 3000 ? `${s.slice(0, 2999)}…` : s;
}
