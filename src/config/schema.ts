import { z } from 'zod';
import type { CodeDeployTarget, Principal } from '../domain/catalog.js';
import { cronProblem, isTimeZone } from '../domain/freeze.js';
import { parseDuration } from './duration.js';
import { checkPromotionSources, checkPromotionTarget } from './promotion.js';
import { verifySchema } from './verify.js';

const RESERVED = [
  'status',
  'approve',
  'reject',
  'rollback',
  'history',
  'lock',
  'unlock',
  'help',
  'to',
  'stats',
  'promote',
  'from',
];
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const name = z
  .string()
  .regex(NAME, 'use lowercase letters, digits, "-" or "_"')
  .refine((n) => !RESERVED.includes(n), 'is a /deploy subcommand; pick another name');

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 90s, 10m, 24h or 7d' });
    return z.NEVER;
  }
  return ms;
});

export const principal = z.string().transform((raw, ctx): Principal => {
  const s = raw.trim();
  if (s === '*') return { kind: 'anyone' };
  if (/^[UW][A-Z0-9]{2,}$/.test(s)) return { kind: 'user', id: s };
  if (/^S[A-Z0-9]{2,}$/.test(s)) return { kind: 'group', id: s };
  if (/^@[a-z0-9][a-z0-9._-]*$/i.test(s)) return { kind: 'handle', handle: s.slice(1) };
  ctx.addIssue({
    code: 'custom',
    message: `"${raw}" is not a user id (U…), a user-group id (S…), a group handle (@name) or "*"`,
  });
  return z.NEVER;
});

const channel = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, 'use the channel ID (C…), shown at the bottom of the channel details');

const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');

const ecs = z.strictObject({
  region,
  cluster: z.string().min(1),
  service: z.string().min(1),
  container: z.string().min(1),
  repository: z.string().min(1),
});

const cloudformation = z.strictObject({
  region,
  stack: z.string().min(1),
  imageParameter: z.string().min(1),
  repository: z.string().min(1),
  capabilities: z
    .array(z.enum(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND']))
    .default([]),
  roleArn: z.string().startsWith('arn:').optional(),
  /** What the image parameter receives: the tag, its digest (sha256:…), or <repositoryUri>@sha256:…. */
  imageParameterFormat: z.enum(['tag', 'digest', 'uri']).default('tag'),
});

const beanstalk = z.strictObject({
  region,
  application: z.string().min(1),
  environment: z.string().min(1),
  repository: z.string().min(1),
  bucket: z.string().min(3),
  /** Bundles go to `<keyPrefix><app>/<version label>/Dockerrun.aws.json`. */
  keyPrefix: z.string().default('capstan/'),
  containerPort: z.number().int().min(1).max(65535).default(8080),
});

const codedeployRevision = z.strictObject({
  bucket: z.string().min(3),
  key: z
    .string()
    .includes('{version}', { message: 'must contain {version}, e.g. todobackend/{version}.zip' }),
  bundleType: z.enum(['zip', 'tar', 'tgz', 'YAML', 'JSON']).default('zip'),
});

const codedeployEcs = z.strictObject({
  cluster: z.string().min(1),
  service: z.string().min(1),
  container: z.string().min(1),
  repository: z.string().min(1),
  containerPort: z.number().int().min(1).max(65535),
});

/**
 * One `codedeploy:` block, two kinds of target: `revision:` deploys an S3 bundle to EC2/on-premises,
 * `ecs:` an ECS service blue/green. Read as one object (so a mistake inside either is named where it
 * is), then told apart into the catalog's discriminated union.
 */
const codedeploy = z
  .strictObject({
    region,
    application: z.string().min(1),
    deploymentGroup: z.string().min(1),
    revision: codedeployRevision.optional(),
    ecs: codedeployEcs.optional(),
  })
  .transform((c, ctx): CodeDeployTarget => {
    const { revision, ecs, ...group } = c;
    if (revision && !ecs) return { kind: 'codedeploy-server', ...group, revision };
    if (ecs && !revision) return { kind: 'codedeploy-ecs', ...group, ecs };
    ctx.addIssue({
      code: 'custom',
      message: 'needs exactly one of revision (EC2/on-premises) or ecs (blue/green)',
    });
    return z.NEVER;
  });

const TARGETS = ['ecs', 'cloudformation', 'beanstalk', 'codedeploy'] as const;

const approvalCount = z.number().int().min(0).max(10);

const approvalRule = z.strictObject({
  from: z.array(principal).min(1, 'list who may approve under this rule'),
  count: z.number().int().min(1).max(10).default(1),
});

export const policySchema = z.strictObject({
  deployers: z.array(principal).min(1, 'list who may deploy ("*" for anyone)'),
  approvers: z.array(principal).default([]),
  /** A number of approvals from `approvers`, or rules that must all be met by different people. */
  approvals: z
    .union([approvalCount, z.array(approvalRule).min(1, 'list at least one rule').max(10)], {
      error: (iss) =>
        iss.code === 'invalid_union'
          ? 'must be a number of approvals, or a list of rules such as [{ from: ["@sre"], count: 1 }]'
          : undefined,
    })
    .default(0),
  allowSelfApproval: z.boolean().default(false),
  approvalTtl: duration.default(24 * 3_600_000),
});

/** `approvers` go with a number of approvals; a list of rules says who may approve in each rule. */
function checkApprovers(
  policy: { approvals: z.infer<typeof policySchema>['approvals']; approvers: readonly unknown[] },
  ctx: z.RefinementCtx,
): void {
  const { approvals, approvers } = policy;
  if (typeof approvals === 'number' && approvals > 0 && approvers.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['policy', 'approvers'], message: 'required when approvals > 0' });
  }
  if (typeof approvals !== 'number' && approvers.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['policy', 'approvers'],
      message: 'leave out when approvals lists rules: each rule says who may approve (from)',
    });
  }
}

