import { AwsError } from './errors.js';
import { ACCOUNT, REGION, type SimEcs } from './ecs.js';
import type { SimS3 } from './s3.js';

const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
type Severity = (typeof SEVERITIES)[number];

interface SourceBundle {
  S3Bucket: string;
  S3Key: string;
}

interface AppVersion {
  ApplicationName: string;
  VersionLabel: string;
  Description?: string | undefined;
  SourceBundle: SourceBundle;
  DateCreated: Date;
  DateUpdated: Date;
  Status: 'Unprocessed' | 'Processing' | 'Processed';
}

interface EbEvent {
  EventDate: Date;
  Message: string;
  ApplicationName: string;
  EnvironmentName: string;
  VersionLabel?: string | undefined;
  RequestId?: string | undefined;
  Severity: Severity;
}

interface Update {
  requestId: string;
  from: string;
  to: string;
  step: number;
  /** Why the new version fails on the instances; undefined when it deploys. */
  failure: string | undefined;
}

interface Environment {
  name: string;
  id: string;
  app: string;
  versionLabel: string;
  status: 'Ready' | 'Updating';
  health: 'Green' | 'Yellow' | 'Red' | 'Grey';
  healthStatus: 'Ok' | 'Pending' | 'Severe';
  created: Date;
  updated: Date;
  update?: Update | undefined;
}

type List<T> = T[] | undefined;

export const EB_BUCKET = `elasticbeanstalk-${REGION}-${ACCOUNT}`;
const INSTANCE = 'i-0abc';

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);

/**
 * Elastic Beanstalk (Docker platform): one application with one environment. Versions point at a
 * Dockerrun.aws.json in the simulated S3; an update walks through the documented events one tick
 * at a time. A version whose image is broken fails on the instance, and the environment comes
 * back Ready and Green on the previous version label, as third parties report.
 */
export class SimBeanstalk {
  readonly versions = new Map<string, AppVersion>();
  readonly environments = new Map<string, Environment>();
  readonly events: EbEvent[] = [];
  /** Set to make the next environment update fail whatever its version. */
  failNextUpdate = false;
  private seq = 0;

  constructor(
    private readonly s3: SimS3,
    private readonly ecs: SimEcs,
  ) {
    const app = 'todobackend';
    const key = `${app}/1.2.2/Dockerrun.aws.json`;
    const digest = ecs.images.get(app)?.find((i) => i.tag === '1.2.2')?.digest ?? '';
    s3.put(EB_BUCKET, key, dockerrun(`${ecs.repositoryUri(app)}@${digest}`), 'application/json');
    const deployed = new Date(Date.now() - 2 * 86_400_000);
    this.versions.set(`${app}/1.2.2`, {
      ApplicationName: app,
      VersionLabel: '1.2.2',
      SourceBundle: { S3Bucket: EB_BUCKET, S3Key: key },
      DateCreated: deployed,
      DateUpdated: deployed,
      Status: 'Processed',
    });
    const env: Environment = {
      name: 'todobackend-staging',
      id: 'e-sbx7k2m4pq',
      app,
      versionLabel: '1.2.2',
      status: 'Ready',
      health: 'Green',
      healthStatus: 'Ok',
      created: new Date(Date.now() - 30 * 86_400_000),
      updated: deployed,
    };
    this.environments.set(env.name, env);
    this.event(env, 'Environment update completed successfully.', 'INFO', 'seed-request', deployed);
  }

  private version(app: string, label: string): AppVersion | undefined {
    return this.versions.get(`${app}/${label}`);
  }

  private event(env: Environment, message: string, severity: Severity, requestId?: string, at = new Date()) {
    this.seq += 1;
    this.events.unshift({
      EventDate: at,
      Message: message,
      ApplicationName: env.app,
      EnvironmentName: env.name,
      VersionLabel: env.update?.to ?? env.versionLabel,
      RequestId: requestId,
      Severity: severity,
    });
  }

  /** Why this version would fail on the instances, read from its Dockerrun.aws.json. */
  private failureOf(v: AppVersion): string | undefined {
    const bundle = this.s3.get(v.SourceBundle.S3Bucket, v.SourceBundle.S3Key);
    let imageName: string | undefined;
    try {
      const parsed = JSON.parse(bundle?.body.toString('utf8') ?? '') as { Image?: { Name?: unknown } };
      if (typeof parsed.Image?.Name === 'string') imageName = parsed.Image.Name;
    } catch {
      // Not a bare Dockerrun.aws.json (a zip, say): the sandbox trusts the tag the key names.
    }
    const image = imageName ? this.ecs.resolveImage(imageName) : this.ecs.imageNamedIn(v.SourceBundle.S3Key);
    if (!image)
      return imageName
        ? `Failed to pull Docker image ${imageName}: manifest unknown.`
        : 'Failed to read Dockerrun.aws.json from the source bundle.';
    if (image.broken)
      return `Docker container quit unexpectedly after launch: todobackend ${image.tag} exited with code 1.`;
    return undefined;
  }

