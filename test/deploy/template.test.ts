import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../src/adapters/store/retention.js';
import { compareActions, describeDifference, scanFile, scanSources } from './awsCalls.js';
import {
  actionsOf,
  branches,
  danglingReferences,
  loadTemplate,
  parseTemplate,
  type Resource,
  target,
  taskRolePolicies,
} from './cloudformation.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const template = loadTemplate(new URL('../../deploy/capstan.yaml', import.meta.url));
const resources = Object.entries(template.Resources);
const ofType = (type: string): [string, Resource][] => resources.filter(([, r]) => r.Type === type);
const props = (id: string) => template.Resources[id]?.Properties ?? {};

interface Container {
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: unknown[];
  HealthCheck?: { Command: string[] };
}
const container = () => {
  const [[, td] = []] = ofType('AWS::ECS::TaskDefinition');
  return (td?.Properties?.ContainerDefinitions as Container[])[0]!;
};

describe('deploy/capstan.yaml', () => {
  it('refers only to parameters, resources and conditions it defines', () => {
    expect(danglingReferences(template)).toEqual([]);
  });

  it("grants the task role exactly the AWS actions Capstan's code calls", () => {
    const calls = scanSources(root);
    const { documents } = taskRolePolicies(template);
    const diff = compareActions(documents.flatMap(actionsOf), calls.actions);
    expect(diff, `${describeDifference(diff, calls.actions)}\n`).toEqual({ missing: [], extra: [] });
  });

  it('can read every AWS SDK call in src/ as an IAM action', () => {
    expect(scanSources(root).problems).toEqual([]);
  });

  it('lets DynamoDB expire what the ledger needs only for a while, by the attribute Capstan writes', () => {
    const [[, ledger] = []] = ofType('AWS::DynamoDB::Table');
    expect(ledger?.Properties?.TimeToLiveSpecification).toEqual({
      AttributeName: TTL_ATTRIBUTE,
      Enabled: true,
    });
  });

  it('adds no managed policy to the task role except those the operator names', () => {
    const { role } = taskRolePolicies(template);
    const managed = props(role).ManagedPolicyArns;
    expect(branches(managed).map(target)).toEqual(['ExtraTaskRolePolicyArns']);
  });

  it('hands Slack tokens and the configuration to the container as ECS secrets, never as plain values', () => {
    const c = container();
    const plain = (c.Environment ?? []).map((e) => e.Name);
    expect(plain.filter((n) => /SLACK|TOKEN|SECRET|CONFIG_YAML/.test(n))).toEqual([]);
    const secrets = (c.Secrets ?? []).flatMap(branches) as { Name: string; ValueFrom: unknown }[];
    expect(Object.fromEntries(secrets.map((s) => [s.Name, s.ValueFrom]))).toEqual({
      SLACK_BOT_TOKEN: { 'Fn::Sub': '${SlackSecretArn}:SLACK_BOT_TOKEN::' },
      SLACK_SIGNING_SECRET: { 'Fn::Sub': '${SlackSecretArn}:SLACK_SIGNING_SECRET::' },
      SLACK_APP_TOKEN: { 'Fn::Sub': '${SlackSecretArn}:SLACK_APP_TOKEN::' },
      CAPSTAN_CONFIG_YAML: {
        'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ConfigParameter}',
      },
    });
    // Socket Mode is chosen by SLACK_APP_TOKEN being set: HTTP mode must never receive it.
    const modal = (c.Secrets ?? []).find((s) => typeof s === 'object' && s !== null && 'Fn::If' in s);
    expect(modal).toMatchObject({
      'Fn::If': ['IsHttp', { Name: 'SLACK_SIGNING_SECRET' }, { Name: 'SLACK_APP_TOKEN' }],
    });
    expect(plain).toContain('CAPSTAN_CONFIG');
  });

  it('builds the load balancer only in HTTP mode and health-checks /healthz', () => {
    const httpOnly = [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::Listener',
      'AWS::ElasticLoadBalancingV2::ListenerRule',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
    ].flatMap(ofType);
    expect(httpOnly.map(([id, r]) => [id, r.Condition])).toEqual(httpOnly.map(([id]) => [id, 'IsHttp']));
    const [[, tg] = []] = ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg?.Properties).toMatchObject({ HealthCheckPath: '/healthz', Port: 3000, TargetType: 'ip' });
    const [[, listener] = []] = ofType('AWS::ElasticLoadBalancingV2::Listener');
    expect(listener?.Properties).toMatchObject({ Protocol: 'HTTPS', Port: 443 });
    expect(container().HealthCheck?.Command.join(' ')).toContain('/healthz');
  });

  it('runs replicas that roll back a failed deployment of Capstan by themselves', () => {
    const [[, service] = []] = ofType('AWS::ECS::Service');
    expect(service?.Properties).toMatchObject({
      LaunchType: 'FARGATE',
      DesiredCount: { Ref: 'DesiredCount' },
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
    });
    expect(template.Parameters?.DesiredCount).toMatchObject({ Default: 2 });
  });

  it('feeds the events queue from the five EventBridge rules, and only from them', () => {
    const rules = ofType('AWS::Events::Rule');
    const detailTypes = rules.flatMap(
      ([, r]) => (r.Properties?.EventPattern as { 'detail-type': string[] })['detail-type'],
    );
    expect(detailTypes.sort()).toEqual([
      'CloudFormation Stack Status Change',
      'CloudWatch Alarm State Change',
      'CodeDeploy Deployment State-change Notification',
      'ECS Deployment State Change',
      'ECS Hook State Change',
      'ECS Task State Change',
    ]);
    for (const [, r] of rules) {
      expect((r.Properties?.Targets as { Arn: unknown }[]).map((t) => target(t.Arn))).toEqual([
        'EventsQueue',
      ]);
    }
    const statement = (props('EventsQueuePolicy').PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statement).toHaveLength(1);
    const sources = (statement[0]!.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } }).ArnEquals[
      'aws:SourceArn'
    ];
    expect(sources.map(target).sort()).toEqual(rules.map(([id]) => id).sort());
  });

  it('subscribes the approvals queue to the topic with signed envelopes, allowing only that topic', () => {
    expect(props('ApprovalsSubscription')).toMatchObject({
      TopicArn: { Ref: 'ApprovalsTopicArn' },
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['ApprovalsQueue', 'Arn'] },
    });
    expect(props('ApprovalsSubscription').RawMessageDelivery).toBeUndefined();
    expect(props('ApprovalsQueuePolicy')).toMatchObject({
      PolicyDocument: {
        Statement: [
          {
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'ApprovalsTopicArn' } } },
          },
        ],
      },
    });
  });

  it('keeps the ledger in an on-demand pk/sk table with point-in-time recovery', () => {
    const [[, table] = []] = ofType('AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('reading the template', () => {
  it('turns short tags into their long forms and rejects an unknown tag', () => {
    const t = parseTemplate(
      'Resources:\n  A:\n    Type: X\n    Properties:\n      B: !GetAtt Q.Arn\n      C: !If [Cond, !Ref P, !Sub "${P}-x"]\n',
    );
    expect(t.Resources.A?.Properties).toEqual({
      B: { 'Fn::GetAtt': ['Q', 'Arn'] },
      C: { 'Fn::If': ['Cond', { Ref: 'P' }, { 'Fn::Sub': '${P}-x' }] },
    });
    expect(() => parseTemplate('Resources:\n  A: !Reff B\n')).toThrow(/Reff/);
  });

  it('counts the actions of both branches of a conditional statement, and no Deny', () => {
    const doc = {
      Statement: [
        { Effect: 'Allow', Action: 'a:One' },
        { 'Fn::If': ['C', { Effect: 'Allow', Action: ['a:Two'] }, { Ref: 'AWS::NoValue' }] },
        { Effect: 'Deny', Action: 'a:Three' },
      ],
    };
    expect(actionsOf(doc)).toEqual(['a:One', 'a:Two']);
  });
});

describe('reading AWS calls from the code', () => {
  it('reads commands, paginators, waiters and renamed imports, with their IAM names', () => {
    const { actions, problems } = scanFile({
      path: 'x.ts',
      text: `
        import { DescribeImagesCommand as Describe, ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
        import { waitUntilChangeSetCreateComplete } from '@aws-sdk/client-cloudformation';
        import { HeadObjectCommand, GetCallerIdentityCommand as Who } from '@aws-sdk/client-s3';
        import * as sqs from '@aws-sdk/client-sqs';
        const c = new ECRClient({});
        await c.send(new Describe({}));
        for await (const p of paginateDescribeImages({ client: c }, {})) void p;
        await waitUntilChangeSetCreateComplete({ client, maxWaitTime: 60 }, {});
        await s3.send(new HeadObjectCommand({}));
        await q.send(new sqs.ReceiveMessageCommand({}));
      `,
    });
    expect(problems).toEqual([]);
    // GetCallerIdentityCommand is imported but never used, so it is not a call.
    expect(actions.sort()).toEqual([
      'cloudformation:DescribeChangeSet',
      'ecr:DescribeImages',
      's3:GetObject',
      'sqs:ReceiveMessage',
    ]);
  });

  it('does not count comments, strings or type-only imports', () => {
    const { actions } = scanFile({
      path: 'x.ts',
      text: `
        import type { UpdateServiceCommand } from '@aws-sdk/client-ecs';
        import { type DeleteServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
        // new ListClustersCommand({}) is what it used to call
        const s = 'new ListServicesCommand()';
        let u: UpdateServiceCommand | DeleteServiceCommand | undefined;
        new ECSClient({});
      `,
    });
    expect(actions).toEqual([]);
  });

  it('reports calls it cannot turn into an IAM action', () => {
    const { problems } = scanFile({
      path: 'x.ts',
      text: `
        import { ECS } from '@aws-sdk/client-ecs';
        import { waitUntilSomethingNew } from '@aws-sdk/client-ecs';
        import { PutCommand } from '@aws-sdk/lib-dynamodb';
        new ECS({});
        await waitUntilSomethingNew({}, {});
        await doc.send(new PutCommand({}));
        await other.send(new MysteryCommand({}));
      `,
    });
    expect(problems).toEqual([
      'x.ts: new ECS() from @aws-sdk/client-ecs: use the client and its commands so the calls can be read',
      'x.ts: waiter waitUntilSomethingNew of @aws-sdk/client-ecs is not in WAITER_OPERATION',
      'x.ts: @aws-sdk/lib-dynamodb has no IAM prefix in IAM_PREFIX',
      'x.ts: new MysteryCommand() is not imported from an @aws-sdk package',
    ]);
  });

  it('names what the policy lacks, with the code that needs it, and what it grants in excess', () => {
    const needed = new Map([
      ['ecs:UpdateService', ['src/adapters/aws/ecs.ts']],
      ['iam:PassRole', ['ecs:RegisterTaskDefinition: a task definition names roles']],
    ]);
    const diff = compareActions(['ecs:UpdateService', 'ecs:DeleteService'], needed);
    expect(diff).toEqual({ missing: ['iam:PassRole'], extra: ['ecs:DeleteService'] });
    expect(describeDifference(diff, needed)).toBe(
      [
        "The task role's policy in deploy/capstan.yaml does not match the AWS calls in src/.",
        'Missing (the code needs these; add them to the policy):',
        '  - iam:PassRole   (ecs:RegisterTaskDefinition: a task definition names roles)',
        'Extra (the policy grants these; no code calls them):',
        '  - ecs:DeleteService',
      ].join('\n'),
    );
  });
});
