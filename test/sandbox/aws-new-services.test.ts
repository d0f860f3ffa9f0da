import { Readable } from 'node:stream';
import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  paginateListDeployments,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  CreateApplicationVersionCommand,
  DescribeApplicationVersionsCommand,
  DescribeEnvironmentsCommand,
  DescribeEventsCommand,
  ElasticBeanstalkClient,
  UpdateEnvironmentCommand,
} from '@aws-sdk/client-elastic-beanstalk';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerrun, EB_BUCKET } from '../../sandbox/aws/beanstalk.js';
import { ecsAppSpec } from '../../sandbox/aws/codedeploy.js';
import { SimulatedAws } from '../../sandbox/aws/server.js';

let sim: SimulatedAws;
// Time moves only when a test calls sim.tick(): the wall-clock timer is an hour.
beforeEach(async () => {
  sim = new SimulatedAws(3_600_000);
  await sim.start();
});
afterEach(() => sim.stop());

const clientConfig = () => ({
  endpoint: sim.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'SANDBOX', secretAccessKey: 'sandbox-secret' },
});
const eb = () => new ElasticBeanstalkClient(clientConfig());
const cd = () => new CodeDeployClient(clientConfig());
const s3 = () => new S3Client({ ...clientConfig(), forcePathStyle: true });
const REPO = '000000000000.dkr.ecr.us-east-1.amazonaws.com/todobackend';

/** Reads, ticks, reads again, until `done`; returns every reading. */
async function tickUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, max = 20): Promise<T[]> {
  const seen: T[] = [];
  for (let i = 0; i < max; i++) {
    const v = await read();
    seen.push(v);
    if (done(v)) return seen;
    sim.tick();
  }
  throw new Error(`not done after ${max} ticks: ${JSON.stringify(seen.at(-1))}`);
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => ({ name: e.name, message: e.message }),
  );

describe('simulated S3', () => {
  it('stores an object, reports it through HeadObject and returns its bytes', async () => {
    const client = s3();
    const put = await client.send(
      new PutObjectCommand({ Bucket: 'any-bucket', Key: 'a/b c/x.json', Body: '{"hello":1}' }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'any-bucket', Key: 'a/b c/x.json' }));
    expect(head).toMatchObject({ ETag: put.ETag, ContentLength: 11 });
    expect(head.LastModified).toBeInstanceOf(Date);
    const got = await client.send(new GetObjectCommand({ Bucket: 'any-bucket', Key: 'a/b c/x.json' }));
    expect(await got.Body?.transformToString()).toBe('{"hello":1}');
    expect(sim.calls.filter((c) => c.service === 's3').map((c) => c.operation)).toEqual([
      'PutObject',
      'HeadObject',
      'GetObject',
    ]);
  });

  it('decodes a streamed upload, which the SDK sends aws-chunked', async () => {
    const client = s3();
    await client.send(
      new PutObjectCommand({
        Bucket: 'b',
        Key: 'stream.txt',
        Body: Readable.from([Buffer.from('streamed bytes')]),
        ContentLength: 14,
      }),
    );
    expect(sim.s3.get('b', 'stream.txt')?.body.toString()).toBe('streamed bytes');
  });

  it('answers NotFound for a missing object and NoSuchKey on GetObject', async () => {
    const client = s3();
    expect(
      await rejection(client.send(new HeadObjectCommand({ Bucket: 'todobackend-artifacts', Key: 'nope' }))),
    ).toMatchObject({ name: 'NotFound' });
    expect(
      await rejection(client.send(new GetObjectCommand({ Bucket: 'todobackend-artifacts', Key: 'nope' }))),
    ).toMatchObject({ name: 'NoSuchKey' });
    const seeded = await client.send(
      new HeadObjectCommand({ Bucket: 'todobackend-artifacts', Key: 'todobackend/1.2.4-broken.zip' }),
    );
    expect(seeded.ContentLength).toBeGreaterThan(0);
  });
});

