import { AwsError } from '../errors.js';
import { ACCOUNT, REGION } from '../ecs.js';

/** What the simulated CodeDeploy keeps: groups, deployments, their targets and lifecycle events. */

export type Status =
  'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';
export type EventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';
export type TargetStatus = EventStatus | 'Ready';

export interface Revision {
  revisionType: string;
  s3Location?: { bucket?: string; key?: string; bundleType?: string; version?: string; eTag?: string };
  appSpecContent?: { content?: string; sha256?: string };
}

export interface AutoRollback {
  enabled: boolean;
  events?: string[];
}

export interface Group {
  readonly app: string;
  readonly name: string;
  readonly id: string;
  readonly platform: 'Server' | 'ECS';
  readonly configName: string;
  readonly autoRollback: AutoRollback;
  readonly style: { deploymentType: string; deploymentOption: string };
  /** Whether a deployment stops in Ready until ContinueDeployment (actionOnTimeout STOP_DEPLOYMENT). */
  readonly waitsForReady: boolean;
  /** Platform-specific parts of the group's description. */
  readonly extra: Record<string, unknown>;
  /** The last revision that deployed successfully: what a rollback redeploys. */
  current: Revision;
  /** The revision of the last deployment attempted. */
  target: Revision;
}

export interface LifecycleEvent {
  name: string;
  status: EventStatus;
  start?: Date;
  end?: Date;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
}

export interface Target {
  readonly id: string;
  readonly arn: string;
  status: TargetStatus;
  updated: Date;
  events: LifecycleEvent[];
  /** Index into the platform's STEPS of the next step to run. */
  step: number;
}

export interface Deployment {
  readonly id: string;
  readonly group: Group;
  readonly revision: Revision;
  readonly previousRevision: Revision;
  readonly creator: 'user' | 'codeDeployRollback';
  readonly description?: string | undefined;
  readonly autoRollback: AutoRollback;
  readonly created: Date;
  /** The lifecycle event that fails, with why; undefined when the revision deploys. */
  readonly failure: { event: string; why: string } | undefined;
  readonly targets: Target[];
  status: Status;
  started?: Date;
  completed?: Date;
  error?: { code: string; message: string };
  rollbackOf?: string;
  rolledBackBy?: string;
  trafficShifted: boolean;
}

/** Each tick runs one step; `READY` is where a blue/green deployment waits for ContinueDeployment. */
export const STEPS: Record<Group['platform'], (string[] | 'READY')[]> = {
  Server: [
    ['ApplicationStop', 'DownloadBundle', 'BeforeInstall', 'Install', 'AfterInstall'],
    ['ApplicationStart', 'ValidateService'],
  ],
  ECS: [
    ['BeforeInstall', 'Install', 'AfterInstall'],
    ['AllowTestTraffic', 'AfterAllowTestTraffic'],
    'READY',
    ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'],
  ],
};
export const FAILS_AT: Record<Group['platform'], string> = {
  Server: 'ApplicationStart',
  ECS: 'AfterAllowTestTraffic',
};
export const ACTIVE: Status[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];
export const INSTANCES = ['i-0f1e2d3c4b5a69001', 'i-0f1e2d3c4b5a69002', 'i-0f1e2d3c4b5a69003'];
export const HOOK_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:todobackend-smoke-test`;
export const ARTIFACT_BUCKET = 'todobackend-artifacts';

export const epoch = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);
export const cdError = (code: string, message: string) => new AwsError(code, message);
