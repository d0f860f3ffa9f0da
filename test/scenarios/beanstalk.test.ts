import { UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeBeanstalk } from '../support/fakeBeanstalk.js';
import { FakeEcs } from '../support/fakeEcs.js';
import {
  BEANSTALK_ENV,
  ECS_ENVS,
  World,
  awsError,
  body,
  lostConnection,
  throttling,
  yamlWith,
} from './scenario.js';

type Step = () => void;

let w: World;
let eb: FakeBeanstalk;
let clock: SkipClock;
let ecs: FakeEcs | undefined;
/** What Elastic Beanstalk does after an update to a label, one step per look. */
let timeline: Map<string, Step[]>;

beforeEach(() => {
  // Capstan runs on the wall clock here, which the test moves forward at times, and so does this Beanstalk.
  clock = new SkipClock();
  eb = new FakeBeanstalk(clock);
  timeline = new Map();
  eb.onUpdate = (label) => {
    eb.then(...(timeline.get(label) ?? healthy()));
  };
});
afterEach(async () => {
  await w?.stop();
  eb.restore();
  ecs?.restore();
  ecs = undefined;
});

const start = async (envs = BEANSTALK_ENV) => {
  w = await World.start(yamlWith(envs), clock);
};

const updates = () => eb.eb.commandCalls(UpdateEnvironmentCommand).length;

function healthy(): Step[] {
  return [
    () => eb.event('Deploying new version to instance(s).'),
    () => {
      eb.event('New application version was deployed to running EC2 instances.');
      eb.event('Environment update completed successfully.');
      eb.set({ Status: 'Ready', Health: 'Green', HealthStatus: 'Ok' });
    },
  ];
}

/** The deploy fails and Beanstalk puts the previous label back by itself. */
function reverted(previous: string): Step[] {
  return [
    () => {
      eb.event(
        '[Instance: i-0abc] Command failed on instance. Return code: 1 Output: container exited.',
        'ERROR',
      );
      eb.event('Failed to deploy application.', 'ERROR');
      eb.set({ Health: 'Red', HealthStatus: 'Severe' });
    },
    () => {
      eb.event('The environment was reverted to the previous configuration setting.', 'ERROR');
      eb.set({ Status: 'Ready', VersionLabel: previous, Health: 'Green', HealthStatus: 'Ok' });
    },
  ];
}

/** The deploy fails and the environment stays on the failed label (a rolling policy kept its batches). */
function keptFailed(): Step[] {
  return [
    () => {
      eb.event('Failed to deploy application.', 'ERROR');
      eb.event('Update environment operation is complete, but with errors.', 'ERROR');
      eb.set({ Status: 'Ready', Health: 'Red', HealthStatus: 'Severe' });
    },
  ];
}

async function deploy(version: string) {
  expect(await w.command(`todobackend ${version} to staging`, 'C0STAGING')).toContain(`\`${version}\``);
}

async function deployOk(version: string) {
  await deploy(version);
  return w.parent('C0STAGING', version, 'staging', /: succeeded$/);
}

describe('Elastic Beanstalk: judged by the version label Capstan deployed', () => {
  it('succeeds only once the environment is Ready on that label with Green health', async () => {
    await start();
    timeline.set('1.2.3', [
      () => eb.event('Deploying new version to instance(s).'),
      () => eb.set({ Status: 'Ready', Health: 'Yellow', HealthStatus: 'Warning' }),
      () => {
        eb.event('Environment update completed successfully.');
        eb.set({ Health: 'Green', HealthStatus: 'Ok' });
      },
    ]);
    await deploy('1.2.3');

    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: succeeded$/);
    expect(body(done)).toContain('`1.2.2` → `1.2.3`');
    const d = await w.last('staging');
    expect(d.state).toBe('succeeded');
    expect(d.tracking?.data).toMatchObject({ label: '1.2.3', requestId: 'req-1' });
    expect(eb.env?.Health).toBe('Green');
  });

  it('Beanstalk putting the previous label back is a failure that says so, and Capstan starts no rollback of its own', async () => {
    await start();
    await deployOk('1.2.3');
    timeline.set('1.2.4', reverted('1.2.3'));
    await deploy('1.2.4');

    const done = await w.parent('C0STAGING', '1.2.4', 'staging', /: failed$/);
    expect(body(done)).toContain('Elastic Beanstalk put 1.2.3 back');
    expect(body(done)).toContain('Command failed on instance');
    expect(w.states('C0STAGING', '1.2.4', 'staging')).not.toContain('succeeded');
    expect((await w.last('staging')).state).toBe('failed');
    expect(updates()).toBe(2);
  });

  it('an environment left on the failed label is rolled back by Capstan to the last good label', async () => {
    await start();
    await deployOk('1.2.3');
    timeline.set('1.2.4', keptFailed());
    await deploy('1.2.4');

    const done = await w.parent('C0STAGING', '1.2.4', 'staging', /: rolled back to 1\.2\.3$/);
    expect(body(done)).toContain('Failed to deploy application.');
    expect((await w.last('staging')).state).toBe('rolled_back');
    expect(eb.env?.VersionLabel).toBe('1.2.3');
    expect(updates()).toBe(3);
  });
});