/** When deploys and releases wait: a window opening on `cron` (in `timezone`) for `duration`. */
const freeze = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'name the freeze (it is shown to people)')
    .max(80)
    .regex(/^[^<>&]*$/, 'must not contain <, > or &'),
  cron: z.string().superRefine((c, ctx) => {
    const problem = cronProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  duration: duration.refine((ms) => ms > 0 && ms <= 31 * 86_400_000, 'must be longer than 0 and at most 31d'),
  timezone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as UTC, Europe/Paris or America/New_York')
    .default('UTC'),
});

const freezes = z.array(freeze).default([]);

const environment = z
  .strictObject({
    channel,
    /** Assumed for every AWS call about this environment, with the Slack user as source identity. */
    roleArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
        'must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
      )
      .optional(),
    ecs: ecs.optional(),
    cloudformation: cloudformation.optional(),
    beanstalk: beanstalk.optional(),
    codedeploy: codedeploy.optional(),
    policy: policySchema,
    rolloutTimeout: duration.default(10 * 60_000),
    rollback: z.enum(['auto', 'manual']).default('auto'),
    freezes,
    /** Only digests verified in `from` at least `soak` ago may be deployed here. */
    promotion: z.strictObject({ from: name, soak: duration.default(0) }).optional(),
    /** Alarms watched for a bake window after the rollout succeeds (config/verify.ts). */
    verify: verifySchema.optional(),
  })
  .superRefine((e, ctx) => {
    if (TARGETS.filter((t) => e[t] !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', message: `needs exactly one target: ${TARGETS.join(', ')}` });
    }
    checkApprovers(e.policy, ctx);
    checkPromotionTarget(e, ctx);
  });

const app = z.strictObject({
  environments: z
    .record(name, environment)
    .refine((envs) => Object.keys(envs).length > 0, 'list at least one environment')
    .superRefine((envs, ctx) => {
      for (const [envName, e] of Object.entries(envs)) {
        const from = e.promotion?.from;
        if (from !== undefined && (from === envName || envs[from] === undefined))
          ctx.addIssue({
            code: 'custom',
            path: [envName, 'promotion', 'from'],
            message: `must name another environment of this app: ${Object.keys(envs).join(', ')}`,
          });
      }
      checkPromotionSources(envs, ctx);
    }),
});

/** A relayed CodePipeline approval takes the same approval rules as a release; nobody deploys through it. */
const pipeline = z
  .strictObject({
    /** The pipeline's name, or a pattern with `*` (`todobackend-*`). */
    name: z.string().min(1),
    channel,
    policy: policySchema.extend({ deployers: z.array(principal).default([]) }),
  })
  .superRefine((p, ctx) => checkApprovers(p.policy, ctx));

export const configSchema = z.strictObject({
  admins: z.array(principal).default([]),
  /** Freeze windows for every environment (each environment may add its own). */
  freezes,
  /** SQLite embedded (one process), or DynamoDB (several replicas); never both. */
  storage: z
    .union([
      z.strictObject({ sqlite: z.string().min(1) }),
      z.strictObject({ dynamodb: z.strictObject({ table: z.string().min(3), region: region.optional() }) }),
    ])
    .default({ sqlite: './data/capstan.db' }),
  /**
   * Work in flight (following rollouts, expiring requests) is owned by one replica at a time through
   * a lease; another takes over when the owner stops renewing it.
   */
  replicas: z.strictObject({ leaseFor: duration.default(30_000) }).default({ leaseFor: 30_000 }),
  polling: z.strictObject({ interval: duration.default(5000) }).default({ interval: 5000 }),
  /** How long a `status` answer may be reused (shared by everyone asking within that time). */
  status: z.strictObject({ cacheFor: duration.default(2000) }).default({ cacheFor: 2000 }),
  sns: z
    .strictObject({
      topics: z.array(z.string().regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')).default([]),
      sqsQueueUrl: z.string().url().optional(),
      trustRawSqsMessages: z.boolean().default(false),
      /** SNS messages older than this are refused, even when their MessageId was never seen. */
      maxMessageAge: duration.default(3_600_000),
    })
    .default({ topics: [], trustRawSqsMessages: false, maxMessageAge: 3_600_000 }),
  /**
   * EventBridge events from ECS, CloudFormation and CodeDeploy routed to an SQS queue: a rollout is
   * looked at as soon as one about it arrives, and polling slows down to a safety net.
   */
  events: z.strictObject({ sqsQueueUrl: z.string().url() }).optional(),
  pipelines: z.array(pipeline).default([]),
  apps: z.record(name, app).refine((apps) => Object.keys(apps).length > 0, 'list at least one app'),
});

export type RawConfig = z.infer<typeof configSchema>;
