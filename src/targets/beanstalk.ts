import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BeanstalkTarget, Environment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import { parseImage, shortDigest } from '../domain/version.js';
import { errorMessage } from '../lib/errors.js';
import { escapeMrkdwn, unescapeMrkdwn } from '../lib/mrkdwn.js';
import type {
  ApplicationVersion,
  Beanstalk,
  BeanstalkEnvironment,
  BeanstalkEvent,
  EnvironmentRef,
} from '../ports/beanstalk.js';
import type { ObjectStore } from '../ports/objects.js';
import type { Registry } from '../ports/registry.js';
import { observeEach } from './each.js';
import { requireImage } from './image.js';
import type { Checked, Observation, Observed, Reading, Started, TargetStrategy } from './strategy.js';

export interface BeanstalkStrategyDeps {
  readonly beanstalk: Beanstalk;
  readonly objects: ObjectStore;
  readonly registry: Registry;
  readonly now: () => number;
}

/** Elastic Beanstalk's limit on a version label. */
const MAX_LABEL = 100;
/** A Dockerrun.aws.json is a few hundred bytes; anything much larger is a zip Capstan does not read. */
const MAX_BUNDLE_BYTES = 64 * 1024;
/** Capstan's clock and AWS's may disagree: look back this far for the update's own events. */
const CLOCK_SKEW_MS = 60_000;
/** How far back reconcile() looks for the update that put the environment on the label. */
const RECONCILE_LOOKBACK_MS = 60 * 60_000;
const LINES_PER_LOOK = 15;
const EVENTS_IN_DETAIL = 5;
const REASON_CHARS = 300;
const ERROR_SEVERITIES = new Set(['ERROR', 'FATAL']);
const SUFFIXED = /^(.+)-([0-9a-f]{12})$/;

/** What apply() uploads and deploys, exactly as reviewed. */
const PlanSchema = z.object({
  label: z.string(),
  bucket: z.string(),
  key: z.string(),
  body: z.string(),
  reuse: z.boolean(),
  image: z.string(),
  previousLabel: z.string().optional(),
  previousTag: z.string().optional(),
});
type BeanstalkPlan = z.infer<typeof PlanSchema>;

/** What the poll loop keeps between looks (in the ledger: kept small). */
const TrackSchema = z.object({
  label: z.string(),
  previousLabel: z.string().optional(),
  previousTag: z.string().optional(),
  requestId: z.string().optional(),
  since: z.number(),
  /** Time of the newest event seen, and short hashes of the events at that instant. */
  cursor: z.number().optional(),
  seen: z.array(z.string()).optional(),
  /** status|health|healthStatus|label at the last look. */
  look: z.string().optional(),
  /** The update has visibly begun (so a Ready environment is not a stale read from before it). */
  begun: z.boolean().optional(),
  /** Short hashes of the INFO messages seen: the same words again are not progress. */
  said: z.array(z.string()).optional(),
  /** The first ERROR event of the update, raw (escaped when shown). */
  failure: z.string().optional(),
});
type Track = z.infer<typeof TrackSchema>;

const ContextSchema = z.object({
  envId: z.string(),
  repositoryUri: z.string(),
  digest: z.string(),
  currentLabel: z.string().optional(),
  currentTag: z.string().optional(),
  currentImage: z.string().optional(),
});
type BeanstalkContext = z.infer<typeof ContextSchema>;

const DockerrunSchema = z.object({ Image: z.object({ Name: z.string() }) });

export function beanstalkOf(env: Environment): BeanstalkTarget {
  if (env.target.kind !== 'beanstalk')
    throw new Error(`${env.app}/${env.name} is not an Elastic Beanstalk environment`);
  return env.target;
}

const refOf = (t: BeanstalkTarget): EnvironmentRef => ({
  region: t.region,
  application: t.application,
  environment: t.environment,
});

