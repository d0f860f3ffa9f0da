import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DescribeCall {
  readonly at: number;
  readonly cluster: string;
  readonly services: number;
  /** The first service the call names: a look of a cluster starts again from the same one. */
  readonly firstService: string;
  readonly throttled: boolean;
}

/** How many old events each service carries: ECS returns its latest 100, and a long-lived service has them. */
const EVENTS_PER_SERVICE = 100;

/**
 * ECS over its wire protocol (JSON 1.1 with X-Amz-Target), as a Capstan process reaches it through
 * AWS_ENDPOINT_URL, answering from a timetable: each service's rollout is in progress (one of two new
 * tasks running) until the moment it completes. Clusters in `throttled` answer every DescribeServices
 * with ThrottlingException, as ECS does past its rate limit. Every call is recorded.
 */
export class TimetableEcs {
  readonly describes: DescribeCall[] = [];
  /** Every other call (ListTasks while tasks are missing…). */
  readonly others: { readonly at: number; readonly operation: string }[] = [];
  readonly throttled = new Set<string>();
  /** When each service's rollout completes (ms since the epoch); none completes before begin(). */
  readonly completeAt = new Map<string, number>();
  /** When each service was first described as complete: Capstan knew from then on. */
  readonly answeredAt = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  /** Each service's answer, serialised once per state: the bench's own work stays small beside Capstan's. */
  private readonly answers = new Map<string, string>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly startedAt: number) {}

  /** `service` completes `offsetMs` after begin(). */
  plan(service: string, offsetMs: number): void {
    this.offsets.set(service, offsetMs);
  }

  begin(origin: number): void {
    for (const [s, o] of this.offsets) this.completeAt.set(s, origin + o);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private answer(cluster: string, name: string, done: boolean): string {
    const key = `${cluster}/${name}/${done}`;
    let a = this.answers.get(key);
    if (a === undefined) this.answers.set(key, (a = JSON.stringify(this.service(cluster, name, done))));
    return a;
  }

  private service(cluster: string, name: string, done: boolean) {
    const running = done ? 2 : 1;
    const at = this.startedAt / 1000;
    return {
      serviceName: name,
      serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/${name}`,
      clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: running,
      pendingCount: 2 - running,
      launchType: 'FARGATE',
      taskDefinition: `td-${name}`,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      deployments: [
        {
          id: `dep-${name}`,
          status: 'PRIMARY',
          taskDefinition: `td-${name}`,
          desiredCount: 2,
          runningCount: running,
          pendingCount: 2 - running,
          failedTasks: 0,
          rolloutState: done ? 'COMPLETED' : 'IN_PROGRESS',
          rolloutStateReason: done ? 'ECS deployment dep completed.' : 'ECS deployment dep in progress.',
          createdAt: at,
          updatedAt: at,
          launchType: 'FARGATE',
        },
      ],
      // Older than the rollout: Capstan reads them and shows none.
      events: Array.from({ length: EVENTS_PER_SERVICE }, (_, k) => ({
        id: `${name}-ev${k}`,
        createdAt: at - 3600 * (k + 1),
        message: `(service ${name}) has reached a steady state.`,
      })),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.')[1] ?? target;
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' });
      res.end(JSON.stringify(payload));
    };
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      cluster?: string;
      services?: string[];
    };
    if (operation !== 'DescribeServices') {
      this.others.push({ at: Date.now(), operation });
      if (operation === 'ListTasks') return send(200, { taskArns: [] });
      return send(400, { __type: 'UnknownOperationException', message: `${operation} is not in the bench` });
    }
    const cluster = input.cluster ?? 'default';
    const services = input.services ?? [];
    const throttled = this.throttled.has(cluster);
    this.describes.push({
      at: Date.now(),
      cluster,
      services: services.length,
      firstService: services[0] ?? '',
      throttled,
    });
    if (throttled) return send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    const now = Date.now();
    const answers = services.map((s) => {
      const done = now >= (this.completeAt.get(s) ?? Infinity);
      if (done && !this.answeredAt.has(s)) this.answeredAt.set(s, now);
      return this.answer(cluster, s, done);
    });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'bench' });
    res.end(`{"services":[${answers.join(',')}],"failures":[]}`);
  }
}
