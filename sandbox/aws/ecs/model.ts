import { createHash } from 'node:crypto';

/** What the simulated ECR and ECS keep: images, services and their deployments, stopped tasks. */

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export interface SimImage {
  readonly tag: string;
  readonly digest: string;
  readonly pushedAt: Date;
  /** Tasks from this image never start: the sandbox's "broken build". */
  readonly broken: boolean;
}

export interface SimDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimService {
  name: string;
  cluster: string;
  desiredCount: number;
  taskDefinition: string;
  /** CODE_DEPLOY: CodeDeploy replaces the task set; UpdateService cannot change the task definition. */
  controller: 'ECS' | 'CODE_DEPLOY';
  /** BLUE_GREEN or LINEAR: deployed as ECS service deployments (serviceDeployments.ts). */
  strategy?: 'BLUE_GREEN' | 'LINEAR';
  deployments: SimDeployment[];
  events: { id: string; createdAt: Date; message: string }[];
  /** A broken build's tasks start here, and answer errors once they take traffic (see cloudwatch.ts). */
  latent?: boolean;
}

export interface SimTask {
  taskArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  stoppedReason?: string;
  stoppedAt?: Date;
  group: string;
  containers: { name: string; lastStatus: string; reason?: string; exitCode?: number }[];
}

export const digestOf = (tag: string) =>
  `sha256:${createHash('sha256').update(`todobackend:${tag}`).digest('hex')}`;
export const now = () => new Date();
