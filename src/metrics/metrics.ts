import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type DeliverySource, deliveryGauges } from './delivery.js';

export interface MetricsSources {
  /** The rollouts this replica follows now. */
  readonly inFlight: () => Iterable<{ readonly state: string }>;
  /** How many deployments this replica holds the lease of. */
  readonly leasesHeld: () => number;
  readonly now: () => number;
  /** The delivery figures of every environment, from the ledger (cached); absent, none are exposed. */
  readonly delivery?: { readonly read: DeliverySource; readonly days: number } | undefined;
}

export const PROMOTION_RESULTS = ['passed', 'not_verified', 'soaking', 'rolled_back', 'overridden'] as const;
export type PromotionResult = (typeof PROMOTION_RESULTS)[number];

/** States shown even at zero, so a dashboard's lines do not break when nothing rolls out. */
const IN_FLIGHT_STATES = ['rolling_out', 'rolling_back', 'outcome_unknown'];
/** Endings waiting for Slack: bounded, since a message that never lands leaves its entry behind. */
const MAX_WAITING = 1000;

/**
 * Capstan's Prometheus metrics, in a registry of its own (never prom-client's global one), so
 * several Capstans can run in one process. Label values come from small fixed sets (states, target
 * labels, error codes, and the apps and environments of capstan.yml): never a version or a user.
 */
export class CapstanMetrics {
  readonly registry = new Registry();
  private readonly outcomes: Counter<'target' | 'result'>;
  private readonly awsErrors: Counter<'code'>;
  private readonly slackErrors: Counter<'method' | 'code'>;
  private readonly events: Counter<'outcome'>;
  private readonly endToSlack: Histogram;
  private readonly promotionGate: Counter<'result'>;
  private readonly shared: Counter<'what' | 'result'>;
  private readonly waiting = new Map<string, number>();

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    inFlightGauges(registers, sources);
    if (sources.delivery) deliveryGauges(registers, sources.delivery.read, sources.delivery.days);
    this.outcomes = new Counter({
      name: 'capstan_rollout_outcomes_total',
      help: 'Rollouts followed to their end, by target and outcome.',
      labelNames: ['target', 'result'],
      registers,
    });
    this.endToSlack = new Histogram({
      name: 'capstan_rollout_end_to_slack_seconds',
      help: "Time from Capstan seeing a rollout's end in AWS to Slack showing it.",
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.awsErrors = new Counter({
      name: 'capstan_aws_call_errors_total',
      help: 'AWS API calls that failed, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.slackErrors = new Counter({
      name: 'capstan_slack_call_errors_total',
      help: 'Slack Web API calls that failed, by method and error code.',
      labelNames: ['method', 'code'],
      registers,
    });
    this.events = new Counter({
      name: 'capstan_aws_events_total',
      help: 'Messages from the AWS events queue, by what became of them.',
      labelNames: ['outcome'],
      registers,
    });
    this.promotionGate = new Counter({
      name: 'capstan_promotion_gate_total',
      help: 'Deploys to environments with a promotion gate, by what the gate did.',
      labelNames: ['result'],
      registers,
    });
    for (const result of PROMOTION_RESULTS) this.promotionGate.inc({ result }, 0);
    this.shared = new Counter({
      name: 'capstan_files_shared_total',
      help: 'Stats charts and CSV exports shared in Slack, by result.',
      labelNames: ['what', 'result'],
      registers,
    });
  }

  /** The promotion gate passed, refused (not verified, still soaking) or was overridden by an admin. */
  promotion(result: PromotionResult): void {
    this.promotionGate.inc({ result });
  }

  /** A chart or export was shared (`ok`) or Slack refused it (its error code). */
  fileShared(what: 'chart' | 'csv', result: string): void {
    this.shared.inc({ what, result: boundedCode(result) });
  }

  /** A rollout reached its end; `at` is when Capstan saw it. */
  rolloutFinished(id: string, target: string, result: string, at: number): void {
    this.outcomes.inc({ target, result });
    this.waiting.delete(id);
    this.waiting.set(id, at);
    if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /** Slack now shows a deployment's end. */
  outcomeShown(id: string): void {
    const seenAt = this.waiting.get(id);
    if (seenAt === undefined) return;
    this.waiting.delete(id);
    this.endToSlack.observe(Math.max(0, this.sources.now() - seenAt) / 1000);
  }

  awsError(code: string): void {
    // Capstan's own stop() aborting a long poll is not an AWS failure.
    if (code === 'AbortError') return;
    this.awsErrors.inc({ code: boundedCode(code) });
  }

  slackError(method: string, e: unknown): void {
    this.slackErrors.inc({ method: boundedCode(method), code: boundedCode(slackErrorCode(e)) });
  }

  event(outcome: string): void {
    this.events.inc({ outcome });
  }

  /** The exposition text, as Prometheus scrapes it. */
  async render(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** What Slack said went wrong: its error string (`channel_not_found`), else the client's code. */
export function slackErrorCode(e: unknown): string {
  if (typeof e !== 'object' || e === null) return 'unknown';
  const data = (e as { data?: { error?: unknown } }).data;
  if (typeof data?.error === 'string') return data.error;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return e instanceof Error ? e.name : 'unknown';
}

/** Error codes come from outside: keep label values short and plain. */
function boundedCode(code: string): string {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(code) ? code : 'other';
}

/** What this replica follows now, read from `sources` at each scrape. */
function inFlightGauges(registers: Registry[], sources: MetricsSources): void {
  new Gauge({
    name: 'capstan_rollouts_in_flight',
    help: 'Rollouts this replica follows, by state.',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = new Map(IN_FLIGHT_STATES.map((s) => [s, 0]));
      for (const d of sources.inFlight()) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
      this.reset();
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'capstan_leases_held',
    help: 'Deployments in flight whose lease this replica holds.',
    registers,
    collect() {
      this.set(sources.leasesHeld());
    },
  });
}
