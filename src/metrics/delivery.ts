import { Gauge, type Registry } from 'prom-client';

/** What /metrics reads of one environment's delivery figures (usecases/stats computes them). */
export interface EnvDelivery {
  readonly app: string;
  readonly env: string;
  readonly figures: {
    readonly changes: number;
    readonly rollbacks: number;
    readonly changeFail: { readonly failed: number };
    readonly rework: { readonly rework: number };
    readonly recovery: {
      readonly recovered: number;
      readonly open: number;
      readonly medianMs?: number | undefined;
    };
    readonly leadTime: { readonly medianMs?: number | undefined; readonly p90Ms?: number | undefined };
  };
}

/** The figures of every environment now, or undefined when the ledger could not be read (logged). */
export type DeliverySource = () => Promise<readonly EnvDelivery[] | undefined>;

type Read = (f: EnvDelivery['figures']) => readonly (readonly [Record<string, string>, number | undefined])[];

interface Figure {
  readonly name: string;
  readonly help: string;
  /** Labels besides app and env. */
  readonly labels: readonly string[];
  readonly read: Read;
}

const figure = (name: string, help: string, labels: readonly string[], read: Read): Figure => ({
  name,
  help,
  labels,
  read,
});

/** What each environment's figures say, one series per environment (and label value). */
const FIGURES: readonly Figure[] = [
  figure(
    'capstan_delivery_deployments',
    'Deployments that changed the environment in the window: changes (deploys, releases), and rollbacks (Capstan’s own or by hand).',
    ['kind'],
    (f) => [
      [{ kind: 'change' }, f.changes],
      [{ kind: 'rollback' }, f.rollbacks],
    ],
  ),
  figure(
    'capstan_delivery_change_failures',
    'Changes that failed, were rolled back, or were followed by a rollback within 24 h (change fail rate: over deployments{kind="change"}).',
    [],
    (f) => [[{}, f.changeFail.failed]],
  ),
  figure(
    'capstan_delivery_rework_deployments',
    'Unplanned deployments caused by a failure: rollbacks and fixes right after a failure (rework rate: over all deployments).',
    [],
    (f) => [[{}, f.rework.rework]],
  ),
  figure(
    'capstan_delivery_recoveries',
    'Failures recovered from (rolled back, or a verified change after them), and those not yet.',
    ['recovered'],
    (f) => [
      [{ recovered: 'true' }, f.recovery.recovered],
      [{ recovered: 'false' }, f.recovery.open],
    ],
  ),
  figure(
    'capstan_delivery_lead_time_seconds',
    'Change lead time, the first push of the image to verified: median and p90 of the window (absent without a measure).',
    ['quantile'],
    (f) => [
      [{ quantile: '0.5' }, seconds(f.leadTime.medianMs)],
      [{ quantile: '0.9' }, seconds(f.leadTime.p90Ms)],
    ],
  ),
  figure(
    'capstan_delivery_recovery_time_seconds',
    'Failed deployment recovery time: median of the window (absent without a recovery).',
    ['quantile'],
    (f) => [[{ quantile: '0.5' }, seconds(f.recovery.medianMs)]],
  ),
];

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/**
 * DORA's delivery figures per app and environment (both bounded: they come from capstan.yml), read
 * at scrape time from the ledger through `source` (which caches), over a fixed window of `days`.
 */
export function deliveryGauges(registers: Registry[], read: DeliverySource, days: number): void {
  // The figures' gauges are collected together at each scrape: they share one read (and, when the
  // ledger cannot be read, one warning), not one each.
  let reading: ReturnType<DeliverySource> | undefined;
  const source: DeliverySource = () =>
    (reading ??= read().finally(() => {
      reading = undefined;
    }));
  new Gauge({
    name: 'capstan_delivery_window_seconds',
    help: 'The window the capstan_delivery_* figures cover, ending now.',
    registers,
  }).set(days * 86_400);
  for (const { name, help, labels, read } of FIGURES) {
    new Gauge({
      name,
      help,
      labelNames: ['app', 'env', ...labels],
      registers,
      async collect() {
        const envs = await source();
        this.reset();
        for (const e of envs ?? [])
          for (const [labels, v] of read(e.figures))
            if (v !== undefined) this.set({ app: e.app, env: e.env, ...labels }, v);
      },
    });
  }
}