describe('Elastic Beanstalk: every rollout ends', () => {
  it('an update that never finishes fails at the deadline; a rollback Beanstalk refuses ends "rollback failed" with both causes', async () => {
    await start();
    await deployOk('1.2.3');
    timeline.set('1.2.4', []); // Updating for ever
    await deploy('1.2.4');

    const done = await w.parentLater('C0STAGING', '1.2.4', 'staging', /: (rollback failed|failed)$/);
    expect(done.text).toMatch(/: rollback failed$/);
    expect(body(done)).toContain('no progress for 1s');
    expect(body(done)).toContain('is Updating, not Ready');
    expect((await w.last('staging')).state).toBe('rollback_failed');
  });

  it('the environment terminated under a rollout ends it as failed, naming the environment', async () => {
    await start();
    timeline.set('1.2.3', [
      () => eb.event('Deploying new version to instance(s).'),
      () => (eb.env = undefined),
    ]);
    await deploy('1.2.3');

    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: (failed|outcome unknown|rolled back.*)$/);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain(
      'Elastic Beanstalk environment todobackend-staging of todobackend (us-east-1) no longer exists',
    );
    expect((await w.last('staging')).state).toBe('failed');
    expect(updates()).toBe(1);
  });

  it('AWS unreadable past the deadline: "outcome unknown" with what was seen and the error, then the truth', async () => {
    await start();
    let unreadable = true;
    eb.beforeDescribe = () => {
      if (unreadable && updates() > 0) throw throttling();
    };
    await deploy('1.2.3');

    const unknown = await w.parentLater('C0STAGING', '1.2.3', 'staging', /: outcome unknown$/);
    expect(body(unknown)).toContain('Last seen: rolling out');
    expect(body(unknown)).toContain('AWS is throttling elasticbeanstalk:DescribeEnvironments');
    expect((await w.last('staging')).state).toBe('outcome_unknown');
    unreadable = false;

    const done = await w.parentLater('C0STAGING', '1.2.3', 'staging', /: succeeded$/);
    expect(done.ts).toBe(unknown.ts);
    expect((await w.last('staging')).state).toBe('succeeded');
  });
});

describe("Elastic Beanstalk: someone else's deploy", () => {
  it('another label deployed during the rollout is "superseded by" it and never rolled back over', async () => {
    await start();
    await deployOk('1.2.3');
    timeline.set('1.2.4', [
      () => {
        eb.event('Environment update is starting.', 'INFO', 'req-other');
        eb.set({ VersionLabel: '1.2.2' });
      },
      () => eb.set({ Status: 'Ready', Health: 'Green', HealthStatus: 'Ok' }),
    ]);
    await deploy('1.2.4');

    const done = await w.parent('C0STAGING', '1.2.4', 'staging', /: (superseded|failed|rolled back.*)$/);
    expect(done.text).toMatch(/: superseded$/);
    expect(body(done)).toContain('Superseded by 1.2.2');
    expect((await w.last('staging')).state).toBe('superseded');
    expect(updates()).toBe(2);
  });
});

