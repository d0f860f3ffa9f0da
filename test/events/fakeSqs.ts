import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';

export const EVENTS_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/capstan-events';

/**
 * The SQS queue EventBridge delivers to, faked at the SDK client's send(). ReceiveMessage answers
 * with what is visible (up to 10), or after a short wait with nothing; a received message stays
 * invisible until deleted.
 */
export class FakeSqs {
  readonly client = mockClient(SQSClient);
  private seq = 0;
  private readonly visible: { id: string; body: string; receipt: string }[] = [];
  private readonly inFlight = new Map<string, { id: string; body: string }>();
  /** Message ids in the order they were deleted. */
  readonly deleted: string[] = [];
  private wake: (() => void) | undefined;

  constructor() {
    this.client.on(ReceiveMessageCommand).callsFake(async () => {
      if (this.visible.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 25);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      const batch = this.visible.splice(0, 10);
      for (const m of batch) this.inFlight.set(m.receipt, m);
      return { Messages: batch.map((m) => ({ MessageId: m.id, Body: m.body, ReceiptHandle: m.receipt })) };
    });
    this.client.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle: string }) => {
      const m = this.inFlight.get(input.ReceiptHandle);
      if (m) {
        this.inFlight.delete(input.ReceiptHandle);
        this.deleted.push(m.id);
      }
      return {};
    });
  }

  /** Sends a message body; returns its message id. */
  send(body: string | Record<string, unknown>): string {
    this.seq += 1;
    const id = `msg-${this.seq}`;
    this.visible.push({
      id,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      receipt: `rh-${id}`,
    });
    this.wake?.();
    return id;
  }

  restore(): void {
    this.client.restore();
  }
}

/** An `ECS Deployment State Change` as EventBridge delivers it to SQS. */
export function ecsDeploymentEvent(o: {
  id: string;
  eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED';
  cluster: string;
  service: string;
  deploymentId: string;
  region?: string;
}): Record<string, unknown> {
  const region = o.region ?? 'us-east-1';
  return {
    version: '0',
    id: o.id,
    'detail-type': 'ECS Deployment State Change',
    source: 'aws.ecs',
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [`arn:aws:ecs:${region}:123456789012:service/${o.cluster}/${o.service}`],
    detail: {
      eventType: o.eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
      eventName: o.eventName,
      deploymentId: o.deploymentId,
      updatedAt: new Date().toISOString(),
      reason: `ECS deployment ${o.deploymentId} ${o.eventName === 'SERVICE_DEPLOYMENT_COMPLETED' ? 'completed' : 'in progress'}.`,
    },
  };
}

/** A `CloudWatch Alarm State Change` as EventBridge delivers it to SQS. */
export function alarmStateChangeEvent(o: {
  id: string;
  alarmName: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  previous: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  reason: string;
  region?: string;
}): Record<string, unknown> {
  const region = o.region ?? 'us-east-1';
  const at = new Date().toISOString();
  return {
    version: '0',
    id: o.id,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: at.replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${o.alarmName}`],
    detail: {
      alarmName: o.alarmName,
      state: { value: o.state, reason: o.reason, timestamp: at },
      previousState: { value: o.previous, reason: 'Threshold Crossed', timestamp: at },
      configuration: { metrics: [] },
    },
  };
}
