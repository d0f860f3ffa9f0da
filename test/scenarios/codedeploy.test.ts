import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCodeDeploy } from '../support/fakeCodeDeploy.js';
import { FakeEcs } from '../support/fakeEcs.js';
import {
  CODEDEPLOY_CANARY_ENV,
  CODEDEPLOY_ENV,
  ECS_ENVS,
  World,
  awsError,
  body,
  lostConnection,
  throttling,
  yamlWith,
} from './scenario.js';

let w: World;
let cd: FakeCodeDeploy;
let ecs: FakeEcs | undefined;
let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  cd = new FakeCodeDeploy('Server', clock);
});
afterEach(async () => {
  await w?.stop();
  cd.restore();
  ecs?.restore();
  ecs = undefined;
});

const start = async (envs = CODEDEPLOY_ENV) => {
  w = await World.start(yamlWith(envs), clock);
};

/** CreateDeployment calls Capstan made (CodeDeploy's own rollbacks are not among them). */
const creates = () => cd.cd.commandCalls(CreateDeploymentCommand).length;
const ENDED = /: (succeeded|failed|rolled back.*|rollback failed|superseded|outcome unknown)$/;

async function deploy(version: string) {
  expect(await w.command(`todobackend ${version} to fleet`, 'C0FLEET')).toContain(`\`${version}\``);
}

async function deployOk(version: string) {
  await deploy(version);
  return w.parent('C0FLEET', version, 'fleet', /: succeeded$/);
}

/** The deployment Capstan is following now, as the ledger says. */
async function following(): Promise<string> {
  return ((await w.last('fleet')).tracking?.data as { deploymentId: string }).deploymentId;
}

