import { createHash } from 'node:crypto';
import {
  type ApplicationVersionDescription,
  CreateApplicationVersionCommand,
  DescribeApplicationVersionsCommand,
  DescribeEnvironmentsCommand,
  DescribeEventsCommand,
  ElasticBeanstalkClient,
  type EnvironmentDescription,
  type EventDescription,
  type EventSeverity,
  UpdateEnvironmentCommand,
} from '@aws-sdk/client-elastic-beanstalk';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { type Clock, systemClock } from '../../src/ports/clock.js';
import { ACCOUNT, REPO_URI } from '../fixtures/ecs.js';

export const REGION = 'us-east-1';
export const APP = 'todobackend';
export const ENV_NAME = 'todobackend-staging';
export const ENV_ID = 'e-abc123def4';
/** Where versions made outside Capstan keep their bundles. */
export const EB_BUCKET = `elasticbeanstalk-${REGION}-${ACCOUNT}`;

export const digestOf = (tag: string) => `sha256:${createHash('sha256').update(tag).digest('hex')}`;

export function dockerrunFor(image: string, port = 8000): string {
  return JSON.stringify({
    AWSEBDockerrunVersion: '1',
    Image: { Name: image, Update: 'true' },
    Ports: [{ ContainerPort: port }],
  });
}

const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

/**
 * One Beanstalk application with one environment, its S3 bundles and its ECR repository, faked at
 * the SDK clients' send(). Nothing moves by itself: a test scripts each step, and each
 * DescribeEnvironments call runs the next step (after advancing the fake clock) before answering.
 */
export class FakeBeanstalk {
  readonly eb = mockClient(ElasticBeanstalkClient);
  readonly s3 = mockClient(S3Client);
  readonly ecr = mockClient(ECRClient);
  env: EnvironmentDescription | undefined;
  readonly versions = new Map<string, ApplicationVersionDescription>();
  readonly objects = new Map<string, string>();
  /** Newest first, as Beanstalk returns them. */
  readonly events: EventDescription[] = [];
  readonly tags = new Map<string, string>();
  readonly script: (() => void)[] = [];
  lastRequestId: string | undefined;
  private requests = 0;
  /** Called on every DescribeEnvironments before it answers (to script failures, or hang). */
  beforeDescribe: (() => void | Promise<void>) | undefined;
  /** Called on UpdateEnvironment before it changes anything: a throw changes nothing, a hang stops before AWS. */
  beforeUpdate: (() => void | Promise<void>) | undefined;
  /** Called on UpdateEnvironment after the update started: a throw is a lost response, a hang a caller that never hears back. */
  afterUpdate: (() => void | Promise<void>) | undefined;
  /** Called on CreateApplicationVersion after the version exists: a throw is a lost answer or a refused retry. */
  afterCreateVersion: (() => void | Promise<void>) | undefined;
  /** Called on every DescribeEvents with the environment asked about (to script failures). */
  beforeEvents: ((environment: string | undefined) => void) | undefined;
  /** Told of each update as it starts, with the label: queue its steps here with then(). */
  onUpdate: ((label: string) => void) | undefined;

  /**
   * AWS's clock is the test's, the one Capstan reads: a ManualClock moves 15 s a look, the system
   * clock (for Capstan running in real time) moves by itself.
   */
  constructor(private readonly clock: Clock & { advance?(ms: number): void } = systemClock) {
    for (const t of ['1.2.2', '1.2.3', '1.2.4']) this.tags.set(t, digestOf(t));
    this.addVersion('1.2.2', `${REPO_URI}@${digestOf('1.2.2')}`);
    const deployed = new Date(this.now() - 86_400_000);
    this.env = {
      EnvironmentName: ENV_NAME,
      EnvironmentId: ENV_ID,
      ApplicationName: APP,
      VersionLabel: '1.2.2',
      Status: 'Ready',
      Health: 'Green',
      HealthStatus: 'Ok',
      DateCreated: new Date(this.now() - 30 * 86_400_000),
      DateUpdated: deployed,
    };
    this.events.push({
      EventDate: deployed,
      Message: 'Environment update completed successfully.',
      Severity: 'INFO',
      ApplicationName: APP,
      EnvironmentName: ENV_NAME,
      RequestId: 'req-seed',
    });
    this.install();
  }

  readonly now = () => this.clock.now();

  restore(): void {
    this.eb.restore();
    this.s3.restore();
    this.ecr.restore();
  }

  /** A version made outside Capstan, its Dockerrun in the Beanstalk bucket. */
  addVersion(label: string, image: string, description?: string): void {
    const key = `${APP}/${label}/Dockerrun.aws.json`;
    this.objects.set(`${EB_BUCKET}/${key}`, dockerrunFor(image));
    this.versions.set(label, {
      ApplicationName: APP,
      VersionLabel: label,
      Description: description,
      SourceBundle: { S3Bucket: EB_BUCKET, S3Key: key },
      DateCreated: new Date(this.now() - 86_400_000),
    });
  }

  event(message: string, severity: EventSeverity = 'INFO', requestId = this.lastRequestId): void {
    this.events.unshift({
      EventDate: new Date(this.now()),
      Message: message,
      Severity: severity,
      ApplicationName: APP,
      EnvironmentName: ENV_NAME,
      RequestId: requestId,
    });
  }

  /** Changes the environment as Beanstalk would, stamping DateUpdated. */
  set(patch: Partial<EnvironmentDescription>): void {
    if (this.env) this.env = { ...this.env, ...patch, DateUpdated: new Date(this.now()) };
  }

