import type { VerifyPolicy } from './verify.js';

/** Who a policy names: a Slack user, a user group (by id or handle), or everyone. */
export type Principal =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'group'; readonly id: string }
  | { readonly kind: 'handle'; readonly handle: string }
  | { readonly kind: 'anyone' };

/** `count` distinct people from `from` must approve. */
export interface ApprovalRule {
  readonly from: readonly Principal[];
  readonly count: number;
}

export interface Policy {
  readonly deployers: readonly Principal[];
  /** Everyone who may approve: with rules, every rule's `from` together. */
  readonly approvers: readonly Principal[];
  /** Distinct approvals needed before a change runs; 0 means none. With rules, their counts added up. */
  readonly approvals: number;
  /**
   * Every rule must be met, each by different people. Absent: one rule, `approvals` people from
   * `approvers` (see approvalRules in policy.ts).
   */
  readonly rules?: readonly ApprovalRule[] | undefined;
  readonly allowSelfApproval: boolean;
  /** How long an approval request stays open. */
  readonly approvalTtlMs: number;
}

/** A recurring window in which deploys and releases wait (rollbacks do not). */
export interface FreezeWindow {
  readonly name: string;
  /** Five-field cron expression: when the window opens, in `timezone`. */
  readonly cron: string;
  readonly durationMs: number;
  /** IANA time zone name. */
  readonly timezone: string;
}

export interface EcsTarget {
  readonly kind: 'ecs';
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  readonly container: string;
  readonly repository: string;
}

export interface StackTarget {
  readonly kind: 'cloudformation';
  readonly region: string;
  readonly stack: string;
  readonly imageParameter: string;
  readonly repository: string;
  readonly capabilities: readonly string[];
  readonly roleArn?: string | undefined;
  /**
   * What the image parameter receives: the tag (default), the digest the tag resolved to
   * (`sha256:…`), or the whole image reference pinned by digest (`<repositoryUri>@sha256:…`).
   */
  readonly imageParameterFormat?: ImageParameterFormat | undefined;
}

export type ImageParameterFormat = 'tag' | 'digest' | 'uri';

export interface BeanstalkTarget {
  readonly kind: 'beanstalk';
  readonly region: string;
  readonly application: string;
  readonly environment: string;
  readonly repository: string;
  /** Where source bundles (Dockerrun.aws.json) are written. */
  readonly bucket: string;
  readonly keyPrefix: string;
  /** The port the container listens on (Dockerrun `Ports`). */
  readonly containerPort: number;
}

/** A CodeDeploy deployment group, whatever it deploys to. */
export interface CodeDeployGroupTarget {
  readonly region: string;
  readonly application: string;
  readonly deploymentGroup: string;
}

/** EC2/on-premises: a bundle in S3 per version; `key` holds `{version}`. */
export interface CodeDeployServerTarget extends CodeDeployGroupTarget {
  readonly kind: 'codedeploy-server';
  readonly revision: {
    readonly bucket: string;
    readonly key: string;
    readonly bundleType: 'zip' | 'tar' | 'tgz' | 'YAML' | 'JSON';
  };
}

/** ECS blue/green: Capstan registers the task definition and passes the AppSpec. */
export interface CodeDeployEcsTarget extends CodeDeployGroupTarget {
  readonly kind: 'codedeploy-ecs';
  readonly ecs: {
    readonly cluster: string;
    readonly service: string;
    readonly container: string;
    readonly repository: string;
    readonly containerPort: number;
  };
}

/** `codedeploy:` in capstan.yml: with `revision:` a server group, with `ecs:` a blue/green one. */
export type CodeDeployTarget = CodeDeployServerTarget | CodeDeployEcsTarget;

export type Target = EcsTarget | StackTarget | BeanstalkTarget | CodeDeployTarget;

export interface Environment {
  readonly app: string;
  readonly name: string;
  readonly channel: string;
  readonly target: Target;
  /** Assumed for every AWS call about this environment (another account or region); absent: Capstan's own credentials. */
  readonly roleArn?: string | undefined;
  readonly policy: Policy;
  readonly rolloutTimeoutMs: number;
  readonly rollback: 'auto' | 'manual';
  /** The configuration's freezes for every environment, then this environment's own. */
  readonly freezes?: readonly FreezeWindow[] | undefined;
  /** Alarms watched for a bake window after each rollout succeeds; absent: success is the end. */
  readonly verify?: VerifyPolicy | undefined;
  /** Takes only image digests verified in `from` at least `soakMs` ago (promotion.ts). */
  readonly promotion?: Promotion | undefined;
}

export interface Promotion {
  /** Another environment of the same app. */
  readonly from: string;
  readonly soakMs: number;
}

export interface App {
  readonly name: string;
  /** In the order the configuration lists them; the first is the default target. */
  readonly environments: readonly Environment[];
}

export interface PipelineRoute {
  /** Exact pipeline name, or a glob with `*`. */
  readonly pipeline: string;
  readonly channel: string;
  readonly policy: Policy;
}

export interface Catalog {
  readonly apps: readonly App[];
  readonly admins: readonly Principal[];
  readonly pipelines: readonly PipelineRoute[];
}

export function findApp(catalog: Catalog, name: string): App | undefined {
  return catalog.apps.find((a) => a.name === name);
}

export function findEnvironment(catalog: Catalog, app: string, env: string): Environment | undefined {
  return findApp(catalog, app)?.environments.find((e) => e.name === env);
}

/**
 * The environment a command that names none goes to: the one of `app` that posts to `channel`
 * when exactly one does, otherwise the app's first. `fromChannel` says which rule chose it.
 */
export function defaultEnvironment(
  catalog: Catalog,
  app: string,
  channel: string,
): { readonly env: Environment; readonly fromChannel: boolean } | undefined {
  const envs = catalog.apps.find((a) => a.name === app)?.environments ?? [];
  const here = envs.filter((e) => e.channel === channel);
  if (here.length === 1) return { env: here[0]!, fromChannel: true };
  return envs[0] === undefined ? undefined : { env: envs[0], fromChannel: false };
}
