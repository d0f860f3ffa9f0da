import type { BeanstalkTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import type { BeanstalkFact } from '../../domain/facts/beanstalk.js';
import { parseImage } from '../../domain/version.js';
import type { ApplyRequest, Started } from '../strategy.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { fingerprint, refOf } from './environment.js';
import { versionDescription } from './labels.js';
import { findEnvironment, readyEnvironment } from './lookups.js';
import type { BeanstalkPlan, BeanstalkTrack } from './schemas.js';

/** How far back reconcile() looks for the update that put the environment on the label. */
const RECONCILE_LOOKBACK_MS = 60 * 60_000;

type Request = ApplyRequest<BeanstalkPlan>;

export async function apply(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  req: Request,
): Promise<Started<BeanstalkTrack>> {
  const { plan } = req;
  const e = await readyEnvironment(deps, t);
  const lines = await ensureVersion(deps, t, req);
  const since = deps.now();
  const requestId = await deps.beanstalk.updateEnvironment(refOf(t), plan.label);
  const previousLabel = e.versionLabel;
  return started(t, plan, lines, {
    label: plan.label,
    previousLabel,
    previousTag: previousLabel === plan.previousLabel ? plan.previousTag : previousLabel,
    requestId,
    since,
    look: fingerprint(e),
  });
}

export async function reconcile(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  { plan }: Request,
): Promise<Started<BeanstalkTrack> | undefined> {
  const e = await findEnvironment(deps, t);
  if (!e || e.versionLabel !== plan.label) return undefined;
  // The newest update start is this one: it gives the request id its events carry.
  const recent = await deps.beanstalk.describeEvents(refOf(t), deps.now() - RECONCILE_LOOKBACK_MS);
  const start = [...recent].reverse().find((ev) => ev.message.startsWith('Environment update is starting'));
  return started(t, plan, [], {
    label: plan.label,
    previousLabel: plan.previousLabel,
    previousTag: plan.previousTag,
    requestId: start?.requestId,
    since: start?.at ?? e.updatedAt ?? deps.now(),
    look: fingerprint(e),
  });
}

/** The application version of the plan exists, pointing at the plan's bundle; says what it did. */
async function ensureVersion(
  deps: BeanstalkStrategyDeps,
  t: BeanstalkTarget,
  req: Request,
): Promise<BeanstalkFact[]> {
  const { plan } = req;
  const bundle = { label: plan.label, bucket: plan.bucket, key: plan.key };
  if (plan.reuse) return [{ kind: 'beanstalk.reusingVersion', ...bundle }];
  const [existing] = await deps.beanstalk.describeApplicationVersions(t.region, t.application, [plan.label]);
  if (existing) {
    // A retried apply finds the version it created itself; any other is someone else's.
    if (isPlanned(existing.bundle, plan)) return [];
    throw new CapstanError('conflict', {
      kind: 'beanstalk.versionAppeared',
      label: plan.label,
      application: t.application,
    });
  }
  await deps.objects.put(t.region, plan.bucket, plan.key, plan.body, 'application/json');
  const digest = parseImage(plan.image).digest ?? '';
  const version = {
    label: plan.label,
    description: versionDescription(req.requestId, req.actor, req.version, digest),
    bucket: plan.bucket,
    key: plan.key,
  };
  await deps.beanstalk
    .createApplicationVersion(t.region, t.application, version)
    .catch(async (e: unknown) => {
      // A retry refused with "already exists" may be meeting this very request's version:
      // it is this request's when it points at this request's bundle.
      const [made] = await deps.beanstalk.describeApplicationVersions(t.region, t.application, [plan.label]);
      if (!isPlanned(made?.bundle, plan)) throw e;
    });
  return [{ kind: 'beanstalk.versionCreated', ...bundle, image: plan.image }];
}

const isPlanned = (bundle: { bucket: string; key: string } | undefined, plan: BeanstalkPlan) =>
  bundle?.bucket === plan.bucket && bundle.key === plan.key;

function started(
  t: BeanstalkTarget,
  plan: BeanstalkPlan,
  lines: readonly BeanstalkFact[],
  track: BeanstalkTrack,
): Started<BeanstalkTrack> {
  return {
    data: track,
    lines: [
      ...lines,
      {
        kind: 'beanstalk.updating',
        environment: t.environment,
        label: plan.label,
        requestId: track.requestId,
      },
    ],
  };
}
