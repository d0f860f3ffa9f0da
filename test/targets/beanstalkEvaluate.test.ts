import { describe, expect, it } from 'vitest';
import type { BeanstalkTarget } from '../../src/domain/catalog.js';
import type { BeanstalkEnvironment, BeanstalkEvent } from '../../src/ports/beanstalk.js';
import {
  type BeanstalkLook,
  evaluate,
  eventsSince,
  goneWhat,
  isGone,
} from '../../src/targets/beanstalk/evaluate.js';
import type { BeanstalkTrack } from '../../src/targets/beanstalk/schemas.js';
import { sayFact as say } from '../../src/views/facts/index.js';

const target: BeanstalkTarget = {
  kind: 'beanstalk',
  region: 'us-east-1',
  application: 'todo',
  environment: 'todo-prod',
  repository: 'todo',
  bucket: 'b',
  keyPrefix: '',
  containerPort: 8000,
};

/** Capstan deployed 1.2.3 over 1.2.2 at t=10 000; Beanstalk answered with request req-1. */
const track: BeanstalkTrack = {
  label: '1.2.3',
  previousLabel: '1.2.2',
  previousTag: '1.2.2',
  requestId: 'req-1',
  since: 10_000,
  look: 'Ready|Green|Ok|1.2.2',
};

const updating: BeanstalkEnvironment = {
  name: 'todo-prod',
  id: 'e-1',
  status: 'Updating',
  health: 'Grey',
  versionLabel: '1.2.3',
  updatedAt: 10_500,
};
const ready = (over: Partial<BeanstalkEnvironment> = {}): BeanstalkEnvironment => ({
  ...updating,
  status: 'Ready',
  health: 'Green',
  healthStatus: 'Ok',
  updatedAt: 20_000,
  ...over,
});

const event = (at: number, message: string, severity = 'INFO', requestId = 'req-1'): BeanstalkEvent => ({
  at,
  message,
  severity,
  requestId,
});

/** A judgement's thread lines, as people read them. */
const words = (j: { lines: readonly Parameters<typeof say>[0][] }) => j.lines.map(say);

const look = (over: Partial<BeanstalkLook>): BeanstalkLook => ({
  target,
  phase: 'rollout',
  track,
  environment: updating,
  events: [],
  ...over,
});

