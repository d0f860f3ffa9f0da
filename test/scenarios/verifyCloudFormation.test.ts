import {
  CreateChangeSetCommand,
  ExecuteChangeSetCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { World, body, cfnEnv, yamlWith } from './scenario.js';

let w: World;
let clock: SkipClock;
let cw: FakeCloudWatch;
let cfn: FakeCfn;
let ecs: FakeEcs; // its ECR answers for the image tags

const ALARM = 'todobackend-5xx';
const ALARM_ARN = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM}`;
const STACK = 'AWS::CloudFormation::Stack';
const verify = (bake = '1m') => `        verify: { alarms: [${ALARM}], bake: ${bake}, onAlarm: rollback }\n`;

/**
 * CloudFormation's monitoring window, scripted over the fake stack (which runs no rollback
 * configuration of its own): after the update deploys its resources the stack stays
 * UPDATE_IN_PROGRESS for the change set's MonitoringTimeInMinutes, rolls the whole update back when
 * one of its RollbackTriggers is in ALARM, and completes (cleanup, UPDATE_COMPLETE) when the window
 * is over. Everything it does is stamped with the clock Capstan reads.
 */
class MonitoringWindow {
  deployedAt: number | undefined;
  done = false;
  seq = 0;

  constructor(
    private readonly stack: FakeCfn,
    private readonly alarms: FakeCloudWatch,
  ) {
    stack.paused = true; // the fake stops at UPDATE_IN_PROGRESS; this script goes on from there
    stack.beforeDescribe = () => this.tick();
  }

  private config() {
    const input = this.stack.cfn.commandCalls(CreateChangeSetCommand).at(-1)?.args[0].input;
    return input?.RollbackConfiguration;
  }

  private token(): string | undefined {
    const input = this.stack.cfn.commandCalls(ExecuteChangeSetCommand).at(-1)?.args[0].input as
      { ClientRequestToken?: string } | undefined;
    return input?.ClientRequestToken;
  }

  /** The instant of the look being scripted: every event of one look carries it. */
  private at = 0;

  private event(logicalId: string, type: string, status: string, reason?: string): void {
    const e: StackEvent = {
      EventId: `m-${++this.seq}`,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/todobackend-prod/4b9c1f30',
      StackName: this.stack.stackName,
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ResourceStatusReason: reason,
      ClientRequestToken: this.token(),
      Timestamp: new Date(this.at),
    };
    this.stack.events.push(e);
  }

  private executing() {
    return [...this.stack.changeSets.values()].find((cs) => cs.executionStatus === 'EXECUTE_IN_PROGRESS');
  }

  tick(): void {
    const cs = this.executing();
    const started = this.stack.events.some(
      (e) => e.ClientRequestToken === this.token() && e.ResourceType === STACK,
    );
    if (this.done || !cs || !started) return;
    const now = this.stack.now();
    this.at = now;
    if (this.deployedAt === undefined) {
      for (const r of this.stack.resources) this.event(r.logicalId, r.type, 'UPDATE_IN_PROGRESS');
      for (const r of this.stack.resources) this.event(r.logicalId, r.type, 'UPDATE_COMPLETE');
      this.deployedAt = now;
      return;
    }
    const config = this.config();
    const triggers = (config?.RollbackTriggers ?? []).map((t) => t.Arn);
    const firing = [...this.alarms.alarms.entries()].find(
      ([name, a]) =>
        a.state === 'ALARM' && triggers.includes(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`),
    );
    if (firing) {
      const arn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${firing[0]}`;
      this.event(
        this.stack.stackName,
        STACK,
        'UPDATE_ROLLBACK_IN_PROGRESS',
        `Received ALARM state from rollback trigger ${arn}`,
      );
      for (const r of this.stack.resources) this.event(r.logicalId, r.type, 'UPDATE_COMPLETE');
      this.event(this.stack.stackName, STACK, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      this.event(this.stack.stackName, STACK, 'UPDATE_ROLLBACK_COMPLETE');
      this.stack.status = 'UPDATE_ROLLBACK_COMPLETE';
      cs.executionStatus = 'EXECUTE_FAILED';
      this.done = true;
      return;
    }
    const minutes = config?.MonitoringTimeInMinutes ?? 0;
    if (now < this.deployedAt + minutes * 60_000) return;
    this.event(this.stack.stackName, STACK, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    this.event(this.stack.stackName, STACK, 'UPDATE_COMPLETE');
    this.stack.status = 'UPDATE_COMPLETE';
    cs.executionStatus = 'EXECUTE_COMPLETE';
    for (const p of cs.parameters)
      if (p.ParameterKey && p.ParameterValue !== undefined)
        this.stack.parameters[p.ParameterKey] = p.ParameterValue;
    this.done = true;
  }
}

let window: MonitoringWindow;

beforeEach(() => {
  clock = new SkipClock();
  cw = new FakeCloudWatch(clock);
  cw.set(ALARM, 'OK');
  ecs = new FakeEcs('todobackend-dev', { clock });
  cfn = new FakeCfn(clock);
  window = new MonitoringWindow(cfn, cw);
});
afterEach(async () => {
  await w?.stop();
  cw.restore();
  cfn.restore();
  ecs.restore();
});

const later = (until: RegExp) =>
  w.parentLater('C0PROD', '1.2.3', 'prod', until, { stepMs: 5_000, timeoutMs: 30_000 });

describe("CloudFormation's monitoring window, followed to its end", () => {
  it('hands CloudFormation the alarm and the bake, and shows it on the message', async () => {
    w = await World.start(yamlWith(cfnEnv() + verify()), clock);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    const input = cfn.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input.RollbackConfiguration).toEqual({
      RollbackTriggers: [{ Arn: ALARM_ARN, Type: 'AWS::CloudWatch::Alarm' }],
      MonitoringTimeInMinutes: 1,
    });
    const m = await w.parent('C0PROD', '1.2.3', 'prod', /: rolling out$/);
    expect(body(m)).toContain(
      ":shield: CloudFormation rolls back on alarm during the update and 1 min after it: `todobackend-5xx`. Capstan's bake watches them too.",
    );
  });

  it('an alarm in the window: CloudFormation rolls back, and Capstan reports it with the alarm named first', async () => {
    w = await World.start(yamlWith(cfnEnv() + verify()), clock);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    const m = await w.parent('C0PROD', '1.2.3', 'prod', /: rolling out$/);
    await w.threadHas(m, /CloudFormation watches `todobackend-5xx` for 1 min from/);
    // Held by CloudFormation's own clock: the 1s rolloutTimeout does not end it meanwhile.
    const t0 = clock.now();
    await w.passUntil(() => clock.now() >= t0 + 20_000, { stepMs: 2_000 });
    expect((await w.last('prod')).state).toBe('rolling_out');
    cw.set(ALARM, 'ALARM', 'Threshold Crossed: 5xx above 1%');
    const done = await later(/: (rolled back.*|failed)$/);
    expect(done.text).toMatch(/: failed$/); // CloudFormation has put the stack back by itself
    expect(body(done)).toMatch(
      /\*Why:\* :rotating_light: Alarm `todobackend-5xx` went off: CloudFormation rolled the update back\. Stack todobackend-prod ended UPDATE_ROLLBACK_COMPLETE/,
    );
    const d = await w.last('prod');
    expect(d.state).toBe('failed');
    expect(d.verification).toBeUndefined(); // never verifying: the update never completed
  });

  it('a clean window is the bake: verified when it ends, not a second bake later', async () => {
    w = await World.start(yamlWith(cfnEnv() + verify()), clock);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    const m = await w.parent('C0PROD', '1.2.3', 'prod', /: rolling out$/);
    await w.threadHas(m, /CloudFormation watches `todobackend-5xx`/);
    const done = await later(/: verified$/);
    const d = await w.last('prod');
    const v = d.verification!;
    const deployedAt = window.deployedAt!;
    expect(v.startedAt).toBe(deployedAt);
    expect(v.counted).toMatchObject({ by: 'CloudFormation', from: deployedAt });
    // Never early: a whole bake after the window began; never twice: not a second minute after the stack completed.
    expect(d.finishedAt! - deployedAt).toBeGreaterThanOrEqual(60_000);
    expect(d.finishedAt! - v.counted!.until).toBeLessThan(60_000);
    expect(v.endsAt).toBe(v.counted!.until);
    await w.threadHas(done, /the bake counts from .* when CloudFormation began watching them/);
    await w.threadHas(done, 'No alarm went off during the bake: verified.');
    expect(body(done)).toContain('CloudFormation watched them from');
  });

  it('an alarm CloudFormation did not watch, gone off and back in the window, still fails the bake', async () => {
    const other = 'todobackend-5xx-latency';
    cw.set(other, 'OK');
    // The environment watches both by prefix; only the first five alarms become triggers, so
    // scripting the window to ignore this one stands for an alarm beyond them.
    w = await World.start(yamlWith(cfnEnv() + verify().replace(`[${ALARM}]`, `["${ALARM}*"]`)), clock);
    const triggers = () =>
      (
        cfn.cfn.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.RollbackConfiguration
          ?.RollbackTriggers ?? []
      ).map((t) => t.Arn);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    expect(triggers()).toContain(`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${other}`);
    const m = await w.parent('C0PROD', '1.2.3', 'prod', /: rolling out$/);
    await w.threadHas(m, /CloudFormation watches/);
    // The window does not see it (as if beyond the five); its history does.
    const a = cw.alarms.get(other)!;
    a.history.push({ at: clock.now(), from: 'OK', to: 'ALARM', reason: 'Threshold Crossed: latency' });
    a.history.push({ at: clock.now() + 1, from: 'ALARM', to: 'OK', reason: 'back' });
    a.changedAt = clock.now() + 1;
    const after = await later(/: (rolling back.*|rolled back.*|failed|rollback failed|verified)$/);
    expect(after.text).not.toMatch(/: verified$/);
    const d = await w.last('prod');
    expect(d.verification?.tripped).toMatchObject({ alarm: other, flapped: true });
    expect(body(after)).toContain(`Alarm \`${other}\` went off (and was back to OK when Capstan looked)`);
  });

  it('a restart in the window and one in the bake: verified once, the bake counted from when the window began', async () => {
    w = await World.start(yamlWith(cfnEnv() + verify()), clock);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    const m = await w.parent('C0PROD', '1.2.3', 'prod', /: rolling out$/);
    await w.threadHas(m, /CloudFormation watches/);
    await w.restart();
    await later(/: verif(ying|ied)$/);
    await w.restart();
    const done = await later(/: verified$/);
    const d = await w.last('prod');
    expect(d.verification!.startedAt).toBe(window.deployedAt);
    expect(d.finishedAt! - window.deployedAt!).toBeGreaterThanOrEqual(60_000);
    const thread = await w.threadHas(done, 'verified.');
    expect(thread.match(/No alarm went off during the bake: verified\./g)).toHaveLength(1);
    expect(thread.match(/CloudFormation watches/g)).toHaveLength(1);
  });

  it('a bake longer than CloudFormation can monitor (180 min): Capstan bakes the rest, never less', async () => {
    w = await World.start(yamlWith(cfnEnv() + verify('200m')), clock);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    const input = cfn.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(input.RollbackConfiguration?.MonitoringTimeInMinutes).toBe(180);
    // Most of CloudFormation's three hours in 5-minute strides, the end of its window minute by minute.
    const asked = clock.now();
    await w.passUntil(() => clock.now() >= asked + 170 * 60_000, { stepMs: 300_000, timeoutMs: 30_000 });
    expect((await w.last('prod')).state).not.toBe('verifying');
    const baking = await w.parentLater('C0PROD', '1.2.3', 'prod', /: verifying$/, {
      stepMs: 60_000,
      timeoutMs: 30_000,
    });
    const v = (await w.last('prod')).verification!;
    expect(v.startedAt).toBe(window.deployedAt);
    expect(v.endsAt).toBe(window.deployedAt! + 200 * 60_000);
    expect(v.counted!.until - v.counted!.from).toBeGreaterThanOrEqual(180 * 60_000);
    expect(body(baking)).toMatch(/about (19|20) min left/);
    await w.parentLater('C0PROD', '1.2.3', 'prod', /: verified$/, { stepMs: 60_000, timeoutMs: 30_000 });
    expect((await w.last('prod')).finishedAt!).toBeGreaterThanOrEqual(v.endsAt);
  });
});
