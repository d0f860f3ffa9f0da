import type { Environment } from '../../src/domain/catalog.js';
import type { TaskDefinitionDocument } from '../../src/domain/taskDefinition.js';
import type { Ecs, EcsService, StoppedTask } from '../../src/ports/ecs.js';
import type { Registry } from '../../src/ports/registry.js';

/** The ECS port in memory, and what an ECS environment and service look like, for the ECS strategy's tests. */

export const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/todo';
export const DIGEST = `sha256:${'a'.repeat(64)}`;

export function environment(name: string): Environment {
  return {
    app: 'todo',
    name,
    channel: `C${name.toUpperCase()}`,
    target: {
      kind: 'ecs',
      region: 'us-east-1',
      cluster: 'todo',
      service: `svc-${name}`,
      container: 'app',
      repository: 'todo',
    },
    policy: {
      deployers: [{ kind: 'anyone' }],
      approvers: [],
      approvals: 0,
      allowSelfApproval: false,
      approvalTtlMs: 3_600_000,
    },
    rolloutTimeoutMs: 600_000,
    rollback: 'auto',
  };
}

/** A service whose one deployment, of `td`, is complete. */
export function steady(name: string, deploymentId: string, td: string): EcsService {
  return {
    name,
    status: 'ACTIVE',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    taskDefinition: td,
    circuitBreaker: { enable: true, rollback: true },
    events: [],
    deployments: [
      {
        id: deploymentId,
        status: 'PRIMARY',
        taskDefinition: td,
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'COMPLETED',
      },
    ],
  };
}

/** The ECS port, in memory: what the strategy reads and writes, and every call it made. */
export class MemoryEcs implements Ecs {
  readonly calls: string[] = [];
  readonly services = new Map<string, EcsService>();
  readonly taskDefinitions = new Map<string, TaskDefinitionDocument>();
  readonly registered: TaskDefinitionDocument[] = [];
  /** The cluster's status; undefined when DescribeClusters does not know it. */
  cluster: string | undefined = 'ACTIVE';
  /** Services ECS could not describe, with its reason. */
  readonly failed = new Map<string, string>();
  /** The stopped tasks ECS lists, or the error listing them fails with. */
  stopped: readonly StoppedTask[] | Error = [];
  /** What DescribeServices fails with, when it fails for the whole call. */
  describing: Error | undefined;

  async describeServices(_loc: unknown, names: readonly string[]) {
    this.calls.push(`describeServices ${names.join(',')}`);
    if (this.describing) throw this.describing;
    const services = names.flatMap((n) => this.services.get(n) ?? []);
    const failed = names.flatMap((name) => {
      const reason = this.failed.get(name);
      return reason === undefined ? [] : [{ name, reason }];
    });
    const known = (n: string) => this.services.has(n) || this.failed.has(n);
    return { services, missing: names.filter((n) => !known(n)), failed };
  }
  async clusterStatus() {
    this.calls.push('clusterStatus');
    return this.cluster;
  }
  async describeTaskDefinition(_region: string, arn: string) {
    this.calls.push(`describeTaskDefinition ${arn}`);
    const doc = this.taskDefinitions.get(arn);
    if (!doc) throw new Error(`no task definition ${arn}`);
    return doc;
  }
  async registerTaskDefinition(_region: string, doc: TaskDefinitionDocument) {
    this.calls.push('registerTaskDefinition');
    this.registered.push(doc);
    return 'td:42';
  }
  async updateService(_loc: unknown, service: string, arn: string) {
    this.calls.push(`updateService ${service} ${arn}`);
    return 'ecs-svc/NEW';
  }
  async stoppedTasks() {
    this.calls.push('stoppedTasks');
    if (this.stopped instanceof Error) throw this.stopped;
    return this.stopped;
  }
}

export const registry: Registry = {
  findImage: async (_region, _repo, tag) => ({ tag, digest: DIGEST, repositoryUri: REPO }),
  findDigest: async (_region, _repo, digest, tag) =>
    digest === DIGEST ? { tag, digest, repositoryUri: REPO, tags: [tag] } : undefined,
  recentTags: async () => [],
};

/** A registry without the tag asked for, whose newest tags are `recent`. */
export function registryWithout(recent: readonly string[]): Registry {
  return {
    findImage: async () => undefined,
    findDigest: async () => undefined,
    recentTags: async () => recent,
  };
}