describe('CodeDeploy: judged by the deployment id Capstan started', () => {
  it('succeeds when its own deployment succeeds', async () => {
    await start();
    await deployOk('1.2.3');
    const d = await w.last('fleet');
    expect(d.state).toBe('succeeded');
    expect(await following()).toBe(cd.last.deploymentId);
    expect(cd.last.description).toContain(`Capstan ${d.id} by U0ALICE: 1.2.3`);
  });

  it('CodeDeploy\'s automatic rollback is followed by its own id to "rolled back by CodeDeploy", and Capstan starts none', async () => {
    await start();
    await deployOk('1.2.3');
    cd.autoRollback(true);
    cd.behave('1.2.4-broken', 'fail');
    await deploy('1.2.4-broken');

    const done = await w.parent('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: rolled back by CodeDeploy$/);
    expect(body(done)).toContain('ApplicationStart failed on i-0abc1234: ScriptFailed');
    const d = await w.last('fleet');
    expect(d.state).toBe('rolled_back');
    expect(await following()).toBe(cd.last.deploymentId);
    expect(cd.last.creator).toBe('codeDeployRollback');
    expect(creates()).toBe(2);
  });

  it('a group without automatic rollback: Capstan deploys the last good revision and follows that', async () => {
    await start();
    await deployOk('1.2.3');
    cd.behave('1.2.4-broken', 'fail');
    await deploy('1.2.4-broken');

    const done = await w.parent('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect((await w.last('fleet')).state).toBe('rolled_back');
    expect(cd.last.revision?.s3Location?.key).toBe('todobackend/1.2.3.zip');
    expect(creates()).toBe(3);
  });
});

describe('CodeDeploy: every rollout ends', () => {
  it('a deployment that never moves fails at the deadline; the rollback CodeDeploy refuses (one at a time) ends "rollback failed"', async () => {
    await start();
    await deployOk('1.2.3');
    cd.behave('1.2.4-broken', 'stuck');
    await deploy('1.2.4-broken');

    const done = await w.parentLater('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: rollback failed$/);
    expect(body(done)).toContain('no progress for 1s');
    expect(body(done)).toContain('is already in progress in group todobackend-prod');
    expect((await w.last('fleet')).state).toBe('rollback_failed');
    expect(creates()).toBe(2);
  });

  it('a deployment deleted with its group ends as failed, naming it', async () => {
    await start();
    cd.behave('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0FLEET', '1.2.3', 'fleet', /rolling out/);
    cd.deleted.add(cd.last.deploymentId!);

    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain(
      `CodeDeploy deployment ${cd.last.deploymentId} no longer exists in us-east-1`,
    );
    expect((await w.last('fleet')).state).toBe('failed');
    expect(creates()).toBe(1);
  });

  it('AWS unreadable past the deadline: "outcome unknown" with what was seen and the error, then the truth', async () => {
    await start();
    let unreadable = true;
    cd.beforeGet = () => {
      if (unreadable && creates() > 0) throw throttling();
    };
    await deploy('1.2.3');

    const unknown = await w.parentLater('C0FLEET', '1.2.3', 'fleet', /: outcome unknown$/);
    expect(body(unknown)).toContain('Last seen: rolling out');
    expect(body(unknown)).toContain('AWS is throttling codedeploy:GetDeployment');
    expect((await w.last('fleet')).state).toBe('outcome_unknown');
    unreadable = false;

    const done = await w.parentLater('C0FLEET', '1.2.3', 'fleet', /: succeeded$/);
    expect(done.ts).toBe(unknown.ts);
    expect((await w.last('fleet')).state).toBe('succeeded');
  });
});

describe("CodeDeploy: someone else's deploy", () => {
  it('someone stops Capstan’s deployment and starts their own: "superseded by" it, never rolled back over', async () => {
    await start();
    await deployOk('1.2.3');
    cd.behave('1.2.4-broken', 'stuck');
    await deploy('1.2.4-broken');
    await w.parent('C0FLEET', '1.2.4-broken', 'fleet', /rolling out/);
    cd.stop(cd.last.deploymentId!);
    const theirs = cd.startForeign('todobackend/1.2.1.zip');

    const done = await w.parent('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: superseded$/);
    expect(body(done)).toContain(`Superseded by CodeDeploy deployment ${theirs}`);
    expect(body(done)).toContain('hotfix from the console');
    expect((await w.last('fleet')).state).toBe('superseded');
    expect(creates()).toBe(2);
  });
});

describe('CodeDeploy: reconciled before concluding', () => {
  it('CreateDeployment answers with an error although the deployment exists: found by its description and followed', async () => {
    await start();
    cd.afterCreate = () => {
      throw lostConnection();
    };
    await deploy('1.2.3');

    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'but the change took effect');
    expect(await following()).toBe(cd.last.deploymentId);
    expect(creates()).toBe(1);
  });

  it('CreateDeployment refused and nothing changed: failed in AWS’s words; "rolling out" never shown', async () => {
    await start();
    cd.beforeCreate = () => {
      throw awsError('InvalidRoleException', 'The service role cannot be assumed by CodeDeploy.');
    };
    await deploy('1.2.3');

    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', /: failed$/);
    expect(body(done)).toContain('The service role cannot be assumed by CodeDeploy.');
    w.expectPath('C0FLEET', '1.2.3', 'fleet', ['checking', 'failed']);
    expect(cd.deployments.size).toBe(1);
  });

  it('Capstan\'s rollback: CreateDeployment errors although the rollback exists; it is followed to "rolled back"', async () => {
    await start();
    await deployOk('1.2.3');
    cd.behave('1.2.4-broken', 'fail');
    cd.afterCreate = () => {
      if (creates() === 3) throw lostConnection();
    };
    await deploy('1.2.4-broken');

    const done = await w.parent('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(creates()).toBe(3);
  });
});

describe('CodeDeploy: progress is anything that moves', () => {
  it('instances finishing one by one over longer than the timeout is progress, not a stall', async () => {
    await start();
    cd.behave('1.2.3', 'stuck');
    let t0 = 0;
    cd.beforeGet = () => {
      const d = cd.last;
      if (creates() === 0 || d.status !== 'InProgress') return;
      t0 ||= clock.now();
      // One of five instances done every 300 ms: 1.5 s in all, with a timeout of 1 s.
      const done = Math.min(5, Math.floor((clock.now() - t0) / 300));
      d.deploymentOverview = {
        Pending: 5 - done,
        InProgress: 0,
        Succeeded: done,
        Failed: 0,
        Skipped: 0,
        Ready: 0,
      };
      if (done === 5) d.status = 'Succeeded';
    };
    await deploy('1.2.3');

    const done = await w.parentLater('C0FLEET', '1.2.3', 'fleet', ENDED, { stepMs: 100 });
    expect(done.text).toMatch(/: succeeded$/);
    expect(clock.now() - t0).toBeGreaterThan(1000);
  });
});

describe('CodeDeploy: no state shown before it is true', () => {
  it('"rolling out" appears only once CreateDeployment has returned', async () => {
    await start();
    const held = w.gate();
    cd.afterCreate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);
    await w.parent('C0FLEET', '1.2.3', 'fleet', /: checking$/);

    const releasedAt = Date.now();
    held.open();
    await w.parent('C0FLEET', '1.2.3', 'fleet', /: succeeded$/);
    const early = w
      .shown('C0FLEET', '1.2.3', 'fleet')
      .filter((s) => /: (rolling out|succeeded)/.test(s.text) && s.at < releasedAt);
    expect(early).toEqual([]);
  });
});

describe('CodeDeploy: restarts', () => {
  it('dies inside CreateDeployment after the deployment exists: the next process finds it by its description and follows it', async () => {
    await start();
    const held = w.gate();
    cd.afterCreate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    await w.threadHas(done, 'Capstan restarted and picked this rollout up again.');
    expect(creates()).toBe(1);
  });

  it('dies before CreateDeployment reached CodeDeploy: nothing changed, and it says so', async () => {
    await start();
    const held = w.gate();
    cd.beforeCreate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain('Capstan restarted before CodeDeploy deployment group todobackend-prod');
    expect(cd.deployments.size).toBe(1);
  });

  it('restarts mid-rollout: the next process follows the same deployment to its end', async () => {
    await start();
    cd.behave('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0FLEET', '1.2.3', 'fleet', /rolling out/);
    await w.restart();
    cd.deployments.get(cd.last.deploymentId!)!.behaviour = 'success';

    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    expect(w.h.slack.channelMessages('C0FLEET')).toHaveLength(1);
    expect(creates()).toBe(1);
  });

  it("restarts during CodeDeploy's automatic rollback: the next process follows that rollback to its end", async () => {
    await start();
    await deployOk('1.2.3');
    cd.autoRollback(true);
    cd.rollbackBehaviour = 'stuck';
    cd.behave('1.2.4-broken', 'fail');
    await deploy('1.2.4-broken');
    await w.parent('C0FLEET', '1.2.4-broken', 'fleet', /: rolling back/);
    await w.restart();
    const rollback = [...cd.deployments.values()].find((d) => d.info.creator === 'codeDeployRollback')!;
    rollback.behaviour = 'success';

    const done = await w.parent('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: rolled back by CodeDeploy$/);
    expect(creates()).toBe(2);
  });
});

describe('one sick target never delays the others', () => {
  it('CodeDeploy reads that are throttled hold up no ECS rollout', async () => {
    ecs = new FakeEcs('todobackend-dev', { clock });
    await start(`${CODEDEPLOY_ENV}${ECS_ENVS}`);
    cd.throttle = false;
    cd.beforeGet = () => {
      if (creates() > 0) throw throttling();
    };
    await deploy('1.2.3');
    await w.parent('C0FLEET', '1.2.3', 'fleet', /rolling out/);

    expect(await w.command('todobackend 1.2.3 to dev', 'C0DEV')).toContain('`1.2.3`');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/, 5_000);
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    await w.parentLater('C0FLEET', '1.2.3', 'fleet', /: outcome unknown$/);
  });
});

describe("CodeDeploy: one rollout's read error never decides another's", () => {
  it('a group that lost permission to GetDeployment: its rollout alone is "outcome unknown", naming the denial; the other group’s deployment succeeds', async () => {
    cd.addGroup('todobackend-canary');
    await start(`${CODEDEPLOY_ENV}${CODEDEPLOY_CANARY_ENV}`);
    cd.behave('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0FLEET', '1.2.3', 'fleet', /rolling out/);
    const fleetId = cd.last.deploymentId!;

    expect(await w.command('todobackend 1.2.3 to canary', 'C0CANARY')).toContain('`1.2.3`');
    await w.parent('C0CANARY', '1.2.3', 'canary', /rolling out/);
    const canaryId = cd.last.deploymentId!;
    cd.beforeGet = (id) => {
      if (id === canaryId)
        throw awsError(
          'AccessDeniedException',
          `User: arn:aws:sts::123456789012:assumed-role/capstan/capstan is not authorized to perform: codedeploy:GetDeployment on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:todobackend/todobackend-canary`,
        );
    };
    cd.deployments.get(fleetId)!.behaviour = 'success';

    const fleet = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(fleet.text).toMatch(/: succeeded$/);
    expect(body(fleet)).not.toContain(canaryId);
    expect((await w.last('fleet')).state).toBe('succeeded');

    const canary = await w.parentLater('C0CANARY', '1.2.3', 'canary', ENDED);
    expect(canary.text).toMatch(/: outcome unknown$/);
    expect(body(canary)).toContain(
      `AWS denied codedeploy:GetDeployment on CodeDeploy deployment ${canaryId}`,
    );
    expect(creates()).toBe(2);
  });

  it('expired credentials are reported as expired credentials, not as a missing permission', async () => {
    await start();
    cd.behave('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0FLEET', '1.2.3', 'fleet', /rolling out/);
    cd.beforeGet = () => {
      throw awsError('ExpiredTokenException', 'The security token included in the request is expired');
    };

    const done = await w.parentLater('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: outcome unknown$/);
    expect(body(done)).toContain('have expired (ExpiredTokenException)');
    expect(body(done)).not.toContain('IAM policy');
  });
});

describe('CodeDeploy: a refused retry is not a failure until AWS says so', () => {
  it.each([
    [
      'DeploymentLimitExceededException',
      () =>
        awsError(
          'DeploymentLimitExceededException',
          `The Deployment Group 'todobackend-prod' already has an active Deployment '${cd.last.deploymentId}'`,
        ),
    ],
    ['ThrottlingException after the retries', () => throttling()],
    ['a server error', () => awsError('InternalFailure', 'We encountered an internal error.', 500)],
  ])(
    'CreateDeployment took effect but answered %s: Capstan finds its own deployment and follows it; no second one',
    async (_, refusal) => {
      await start();
      cd.afterCreate = () => {
        if (creates() === 1) throw refusal();
      };
      await deploy('1.2.3');

      const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
      expect(done.text).toMatch(/: succeeded$/);
      await w.threadHas(done, 'but the change took effect');
      expect(await following()).toBe(cd.last.deploymentId);
      expect(creates()).toBe(1);
      expect(cd.deployments.size).toBe(2);
    },
  );

  it("Capstan's own rollback refused as the retry meets it: the rollback is followed to its end", async () => {
    await start();
    await deployOk('1.2.3');
    cd.behave('1.2.4-broken', 'fail');
    cd.afterCreate = () => {
      if (creates() === 3)
        throw awsError(
          'DeploymentLimitExceededException',
          `The Deployment Group 'todobackend-prod' already has an active Deployment '${cd.last.deploymentId}'`,
        );
    };
    await deploy('1.2.4-broken');

    const done = await w.parent('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(creates()).toBe(3);
  });

  it('a lost answer before anything started: Capstan finds nothing of its own, asks once more, and one deployment runs', async () => {
    await start();
    cd.beforeCreate = () => {
      if (creates() === 1) throw lostConnection();
    };
    await deploy('1.2.3');

    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: succeeded$/);
    expect(creates()).toBe(2);
    expect(cd.deployments.size).toBe(2);
  });
});

describe('CodeDeploy: say exactly what is missing', () => {
  it('a deployment group deleted under a rollout ends naming the group', async () => {
    await start();
    cd.behave('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0FLEET', '1.2.3', 'fleet', /rolling out/);
    cd.deletedGroups.add('todobackend-prod');

    const done = await w.parent('C0FLEET', '1.2.3', 'fleet', ENDED);
    expect(done.text).toMatch(/: failed$/);
    expect(body(done)).toContain(
      'CodeDeploy deployment group todobackend-prod of application todobackend no longer exists in us-east-1',
    );
  });
});

describe('CodeDeploy: a failure is not progress', () => {
  it('instances failing one by one while nothing succeeds do not hold the deadline off', async () => {
    await start();
    await deployOk('1.2.3');
    cd.behave('1.2.4-broken', 'stuck');
    let failed = 0;
    cd.beforeGet = (id) => {
      const d = cd.deployments.get(id);
      if (creates() < 2 || d?.info.status !== 'InProgress' || id !== cd.last.deploymentId) return;
      // One more instance fails on every look; none succeeds.
      failed = Math.min(failed + 1, 1000);
      d.info.deploymentOverview = {
        Pending: 1000 - failed,
        InProgress: 0,
        Succeeded: 0,
        Failed: failed,
        Skipped: 0,
        Ready: 0,
      };
    };
    await deploy('1.2.4-broken');

    const done = await w.parentLater('C0FLEET', '1.2.4-broken', 'fleet', ENDED);
    expect(body(done)).toContain('no progress for 1s');
  });
});
