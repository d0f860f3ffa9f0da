import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEcsAdapter } from '../../src/adapters/aws/ecs.js';
import { SERVICE_EVENTS_KEPT, keepNewestServiceEvents } from '../../src/adapters/aws/ecsEvents.js';

/** ECS over its wire protocol on a loopback port: every service with its last 100 events, newest first. */
let server: Server;
let url = '';
beforeEach(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const service = {
        serviceName: 'web',
        status: 'ACTIVE',
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        taskDefinition: 'td:1',
        deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: 'td:1', runningCount: 1 }],
        events: Array.from({ length: 100 }, (_, k) => ({
          id: `ev${k}`,
          createdAt: 1_790_000_000 - k,
          message: `(service web) event ${k}, with "quotes" and [brackets]`,
        })),
      };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ services: [service], failures: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = () =>
  new ECSClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });

describe('ECS adapter: DescribeServices answers keep the newest events only', () => {
  it('cuts every service to its newest events before the SDK reads the answer', async () => {
    const ecs = createEcsAdapter(() => keepNewestServiceEvents(client()));
    const { services } = await ecs.describeServices({ region: 'us-east-1', cluster: 'c' }, ['web']);
    expect(services[0]!.events).toHaveLength(SERVICE_EVENTS_KEPT);
    expect(services[0]!.events[0]).toEqual({
      id: 'ev0',
      at: 1_790_000_000_000,
      message: '(service web) event 0, with "quotes" and [brackets]',
    });
    expect(services[0]!.deployments.map((d) => d.id)).toEqual(['ecs-svc/1']);
  });

  it('leaves out, for a look, the events it saw already, except those naming the deployment it follows', async () => {
    const ecs = createEcsAdapter(() => keepNewestServiceEvents(client()));
    const { services } = await ecs.describeServices({ region: 'us-east-1', cluster: 'c' }, ['web'], {
      events: { after: (1_790_000_000 - 3) * 1000, mentioning: ['event 10,'] },
    });
    // Newer than `after`, with a second's leeway for rounding: ev0 to ev3; and the one naming it.
    expect(services[0]!.events.map((e) => e.id)).toEqual(['ev0', 'ev1', 'ev2', 'ev3', 'ev10']);
    expect(services[0]!.deployments.map((d) => d.id)).toEqual(['ecs-svc/1']);
    // Not beyond the newest 20: an old event naming it further down stays out.
    const old = await ecs.describeServices({ region: 'us-east-1', cluster: 'c' }, ['web'], {
      events: { after: 1_790_000_000_000, mentioning: ['event 30,'] },
    });
    expect(old.services[0]!.events.map((e) => e.id)).toEqual(['ev0']);
  });

  it('reads all of them without the cut (the SDK alone)', async () => {
    const ecs = createEcsAdapter(() => client());
    const { services } = await ecs.describeServices({ region: 'us-east-1', cluster: 'c' }, ['web']);
    expect(services[0]!.events).toHaveLength(100);
  });
});