const where = (t: BeanstalkTarget) =>
  `Elastic Beanstalk environment ${t.environment} of ${t.application} (${t.region})`;

export function environmentConsoleUrl(t: BeanstalkTarget, envId?: string): string {
  const host = t.region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  const app = encodeURIComponent(t.application);
  const page = envId
    ? `environment/dashboard?applicationName=${app}&environmentId=${encodeURIComponent(envId)}`
    : `application/overview?applicationName=${app}`;
  return `https://${host}/elasticbeanstalk/home?region=${t.region}#/${page}`;
}

/** Dockerrun.aws.json v1 naming the image by digest, so every instance pulls exactly what was reviewed. */
export function dockerrun(image: string, containerPort: number): string {
  return JSON.stringify({
    AWSEBDockerrunVersion: '1',
    Image: { Name: image, Update: 'true' },
    Ports: [{ ContainerPort: containerPort }],
  });
}

/** The image a Dockerrun.aws.json v1 names; undefined for anything else (a zip, Compose). */
export function dockerrunImage(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed = DockerrunSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.Image.Name : undefined;
  } catch {
    return undefined;
  }
}

const hex12 = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/**
 * The tag a version label stands for. Capstan labels a re-pushed tag `<tag>-<12 hex of digest>`;
 * the suffix is stripped only when the version itself confirms that digest, so a tag that merely
 * ends in hex (`main-3f9c2a1b4d5e`) keeps its name.
 */
export function tagOfLabel(label: string, evidence: { description?: string; digest?: string } = {}): string {
  const m = SUFFIXED.exec(label);
  if (!m?.[1] || !m[2]) return label;
  const hex = m[2];
  const confirmed =
    (evidence.digest !== undefined && hex12(evidence.digest) === hex) ||
    (evidence.description?.includes(`sha256:${hex}`) ?? false);
  return confirmed ? m[1] : label;
}

function versionDescription(requestId: string, actor: string, tag: string, digest: string): string {
  // The digest comes first: tagOfLabel() looks for it, and a long tag must not push it past the limit.
  return `Capstan: image sha256:${hex12(digest)}… tag ${tag}, request ${requestId} by ${actor}`.slice(0, 200);
}

const fingerprint = (e: BeanstalkEnvironment) =>
  [e.status, e.health ?? '', e.healthStatus ?? '', e.versionLabel ?? ''].join('|');

const healthText = (e: BeanstalkEnvironment) =>
  `${e.health ?? 'unknown'}${e.healthStatus ? ` (${e.healthStatus})` : ''}`;

const messageKey = (ev: BeanstalkEvent) => createHash('sha1').update(ev.message).digest('hex').slice(0, 8);

/** Health from worst to best: only a step up is progress. */
const HEALTH_RANK: Readonly<Record<string, number>> = { Grey: 0, Red: 1, Yellow: 2, Green: 3 };

const eventKey = (ev: BeanstalkEvent) =>
  createHash('sha1').update(`${ev.at}|${ev.severity}|${ev.message}`).digest('hex').slice(0, 10);