  /** Queues steps, one per later DescribeEnvironments call. */
  then(...steps: (() => void)[]): this {
    this.script.push(...steps);
    return this;
  }

  private install(): void {
    this.ecr
      .on(DescribeImagesCommand)
      .callsFake((input: { imageIds?: { imageTag?: string; imageDigest?: string }[] }) => {
        const byDigest = input.imageIds?.[0]?.imageDigest;
        const tag =
          byDigest === undefined
            ? input.imageIds?.[0]?.imageTag
            : [...this.tags].find(([, d]) => d === byDigest)?.[0];
        const detail = (t: string, digest: string, i: number) => ({
          registryId: ACCOUNT,
          repositoryName: APP,
          imageDigest: digest,
          imageTags: [t],
          imagePushedAt: new Date(this.now() - (30 - i) * 86_400_000),
        });
        if (tag === undefined && byDigest === undefined)
          return { imageDetails: [...this.tags].map(([t, d], i) => detail(t, d, i)) };
        const digest = tag === undefined ? undefined : this.tags.get(tag);
        if (!digest || tag === undefined)
          throw awsError(
            'ImageNotFoundException',
            `The image with imageId {imageDigest:'${byDigest ?? 'null'}', imageTag:'${tag ?? 'null'}'} does not exist within the repository with name '${APP}'`,
          );
        return { imageDetails: [detail(tag, digest, 0)] };
      });

    this.s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string }) => {
      this.objects.set(`${input.Bucket}/${input.Key}`, input.Body);
      return { ETag: '"etag"' };
    });
    this.s3.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const body = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (body === undefined) throw awsError('NotFound', 'Not Found', 404);
      return { ContentLength: body.length, ETag: '"etag"' };
    });
    this.s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const body = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (body === undefined) throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
      return { Body: { transformToString: async () => body } };
    });

    this.eb.on(DescribeEnvironmentsCommand).callsFake(async (input: { EnvironmentNames?: string[] }) => {
      await this.beforeDescribe?.();
      this.clock.advance?.(15_000);
      this.script.shift()?.();
      const env = this.env;
      const wanted = !input.EnvironmentNames?.length || input.EnvironmentNames.includes(ENV_NAME);
      return { Environments: env && wanted ? [env] : [] };
    });
    this.eb.on(DescribeApplicationVersionsCommand).callsFake((input: { VersionLabels?: string[] }) => ({
      ApplicationVersions: [...this.versions.values()].filter(
        (v) => !input.VersionLabels?.length || input.VersionLabels.includes(v.VersionLabel ?? ''),
      ),
    }));
    this.eb
      .on(CreateApplicationVersionCommand)
      .callsFake(
        async (input: {
          VersionLabel: string;
          Description?: string;
          SourceBundle?: { S3Bucket?: string; S3Key?: string };
        }) => {
          if (this.versions.has(input.VersionLabel))
            throw awsError(
              'InvalidParameterValue',
              `Application Version ${input.VersionLabel} already exists.`,
            );
          const { S3Bucket = '', S3Key = '' } = input.SourceBundle ?? {};
          if (!this.objects.has(`${S3Bucket}/${S3Key}`))
            throw awsError(
              'InvalidParameterCombination',
              `Unable to download from S3 location (Bucket: ${S3Bucket} Key: ${S3Key}). Reason: Not Found`,
            );
          const v: ApplicationVersionDescription = {
            ApplicationName: APP,
            VersionLabel: input.VersionLabel,
            Description: input.Description,
            SourceBundle: { S3Bucket, S3Key },
            DateCreated: new Date(this.now()),
          };
          this.versions.set(input.VersionLabel, v);
          await this.afterCreateVersion?.();
          return { ApplicationVersion: v };
        },
      );
    this.eb.on(UpdateEnvironmentCommand).callsFake(async (input: { VersionLabel: string }) => {
      await this.beforeUpdate?.();
      const env = this.env;
      if (!env)
        throw awsError('InvalidParameterValue', `No Environment found for EnvironmentName = '${ENV_NAME}'.`);
      if (env.Status !== 'Ready')
        throw awsError(
          'InvalidParameterValue',
          `Environment named ${ENV_NAME} is in an invalid state for this operation. Must be Ready.`,
        );
      if (!this.versions.has(input.VersionLabel))
        throw awsError(
          'InvalidParameterValue',
          `No Application Version named '${input.VersionLabel}' found.`,
        );
      this.requests += 1;
      this.lastRequestId = `req-${this.requests}`;
      this.set({
        Status: 'Updating',
        VersionLabel: input.VersionLabel,
        Health: 'Grey',
        HealthStatus: 'Pending',
      });
      this.event('Environment update is starting.');
      const out = { ...this.env, $metadata: { httpStatusCode: 200, requestId: this.lastRequestId } };
      this.onUpdate?.(input.VersionLabel);
      await this.afterUpdate?.();
      return out;
    });
    this.eb
      .on(DescribeEventsCommand)
      .callsFake(
        (input: { EnvironmentName?: string; RequestId?: string; StartTime?: Date; MaxRecords?: number }) => {
          this.beforeEvents?.(input.EnvironmentName);
          return {
            Events: this.events
              .filter(
                (e) =>
                  (!input.EnvironmentName || e.EnvironmentName === input.EnvironmentName) &&
                  (!input.RequestId || e.RequestId === input.RequestId) &&
                  (!input.StartTime || (e.EventDate?.getTime() ?? 0) >= input.StartTime.getTime()),
              )
              .slice(0, input.MaxRecords ?? 1000),
          };
        },
      );
  }
}