  tick(): void {
    for (const v of this.versions.values()) if (v.Status === 'Processing') v.Status = 'Processed';
    for (const env of this.environments.values()) {
      const u = env.update;
      if (!u) continue;
      u.step += 1;
      env.updated = new Date();
      if (u.step === 1) {
        this.event(env, 'Deploying new version to instance(s).', 'INFO', u.requestId);
      } else if (u.step === 2 && u.failure) {
        this.event(
          env,
          `[Instance: ${INSTANCE}] Command failed on instance. Return code: 1 Output: ${u.failure} Hook /opt/elasticbeanstalk/hooks/appdeploy/enact/00run.sh failed.`,
          'ERROR',
          u.requestId,
        );
        this.event(env, 'Failed to deploy application.', 'ERROR', u.requestId);
        env.health = 'Red';
        env.healthStatus = 'Severe';
      } else if (u.step === 2) {
        this.event(
          env,
          'New application version was deployed to running EC2 instances.',
          'INFO',
          u.requestId,
        );
      } else {
        this.event(
          env,
          u.failure
            ? 'Update environment operation is complete, but with errors. For more information, see troubleshooting documentation.'
            : 'Environment update completed successfully.',
          u.failure ? 'ERROR' : 'INFO',
          u.requestId,
        );
        env.update = undefined;
        env.versionLabel = u.failure ? u.from : u.to;
        env.status = 'Ready';
        env.health = 'Green';
        env.healthStatus = 'Ok';
      }
    }
  }

  private describe(env: Environment) {
    return {
      EnvironmentName: env.name,
      EnvironmentId: env.id,
      ApplicationName: env.app,
      // During an update the environment already names the version it is deploying.
      VersionLabel: env.update?.to ?? env.versionLabel,
      SolutionStackName: '64bit Amazon Linux 2023 v4.4.0 running Docker',
      PlatformArn: `arn:aws:elasticbeanstalk:${REGION}::platform/Docker running on 64bit Amazon Linux 2023/4.4.0`,
      EndpointURL: `awseb-e-sbx-AWSEBLoa-1SANDBOX.${REGION}.elb.amazonaws.com`,
      CNAME: `${env.name}.${REGION}.elasticbeanstalk.com`,
      DateCreated: env.created,
      DateUpdated: env.updated,
      Status: env.status,
      AbortableOperationInProgress: env.update !== undefined,
      Health: env.health,
      HealthStatus: env.healthStatus,
      Tier: { Name: 'WebServer', Type: 'Standard', Version: '1.0' },
      EnvironmentArn: `arn:aws:elasticbeanstalk:${REGION}:${ACCOUNT}:environment/${env.app}/${env.name}`,
    };
  }

  private describeVersion(v: AppVersion) {
    return {
      ApplicationVersionArn: `arn:aws:elasticbeanstalk:${REGION}:${ACCOUNT}:applicationversion/${v.ApplicationName}/${v.VersionLabel}`,
      ...v,
    };
  }

  // --- API operations, by their wire names (Query protocol: every scalar arrives as a string) ---

  CreateApplicationVersion(input: {
    ApplicationName: string;
    VersionLabel: string;
    Description?: string;
    SourceBundle?: Partial<SourceBundle>;
    Process?: string;
  }) {
    const app = input.ApplicationName;
    if (![...this.environments.values()].some((e) => e.app === app))
      throw invalid(`No Application named '${app}' found.`);
    if (!input.VersionLabel || input.VersionLabel.length > 100)
      throw invalid('VersionLabel must be 1 to 100 characters long.');
    if (this.version(app, input.VersionLabel))
      throw invalid(`Application Version ${input.VersionLabel} already exists.`);
    const { S3Bucket, S3Key } = input.SourceBundle ?? {};
    if (!S3Bucket || !S3Key || !this.s3.get(S3Bucket, S3Key))
      throw new AwsError(
        'InvalidParameterCombination',
        `Unable to download from S3 location (Bucket: ${S3Bucket ?? ''} Key: ${S3Key ?? ''}). Reason: Not Found`,
      );
    const now = new Date();
    const v: AppVersion = {
      ApplicationName: app,
      VersionLabel: input.VersionLabel,
      Description: input.Description,
      SourceBundle: { S3Bucket, S3Key },
      DateCreated: now,
      DateUpdated: now,
      Status: input.Process === 'true' ? 'Processing' : 'Unprocessed',
    };
    this.versions.set(`${app}/${v.VersionLabel}`, v);
    return { ApplicationVersion: this.describeVersion(v) };
  }

