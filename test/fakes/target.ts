import { textFact } from './ports.js';
import type { Environment } from '../../src/domain/catalog.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type {
  ApplyRequest,
  Checked,
  Observation,
  Observed,
  PrepareRequest,
  Prepared,
  Reading,
  Started,
  TargetRegistry,
  TargetStrategy,
} from '../../src/targets/strategy.js';

/**
 * A deploy target that lives in memory: each environment runs a version, and the test scripts what
 * each look at a rollout sees. Use cases are tested against it without Slack or AWS.
 */
export class FakeTarget implements TargetStrategy {
  readonly label = 'FakeCloud';
  readonly artifact = 'image' as const;
  readonly running_ = new Map<string, string>();
  readonly digests = new Map<string, string>();
  readonly applied: ApplyRequest[] = [];
  readonly discarded: string[] = [];
  readonly checks: { version: string; rollingBack: boolean }[] = [];
  /** What the next looks at a rollout (by deployment id, or '*' for any) see; the last one repeats. */
  readonly script = new Map<string, Observation[]>();
  /** Thrown by the next apply(); reconcile() then says whether it took effect anyway. */
  applyError: Error | undefined;
  tookEffectAnyway = false;
  /** Thrown by observe() for these poll groups. */
  readonly failingGroups = new Set<string>();
  readonly observedGroups: string[] = [];

  private key(env: Environment): string {
    return `${env.app}/${env.name}`;
  }

  describe(env: Environment): string {
    return `fake environment ${this.key(env)}`;
  }

  pollGroup(env: Environment): string {
    return `fake|${env.name}`;
  }

  async check(env: Environment, version: string, options?: { rollingBack?: boolean }): Promise<Checked> {
    this.checks.push({ version, rollingBack: options?.rollingBack === true });
    return {
      fromVersion: this.running_.get(this.key(env)),
      digest: this.digests.get(version) ?? `sha256:${version}`,
    };
  }

  async prepare(env: Environment, req: PrepareRequest): Promise<Prepared> {
    return {
      plan: { version: req.version },
      unchanged: this.running_.get(this.key(env)) === req.version,
      review: {
        diff: { title: 'Version', lines: [`${req.checked.fromVersion ?? '(none)'} → ${req.version}`] },
      },
    };
  }

  async discard(_env: Environment, d: Deployment): Promise<void> {
    this.discarded.push(d.id);
  }

  async apply(env: Environment, req: ApplyRequest): Promise<Started> {
    this.applied.push(req);
    if (this.applyError) {
      const e = this.applyError;
      this.applyError = undefined;
      throw e;
    }
    return {
      data: { version: req.version, env: this.key(env) },
      lines: [textFact(`applied ${req.version}`)],
    };
  }

  async reconcile(env: Environment, req: ApplyRequest): Promise<Started | undefined> {
    return this.tookEffectAnyway
      ? { data: { version: req.version, env: this.key(env) }, lines: [] }
      : undefined;
  }

  async observe(items: readonly Observed[]): Promise<ReadonlyMap<string, Observation>> {
    const group = this.pollGroup(items[0]!.env);
    this.observedGroups.push(group);
    if (this.failingGroups.has(group)) throw new Error(`${group} is throttled`);
    const out = new Map<string, Observation>();
    for (const item of items) {
      const queue = this.script.get(item.id) ?? this.script.get('*');
      const next = queue && queue.length > 1 ? queue.shift()! : queue?.[0];
      if (!next) continue;
      if (next.kind === 'succeeded') {
        const data = item.data as { version: string; env: string };
        this.running_.set(data.env, data.version);
      }
      out.set(item.id, next);
    }
    return out;
  }

  async read(envs: readonly Environment[]): Promise<ReadonlyMap<Environment, Reading | Error>> {
    return new Map(
      envs.map((e) => [
        e,
        { version: this.running_.get(this.key(e)), state: 'OK', facts: [], inProgress: false, events: [] },
      ]),
    );
  }

  async running(env: Environment): Promise<string | undefined> {
    return this.running_.get(this.key(env));
  }
}

/** Every environment, whatever its configured kind, is served by the one fake. */
export function fakeRegistry(target: TargetStrategy): TargetRegistry {
  return { for: () => target };
}