describe('Elastic Beanstalk: reconciled before concluding', () => {
  it('UpdateEnvironment answers with an error although the update started: followed to its end', async () => {
    await start();
    eb.afterUpdate = () => {
      throw lostConnection();
    };
    await deploy('1.2.3');

    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: (succeeded|failed)$/);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'but the change took effect');
    expect((await w.last('staging')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('UpdateEnvironment refused and nothing changed: failed in AWS’s words; "rolling out" never shown', async () => {
    await start();
    eb.beforeUpdate = () => {
      throw awsError(
        'InsufficientPrivilegesException',
        'User is not authorized to perform: elasticbeanstalk:UpdateEnvironment',
      );
    };
    await deploy('1.2.3');

    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: failed$/);
    expect(body(done)).toContain('elasticbeanstalk:UpdateEnvironment');
    w.expectPath('C0STAGING', '1.2.3', 'staging', ['checking', 'failed']);
    expect(eb.env?.VersionLabel).toBe('1.2.2');
  });

  it('Capstan\'s rollback: UpdateEnvironment errors although the rollback started; it is followed to "rolled back"', async () => {
    await start();
    await deployOk('1.2.3');
    timeline.set('1.2.4', keptFailed());
    eb.afterUpdate = () => {
      if (updates() === 3) throw lostConnection();
    };
    await deploy('1.2.4');

    const done = await w.parent(
      'C0STAGING',
      '1.2.4',
      'staging',
      /: (rolled back to 1\.2\.3|rollback failed)$/,
    );
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(updates()).toBe(3);
  });
});

describe('Elastic Beanstalk: progress is anything that moves', () => {
  it('an update that keeps reporting events for longer than the timeout is not stalled', async () => {
    await start();
    timeline.set('1.2.3', []);
    let t0 = 0;
    let said = 0;
    eb.beforeDescribe = () => {
      if (updates() === 0 || eb.env?.Status !== 'Updating') return;
      t0 ||= clock.now();
      // One instance done every 300 ms, five in all: 1.5 s, with a timeout of 1 s.
      const done = Math.floor((clock.now() - t0) / 300);
      while (said < Math.min(done, 5)) eb.event(`Deploying new version to instance i-${++said} of 5.`);
      if (done >= 5) {
        eb.event('Environment update completed successfully.');
        eb.set({ Status: 'Ready', Health: 'Green', HealthStatus: 'Ok' });
      }
    };
    await deploy('1.2.3');

    const done = await w.parentLater(
      'C0STAGING',
      '1.2.3',
      'staging',
      /: (succeeded|failed|rolled back.*|rollback failed)$/,
      { stepMs: 100 },
    );
    expect(done.text).toMatch(/: succeeded$/);
    expect(clock.now() - t0).toBeGreaterThan(1000);
  });
});

describe('Elastic Beanstalk: no state shown before it is true', () => {
  it('"rolling out" appears only once UpdateEnvironment has returned', async () => {
    await start();
    const held = w.gate();
    eb.afterUpdate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);
    await w.parent('C0STAGING', '1.2.3', 'staging', /: checking$/);

    const releasedAt = Date.now();
    held.open();
    await w.parent('C0STAGING', '1.2.3', 'staging', /: succeeded$/);
    const early = w
      .shown('C0STAGING', '1.2.3', 'staging')
      .filter((s) => /: (rolling out|succeeded)/.test(s.text) && s.at < releasedAt);
    expect(early).toEqual([]);
  });
});

