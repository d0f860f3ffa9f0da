import { AwsError } from '../errors.js';
import { ACCOUNT, REGION } from '../ecs.js';

/** What the simulated Elastic Beanstalk keeps: application versions, environments, events. */

export const SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SourceBundle {
  S3Bucket: string;
  S3Key: string;
}

export interface AppVersion {
  ApplicationName: string;
  VersionLabel: string;
  Description?: string | undefined;
  SourceBundle: SourceBundle;
  DateCreated: Date;
  DateUpdated: Date;
  Status: 'Unprocessed' | 'Processing' | 'Processed';
}

export interface EbEvent {
  EventDate: Date;
  Message: string;
  ApplicationName: string;
  EnvironmentName: string;
  VersionLabel?: string | undefined;
  RequestId?: string | undefined;
  Severity: Severity;
}

export interface Update {
  requestId: string;
  from: string;
  to: string;
  step: number;
  /** Why the new version fails on the instances; undefined when it deploys. */
  failure: string | undefined;
}

export interface Environment {
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

export type List<T> = T[] | undefined;

export const EB_BUCKET = `elasticbeanstalk-${REGION}-${ACCOUNT}`;
export const INSTANCE = 'i-0abc';

export const invalid = (message: string) => new AwsError('InvalidParameterValue', message);

/** A Dockerrun.aws.json v1 naming one image, as Capstan uploads it. */
export function dockerrun(image: string): string {
  return JSON.stringify({
    AWSEBDockerrunVersion: '1',
    Image: { Name: image, Update: 'true' },
    Ports: [{ ContainerPort: 8000 }],
  });
}
