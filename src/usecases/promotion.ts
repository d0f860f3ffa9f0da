import type { Catalog, Environment, Principal, Promotion } from '../domain/catalog.js';
import type { PromotionOverride } from '../domain/deployment.js';
import { CapstanError } from '../domain/errors.js';
import { type PromotionVerdict, judgePromotion, runningNow } from '../domain/promotion.js';
import { countsAsVerified } from '../domain/verified.js';
import type { Clock } from '../ports/clock.js';
import type { Directory } from '../ports/chat.js';
import type { Store } from '../ports/store.js';
import { isAllowed } from './access.js';

export interface PromotionGateDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly directory: Directory;
  /** To find the source environment (its `verify`); without it, `succeeded` counts as verified there. */
  readonly catalog?: Catalog | undefined;
  /** Told what the gate did (the /metrics counter). */
  readonly onPromotionGate?:
    ((result: 'passed' | 'not_verified' | 'soaking' | 'rolled_back' | 'overridden') => void) | undefined;
}

/** Entries of the source read, both to find a verification of a digest and what the source runs. */
const SOURCE_HISTORY = 500;

/** An environment as the gate reads it: its name, and whether it verifies (else `succeeded` counts). */
type Source = Pick<Environment, 'name'> & { readonly verify?: unknown };

/**
 * The source's ledger as it stands now, read once: what it runs, and a judge of any digest by one
 * rule (verified there, not taken back since, soaked `soakMs`). The gate and `/deploy promote` both
 * go by it, so what a refusal suggests promoting is what a promotion takes.
 */
export async function readSource(
  deps: Pick<PromotionGateDeps, 'store' | 'clock'>,
  app: string,
  source: Source,
) {
  const ledger = await deps.store.history(app, source.name, SOURCE_HISTORY);
  const now = deps.clock.now();
  const judge = (digest: string | undefined, soakMs: number): PromotionVerdict =>
    digest === undefined
      ? { ok: false, refused: 'notVerified' }
      : judgePromotion(ledger, digest, soakMs, now, (d) => countsAsVerified(d, source));
  const running = runningNow(ledger);
  /** Whether what the source runs stands verified there (soaked or not). */
  const runsVerified = running?.imageDigest !== undefined && judge(running.imageDigest, 0).ok;
  return { judge, running, runsVerified };
}

/** The gate of `env` as it stands now. */
async function gateOf(deps: PromotionGateDeps, env: Environment, promotion: Promotion) {
  const source = deps.catalog?.apps
    .find((a) => a.name === env.app)
    ?.environments.find((e) => e.name === promotion.from);
  const read = await readSource(deps, env.app, source ?? { name: promotion.from });
  return { ...read, judge: (digest: string | undefined) => read.judge(digest, promotion.soakMs) };
}

/** What may go to `env` promoted from its source: the digest the source runs, judged by the same gate. */
function sourceRunsNow({ running, runsVerified, judge }: Awaited<ReturnType<typeof gateOf>>) {
  if (!runsVerified || !running?.imageDigest) return undefined;
  const verdict = judge(running.imageDigest);
  const runs = { version: running.toVersion, digest: running.imageDigest };
  return verdict.ok || verdict.refused !== 'soaking' ? runs : { ...runs, allowedAt: verdict.allowedAt };
}

/**
 * The promotion gate of `env`, for a deploy of `digest` (tag `version`): passes when the digest was
 * verified in `promotion.from` at least `soak` ago and not taken back since; otherwise refuses with
 * the reason, when it would pass, and what would pass now, unless an admin overrides (returned, to be
 * recorded and announced).
 */
export async function passPromotion(
  deps: PromotionGateDeps,
  env: Environment,
  image: {
    readonly version: string;
    readonly digest: string | undefined;
    readonly via: 'deploy' | 'promote';
  },
  requestedBy: string,
  /** An admin's `--override "reason"` (the same that goes through a freeze), and who the admins are. */
  override: { readonly reason: string; readonly admins: readonly Principal[] } | undefined,
): Promise<PromotionOverride | undefined> {
  const promotion = env.promotion;
  if (!promotion) return undefined;
  const gate = await gateOf(deps, env, promotion);
  const verdict = gate.judge(image.digest);
  if (verdict.ok) {
    deps.onPromotionGate?.('passed');
    return undefined;
  }
  if (override) {
    if (override.admins.length === 0 || !(await isAllowed(deps.directory, requestedBy, override.admins)))
      throw new CapstanError('forbidden', {
        kind: 'promotion.overrideForbidden',
        admins: [...override.admins],
      });
    deps.onPromotionGate?.('overridden');
    return { by: requestedBy, reason: override.reason, from: promotion.from, refused: verdict.refused };
  }
  const result = { notVerified: 'not_verified', soaking: 'soaking', rolledBack: 'rolled_back' } as const;
  deps.onPromotionGate?.(result[verdict.refused]);
  throw new CapstanError('invalid_state', {
    ...refusal(verdict),
    app: env.app,
    env: env.name,
    from: promotion.from,
    version: image.version,
    digest: image.digest ?? 'unknown',
    soakMs: promotion.soakMs,
    via: image.via,
    sourceRuns: sourceRunsNow(gate),
  });
}

/** The fact's own part of a refusal. */
function refusal(verdict: Exclude<PromotionVerdict, { ok: true }>) {
  switch (verdict.refused) {
    case 'notVerified':
      return { kind: 'promotion.notVerified' } as const;
    case 'soaking':
      return {
        kind: 'promotion.soaking',
        verifiedAt: verdict.verifiedAt,
        allowedAt: verdict.allowedAt,
      } as const;
    case 'rolledBack':
      return {
        kind: 'promotion.rolledBackInSource',
        verifiedAt: verdict.verifiedAt,
        at: verdict.at,
        how: verdict.how,
      } as const;
  }
}

/**
 * A dry run's look at the gate: what it would say of `digest`, changing nothing and counting nothing.
 * undefined when `env` has no gate.
 */
export async function previewPromotion(
  deps: PromotionGateDeps,
  env: Environment,
  digest: string | undefined,
): Promise<PromotionPreview | undefined> {
  const promotion = env.promotion;
  if (!promotion) return undefined;
  const verdict = (await gateOf(deps, env, promotion)).judge(digest);
  return { from: promotion.from, soakMs: promotion.soakMs, verdict };
}

/** What the gate would say, for a dry run. */
export interface PromotionPreview {
  readonly from: string;
  readonly soakMs: number;
  readonly verdict: PromotionVerdict;
}
