import type { HomeView, KnownBlock } from '@slack/types';
import { sayReported } from './facts/rollout.js';
import { sayFact } from './facts/index.js';
import type { Deployment } from '../domain/deployment.js';
import { shortDigest } from '../domain/version.js';
import type { EnvStatus } from '../usecases/status.js';
import type { Home, WaitingRequest } from '../usecases/home.js';
import { stateText, title } from './deploy.js';
import { type HomeChart, homeChartBlocks } from './homeChart.js';
import {
  LIMITS,
  ago,
  context,
  divider,
  escape,
  fields,
  header,
  link,
  section,
  slackDate,
} from './message.js';
import { verdictLine } from './verdict.js';

/** Slack's limit for a Home tab (messages allow 50). */
export const HOME_BLOCKS = 100;
/** Past this many, waiting requests are summed up in one line: the Home tab is an overview. */
const MAX_WAITING = 20;

function where(d: Deployment, label: string): string {
  return link(d.permalink, label) ?? `in <#${d.channel}>`;
}

function waitingBlock(w: WaitingRequest, now: number): KnownBlock {
  switch (w.kind) {
    case 'approval': {
      const d = w.deployment;
      const required = Math.max(1, w.env.policy.approvals);
      const expires =
        d.expiresAt !== undefined
          ? ` · expires ${slackDate(d.expiresAt)} (in ${ago(d.expiresAt - now)})`
          : '';
      return section(
        [
          `:raised_hand: ${title(d)}`,
          `asked by <@${d.requestedBy}> ${slackDate(d.createdAt)} · approvals ${d.approvals.length}/${required}${expires}`,
          `${where(d, 'Review and approve')} · or \`/deploy approve ${d.id}\``,
        ].join('\n'),
      );
    }
    case 'continue': {
      const d = w.deployment;
      return section(
        [
          `:arrow_forward: ${title(d)}`,
          `waits for an approver to let it go on: ${escape(w.waiting)}`,
          `${where(d, 'Open the rollout')} and press *Continue*`,
        ].join('\n'),
      );
    }
    case 'bake': {
      const d = w.deployment;
      return section(
        [
          sayFact(w.alarm),
          `${title(d)} waits for *Roll back* or *Keep* since ${slackDate(w.since)}`,
          `${where(d, 'Open the deploy')} and press *Roll back* or *Keep*`,
        ].join('\n'),
      );
    }
    case 'pipeline': {
      const a = w.approval;
      const required = Math.max(1, w.route.policy.approvals);
      const left = a.expiresAt !== undefined ? ` · expires in ${ago(a.expiresAt - now)}` : '';
      const review = link(a.externalLink, 'What to review');
      return section(
        [
          `:raised_hand: *Manual approval* in pipeline *${escape(a.pipeline)}*: stage *${escape(a.stage)}*, action *${escape(a.action)}*`,
          `approvals ${a.approvals.length}/${required}${left}`,
          `in <#${a.channel}>${review ? ` · ${review}` : ''}`,
        ].join('\n'),
      );
    }
  }
}

function versionText(s: EnvStatus): string {
  if (!s.ok) return `:warning: ${sayReported(s.error)}`;
  const v = s.version ? `\`${escape(s.version)}\`` : '_unknown version_';
  return s.digest ? `${v} (${shortDigest(s.digest)})` : v;
}

/** Freeze windows, as status reads them: the one in force and the next one to open. */
function freezeLines(s: EnvStatus): string[] {
  const { open, next } = s.freeze ?? {};
  const out: string[] = [];
  if (open) out.push(`:snowflake: frozen (${escape(open.name)}) until ${slackDate(open.endsAt)}`);
  if (next)
    out.push(`next freeze: ${escape(next.name)}, ${slackDate(next.startsAt)} to ${slackDate(next.endsAt)}`);
  return out;
}

function cell(s: EnvStatus): string {
  const out = [`*${escape(s.env.name)}*  ${versionText(s)}`];
  if (s.ok) {
    if (s.verdict) out.push(verdictLine(s.verdict));
    out.push(...s.facts.map((f) => (typeof f === 'string' ? escape(f) : sayFact(f))));
    if (s.inProgress && !s.inFlight) out.push(':arrows_counterclockwise: rollout in progress');
  }
  const d = s.inFlight;
  if (d)
    out.push(
      `:hourglass_flowing_sand: ${d.kind} of \`${escape(d.toVersion)}\` by <@${d.requestedBy}>: ${escape(stateText(d))}`,
    );
  if (s.lock)
    out.push(
      `:lock: locked by <@${s.lock.owner}> ${slackDate(s.lock.at)}${s.lock.reason ? `: ${escape(s.lock.reason)}` : ''}`,
    );
  out.push(...freezeLines(s));
  return out.join('\n');
}

/** One group of blocks per app, whole apps only, within `room` blocks (one of them saying what was left out). */
function matrixBlocks(home: Home, room: number): KnownBlock[] {
  const apps = [...new Set(home.environments.map((s) => s.env.app))];
  const groups = apps.map((app) => {
    const cells = home.environments.filter((s) => s.env.app === app).map(cell);
    const blocks: KnownBlock[] = [section(`*${escape(app)}*`)];
    for (let i = 0; i < cells.length; i += LIMITS.fields)
      blocks.push(fields(cells.slice(i, i + LIMITS.fields)));
    return blocks;
  });
  const all = groups.flat();
  if (all.length <= room) return all;
  const out: KnownBlock[] = [];
  let shown = 0;
  for (const g of groups) {
    if (out.length + g.length > room - 1) break;
    out.push(...g);
    shown += 1;
  }
  const left = apps.length - shown;
  out.push(
    context([
      `…and ${left} more ${left === 1 ? 'app' : 'apps'}: ask with ${escape('`/deploy status <app>`')}`,
    ]),
  );
  return out;
}

/** Keeps at most `room` blocks, the last one saying what was left out. */
function fit(blocks: readonly KnownBlock[], room: number, note: (n: number) => string): KnownBlock[] {
  if (blocks.length <= room) return [...blocks];
  const kept = blocks.slice(0, Math.max(0, room - 1));
  return [...kept, context([note(blocks.length - kept.length)])];
}

/**
 * Capstan's Home tab for one person (what views.publish takes): the requests waiting for them, which
 * version runs where, then the deploys and failures per week of their apps.
 */
export function homeView(home: Home, charts: readonly HomeChart[] = []): HomeView {
  const waiting = home.waiting.map((w) => waitingBlock(w, home.at));
  const top: KnownBlock[] = [
    header(home.waiting.length ? `Waiting for you (${home.waiting.length})` : 'Waiting for you'),
    ...(waiting.length
      ? fit(waiting, MAX_WAITING, (n) => `…and ${n} more waiting for you in their channels`)
      : [section('_Nothing is waiting for your approval._')]),
    divider(),
    header('Which version runs where'),
  ];
  const footer = [
    context([
      `Updated ${slackDate(home.at, '{date_short_pretty} {time_secs}')} · ${escape('`/deploy status <app> <env>`')} for details and recent events`,
    ]),
  ];
  const pictures = homeChartBlocks(charts);
  const room = HOME_BLOCKS - top.length - footer.length - pictures.length;
  const matrix = matrixBlocks(home, room);
  return { type: 'home', callback_id: 'capstan_home', blocks: [...top, ...matrix, ...pictures, ...footer] };
}
