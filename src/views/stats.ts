import type { DeliveryFigures } from '../usecases/stats/figures.js';
import type { DeliveryStats, EnvFigures } from '../usecases/stats/read.js';
import { WEEK_MS } from '../usecases/stats/weeks.js';
import { type SlackMessage, ago, capBlocks, context, escape, fields, header, section } from './message.js';
import { weeklyChartTitle } from './chart.js';

/** A share as people read it: a count ("2 of 7"), with a percentage once there are enough to mean one. */
export function share(n: number, of: number): string {
  if (of === 0) return 'none yet';
  return of < 20 ? `${n} of ${of}` : `${n} of ${of} (${Math.round((100 * n) / of)} %)`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const dur = (ms: number | undefined) => (ms === undefined ? 'n/a' : ago(ms));

function perWeek(deploys: number, days: number): string {
  const weekly = (deploys * 7) / days;
  return weekly >= 1 ? `${weekly.toFixed(1)} a week` : `${((deploys * 30) / days).toFixed(1)} a month`;
}

function frequency(f: DeliveryFigures, days: number): string {
  const besides = f.rollbacks ? `; ${plural(f.rollbacks, 'rollback')} besides, not counted` : '';
  return `${plural(f.changes, 'deploy')} in ${days} days${f.changes ? ` (${perWeek(f.changes, days)})` : ''}${besides}`;
}

/** The five figures, each with what it counts. */
export function figureLines(f: DeliveryFigures, days: number): string[] {
  const lead = f.leadTime;
  const rec = f.recovery;
  return [
    `*Deployment frequency* (changes deployed)\n${frequency(f, days)}`,
    `*Change lead time* (image first pushed → verified)\n` +
      (lead.measured
        ? `median ${dur(lead.medianMs)}, p90 ${dur(lead.p90Ms)} · from ${share(lead.measured, lead.verified)} verified changes`
        : lead.verified
          ? `push time unknown for the ${lead.verified} verified changes`
          : 'no verified change yet'),
    `*Change fail rate*\n` +
      (f.changeFail.of
        ? `${share(f.changeFail.failed, f.changeFail.of)} deploys failed, were rolled back, or were followed by a rollback within 24 h`
        : 'no deploys yet'),
    `*Failed deployment recovery time* (failure → rolled back, or next verified deploy)\n` +
      (rec.recovered
        ? `median ${dur(rec.medianMs)} · ${rec.recovered} recovered${rec.open ? `, ${rec.open} not yet` : ''}`
        : rec.open
          ? `${rec.open} failure${rec.open === 1 ? '' : 's'} not yet recovered from`
          : 'no failure to recover from'),
    `*Rework rate*\n` +
      (f.rework.of
        ? `${share(f.rework.rework, f.rework.of)} deployments were rollbacks or fixes right after a failure`
        : 'no deployments yet'),
  ];
}

function envBlocks(e: EnvFigures, days: number) {
  const f = e.figures;
  const notes = [
    f.unknownOutcome
      ? `${f.unknownOutcome} deploy${f.unknownOutcome === 1 ? '' : 's'} with an unknown outcome left out`
      : undefined,
    e.partial ? 'the ledger holds more than was read: the oldest part of the window is left out' : undefined,
  ].filter((n): n is string => n !== undefined);
  return [
    section(`*${escape(e.app)}/${escape(e.env)}*`),
    fields(figureLines(f, days)),
    ...(notes.length ? [context(notes)] : []),
  ];
}

/** What each figure counts, once for the whole reply (definitions after dora.dev). */
const COUNTS =
  'Deploys are the deploys and releases that changed the environment (a request that failed before ' +
  "changing it is left out). Rollbacks, Capstan's own or by hand, count as deployments in the rework " +
  "rate only. Verified: verified by its environment's checks, or succeeded where there are none. " +
  'Figures follow dora.dev; compare an environment with its own past, not teams with each other.';

export function statsMessage(
  stats: DeliveryStats,
  scope: { app?: string | undefined; env?: string | undefined },
): SlackMessage {
  const what = scope.app ? `${scope.app}${scope.env ? `/${scope.env}` : ''}` : 'every app';
  const title = `Delivery of ${what}, last ${stats.days} days`;
  if (stats.envs.length === 0)
    return {
      text: `${escape(title)}: no environment configured.`,
      blocks: [
        section(`No environment of *${escape(what)}* is configured in capstan.yml: no figures to show.`),
      ],
    };
  const text = [
    escape(title),
    ...stats.envs.map((e) => {
      const f = e.figures;
      return `${escape(e.app)}/${escape(e.env)}: ${plural(f.changes, 'deploy')}, change fail rate ${share(f.changeFail.failed, f.changeFail.of)}, lead time median ${dur(f.leadTime.medianMs)}, recovery median ${dur(f.recovery.medianMs)}, rework ${share(f.rework.rework, f.rework.of)}`;
    }),
  ].join('\n');
  return {
    text,
    blocks: capBlocks([
      header(title),
      ...stats.envs.flatMap((e) => envBlocks(e, stats.days)),
      context([COUNTS]),
    ]),
  };
}

/** The chart's title: what it shows, for which apps, over which weeks. */
export function chartTitle(
  stats: DeliveryStats,
  scope: { app?: string | undefined; env?: string | undefined },
): string {
  const what = scope.app ? `${scope.app}${scope.env ? `/${scope.env}` : ''}` : 'every app';
  const weeks = Math.round((stats.weeks.to - stats.weeks.from) / WEEK_MS);
  return weeklyChartTitle(what, weeks);
}

/** Told to the person who asked when the chart could not be shared (the figures were answered). */
export function chartFailedText(e: unknown): string {
  const code = (e as { data?: { error?: unknown } } | undefined)?.data?.error;
  const why = typeof code === 'string' ? ` (Slack said \`${escape(code)}\`)` : '';
  const hint =
    code === 'not_in_channel' || code === 'channel_not_found'
      ? ' Invite Capstan to this channel to get it.'
      : '';
  return `:warning: The chart of deploys per week could not be shared here${why}; the figures above are complete.${hint}`;
}
