import { afterEach, beforeEach, expect } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { responseTo } from '../support/harness.js';
import { FIVE_XX, LATENCY, type MatrixTarget, type TargetFakes, withVerify } from './verifyMatrix.js';
import { World, body, yamlWith } from './scenario.js';

/**
 * One target's Capstan, its fakes and its alarms for each test of a `describe` (registered here),
 * with the steps the verification scenarios share. Both alarms start OK: nothing is in ALARM before
 * a deploy begins unless a test says so.
 */
export class MatrixSteps {
  w!: World;
  clock!: SkipClock;
  cw!: FakeCloudWatch;
  aws!: TargetFakes;

  constructor(readonly t: MatrixTarget) {
    beforeEach(() => {
      this.clock = new SkipClock();
      this.cw = new FakeCloudWatch(this.clock);
      this.cw.set(FIVE_XX, 'OK');
      this.cw.set(LATENCY, 'OK');
      this.aws = t.fake(this.clock);
    });
    afterEach(async () => {
      await this.w?.stop();
      this.aws.restore();
      this.cw.restore();
    });
  }

  /** `edit` changes the whole capstan.yml (its ledger, its polling, the bake). */
  async start(
    onAlarm: 'rollback' | 'ask' = 'rollback',
    extra = '',
    edit: (yaml: string) => string = (y) => y,
  ): Promise<World> {
    this.w = await World.start(edit(yamlWith(withVerify(this.t, onAlarm), extra)), this.clock);
    return this.w;
  }

  /** `/deploy <version>` as Alice; Capstan's answer. */
  command(version: string, suffix = '', user = 'U0ALICE'): Promise<string> {
    return this.w.command(`todobackend ${version} to ${this.t.env}${suffix}`, this.t.channel, user);
  }

  /** The parent message once `until` matches, time passing in 10 s steps (a bake of a minute is six). */
  later(version: string, until: RegExp, stepMs = 10_000): Promise<StoredMessage> {
    return this.w.parentLater(this.t.channel, version, this.t.env, until, { stepMs, timeoutMs: 20_000 });
  }

  /** Deploys `version` and returns its parent message once it bakes with its alarms read and its buttons shown. */
  async baking(version: string): Promise<StoredMessage> {
    expect(await this.command(version)).toContain(`\`${version}\``);
    return this.w.passUntil(
      () => {
        const m = this.find(version);
        return m &&
          / verifying$/.test(m.text) &&
          body(m).includes(FIVE_XX) &&
          body(m).includes('capstan_bake_')
          ? m
          : undefined;
      },
      { stepMs: 2_000, timeoutMs: 20_000 },
    );
  }

  /** The good version deployed and verified: the version a rollback goes back to. */
  async verifiedFirst(): Promise<void> {
    await this.baking(this.t.good);
    await this.later(this.t.good, /: verified$/);
  }

  find(version: string): StoredMessage | undefined {
    return this.w.h.slack
      .channelMessages(this.t.channel)
      .find((m) => m.text.includes(` ${version} to ${this.t.env}: `));
  }

  current(version: string): StoredMessage {
    return this.w.current(this.t.channel, version, this.t.env);
  }

  last() {
    return this.w.last(this.t.env);
  }

  /** Clicks a bake button on the message as `user`; the ephemeral answer. */
  async click(action: string, user: string, m: StoredMessage): Promise<string> {
    const { id } = await this.last();
    const r = await this.w.h.click({ actionId: action, value: id, user, message: m });
    expect(r.status).toBe(200);
    return JSON.stringify(await responseTo(this.w.h.slack, r.responseUrl));
  }

  /** Waits (time passing) until the message of `version` offers Keep: the bake asks. */
  asking(version: string): Promise<StoredMessage> {
    return this.w.passUntil(() => {
      const x = this.current(version);
      return body(x).includes('capstan_bake_keep') ? x : undefined;
    });
  }

  /** How many times the thread announced that `version` is verified. */
  verifiedAnnouncements(m: StoredMessage): number {
    return this.w.thread(m).match(/No alarm went off during the bake: verified\./g)?.length ?? 0;
  }
}