function eventLine(ev: BeanstalkEvent): string {
  const mark = ERROR_SEVERITIES.has(ev.severity)
    ? ':x:'
    : ev.severity === 'WARN'
      ? ':warning:'
      : ':information_source:';
  return `${mark} ${escapeMrkdwn(ev.message)}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function parsePlan(plan: unknown): BeanstalkPlan {
  const p = PlanSchema.safeParse(plan);
  if (!p.success) throw new Error(`Not an Elastic Beanstalk plan: ${p.error.message}`);
  return p.data;
}

function parseTrack(data: unknown): Track {
  const p = TrackSchema.safeParse(data);
  if (!p.success) throw new Error(`Not an Elastic Beanstalk rollout: ${p.error.message}`);
  return p.data;
}

/** An Elastic Beanstalk environment (Docker platform) deployed by application version label. */
export function createBeanstalkStrategy(deps: BeanstalkStrategyDeps): TargetStrategy {
  const { beanstalk, objects } = deps;

  async function findEnvironment(t: BeanstalkTarget): Promise<BeanstalkEnvironment | undefined> {
    const found = await beanstalk.describeEnvironments(t.region, t.application, [t.environment]);
    return liveOne(found, t.environment);
  }

  async function readyEnvironment(t: BeanstalkTarget): Promise<BeanstalkEnvironment> {
    const e = await findEnvironment(t);
    if (!e) throw new CapstanError('not_found', `${where(t)} was not found.`);
    if (e.status !== 'Ready') {
      throw new CapstanError(
        'invalid_state',
        `${where(t)} is ${escapeMrkdwn(e.status)}, not Ready (health ${escapeMrkdwn(healthText(e))}): wait until its current operation ends, then deploy again.`,
      );
    }
    return e;
  }

  /** The image a version's bundle names, when the bundle is a small Dockerrun.aws.json. */
  async function bundleImage(t: BeanstalkTarget, v: ApplicationVersion): Promise<string | undefined> {
    if (!v.bundle) return undefined;
    const head = await objects.head(t.region, v.bundle.bucket, v.bundle.key);
    if (!head || (head.size ?? 0) > MAX_BUNDLE_BYTES) return undefined;
    return dockerrunImage(await objects.getText(t.region, v.bundle.bucket, v.bundle.key));
  }

  /** Tags for labels, looking up only the labels that carry a digest suffix (one call). */
  async function tagsOf(t: BeanstalkTarget, labels: readonly string[]): Promise<Map<string, string>> {
    const tags = new Map(labels.map((l) => [l, l]));
    const suffixed = [...new Set(labels.filter((l) => SUFFIXED.test(l)))];
    if (suffixed.length === 0) return tags;
    try {
      const versions = await beanstalk.describeApplicationVersions(t.region, t.application, suffixed);
      for (const v of versions) tags.set(v.label, tagOfLabel(v.label, { description: v.description }));
    } catch {
      // Only a nicer name is lost: the label itself is still a true answer.
    }
    return tags;
  }

  async function check(env: Environment, version: string): Promise<Checked> {
    const t = beanstalkOf(env);
    const [image, e] = await Promise.all([
      requireImage(deps.registry, t.region, t.repository, version),
      readyEnvironment(t),
    ]);
    if (version.length > MAX_LABEL) {
      throw new CapstanError(
        'invalid_state',
        `Tag \`${escapeMrkdwn(version)}\` is longer than the ${MAX_LABEL} characters of an Elastic Beanstalk version label.`,
      );
    }
    let currentTag: string | undefined;
    let currentImage: string | undefined;
    if (e.versionLabel) {
      const label = e.versionLabel;
      try {
        const [v] = await beanstalk.describeApplicationVersions(t.region, t.application, [label]);
        currentImage = v ? await bundleImage(t, v) : undefined;
        const digest = currentImage ? parseImage(currentImage).digest : undefined;
        currentTag = tagOfLabel(label, { description: v?.description, digest });
      } catch {
        // What runs now is shown, not relied on: an unreadable bundle must not block a deploy.
        currentTag = label;
      }
    }
    const context: BeanstalkContext = {
      envId: e.id,
      repositoryUri: image.repositoryUri,
      digest: image.digest,
      currentLabel: e.versionLabel,
      currentTag,
      currentImage,
    };
    return { fromVersion: currentTag, digest: image.digest, context };
  }

  /** The label to deploy: the tag, reused when it already pins this digest, else `<tag>-<12 hex>`. */
  async function chooseVersion(t: BeanstalkTarget, tag: string, digest: string) {
    const candidates = [tag, `${tag}-${hex12(digest)}`].filter((l) => l.length <= MAX_LABEL);
    const existing = await beanstalk.describeApplicationVersions(t.region, t.application, candidates);
    for (const label of candidates) {
      const v = existing.find((x) => x.label === label);
      if (!v)
        return {
          label,
          reuse: false,
          bucket: t.bucket,
          key: `${t.keyPrefix}${t.application}/${label}/Dockerrun.aws.json`,
        };
      const image = await bundleImage(t, v);
      if (v.bundle && image !== undefined && parseImage(image).digest === digest)
        return { label, reuse: true, bucket: v.bundle.bucket, key: v.bundle.key };
    }
    throw new CapstanError(
      'conflict',
      `Application versions ${candidates.map((l) => `\`${escapeMrkdwn(l)}\``).join(' and ')} of ${escapeMrkdwn(t.application)} already exist with another image; delete one or push a new tag.`,
    );
  }

  function started(t: BeanstalkTarget, plan: BeanstalkPlan, track: Track, lines: string[]): Started {
    return {
      data: track,
      lines: [
        ...lines,
        `Elastic Beanstalk is updating environment \`${escapeMrkdwn(t.environment)}\` to \`${escapeMrkdwn(plan.label)}\`${track.requestId ? ` (request \`${escapeMrkdwn(track.requestId)}\`)` : ''}.`,
      ],
    };
  }

  async function observeOne(item: Observed, e: BeanstalkEnvironment | undefined): Promise<Observation> {
    const t = beanstalkOf(item.env);
    const track = parseTrack(item.data);
    if (!e || e.status === 'Terminated' || e.status === 'Terminating') {
      const what = `${where(t)} ${e ? `is ${escapeMrkdwn(e.status)}` : 'no longer exists'}`;
      return { kind: 'missing', data: track, lines: [], what };
    }
    const events = await beanstalk.describeEvents(refOf(t), track.cursor ?? track.since - CLOCK_SKEW_MS);
    const seen = new Set(track.seen ?? []);
    // Ours: the update's request id, or anything after it started; older events belong to earlier changes.
    const ours = (ev: BeanstalkEvent) => track.requestId !== undefined && ev.requestId === track.requestId;
    const fresh = events.filter((ev) => !seen.has(eventKey(ev)) && (ours(ev) || ev.at >= track.since));
    const cursor = events.reduce((m, ev) => Math.max(m, ev.at), track.cursor ?? 0) || undefined;
    const atCursor = events.filter((ev) => ev.at === cursor).map(eventKey);
    const firstError = fresh.find((ev) => ERROR_SEVERITIES.has(ev.severity));
    const look = fingerprint(e);
    const data: Track = {
      ...track,
      cursor,
      seen: [...new Set([...(cursor === track.cursor ? (track.seen ?? []) : []), ...atCursor])].slice(-20),
      look,
      // Events can be newer than DescribeEnvironments: only the environment itself, or the
      // update's own completion event, shows that a Ready environment is past the update.
      begun:
        track.begun ||
        e.status !== 'Ready' ||
        (e.updatedAt ?? 0) >= track.since ||
        (e.versionLabel === track.label && track.label !== track.previousLabel) ||
        fresh.some((ev) => ours(ev) && /complete/i.test(ev.message)),
      failure: track.failure ?? (firstError ? truncate(firstError.message, REASON_CHARS) : undefined),
    };
    const lines = fresh.slice(-LINES_PER_LOOK).map(eventLine);
    if (fresh.length > LINES_PER_LOOK)
      lines.unshift(
        `_…${fresh.length - LINES_PER_LOOK} earlier events are in the Elastic Beanstalk console._`,
      );
    // Only what moves the update forward is progress: a new status or label, better health, news
    // in INFO events. Warnings, errors and the same words again are not, so a stalled update meets
    // its deadline.
    const [status, health, , label0] = (track.look ?? '').split('|');
    const said = new Set(track.said ?? []);
    const news = fresh.filter(
      (ev) => !ERROR_SEVERITIES.has(ev.severity) && ev.severity !== 'WARN' && !said.has(messageKey(ev)),
    );
    data.said = [...said, ...news.map(messageKey)].slice(-30);
    const moved =
      track.look === undefined ||
      e.status !== status ||
      (e.versionLabel ?? '') !== label0 ||
      (HEALTH_RANK[e.health ?? ''] ?? 0) > (HEALTH_RANK[health ?? ''] ?? 0) ||
      news.length > 0;
    const progress = (): Observation => ({ kind: 'progress', data, lines, moved });

    // Beanstalk refuses another update until this one ends: judge only a Ready environment.
    if (e.status !== 'Ready' || !data.begun) return progress();
    const label = e.versionLabel;
    const isPrevious =
      label !== undefined && label === data.previousLabel && data.previousLabel !== data.label;
    // Capstan's own rollback redeploys the previous label: going "back" to it there is no revert.
    const revert = isPrevious && item.phase === 'rollout';
    // Reasons are plain text: views escape them where they are shown.
    const failed = (escaped: string): Observation => {
      const reason = unescapeMrkdwn(escaped);
      return revert
        ? {
            kind: 'failed',
            data,
            lines: [
              ...lines,
              `:rewind: Elastic Beanstalk put environment \`${escapeMrkdwn(t.environment)}\` back on \`${escapeMrkdwn(label ?? '')}\`.`,
            ],
            reason,
            selfRollback: { kind: 'done', runsNow: data.previousTag ?? label },
          }
        : { kind: 'failed', data, lines, reason };
    };

    if (label !== data.label && !isPrevious) {
      const by = label ? ((await tagsOf(t, [label])).get(label) ?? label) : 'another change';
      return { kind: 'superseded', data, lines, by };
    }
    if (data.failure !== undefined) return failed(escapeMrkdwn(data.failure));
    if (isPrevious) {
      return failed(
        `Environment ${escapeMrkdwn(t.environment)} is Ready on ${escapeMrkdwn(label ?? '')} again without reporting an error for ${escapeMrkdwn(data.label)}.`,
      );
    }
    if (e.health === 'Red' || e.healthStatus === 'Severe') {
      return failed(
        `Environment ${escapeMrkdwn(t.environment)} runs ${escapeMrkdwn(data.label)} with health ${escapeMrkdwn(healthText(e))}.`,
      );
    }
    const healthy =
      e.health === 'Green' && (e.healthStatus === undefined || ['Ok', 'Info'].includes(e.healthStatus));
    return healthy ? { kind: 'succeeded', data, lines } : progress();
  }

  async function readingOf(
    t: BeanstalkTarget,
    e: BeanstalkEnvironment,
    version: string | undefined,
    detail: boolean,
  ): Promise<Reading> {
    let events: Reading['events'] = [];
    if (detail) {
      try {
        const recent = await beanstalk.describeEvents(refOf(t), deps.now() - 14 * 86_400_000, {
          limit: EVENTS_IN_DETAIL,
        });
        events = recent.map((ev) => ({ at: ev.at, message: ev.message })).reverse();
      } catch {
        // The state is still worth showing without its events.
      }
    }
    return {
      version,
      state: e.status,
      facts: [`health ${healthText(e)}`],
      inProgress: e.status !== 'Ready',
      changedAt: e.updatedAt,
      events,
      consoleUrl: environmentConsoleUrl(t, e.id),
    };
  }

  return {
    label: 'Elastic Beanstalk',
    describe(env) {
      const t = beanstalkOf(env);
      return `Elastic Beanstalk environment ${t.environment} of ${t.application} (${t.region})`;
    },
    pollGroup(env) {
      const t = beanstalkOf(env);
      return `beanstalk|${t.region}|${t.application}`;
    },

    check,

    async prepare(env, req) {
      const t = beanstalkOf(env);
      const stored = ContextSchema.safeParse(req.checked.context);
      const ctx = stored.success ? stored.data : ContextSchema.parse((await check(env, req.version)).context);
      if (req.checked.digest !== undefined && req.checked.digest !== ctx.digest) {
        throw new CapstanError(
          'conflict',
          `Tag \`${escapeMrkdwn(req.version)}\` now names ${shortDigest(ctx.digest)}, not ${shortDigest(req.checked.digest)} as requested: request the deploy again.`,
        );
      }
      const image = `${ctx.repositoryUri}@${ctx.digest}`;
      const chosen = await chooseVersion(t, req.version, ctx.digest);
      const plan: BeanstalkPlan = {
        ...chosen,
        body: dockerrun(image, t.containerPort),
        image,
        previousLabel: ctx.currentLabel,
        previousTag: ctx.currentTag,
      };
      // The repository without its registry host, as people name it.
      const repo = (uri: string) => parseImage(uri).repository.replace(/^[^/]*[.:][^/]*\//, '');
      const fromImage = ctx.currentImage ? parseImage(ctx.currentImage) : undefined;
      const from = !fromImage
        ? 'unknown'
        : fromImage.digest
          ? `${repo(ctx.currentImage ?? '')}:${ctx.currentTag ?? '?'} (${shortDigest(fromImage.digest)}…)`
          : repo(ctx.currentImage ?? '') + (fromImage.tag ? `:${fromImage.tag}` : '');
      const renamed =
        chosen.label !== req.version ? ` (version ${req.version} exists with another image)` : '';
      return {
        plan,
        unchanged: ctx.currentLabel === chosen.label,
        review: {
          diff: {
            title: 'Application version',
            lines: [
              `version label: ${ctx.currentLabel ?? 'none'} → ${chosen.label}${renamed}`,
              `image: ${from} → ${repo(ctx.repositoryUri)}@${shortDigest(ctx.digest)}…`,
              `bundle: s3://${chosen.bucket}/${chosen.key} (${chosen.reuse ? 'reused' : 'new'})`,
            ],
          },
          link: {
            label: `Environment ${t.environment} in the AWS console`,
            url: environmentConsoleUrl(t, ctx.envId),
          },
        },
      };
    },

    async discard() {
      // Nothing exists before apply(); a bundle left in S3 later is harmless, and versions are kept.
    },

    async apply(env, req) {
      const t = beanstalkOf(env);
      const plan = parsePlan(req.plan);
      const e = await readyEnvironment(t);
      const lines: string[] = [];
      if (!plan.reuse) {
        const [existing] = await beanstalk.describeApplicationVersions(t.region, t.application, [plan.label]);
        if (!existing) {
          await objects.put(t.region, plan.bucket, plan.key, plan.body, 'application/json');
          await beanstalk
            .createApplicationVersion(t.region, t.application, {
              label: plan.label,
              description: versionDescription(
                req.requestId,
                req.actor,
                req.version,
                parseImage(plan.image).digest ?? '',
              ),
              bucket: plan.bucket,
              key: plan.key,
            })
            .catch(async (e: unknown) => {
              // A retry refused with "already exists" may be meeting this very request's version:
              // it is this request's when it points at this request's bundle.
              const [made] = await beanstalk.describeApplicationVersions(t.region, t.application, [
                plan.label,
              ]);
              if (made?.bundle?.bucket !== plan.bucket || made.bundle.key !== plan.key) throw e;
            });
          lines.push(
            `Wrote \`s3://${escapeMrkdwn(`${plan.bucket}/${plan.key}`)}\` pinning \`${escapeMrkdwn(plan.image)}\` and created application version \`${escapeMrkdwn(plan.label)}\`.`,
          );
        } else if (existing.bundle?.bucket !== plan.bucket || existing.bundle.key !== plan.key) {
          // A retried apply finds the version it created itself; any other is someone else's.
          throw new CapstanError(
            'conflict',
            `Application version \`${escapeMrkdwn(plan.label)}\` of ${escapeMrkdwn(t.application)} appeared since the review with another bundle: request the deploy again.`,
          );
        }
      } else {
        lines.push(
          `Reusing application version \`${escapeMrkdwn(plan.label)}\` (\`s3://${escapeMrkdwn(`${plan.bucket}/${plan.key}`)}\`).`,
        );
      }
      const since = deps.now();
      const requestId = await beanstalk.updateEnvironment(refOf(t), plan.label);
      const previousLabel = e.versionLabel;
      const track: Track = {
        label: plan.label,
        previousLabel,
        previousTag: previousLabel === plan.previousLabel ? plan.previousTag : previousLabel,
        requestId,
        since,
        look: fingerprint(e),
      };
      return started(t, plan, track, lines);
    },

    async reconcile(env, req) {
      const t = beanstalkOf(env);
      const plan = parsePlan(req.plan);
      const e = await findEnvironment(t);
      if (!e || e.versionLabel !== plan.label) return undefined;
      // The newest update start is this one: it gives the request id its events carry.
      const recent = await beanstalk.describeEvents(refOf(t), deps.now() - RECONCILE_LOOKBACK_MS);
      const start = [...recent]
        .reverse()
        .find((ev) => ev.message.startsWith('Environment update is starting'));
      const track: Track = {
        label: plan.label,
        previousLabel: plan.previousLabel,
        previousTag: plan.previousTag,
        requestId: start?.requestId,
        since: start?.at ?? e.updatedAt ?? deps.now(),
        look: fingerprint(e),
      };
      return started(t, plan, track, []);
    },

    async observe(items) {
      const out = new Map<string, Observation>();
      const first = items[0];
      if (!first) return out;
      const t0 = beanstalkOf(first.env);
      const names = [...new Set(items.map((i) => beanstalkOf(i.env).environment))];
      // One call every rollout of the application depends on: its failure is theirs alike.
      const found = await beanstalk.describeEnvironments(t0.region, t0.application, names);
      return observeEach(items, (item) =>
        observeOne(item, liveOne(found, beanstalkOf(item.env).environment)),
      );
    },

    async read(envs, detail) {
      const out = new Map<Environment, Reading | Error>();
      const groups = new Map<string, Environment[]>();
      for (const env of envs) {
        const t = beanstalkOf(env);
        const k = `${t.region}|${t.application}`;
        groups.set(k, [...(groups.get(k) ?? []), env]);
      }
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const t0 = beanstalkOf(group[0]!);
          let found: readonly BeanstalkEnvironment[];
          try {
            const names = [...new Set(group.map((env) => beanstalkOf(env).environment))];
            found = await beanstalk.describeEnvironments(t0.region, t0.application, names);
          } catch (e) {
            for (const env of group) out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
            return;
          }
          const tags = await tagsOf(
            t0,
            found.flatMap((e) => (e.versionLabel ? [e.versionLabel] : [])),
          );
          await Promise.all(
            group.map(async (env) => {
              const t = beanstalkOf(env);
              const e = liveOne(found, t.environment);
              if (!e) {
                out.set(env, new Error(`${where(t)} was not found.`));
                return;
              }
              const version = e.versionLabel ? (tags.get(e.versionLabel) ?? e.versionLabel) : undefined;
              out.set(env, await readingOf(t, e, version, detail));
            }),
          );
        }),
      );
      return out;
    },

    async running(env) {
      const t = beanstalkOf(env);
      const e = await findEnvironment(t);
      if (!e) throw new CapstanError('not_found', `${where(t)} was not found.`);
      if (!e.versionLabel) return undefined;
      return (await tagsOf(t, [e.versionLabel])).get(e.versionLabel);
    },
  };
}

/** The live environment of that name: a name can also belong to one terminated a while ago. */
function liveOne(found: readonly BeanstalkEnvironment[], name: string): BeanstalkEnvironment | undefined {
  const named = found.filter((e) => e.name === name);
  return named.find((e) => e.status !== 'Terminated') ?? named[0];
}
