import type { Catalog, Environment, Principal } from '../domain/catalog.js';
import type { PromotionOverride } from '../domain/deployment.js';
import { CapstanError } from '../domain/errors.js';
import { judgePromotion } from '../domain/promotion.js';
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
    ((result: 'passed' | 'not_verified' | 'soaking' | 'overridden') => void) | undefined;
}

/** Entries of the source read to find a verification of the digest. */
const SOURCE_HISTORY = 500;

/**
 * The promotion gate of `env`, for a deploy of `digest` (tag `version`): passes when the digest was
 * verified in `promotion.from` at least `soak` ago; otherwise refuses with the reason and when it
 * would pass, unless an admin overrides (returned, to be recorded and announced).
 */
export async function passPromotion(
  deps: PromotionGateDeps,
  env: Environment,
  version: string,
  digest: string | undefined,
  requestedBy: string,
  /** An admin's `--override "reason"` (the same that goes through a freeze), and who the admins are. */
  override: { readonly reason: string; readonly admins: readonly Principal[] } | undefined,
): Promise<PromotionOverride | undefined> {
  const promotion = env.promotion;
  if (!promotion) return undefined;
  const source = deps.catalog?.apps
    .find((a) => a.name === env.app)
    ?.environments.find((e) => e.name === promotion.from);
  const ledger = await deps.store.history(env.app, promotion.from, SOURCE_HISTORY);
  const verdict =
    digest === undefined
      ? ({ ok: false, refused: 'notVerified' } as const)
      : judgePromotion(ledger, digest, promotion.soakMs, deps.clock.now(), (d) =>
          countsAsVerified(d, source ?? { name: promotion.from }),
        );
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
  deps.onPromotionGate?.(verdict.refused === 'soaking' ? 'soaking' : 'not_verified');
  const image = { app: env.app, env: env.name, from: promotion.from, version, digest: digest ?? 'unknown' };
  throw new CapstanError(
    'invalid_state',
    verdict.refused === 'soaking'
      ? { kind: 'promotion.soaking', ...image, verifiedAt: verdict.verifiedAt, allowedAt: verdict.allowedAt }
      : { kind: 'promotion.notVerified', ...image },
  );
}
