import {
  CreateApplicationVersionCommand,
  DescribeApplicationVersionsCommand,
  DescribeEnvironmentsCommand,
  ElasticBeanstalkClient,
  type EventDescription,
  UpdateEnvironmentCommand,
  paginateDescribeEvents,
} from '@aws-sdk/client-elastic-beanstalk';
import type { Beanstalk, BeanstalkEnvironment, EnvironmentRef } from '../../ports/beanstalk.js';
import { perRegion } from './clients.js';
import { call } from './errors.js';

const ms = (d: Date | undefined) => (d ? d.getTime() : undefined);
/** DescribeEvents returns at most 1,000 a page, newest first. */
const MAX_EVENTS = 1000;

type Client = (region: string) => ElasticBeanstalkClient;

const envResource = (ref: EnvironmentRef) =>
  `Elastic Beanstalk environment ${ref.environment} of application ${ref.application}`;

export function createBeanstalkAdapter(
  client: Client = perRegion((region, credentials) => new ElasticBeanstalkClient({ region, credentials })),
): Beanstalk {
  return { ...beanstalkReads(client), ...beanstalkChanges(client) };
}

function beanstalkReads(
  client: Client,
): Pick<Beanstalk, 'describeEnvironments' | 'describeApplicationVersions' | 'describeEvents'> {
  return {
    describeEnvironments: (region, application, names) =>
      describeEnvironments(client, region, application, names),
    async describeApplicationVersions(region, application, labels) {
      if (labels.length === 0) return [];
      const out = await call(
        {
          action: 'elasticbeanstalk:DescribeApplicationVersions',
          resource: `application versions ${labels.join(', ')} of Elastic Beanstalk application ${application}`,
          region,
        },
        () =>
          client(region).send(
            new DescribeApplicationVersionsCommand({
              ApplicationName: application,
              VersionLabels: [...labels],
            }),
          ),
      );
      return (out.ApplicationVersions ?? []).flatMap((v) =>
        v.VersionLabel === undefined
          ? []
          : [
              {
                label: v.VersionLabel,
                description: v.Description,
                bundle:
                  v.SourceBundle?.S3Bucket && v.SourceBundle.S3Key
                    ? { bucket: v.SourceBundle.S3Bucket, key: v.SourceBundle.S3Key }
                    : undefined,
                createdAt: ms(v.DateCreated),
              },
            ],
      );
    },

    describeEvents: (ref, since, options) => describeEvents(client, ref, since, options),
  };
}

function beanstalkChanges(client: Client): Pick<Beanstalk, 'createApplicationVersion' | 'updateEnvironment'> {
  return {
    async createApplicationVersion(region, application, v) {
      await call(
        {
          action: 'elasticbeanstalk:CreateApplicationVersion',
          resource: `application version ${v.label} of Elastic Beanstalk application ${application}`,
          region,
        },
        () =>
          client(region).send(
            new CreateApplicationVersionCommand({
              ApplicationName: application,
              VersionLabel: v.label,
              Description: v.description,
              SourceBundle: { S3Bucket: v.bucket, S3Key: v.key },
              // Process validates only .ebextensions and env.yaml, which a bare Dockerrun has none of.
              Process: false,
            }),
          ),
      );
    },

    async updateEnvironment(ref, versionLabel) {
      const out = await call(
        { action: 'elasticbeanstalk:UpdateEnvironment', resource: envResource(ref), region: ref.region },
        () =>
          client(ref.region).send(
            new UpdateEnvironmentCommand({
              ApplicationName: ref.application,
              EnvironmentName: ref.environment,
              VersionLabel: versionLabel,
            }),
          ),
      );
      return out.$metadata.requestId;
    },
  };
}

/** The environments named, as they stand (every page). */
async function describeEnvironments(
  client: Client,
  region: string,
  application: string,
  names: readonly string[],
): Promise<BeanstalkEnvironment[]> {
  const op = {
    action: 'elasticbeanstalk:DescribeEnvironments',
    resource: `Elastic Beanstalk environments ${names.join(', ')} of application ${application}`,
    region,
  };
  const found: BeanstalkEnvironment[] = [];
  let nextToken: string | undefined;
  do {
    const out = await call(op, () =>
      client(region).send(
        new DescribeEnvironmentsCommand({
          ApplicationName: application,
          EnvironmentNames: [...names],
          IncludeDeleted: false,
          NextToken: nextToken,
        }),
      ),
    );
    for (const e of out.Environments ?? []) {
      found.push({
        name: e.EnvironmentName ?? '',
        id: e.EnvironmentId ?? '',
        status: e.Status ?? 'Unknown',
        health: e.Health,
        healthStatus: e.HealthStatus,
        versionLabel: e.VersionLabel,
        updatedAt: ms(e.DateUpdated),
      });
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return found;
}

/** The environment's events since `since`, oldest first: the newest `limit` when there are more. */
async function describeEvents(
  client: Client,
  ref: EnvironmentRef,
  since: number,
  options: Parameters<Beanstalk['describeEvents']>[2] = {},
): ReturnType<Beanstalk['describeEvents']> {
  const limit = Math.max(1, options.limit ?? MAX_EVENTS);
  const events: EventDescription[] = [];
  const pages = paginateDescribeEvents(
    { client: client(ref.region), pageSize: Math.min(limit, MAX_EVENTS) },
    {
      ApplicationName: ref.application,
      EnvironmentName: ref.environment,
      RequestId: options.requestId,
      StartTime: new Date(since),
    },
  );
  await call(
    { action: 'elasticbeanstalk:DescribeEvents', resource: envResource(ref), region: ref.region },
    async () => {
      // Newest first: the first pages hold what matters when there are more than `limit`.
      for await (const page of pages) {
        events.push(...(page.Events ?? []));
        if (events.length >= limit) break;
      }
    },
  );
  return events
    .slice(0, limit)
    .map((e) => ({
      at: ms(e.EventDate) ?? 0,
      message: e.Message ?? '',
      severity: e.Severity ?? 'INFO',
      requestId: e.RequestId,
      versionLabel: e.VersionLabel,
    }))
    .reverse()
    .sort((a, b) => a.at - b.at);
}
