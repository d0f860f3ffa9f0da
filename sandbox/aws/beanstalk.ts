import {
  describeEnvironment,
  describeEvents,
  describeVersion,
  type EventQuery,
} from './beanstalk/describe.js';
import {
  type AppVersion,
  EB_BUCKET,
  type EbEvent,
  type Environment,
  type List,
  type Severity,
  type SourceBundle,
  dockerrun,
  invalid,
} from './beanstalk/model.js';
import { failureOf, stepUpdate } from './beanstalk/update.js';
import type { SimEcs } from './ecs.js';
import { AwsError } from './errors.js';
import type { SimS3 } from './s3.js';

export { EB_BUCKET, dockerrun } from './beanstalk/model.js';

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

  tick(): void {
    for (const v of this.versions.values()) if (v.Status === 'Processing') v.Status = 'Processed';
    const tell = (env: Environment, message: string, severity: Severity, requestId?: string) =>
      this.event(env, message, severity, requestId);
    for (const env of this.environments.values()) stepUpdate(env, tell);
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
    return { ApplicationVersion: describeVersion(v) };
  }

  DescribeApplicationVersions(input: { ApplicationName?: string; VersionLabels?: List<string> }) {
    const found = [...this.versions.values()]
      .filter((v) => !input.ApplicationName || v.ApplicationName === input.ApplicationName)
      .filter((v) => !input.VersionLabels?.length || input.VersionLabels.includes(v.VersionLabel))
      .sort((a, b) => b.DateCreated.getTime() - a.DateCreated.getTime());
    return { ApplicationVersions: found.map((v) => describeVersion(v)) };
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
    return { Environments: found.map((e) => describeEnvironment(e)) };
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
      : failureOf(this.s3, this.ecs, v);
    this.failNextUpdate = false;
    env.update = { requestId, from: env.versionLabel, to: v.VersionLabel, step: 0, failure };
    env.status = 'Updating';
    env.health = 'Grey';
    env.healthStatus = 'Pending';
    env.updated = new Date();
    this.event(env, 'Environment update is starting.', 'INFO', requestId);
    return describeEnvironment(env);
  }

  DescribeEvents(input: EventQuery) {
    return describeEvents(this.events, input);
  }
}
