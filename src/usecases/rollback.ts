import type { Environment } from '../domain/catalog.js';
import { runningNow } from '../domain/promotion.js';
import { CapstanError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';
import { requireDeployer } from './access.js';
import { targetAs } from './actAs.js';
import { lastGoodVersion } from './goodVersion.js';
import { type DeployDeps, type DeployResult, requestDeploy } from './deploy.js';

/**
 * The version to go back to: the one named (it must exist where the target takes it from), or
 * the most recent good version here (verified, where the environment verifies and one ever was) that is not the one
 * running now, with the digest that ran (a promoted image may carry its tag only where it came from).
 */
export async function rollbackTarget(
  store: Store,
  env: Environment,
  running: string | undefined,
  named?: string,
): Promise<{ readonly version: string; readonly digest?: string | undefined }> {
  if (named !== undefined) return { version: named };
  const digest = await digestRunning(store, env, running);
  // `running` may be a tag or, where the image parameter carries a digest, the digest itself.
  const target = await lastGoodVersion(
    store,
    env,
    10,
    (g) => g.version !== running && g.digest !== running && (digest === undefined || g.digest !== digest),
  );
  if (!target) {
    throw new CapstanError('invalid_state', { kind: 'rollback.noGoodVersion', app: env.app, env: env.name });
  }
  return target;
}

/** Entries read to find the one that runs now. */
const RECENT = 20;

/**
 * The digest that runs, by the ledger's entry for what runs, where the target agrees with it: the
 * same tag or digest, or a promotion (a promoted image runs under whatever tag names it here, e.g. a
 * stack given `release-7` for the source's `1.2.3`).
 */
async function digestRunning(
  store: Store,
  env: Environment,
  running: string | undefined,
): Promise<string | undefined> {
  if (running === undefined) return undefined;
  const entry = runningNow(await store.history(env.app, env.name, RECENT));
  if (entry?.imageDigest === undefined) return undefined;
  const agrees =
    entry.toVersion === running || entry.imageDigest === running || entry.promotedFrom !== undefined;
  return agrees ? entry.imageDigest : undefined;
}

/** `/deploy rollback <app> [<env>] [to <version>]`: the deploy flow, towards a known-good version. */
export async function requestRollback(
  deps: DeployDeps,
  env: Environment,
  requestedBy: string,
  named?: string,
): Promise<DeployResult> {
  await requireDeployer(deps.directory, env, requestedBy);
  const runningNow = await targetAs(deps, env, requestedBy).running(env);
  const { version, digest } = await rollbackTarget(deps.store, env, runningNow, named);
  if (version === runningNow)
    throw new CapstanError('invalid_state', {
      kind: 'rollback.alreadyRuns',
      app: env.app,
      env: env.name,
      version,
    });
  return requestDeploy(deps, env, version, requestedBy, { kind: 'rollback', digest });
}