  DescribeApplicationVersions(input: { ApplicationName?: string; VersionLabels?: List<string> }) {
    const found = [...this.versions.values()]
      .filter((v) => !input.ApplicationName || v.ApplicationName === input.ApplicationName)
      .filter((v) => !input.VersionLabels?.length || input.VersionLabels.includes(v.VersionLabel))
      .sort((a, b) => b.DateCreated.getTime() - a.DateCreated.getTime());
    return { ApplicationVersions: found.map((v) => this.describeVersion(v)) };
  }

  DescribeEnvironments(input: {
    ApplicationName?: string;
    EnvironmentNames?: List<string>;
    EnvironmentIds?: List<string>;
    VersionLabel?: string;
  }) {
    const found = [...this.environments.values()].filter(
      (e) =>
        (!input.ApplicationName || e.app === input.ApplicationName) &&
        (!input.EnvironmentNames?.length || input.EnvironmentNames.includes(e.name)) &&
        (!input.EnvironmentIds?.length || input.EnvironmentIds.includes(e.id)) &&
        (!input.VersionLabel || e.versionLabel === input.VersionLabel),
    );
    return { Environments: found.map((e) => this.describe(e)) };
  }

  UpdateEnvironment(
    input: {
      EnvironmentName?: string;
      EnvironmentId?: string;
      VersionLabel?: string;
      TemplateName?: string;
      OptionSettings?: List<unknown>;
    },
    requestId: string,
  ) {
    const env = [...this.environments.values()].find(
      (e) => e.name === input.EnvironmentName || e.id === input.EnvironmentId,
    );
    if (!env)
      throw invalid(
        `No Environment found for EnvironmentName = '${input.EnvironmentName ?? input.EnvironmentId}'.`,
      );
    if (input.VersionLabel && (input.TemplateName || input.OptionSettings?.length))
      throw new AwsError(
        'InvalidParameterCombination',
        'You cannot update the application version and the configuration in the same request.',
      );
    if (!input.VersionLabel)
      throw invalid('The sandbox simulates version deployments only: VersionLabel is required.');
    if (env.status !== 'Ready')
      throw invalid(
        `Environment named ${env.name} is in an invalid state for this operation. Must be Ready.`,
      );
    const v = this.version(env.app, input.VersionLabel);
    if (!v) throw invalid(`No Application Version named '${input.VersionLabel}' found.`);
    const failure = this.failNextUpdate
      ? 'Docker container quit unexpectedly after launch (sandbox fault injection).'
      : this.failureOf(v);
    this.failNextUpdate = false;
    env.update = { requestId, from: env.versionLabel, to: v.VersionLabel, step: 0, failure };
    env.status = 'Updating';
    env.health = 'Grey';
    env.healthStatus = 'Pending';
    env.updated = new Date();
    this.event(env, 'Environment update is starting.', 'INFO', requestId);
    return this.describe(env);
  }

  DescribeEvents(input: {
    ApplicationName?: string;
    EnvironmentName?: string;
    VersionLabel?: string;
    RequestId?: string;
    Severity?: string;
    StartTime?: string;
    EndTime?: string;
    MaxRecords?: string;
  }) {
    const from = input.StartTime ? new Date(input.StartTime).getTime() : -Infinity;
    const to = input.EndTime ? new Date(input.EndTime).getTime() : Infinity;
    const least = SEVERITIES.indexOf((input.Severity ?? 'TRACE') as Severity);
    const found = this.events.filter(
      (e) =>
        (!input.ApplicationName || e.ApplicationName === input.ApplicationName) &&
        (!input.EnvironmentName || e.EnvironmentName === input.EnvironmentName) &&
        (!input.VersionLabel || e.VersionLabel === input.VersionLabel) &&
        (!input.RequestId || e.RequestId === input.RequestId) &&
        SEVERITIES.indexOf(e.Severity) >= least &&
        e.EventDate.getTime() >= from &&
        e.EventDate.getTime() < to,
    );
    return { Events: found.slice(0, Math.min(Number(input.MaxRecords ?? 1000) || 1000, 1000)) };
  }
}

/** A Dockerrun.aws.json v1 naming one image, as Capstan uploads it. */
export function dockerrun(image: string): string {
  return JSON.stringify({
    AWSEBDockerrunVersion: '1',
    Image: { Name: image, Update: 'true' },
    Ports: [{ ContainerPort: 8000 }],
  });
}
