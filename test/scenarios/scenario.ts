import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { SlackStandIn, type StoredMessage } from '../../sandbox/slackApi.js';
import { type PassOptions, SkipClock, passUntil } from '../fakes/skipClock.js';
import { GROUPS, USERS } from '../fixtures/config.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';
import { scratchDir } from '../support/scratch.js';

/** The parts of capstan.yml every scenario shares; `envs` is indented under `apps.todobackend.environments`. */
export function yamlWith(envs: string, extra = ''): string {
  return `
admins: [U0ADMIN]
storage:
  sqlite: __DB__
polling:
  interval: 20ms
status:
  cacheFor: 0s
${extra}
apps:
  todobackend:
    environments:
${envs}`;
}

/** dev and qa live in two clusters: one can be sick while the other goes on. */
export const ECS_ENVS = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1s
      qa:
        channel: C0QA
        ecs: { region: us-east-1, cluster: todo-qa, service: todobackend-qa, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1s
`;

/** A second service in dev's cluster (new FakeEcs('todobackend-web', { joining })): looked at in the same DescribeServices. */
export const ECS_SAME_CLUSTER_ENV = `
      web:
        channel: C0WEB
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-web, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1s
`;

/** An Elastic Beanstalk environment (see test/support/fakeBeanstalk.ts). */
export const BEANSTALK_ENV = `
      staging:
        channel: C0STAGING
        beanstalk: { region: us-east-1, application: todobackend, environment: todobackend-staging, repository: todobackend, bucket: capstan-bundles }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1s
`;

/** A CodeDeploy deployment group on EC2 with S3 bundles (see test/support/fakeCodeDeploy.ts). */
export const CODEDEPLOY_ENV = `
      fleet:
        channel: C0FLEET
        codedeploy:
          region: us-east-1
          application: todobackend
          deploymentGroup: todobackend-prod
          revision: { bucket: todo-bundles, key: "todobackend/{version}.zip", bundleType: zip }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1s
`;

/** A second CodeDeploy group of the same application, in the same region (`addGroup('todobackend-canary')`). */
export const CODEDEPLOY_CANARY_ENV = `
      canary:
        channel: C0CANARY
        codedeploy:
          region: us-east-1
          application: todobackend
          deploymentGroup: todobackend-canary
          revision: { bucket: todo-bundles, key: "todobackend/{version}.zip", bundleType: zip }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1s
`;

/** A CloudFormation stack released through change sets (see test/support/fakeCfn.ts); `approvals` people must approve. */
export const cfnEnv = (approvals = 0) => `
      prod:
        channel: C0PROD
        cloudformation: { region: us-east-1, stack: todobackend-prod, imageParameter: ApplicationImageTag, repository: todobackend, capabilities: [CAPABILITY_IAM] }
        policy: { deployers: ["*"], approvers: ["@deploy-approvers"], approvals: ${approvals} }
        rolloutTimeout: 1s
`;

/** A gate a fake's call waits on: `open()` lets it through, `fail()` makes it throw. */
export class Gate {
  private resolve!: () => void;
  private reject!: (e: Error) => void;
  readonly promise: Promise<void>;
  reached = false;

  constructor() {
    this.promise = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.promise.catch(() => undefined);
  }

  /** What the fake awaits: marks the gate as reached. */
  wait(): Promise<void> {
    this.reached = true;
    return this.promise;
  }

  open(): void {
    this.resolve();
  }

  fail(e: Error = lostConnection()): void {
    this.reject(e);
  }
}

/** What the SDK throws when a response never arrives: the request may or may not have taken effect. */
export const lostConnection = () =>
  Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });

export const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

export const throttling = () => awsError('ThrottlingException', 'Rate exceeded');

/**
 * One Capstan with its Slack stand-in and its ledger, across restarts and crashes. A crash freezes the
 * process where it is (a call that hangs stays hung, its loops stop, nothing it would do next happens)
 * and starts a new one on the same ledger, as after `kill -9`; the frozen one is let go at the end.
 */
export class World {
  private readonly frozen: { stopping: Promise<void>; let: () => void }[] = [];
  private readonly gates: Gate[] = [];

  private constructor(
    public h: Harness,
    private yaml: string,
    private readonly slack: SlackStandIn,
    private readonly dir: string,
    /** Capstan's clock and sleep, which the fakes of AWS read too: `skip` lets time pass at once. */
    readonly clock: SkipClock,
  ) {}

  /** `clock` is the one the test's fakes of AWS were given (a fresh one when they read none). */
  static async start(yaml: string, clock = new SkipClock()): Promise<World> {
    const slack = new SlackStandIn({ users: USERS, groups: GROUPS });
    await slack.start();
    const dir = scratchDir('capstan-scenario-');
    const h = await startHarness({
      yaml,
      standIn: slack,
      dbPath: join(dir, 'capstan.db'),
      ownsStandIn: false,
      clock,
      sleep: clock.sleep,
    });
    return new World(h, yaml, slack, dir, clock);
  }

  /** An orderly restart: the process finishes what it is doing, then a new one starts. */
  async restart(): Promise<void> {
    this.h = await this.h.restart();
  }

  /** An orderly restart with another capstan.yml (an environment's configuration changed), on the same ledger. */
  async reconfigure(yaml: string): Promise<void> {
    const old = this.h;
    await old.capstan.stop();
    this.yaml = yaml;
    this.h = await startHarness({
      yaml,
      standIn: this.slack,
      dbPath: old.dbPath,
      ownsStandIn: false,
      clock: this.clock,
      sleep: this.clock.sleep,
    });
  }

  /**
   * The process dies in the middle of a call that hangs (`letGo` ends that call once the scenario is
   * over); a new process starts on the same ledger and the same Slack.
   */
  async crash(letGo: () => void): Promise<void> {
    const old = this.h;
    const stopping = old.capstan.stop();
    stopping.catch(() => undefined);
    this.frozen.push({ stopping, let: letGo });
    this.h = await startHarness({
      yaml: this.yaml,
      standIn: this.slack,
      dbPath: old.dbPath,
      ownsStandIn: false,
      clock: this.clock,
      sleep: this.clock.sleep,
    });
  }

  /** Another replica on the same ledger and Slack, running alongside this one (the caller stops it). */
  replica(): Promise<Harness> {
    return startHarness({
      yaml: this.yaml,
      standIn: this.slack,
      dbPath: this.h.dbPath,
      ownsStandIn: false,
      clock: this.clock,
      sleep: this.clock.sleep,
    });
  }

  /** A gate for a fake's call to wait on; whatever still waits when the scenario ends fails then. */
  gate(): Gate {
    const g = new Gate();
    this.gates.push(g);
    return g;
  }

  async stop(): Promise<void> {
    for (const g of this.gates) g.fail();
    await this.h.stop();
    for (const f of this.frozen) {
      f.let();
      await f.stopping.catch(() => undefined);
    }
    await this.slack.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs a /deploy command as `user` in `channel` and returns Capstan's answer. */
  async command(text: string, channel: string, user = 'U0ALICE'): Promise<string> {
    const r = await this.h.command(text, { user, channel });
    expect(r.status).toBe(200);
    return JSON.stringify(await responseTo(this.h.slack, r.responseUrl));
  }

  /** The parent message of the deploy of `version` to `env`, once its text matches `until`. */
  parent(channel: string, version: string, env: string, until: RegExp, timeoutMs = 10_000) {
    return this.h.slack.waitFor(
      () =>
        this.h.slack
          .channelMessages(channel)
          .find((m) => isParent(m.text, version, env) && until.test(m.text)),
      timeoutMs,
    );
  }

  /**
   * The parent message once its text matches `until`, letting Capstan's time run ahead meanwhile
   * (see `passUntil`): for an outcome that comes from a deadline, a time limit or a back-off.
   */
  parentLater(channel: string, version: string, env: string, until: RegExp, opts?: PassOptions) {
    return this.passUntil(
      () =>
        this.h.slack
          .channelMessages(channel)
          .find((m) => isParent(m.text, version, env) && until.test(m.text)),
      opts,
    );
  }

  /** Waits for `predicate` while time passes faster (see passUntil in test/fakes/skipClock.ts). */
  passUntil<T>(predicate: () => T | undefined | false, opts?: PassOptions): Promise<T> {
    return passUntil(this.clock, (p, ms) => this.h.slack.waitFor(p, ms), predicate, opts);
  }

  /** The parent message as it is now (its last version). */
  current(channel: string, version: string, env: string): StoredMessage {
    const m = this.h.slack.channelMessages(channel).find((x) => isParent(x.text, version, env));
    if (!m) throw new Error(`no parent message for ${version} to ${env} in ${channel}`);
    return m;
  }

  /** Every text Slack was given for the parent message of that deploy, oldest first, with when. */
  shown(channel: string, version: string, env: string): { text: string; at: number }[] {
    return this.h.slack.calls
      .filter(
        (c) =>
          (c.method === 'chat.update' ||
            (c.method === 'chat.postMessage' && c.args.thread_ts === undefined)) &&
          c.args.channel === channel &&
          typeof c.args.text === 'string' &&
          isParent(c.args.text, version, env),
      )
      .map((c) => ({ text: String(c.args.text), at: c.at }));
  }

  /** The states the parent message went through, oldest first, repeats folded. */
  states(channel: string, version: string, env: string): string[] {
    const out: string[] = [];
    for (const { text } of this.shown(channel, version, env)) {
      const state = text.slice(text.indexOf(': ') + 2);
      if (out.at(-1) !== state) out.push(state);
    }
    return out;
  }

  /**
   * Asserts the parent message only ever showed states of `path`, in that order, and ends on its last:
   * no state appears before the one that must come first (progress counts aside; Slack edits are
   * coalesced, so a short-lived state may be skipped, never reordered).
   */
  expectPath(channel: string, version: string, env: string, path: readonly string[]): void {
    const states = this.states(channel, version, env).map((s) => s.replace(/ \d+\/\d+$/, ''));
    let at = 0;
    for (const s of states) {
      const i = path.indexOf(s, at);
      expect(i, `"${s}" shown out of order; shown: ${states.join(' → ')}`).toBeGreaterThanOrEqual(0);
      at = i;
    }
    expect(states.at(-1)).toBe(path.at(-1));
  }

  /** The thread under a parent message, as one text. */
  thread(m: StoredMessage): string {
    return this.h.slack
      .thread(m.channel, m.ts)
      .map((x) => x.text)
      .join('\n');
  }

  /** Thread details are paced behind the outcome: waits until the thread contains `needle`. */
  threadHas(m: StoredMessage, needle: string | RegExp, timeoutMs = 10_000): Promise<string> {
    return this.h.slack.waitFor(() => {
      const t = this.thread(m);
      return (typeof needle === 'string' ? t.includes(needle) : needle.test(t)) ? t : undefined;
    }, timeoutMs);
  }

  /** The ledger, read from the SQLite file as another process would: newest first. */
  async ledger(env: string): Promise<readonly Deployment[]> {
    const store = openSqliteStore(this.h.dbPath);
    try {
      return await store.history('todobackend', env, 20);
    } finally {
      store.close();
    }
  }

  /** The newest entry of the ledger for `env`. */
  async last(env: string): Promise<Deployment> {
    const [d] = await this.ledger(env);
    if (!d) throw new Error(`the ledger has nothing for ${env}`);
    return d;
  }

  /** Waits for a condition outside Slack (an AWS fake's state), checked as Slack calls arrive and every 25 ms. */
  until<T>(predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return this.h.slack.waitFor(predicate, timeoutMs);
  }
}

const PARENT = /^(deploy|rollback|release) of \S+ (\S+) to (\S+): /;

function isParent(text: string, version: string, env: string): boolean {
  const m = PARENT.exec(text);
  return m?.[2] === version && m[3] === env;
}

/** A message's text and blocks, for assertions on what people read. */
export const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