describe('Elastic Beanstalk: restarts', () => {
  it('dies inside UpdateEnvironment after the update started: the next process finds it by its label and follows it', async () => {
    await start();
    const held = w.gate();
    eb.afterUpdate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: (succeeded|failed)$/);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'Capstan restarted and picked this rollout up again.');
    expect((await w.last('staging')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('dies before UpdateEnvironment reached Beanstalk: nothing changed, and it says so', async () => {
    await start();
    const held = w.gate();
    eb.beforeUpdate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: failed$/);
    expect(body(done)).toContain(
      'Capstan restarted before Elastic Beanstalk environment todobackend-staging',
    );
    expect(eb.env?.VersionLabel).toBe('1.2.2');
  });

  it('restarts mid-rollout: the next process finishes the same message with the real outcome', async () => {
    await start();
    timeline.set('1.2.3', [() => eb.event('Deploying new version to instance(s).')]);
    await deploy('1.2.3');
    await w.parent('C0STAGING', '1.2.3', 'staging', /: rolling out/);
    await w.restart();
    eb.then(...healthy());

    await w.parent('C0STAGING', '1.2.3', 'staging', /: succeeded$/);
    expect(w.h.slack.channelMessages('C0STAGING')).toHaveLength(1);
    expect((await w.last('staging')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('restarts during Capstan’s rollback: the rollback is followed to "rolled back", not started again', async () => {
    await start();
    await deployOk('1.2.3');
    timeline.set('1.2.4', keptFailed());
    timeline.set('1.2.3', []); // the rollback stays Updating until after the restart
    await deploy('1.2.4');
    await w.until(() => updates() === 3);
    await w.parent('C0STAGING', '1.2.4', 'staging', /: rolling back/);
    await w.restart();
    eb.then(...healthy());

    await w.parent('C0STAGING', '1.2.4', 'staging', /: rolled back to 1\.2\.3$/);
    expect((await w.last('staging')).state).toBe('rolled_back');
    expect(updates()).toBe(3);
  });
});

describe('one sick target never delays the others', () => {
  it('Beanstalk reads that hang hold up no ECS rollout, and the Beanstalk rollout still ends at its deadline', async () => {
    ecs = new FakeEcs('todobackend-dev', { clock }); // after the Beanstalk fake: its ECR answers for both
    await start(`${BEANSTALK_ENV}${ECS_ENVS}`);
    const hang = w.gate();
    eb.beforeDescribe = () => (updates() > 0 ? hang.wait() : undefined);
    await deploy('1.2.3');
    await w.until(() => hang.reached);

    expect(await w.command('todobackend 1.2.3 to dev', 'C0DEV')).toContain('`1.2.3`');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/, 5_000);
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);

    await w.parentLater('C0STAGING', '1.2.3', 'staging', /: outcome unknown$/);
    eb.beforeDescribe = undefined;
    hang.open();
    await w.parentLater('C0STAGING', '1.2.3', 'staging', /: succeeded$/);
  });
});

describe('Elastic Beanstalk: a warning is not progress', () => {
  it('an update that only repeats warnings and the same words fails at the deadline', async () => {
    await start();
    timeline.set('1.2.3', []);
    let looks = 0;
    eb.beforeDescribe = () => {
      if (updates() === 0 || eb.env?.Status !== 'Updating') return;
      looks += 1;
      // On every look: a warning, and the same INFO words again; the update goes nowhere.
      eb.event(
        `Environment health has transitioned from Pending to Warning. Command is executing on ${looks % 2 ? 'all' : '1 out of 2'} instances.`,
        'WARN',
      );
      eb.event('Deploying new version to instance(s).');
    };
    await deploy('1.2.3');

    const done = await w.parentLater(
      'C0STAGING',
      '1.2.3',
      'staging',
      /: (succeeded|failed|rolled back.*|rollback failed|outcome unknown)$/,
    );
    expect(body(done)).toContain('no progress for 1s');
  });
});

describe('Elastic Beanstalk: reasons read as sentences', () => {
  it('a health failure is said without doubled punctuation', async () => {
    await start();
    timeline.set('1.2.3', [
      () => {
        eb.event('Environment update completed successfully.');
        eb.set({ Status: 'Ready', Health: 'Red', HealthStatus: 'Severe' });
      },
    ]);
    await deploy('1.2.3');

    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: (failed|rolled back.*|rollback failed)$/);
    const d = await w.last('staging');
    // Why, as people read it (the ledger keeps it as a fact).
    expect(sayWhy(d)).toContain('with health Red (Severe)');
    expect(sayWhy(d)).not.toMatch(/[.;:]\s*[.;:]/);
    expect(body(done)).not.toMatch(/\)\.\./);
  });
});

describe('Elastic Beanstalk: a refused retry is not a failure until AWS says so', () => {
  it('CreateApplicationVersion took effect but its retry was refused ("already exists"): the version is this request’s, and the deploy goes on', async () => {
    await start();
    eb.afterCreateVersion = () => {
      throw awsError('InvalidParameterValue', 'Application Version 1.2.3 already exists.');
    };
    await deploy('1.2.3');

    const done = await w.parent('C0STAGING', '1.2.3', 'staging', /: (succeeded|failed|rolled back.*)$/);
    expect(done.text).toMatch(/: succeeded$/);
    expect(updates()).toBe(1);
  });
});