describe('Elastic Beanstalk: the judgement of one look', () => {
  it('an environment still updating is progress, with its new events as lines and the update marked begun', () => {
    const j = evaluate(look({ events: [event(11_000, 'Environment update is starting.')] }));
    expect(j).toMatchObject({
      kind: 'progress',
      moved: true,
      lines: [
        { kind: 'beanstalk.event', at: 11_000, severity: 'INFO', message: 'Environment update is starting.' },
      ],
      data: { begun: true, cursor: 11_000, look: 'Updating|Grey||1.2.3' },
    });
    expect(words(j)).toEqual([':information_source: Environment update is starting.']);
  });

  it('events seen at the last look are not shown again, and the same words again are not progress', () => {
    const first = evaluate(look({ events: [event(11_000, 'Deploying new version to instance(s).')] }));
    const again = evaluate(
      look({
        track: first.data,
        events: [
          event(11_000, 'Deploying new version to instance(s).'),
          event(12_000, 'Deploying new version to instance(s).'),
        ],
      }),
    );
    expect(again).toMatchObject({ kind: 'progress', moved: false });
    expect(words(again)).toEqual([':information_source: Deploying new version to instance(s).']);
  });

  it('events from before the update that are not its own are not shown', () => {
    const j = evaluate(look({ events: [event(9_000, 'An earlier deploy.', 'INFO', 'req-0')] }));
    expect(j.lines).toEqual([]);
  });

  it('Ready, Green, on the label Capstan deployed is a success', () => {
    expect(evaluate(look({ environment: ready() }))).toMatchObject({ kind: 'succeeded' });
  });

  it('a Ready read from before the update took effect is not judged', () => {
    const stale = ready({ versionLabel: '1.2.2', updatedAt: 5_000 });
    expect(evaluate(look({ environment: stale }))).toMatchObject({ kind: 'progress' });
  });

  it('Ready but Yellow waits for Green', () => {
    const j = evaluate(look({ environment: ready({ health: 'Yellow', healthStatus: undefined }) }));
    expect(j).toMatchObject({ kind: 'progress', moved: true });
  });

  it('the first error of the update is the reason, kept as Beanstalk said it; views escape it and its line', () => {
    const j = evaluate(
      look({
        environment: ready({ health: 'Red', healthStatus: 'Severe' }),
        events: [event(11_000, 'Failed: <@U0ADMIN> & co', 'ERROR'), event(12_000, 'Later error.', 'ERROR')],
      }),
    );
    expect(j).toMatchObject({
      kind: 'failed',
      reason: { kind: 'beanstalk.updateError', message: 'Failed: <@U0ADMIN> & co' },
    });
    expect(words(j)[0]).toBe(':x: Failed: &lt;@U0ADMIN&gt; &amp; co');
    expect(j).not.toHaveProperty('selfRollback');
  });

  it('back on the previous label during the rollout is a failure Beanstalk rolled back by itself', () => {
    const j = evaluate(
      look({
        track: { ...track, begun: true },
        environment: ready({ versionLabel: '1.2.2' }),
      }),
    );
    expect(j).toMatchObject({
      kind: 'failed',
      reason: {
        kind: 'beanstalk.revertedSilently',
        environment: 'todo-prod',
        label: '1.2.2',
        deployed: '1.2.3',
      },
      selfRollback: { kind: 'done', runsNow: '1.2.2' },
    });
    if (j.kind !== 'failed') throw new Error(`expected failed, got ${j.kind}`);
    expect(say(j.reason)).toBe(
      'Environment todo-prod is Ready on 1.2.2 again without reporting an error for 1.2.3.',
    );
    expect(words(j)).toContain(':rewind: Elastic Beanstalk put environment `todo-prod` back on `1.2.2`.');
  });

  it('back on the previous label while following Capstan’s own rollback is no revert by Beanstalk', () => {
    const j = evaluate(
      look({
        phase: 'rollback',
        track: { ...track, begun: true },
        environment: ready({ versionLabel: '1.2.2' }),
      }),
    );
    expect(j).toMatchObject({ kind: 'failed' });
    expect(j).not.toHaveProperty('selfRollback');
  });

  it('Red health once the update is over fails, naming the health', () => {
    const j = evaluate(look({ environment: ready({ health: 'Red', healthStatus: 'Severe' }) }));
    expect(j).toMatchObject({
      kind: 'failed',
      reason: {
        kind: 'beanstalk.unhealthy',
        environment: 'todo-prod',
        label: '1.2.3',
        health: 'Red',
        healthStatus: 'Severe',
      },
    });
    if (j.kind !== 'failed') throw new Error(`expected failed, got ${j.kind}`);
    expect(say(j.reason)).toBe('Environment todo-prod runs 1.2.3 with health Red (Severe).');
  });

  it('another label is someone else’s change, named by its label', () => {
    const j = evaluate(
      look({ track: { ...track, begun: true }, environment: ready({ versionLabel: '1.2.4' }) }),
    );
    expect(j).toMatchObject({ kind: 'superseded', label: '1.2.4' });
  });

  it('more events than a look shows are summed up in one line', () => {
    const events = Array.from({ length: 20 }, (_, i) => event(11_000 + i, `step ${i}`));
    const j = evaluate(look({ events }));
    expect(j.lines).toHaveLength(16);
    expect(j.lines[0]).toEqual({ kind: 'beanstalk.eventsOmitted', count: 5 });
    expect(words(j)[0]).toBe('_…5 earlier events are in the Elastic Beanstalk console._');
    expect(words(j)[15]).toBe(':information_source: step 19');
  });
});

describe('Elastic Beanstalk: around a look', () => {
  it('reads events from the last one seen, or a minute before the update', () => {
    expect(eventsSince(track)).toBe(10_000 - 60_000);
    expect(eventsSince({ ...track, cursor: 15_000 })).toBe(15_000);
  });

  it('a terminated environment is gone, and says so', () => {
    expect(isGone(ready())).toBe(false);
    expect(isGone(ready({ status: 'Terminating' }))).toBe(true);
    expect(say(goneWhat(target, ready({ status: 'Terminated' })))).toBe(
      'Elastic Beanstalk environment todo-prod of todo (us-east-1) is Terminated',
    );
    expect(say(goneWhat(target, undefined))).toBe(
      'Elastic Beanstalk environment todo-prod of todo (us-east-1) no longer exists',
    );
  });
});
