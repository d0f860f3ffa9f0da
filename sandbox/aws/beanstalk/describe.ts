import { ACCOUNT, REGION } from '../ecs.js';
import { type AppVersion, type EbEvent, type Environment, SEVERITIES, type Severity } from './model.js';

/** The simulated Elastic Beanstalk's answers, shaped as the API's wire format. */

export function describeEnvironment(env: Environment) {
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

export function describeVersion(v: AppVersion) {
  return {
    ApplicationVersionArn: `arn:aws:elasticbeanstalk:${REGION}:${ACCOUNT}:applicationversion/${v.ApplicationName}/${v.VersionLabel}`,
    ...v,
  };
}

export interface EventQuery {
  ApplicationName?: string;
  EnvironmentName?: string;
  VersionLabel?: string;
  RequestId?: string;
  Severity?: string;
  StartTime?: string;
  EndTime?: string;
  MaxRecords?: string;
}

/** DescribeEvents: newest first, at least the severity asked for, at most MaxRecords (1000). */
export function describeEvents(events: readonly EbEvent[], input: EventQuery) {
  const from = input.StartTime ? new Date(input.StartTime).getTime() : -Infinity;
  const to = input.EndTime ? new Date(input.EndTime).getTime() : Infinity;
  const least = SEVERITIES.indexOf((input.Severity ?? 'TRACE') as Severity);
  const found = events.filter(
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