describe('simulated Elastic Beanstalk', () => {
  const describeStaging = async () =>
    (
      await eb().send(
        new DescribeEnvironmentsCommand({
          ApplicationName: 'todobackend',
          EnvironmentNames: ['todobackend-staging'],
        }),
      )
    ).Environments?.[0];

  async function release(label: string, image: string, process = false): Promise<string> {
    const key = `todobackend/${label}/Dockerrun.aws.json`;
    await s3().send(new PutObjectCommand({ Bucket: EB_BUCKET, Key: key, Body: dockerrun(image) }));
    const created = await eb().send(
      new CreateApplicationVersionCommand({
        ApplicationName: 'todobackend',
        VersionLabel: label,
        SourceBundle: { S3Bucket: EB_BUCKET, S3Key: key },
        Process: process,
      }),
    );
    expect(created.ApplicationVersion?.VersionLabel).toBe(label);
    const updated = await eb().send(
      new UpdateEnvironmentCommand({ EnvironmentName: 'todobackend-staging', VersionLabel: label }),
    );
    expect(updated).toMatchObject({ Status: 'Updating', Health: 'Grey', VersionLabel: label });
    expect(updated.$metadata.requestId).toBeTruthy();
    return updated.$metadata.requestId!;
  }

  const eventsOf = async (requestId: string) =>
    (
      await eb().send(
        new DescribeEventsCommand({
          ApplicationName: 'todobackend',
          EnvironmentName: 'todobackend-staging',
          RequestId: requestId,
        }),
      )
    ).Events ?? [];

  it('starts Ready and Green on 1.2.2, whose Dockerrun names the image by digest', async () => {
    expect(await describeStaging()).toMatchObject({
      VersionLabel: '1.2.2',
      Status: 'Ready',
      Health: 'Green',
      HealthStatus: 'Ok',
      AbortableOperationInProgress: false,
    });
    const versions = await eb().send(
      new DescribeApplicationVersionsCommand({ ApplicationName: 'todobackend', VersionLabels: ['1.2.2'] }),
    );
    const bundle = versions.ApplicationVersions?.[0]?.SourceBundle;
    const digest = sim.ecs.images.get('todobackend')?.find((i) => i.tag === '1.2.2')?.digest;
    expect(sim.s3.get(bundle!.S3Bucket!, bundle!.S3Key!)?.body.toString()).toContain(`${REPO}@${digest}`);
  });

  it('deploys a version through the documented events to Ready, Green and the new label', async () => {
    const started = new Date(Date.now() - 1);
    const requestId = await release('1.2.3', `${REPO}:1.2.3`, true);
    const seen = await tickUntil(describeStaging, (e) => e?.Status === 'Ready');
    expect(seen[0]).toMatchObject({ Status: 'Updating', AbortableOperationInProgress: true });
    expect(seen.at(-1)).toMatchObject({ VersionLabel: '1.2.3', Health: 'Green', HealthStatus: 'Ok' });
    expect(seen.at(-1)?.DateUpdated).toBeInstanceOf(Date);
    const events = await eventsOf(requestId);
    expect(events.map((e) => e.Message)).toEqual([
      'Environment update completed successfully.',
      'New application version was deployed to running EC2 instances.',
      'Deploying new version to instance(s).',
      'Environment update is starting.',
    ]);
    expect(events[0]).toMatchObject({ Severity: 'INFO', VersionLabel: '1.2.3', RequestId: requestId });
    expect(events[0]?.EventDate).toBeInstanceOf(Date);
    const since = await eb().send(
      new DescribeEventsCommand({ EnvironmentName: 'todobackend-staging', StartTime: started }),
    );
    expect(since.Events).toHaveLength(4);
    const versions = await eb().send(
      new DescribeApplicationVersionsCommand({ ApplicationName: 'todobackend', VersionLabels: ['1.2.3'] }),
    );
    expect(versions.ApplicationVersions?.[0]).toMatchObject({
      Status: 'Processed',
      SourceBundle: { S3Bucket: EB_BUCKET, S3Key: 'todobackend/1.2.3/Dockerrun.aws.json' },
    });
  });

  it('fails a broken image, goes Red for a tick, and comes back Ready on the previous label', async () => {
    const digest = sim.ecs.images.get('todobackend')?.find((i) => i.tag === '1.2.4-broken')?.digest;
    const requestId = await release('1.2.4-broken', `${REPO}@${digest}`);
    const seen = await tickUntil(describeStaging, (e) => e?.Status === 'Ready');
    expect(seen.map((e) => [e?.Status, e?.Health, e?.HealthStatus])).toContainEqual([
      'Updating',
      'Red',
      'Severe',
    ]);
    expect(seen.at(-1)).toMatchObject({ VersionLabel: '1.2.2', Health: 'Green', HealthStatus: 'Ok' });
    const errors = (await eventsOf(requestId)).filter((e) => e.Severity === 'ERROR').map((e) => e.Message);
    expect(errors).toContain('Failed to deploy application.');
    expect(
      errors.some((m) => m?.startsWith('[Instance: i-0abc] Command failed on instance. Return code: 1')),
    ).toBe(true);
  });

  it('fails the next update on demand', async () => {
    sim.beanstalk.failNextUpdate = true;
    await release('1.2.3', `${REPO}:1.2.3`);
    const seen = await tickUntil(describeStaging, (e) => e?.Status === 'Ready');
    expect(seen.at(-1)?.VersionLabel).toBe('1.2.2');
  });

  it('refuses duplicate labels, missing bundles, unknown versions and updates while updating', async () => {
    const client = eb();
    expect(
      await rejection(
        client.send(
          new CreateApplicationVersionCommand({
            ApplicationName: 'todobackend',
            VersionLabel: '1.2.2',
            SourceBundle: { S3Bucket: EB_BUCKET, S3Key: 'todobackend/1.2.2/Dockerrun.aws.json' },
          }),
        ),
      ),
    ).toEqual({ name: 'InvalidParameterValue', message: 'Application Version 1.2.2 already exists.' });
    expect(
      await rejection(
        client.send(
          new CreateApplicationVersionCommand({
            ApplicationName: 'todobackend',
            VersionLabel: '9.9.9',
            SourceBundle: { S3Bucket: EB_BUCKET, S3Key: 'missing.json' },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterCombination' });
    expect(
      await rejection(
        client.send(
          new UpdateEnvironmentCommand({ EnvironmentName: 'todobackend-staging', VersionLabel: '9.9.9' }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });
    await release('1.2.3', `${REPO}:1.2.3`);
    expect(
      await rejection(
        client.send(
          new UpdateEnvironmentCommand({ EnvironmentName: 'todobackend-staging', VersionLabel: '1.2.2' }),
        ),
      ),
    ).toEqual({
      name: 'InvalidParameterValue',
      message:
        'Environment named todobackend-staging is in an invalid state for this operation. Must be Ready.',
    });
  });
});

describe('simulated CodeDeploy', () => {
  const fleetRevision = (tag: string) => ({
    revisionType: 'S3' as const,
    s3Location: {
      bucket: 'todobackend-artifacts',
      key: `todobackend/${tag}.zip`,
      bundleType: 'zip' as const,
    },
  });
  const deployFleet = async (tag: string) =>
    (
      await cd().send(
        new CreateDeploymentCommand({
          applicationName: 'todobackend',
          deploymentGroupName: 'todobackend-fleet',
          revision: fleetRevision(tag),
        }),
      )
    ).deploymentId!;
  const info = async (id: string) =>
    (await cd().send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
  const targets = async (id: string) => {
    const { targetIds } = await cd().send(new ListDeploymentTargetsCommand({ deploymentId: id }));
    return (await cd().send(new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds })))
      .deploymentTargets!;
  };
  const fleetGroup = async () =>
    (
      await cd().send(
        new GetDeploymentGroupCommand({
          applicationName: 'todobackend',
          deploymentGroupName: 'todobackend-fleet',
        }),
      )
    ).deploymentGroupInfo!;

  it('deploys a server revision to three instances, one at a time, and refuses a second meanwhile', async () => {
    expect(await fleetGroup()).toMatchObject({
      computePlatform: 'Server',
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      deploymentStyle: { deploymentType: 'IN_PLACE' },
      targetRevision: fleetRevision('1.2.2'),
    });
    const id = await deployFleet('1.2.3');
    const first = await info(id);
    expect(first).toMatchObject({
      status: 'Created',
      creator: 'user',
      previousRevision: fleetRevision('1.2.2'),
    });
    expect(first.createTime).toBeInstanceOf(Date);
    expect(await rejection(deployFleet('1.2.3'))).toEqual({
      name: 'DeploymentLimitExceededException',
      message: `The Deployment Group 'todobackend-fleet' already has an active Deployment '${id}'`,
    });
    const seen = await tickUntil(
      () => info(id),
      (d) => d.status === 'Succeeded',
    );
    expect(seen.map((d) => d.status)).toContain('InProgress');
    expect(seen.at(-1)?.deploymentOverview).toMatchObject({ Succeeded: 3, Failed: 0, Pending: 0 });
    expect(seen.at(-1)?.completeTime).toBeInstanceOf(Date);
    expect(await fleetGroup()).toMatchObject({
      targetRevision: fleetRevision('1.2.3'),
      lastSuccessfulDeployment: { deploymentId: id, status: 'Succeeded' },
    });
  });

  it('fails the broken build at ApplicationStart and rolls back with a new deployment', async () => {
    const id = await deployFleet('1.2.4-broken');
    const failed = (
      await tickUntil(
        () => info(id),
        (d) => d.status === 'Failed',
      )
    ).at(-1)!;
    expect(failed.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
    expect(failed.deploymentOverview).toMatchObject({ Failed: 1, Skipped: 2, Succeeded: 0 });
    const rollbackId = failed.rollbackInfo?.rollbackDeploymentId;
    expect(rollbackId).toMatch(/^d-[0-9A-Z]{9}$/);
    const instances = (await targets(id)).map((t) => t.instanceTarget!);
    const broken = instances.find((t) => t.status === 'Failed');
    expect(broken?.lifecycleEvents?.find((e) => e.lifecycleEventName === 'ApplicationStart')).toMatchObject({
      status: 'Failed',
      diagnostics: { errorCode: 'ScriptFailed', scriptName: 'scripts/start_server.sh' },
    });
    expect(instances.filter((t) => t.status === 'Skipped')).toHaveLength(2);

    const rollback = await info(rollbackId!);
    expect(rollback).toMatchObject({
      creator: 'codeDeployRollback',
      revision: fleetRevision('1.2.2'),
      rollbackInfo: { rollbackTriggeringDeploymentId: id },
    });
    await tickUntil(
      () => info(rollbackId!),
      (d) => d.status === 'Succeeded',
    );
    expect((await info(id)).rollbackInfo?.rollbackMessage).toContain('succeeded');
    expect((await fleetGroup()).targetRevision).toEqual(fleetRevision('1.2.2'));
    const listed: string[] = [];
    for await (const page of paginateListDeployments(
      { client: cd() },
      {
        applicationName: 'todobackend',
        deploymentGroupName: 'todobackend-fleet',
        createTimeRange: { start: new Date(Date.now() - 60_000) },
      },
    ))
      listed.push(...(page.deployments ?? []));
    expect(listed).toEqual([rollbackId, id]);
  });

  it('refuses a revision that is not in S3 and stops a deployment on request', async () => {
    expect(await rejection(deployFleet('9.9.9'))).toMatchObject({ name: 'RevisionDoesNotExistException' });
    const id = await deployFleet('1.2.3');
    sim.tick();
    expect((await cd().send(new StopDeploymentCommand({ deploymentId: id }))).status).toBe('Succeeded');
    expect(await info(id)).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } });
    expect(await rejection(cd().send(new StopDeploymentCommand({ deploymentId: id })))).toMatchObject({
      name: 'DeploymentAlreadyCompletedException',
    });
  });

  describe('blue/green on ECS', () => {
    const taskDefinitionFor = (tag: string) => {
      sim.ecs.RegisterTaskDefinition({
        family: 'todobackend',
        containerDefinitions: [{ name: 'app', image: `${REPO}:${tag}`, essential: true }],
      });
      return [...sim.ecs.taskDefs.keys()].at(-1)!;
    };
    const deployBlueGreen = async (taskDefinition: string) =>
      (
        await cd().send(
          new CreateDeploymentCommand({
            applicationName: 'todobackend-bg',
            deploymentGroupName: 'todobackend-bluegreen',
            revision: {
              revisionType: 'AppSpecContent',
              appSpecContent: { content: ecsAppSpec(taskDefinition) },
            },
          }),
        )
      ).deploymentId!;
    const weights = async (id: string): Promise<Record<string, number | undefined>> =>
      Object.fromEntries(
        (await targets(id))[0]!.ecsTarget!.taskSetsInfo!.map(
          (s) => [s.taskSetLabel ?? '', s.trafficWeight] as const,
        ),
      );

    it('waits in Ready with production traffic on blue until ContinueDeployment', async () => {
      const id = await deployBlueGreen(taskDefinitionFor('1.2.3'));
      expect(await rejection(cd().send(new ContinueDeploymentCommand({ deploymentId: id })))).toMatchObject({
        name: 'DeploymentIsNotInReadyStateException',
      });
      await tickUntil(
        () => info(id),
        (d) => d.status === 'Ready',
      );
      for (let i = 0; i < 3; i++) sim.tick();
      const waiting = await info(id);
      expect(waiting).toMatchObject({
        status: 'Ready',
        computePlatform: 'ECS',
        deploymentOverview: { Ready: 1 },
      });
      expect(waiting.revision?.appSpecContent?.content).toBeUndefined();
      expect(waiting.revision?.appSpecContent?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await weights(id)).toEqual({ BLUE: 100, GREEN: 0 });

      await cd().send(new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' }));
      await tickUntil(
        () => info(id),
        (d) => d.status === 'Succeeded',
      );
      expect(await weights(id)).toEqual({ BLUE: 0, GREEN: 100 });
    });

    it('fails the broken build at AfterAllowTestTraffic without rolling back', async () => {
      const id = await deployBlueGreen(taskDefinitionFor('1.2.4-broken'));
      const failed = (
        await tickUntil(
          () => info(id),
          (d) => d.status === 'Failed',
        )
      ).at(-1)!;
      expect(failed.errorInformation?.code).toBe('HOOK_EXECUTION_FAILURE');
      expect(failed.rollbackInfo).toBeUndefined();
      const events = (await targets(id))[0]!.ecsTarget!.lifecycleEvents!;
      expect(events.find((e) => e.status === 'Failed')?.lifecycleEventName).toBe('AfterAllowTestTraffic');
      expect(await weights(id)).toEqual({ BLUE: 100, GREEN: 0 });
    });

    it('fails at an injected lifecycle event after ContinueDeployment', async () => {
      sim.codedeploy.failNextAt = 'BeforeAllowTraffic';
      const id = await deployBlueGreen(taskDefinitionFor('1.2.3'));
      await tickUntil(
        () => info(id),
        (d) => d.status === 'Ready',
      );
      await cd().send(new ContinueDeploymentCommand({ deploymentId: id }));
      const failed = (
        await tickUntil(
          () => info(id),
          (d) => d.status === 'Failed',
        )
      ).at(-1)!;
      expect(failed.errorInformation?.code).toBe('HOOK_EXECUTION_FAILURE');
    });

    it('refuses an AppSpec naming a task definition ECS does not have', async () => {
      const missing = 'arn:aws:ecs:us-east-1:000000000000:task-definition/todobackend:999';
      expect(await rejection(deployBlueGreen(missing))).toMatchObject({ name: 'InvalidRevisionException' });
    });
  });
});
