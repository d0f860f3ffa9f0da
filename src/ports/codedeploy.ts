/** One CodeDeploy deployment group: where deployments of an application go. */
export interface DeploymentGroupRef {
  readonly region: string;
  readonly application: string;
  readonly group: string;
}

/** Created | Queued | InProgress | Baking | Ready | Succeeded | Failed | Stopped (kept open: AWS may add more). */
export type CodeDeployStatus = string;

/** Statuses of a deployment that has not ended. */
export const ACTIVE_STATUSES: readonly CodeDeployStatus[] = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
];

export type RevisionLocation =
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly bundleType?: string | undefined;
      readonly eTag?: string | undefined;
    }
  /** ECS (and Lambda) revisions: the AppSpec itself. GetDeployment never returns its content. */
  | { readonly kind: 'appspec'; readonly content?: string | undefined }
  | { readonly kind: 'other'; readonly type: string };

export interface AutoRollback {
  readonly enabled: boolean;
  /** DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST. */
  readonly events: readonly string[];
}

export interface DeploymentBrief {
  readonly id: string;
  readonly status: CodeDeployStatus;
  readonly createdAt?: number | undefined;
  readonly endedAt?: number | undefined;
}

export interface DeploymentGroup {
  readonly application: string;
  readonly name: string;
  /** Server, ECS or Lambda. */
  readonly computePlatform: string;
  /** IN_PLACE or BLUE_GREEN; WITH_TRAFFIC_CONTROL or WITHOUT_TRAFFIC_CONTROL. */
  readonly deploymentStyle: { readonly type?: string | undefined; readonly option?: string | undefined };
  readonly deploymentConfig?: string | undefined;
  readonly autoRollback: AutoRollback;
  /** The group's CloudWatch alarms (alarmConfiguration): an alarm going off stops its deployments. */
  readonly alarms?:
    | {
        readonly enabled: boolean;
        readonly names: readonly string[];
        /** ignorePollAlarmFailure: deployments go on when the alarms cannot be read. */
        readonly ignorePollFailure?: boolean | undefined;
      }
    | undefined;
  /** What the group deploys now, as CodeDeploy records it. */
  readonly targetRevision?: RevisionLocation | undefined;
  /** Blue/green: what happens when nobody lets a Ready deployment reroute traffic. */
  readonly readyOption?: ReadyOption | undefined;
  readonly ecsServices: readonly { readonly cluster: string; readonly service: string }[];
  readonly lastAttempted?: DeploymentBrief | undefined;
  readonly lastSuccessful?: DeploymentBrief | undefined;
}

export interface ReadyOption {
  /** CONTINUE_DEPLOYMENT or STOP_DEPLOYMENT. */
  readonly actionOnTimeout?: string | undefined;
  readonly waitMinutes?: number | undefined;
}

/** Instance (or ECS target) counts of a deployment. */
export interface DeploymentOverview {
  readonly pending: number;
  readonly inProgress: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly ready: number;
}

export interface CodeDeployDeployment {
  readonly id: string;
  readonly application: string;
  readonly group: string;
  readonly status: CodeDeployStatus;
  readonly error?: { readonly code?: string | undefined; readonly message?: string | undefined } | undefined;
  readonly overview: DeploymentOverview;
  /** user, autoscaling, codeDeployRollback, CodeDeployAutoUpdate, CloudFormation… */
  readonly creator?: string | undefined;
  readonly description?: string | undefined;
  readonly revision?: RevisionLocation | undefined;
  readonly rollback?:
    | {
        /** The deployment CodeDeploy started to roll this one back. */
        readonly deploymentId?: string | undefined;
        /** The deployment this one rolls back. */
        readonly triggeringDeploymentId?: string | undefined;
        readonly message?: string | undefined;
      }
    | undefined;
  /** The deployment's own setting (CreateDeployment may override the group's). */
  readonly autoRollback?: AutoRollback | undefined;
  /** Blue/green: traffic is on the replacement; the original is kept until the termination wait ends. */
  readonly terminationWaitStarted: boolean;
  readonly readyOption?: ReadyOption | undefined;
  readonly statusMessages: readonly string[];
  readonly createdAt?: number | undefined;
  readonly completedAt?: number | undefined;
}

export interface LifecycleEvent {
  readonly name: string;
  /** Pending, InProgress, Succeeded, Failed, Skipped, Unknown. */
  readonly status: string;
  readonly diagnostics?:
    | {
        /** ScriptFailed, ScriptMissing, ScriptNotExecutable, ScriptTimedOut, UnknownError, Success. */
        readonly errorCode?: string | undefined;
        readonly scriptName?: string | undefined;
        readonly message?: string | undefined;
        /** The script's last output (up to 4 KB). */
        readonly logTail?: string | undefined;
      }
    | undefined;
}

/** An instance, or for ECS `cluster:service`. */
export interface DeploymentTarget {
  readonly id: string;
  readonly status: string;
  readonly lifecycleEvents: readonly LifecycleEvent[];
}

export type NewRevision =
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly bundleType: string;
      readonly eTag?: string | undefined;
    }
  | { readonly kind: 'appspec'; readonly content: string };

export interface CodeDeploy {
  /** undefined when the application or the group does not exist. */
  getDeploymentGroup(ref: DeploymentGroupRef): Promise<DeploymentGroup | undefined>;
  /** Returns the deployment id. CodeDeploy has no client token: a retry can start a second one. */
  createDeployment(ref: DeploymentGroupRef, revision: NewRevision, description: string): Promise<string>;
  /** undefined when CodeDeploy does not know the id. */
  getDeployment(region: string, deploymentId: string): Promise<CodeDeployDeployment | undefined>;
  /**
   * Ids of the group's deployments with those statuses (any status when empty), created after
   * `createdAfter` if given; at most `limit` (default 100).
   */
  listDeployments(
    ref: DeploymentGroupRef,
    statuses: readonly CodeDeployStatus[],
    options?: { readonly createdAfter?: number | undefined; readonly limit?: number | undefined },
  ): Promise<readonly string[]>;
  /** Target ids of a deployment, only those with these statuses if given (first page only). */
  listDeploymentTargets(
    region: string,
    deploymentId: string,
    statuses?: readonly string[],
  ): Promise<readonly string[]>;
  /** At most 25 ids a call (the API's limit). */
  batchGetDeploymentTargets(
    region: string,
    deploymentId: string,
    targetIds: readonly string[],
  ): Promise<readonly DeploymentTarget[]>;
  /** READY_WAIT starts rerouting traffic; TERMINATION_WAIT ends the wait before the original is removed. */
  continueDeployment(
    region: string,
    deploymentId: string,
    wait: 'READY_WAIT' | 'TERMINATION_WAIT',
  ): Promise<void>;
  /**
   * StopDeployment; `autoRollback`: CodeDeploy rolls the deployment back itself (blue/green in its
   * termination wait: traffic goes back to the original). Already ended: CapstanError invalid_state.
   */
  stopDeployment(region: string, deploymentId: string, autoRollback: boolean): Promise<void>;
}
