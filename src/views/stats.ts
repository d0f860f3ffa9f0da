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

/** One rate unit for a whole reply: weeks, unless some environment deploys less than once a week. */
export type RateUnit = 'week' | 'month';

function rateUnit(envs: readonly EnvFigures[], days: number): RateUnit {
  const rates = envs.filter((e) => e.figures.changes > 0).map((e) => (e.figures.changes * 7) / days);
  return rates.every((weekly) => weekly >= 1) ? 'week' : 'month';
}

const rate = (deploys: number, days: number, unit: RateUnit) =>
  `${((deploys * (unit === 'week' ? 7 : 30)) / days).toFixed(1)} a ${unit}`;

/** How an environment with nothing to count says so, the same wherever it comes up. */
const noDeploys = (days: number) => `no deploys in ${days} days`;

function frequency(f: DeliveryFigures, days: number, unit: RateUnit): string {
  const besides = f.rollbacks ? `; ${plural(f.rollbacks, 'rollback')} besides, not counted` : '';
  const deploys = f.changes
    ? `${plural(f.changes, 'deploy')} in ${days} days (${rate(f.changes, days, unit)})`
    : noDeploys(days);
  return `${deploys}${besides}`;
}

/** The five figures, each with what it counts. */
export function figureLines(f: DeliveryFigures, days: number, unit: RateUnit): string[] {
  const lead = f.leadTime;
  const rec = f.recovery;
  return [
    `*Deployment frequency* (changes deployed)\n${frequency(f, days, unit)}`,
    `*Change lead time* (image first pushed → verified)\n` +
      (lead.measured
        ? `median ${dur(lead.medianMs)}, p90 ${dur(lead.p90Ms)} · from ${share(lead.measured, lead.verified)} verified changes`
        : lead.verified
          ? `push time unknown for ${plural(lead.verified, 'verified change')}`
          : `no verified change in ${days} days`),
    `*Change fail rate*\n` +
      (f.changeFail.of
        ? `${share(f.changeFail.failed, f.changeFail.of)} deploys failed, were rolled back, or were followed by a rollback within 24 h`
        : noDeploys(days)),
    `*Failed deployment recovery time* (failure → rolled back, or next verified deploy)\n` +
      (rec.recovered
        ? `median ${dur(rec.medianMs)} · ${rec.recovered} recovered${rec.open ? `, ${rec.open} not yet` : ''}`
        : rec.open
          ? `${rec.open} failure${rec.open === 1 ? '' : 's'} not yet recovered from`
          : 'no failure to recover from'),
    `*Rework rate*\n` +
      (f.rework.of
        ? `${share(f.rework.rework, f.rework.of)} deployments were rollbacks or fixes right after a failure`
        : noDeploys(days)),
  ];
}

function envBlocks(e: EnvFigures, days: number, unit: RateUnit) {
  const f = e.figures;
  const notes = [
    f.unknownOutcome
      ? `${f.unknownOutcome} deploy${f.unknownOutcome === 1 ? '' : 's'} with an unknown outcome left out`
      : undefined,
    e.partial ? 'the ledger holds more than was read: the oldest part of the window is left out' : undefined,
  ].filter((n): n is string => n !== undefined);
  return [
    section(`*${escape(e.app)}/${escape(e.env)}*`),
    fields(figureLines(f, days, unit)),
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
  const active = stats.envs.filter((e) => !quiet(e));
  const idle = stats.envs.filter(quiet).map((e) => `${escape(e.app)}/${escape(e.env)}`);
  const idleLine = idle.length ? `No deploys in the last ${stats.days} days: ${idle.join(', ')}` : undefined;
  const unit = rateUnit(active, stats.days);
  const text = [escape(title), ...active.map(envText), ...(idleLine ? [idleLine] : [])].join('\n');
  return {
    text,
    blocks: capBlocks([
      header(title),
      ...active.flatMap((e) => envBlocks(e, stats.days, unit)),
      ...(idleLine ? [section(idleLine)] : []),
      context([COUNTS]),
    ]),
  };
}

/** Nothing in the window: said in one line with the others like it, not as a block of empty figures. */
const quiet = (e: EnvFigures) =>
  !e.partial && e.figures.changes === 0 && e.figures.rollbacks === 0 && e.figures.unknownOutcome === 0;

/** One environment in the notification text. */
function envText(e: EnvFigures): string {
  const f = e.figures;
  const rateOf = (what: string, n: number, of: number) => (of ? `, ${what} ${share(n, of)}` : '');
  return (
    `${escape(e.app)}/${escape(e.env)}: ${plural(f.changes, 'deploy')}` +
    rateOf('change fail rate', f.changeFail.failed, f.changeFail.of) +
    `, lead time median ${dur(f.leadTime.medianMs)}, recovery median ${dur(f.recovery.medianMs)}` +
    rateOf('rework', f.rework.rework, f.rework.of)
  );
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
