import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { ElasticBeanstalkClient } from '@aws-sdk/client-elastic-beanstalk';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { expect } from 'vitest';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, startHarness } from '../support/harness.js';
import { TOPIC, type TestSigner, testSigner } from '../support/snsSigning.js';
import { codePoint } from '../support/codePoints.js';

/** Every fuzz property runs this many cases, from a fixed seed: the same inputs on every run. */
export const FUZZ = { seed: 4242, numRuns: 40 } as const;

export const APPROVALS_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/capstan-approvals';
export const EVENTS_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/capstan-events';
export const APP_TOKEN = 'xapp-1-fuzz';

/** Every inbound path switched on: SNS over HTTP and SQS (raw messages trusted), and the events queue. */
export const FUZZ_YAML = `${TEST_YAML}
sns:
  topics: [${TOPIC}]
  sqsQueueUrl: ${APPROVALS_QUEUE}
  trustRawSqsMessages: true
events:
  sqsQueueUrl: ${EVENTS_QUEUE}
pipelines:
  - name: todobackend-pipeline
    channel: C0PIPE
    policy: { approvers: ["@deploy-approvers"], approvals: 1 }
`;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values of every wrong kind: empty, null, numbers, odd text in any encoding, nested junk, huge strings. */
export const weird: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(''),
  fc.string({ unit: codePoint, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('%ZZ%00', '\u0000\u202e', '\ud800', '<script>x</script>', '../../etc/passwd', '1e309'),
  fc.constant('x'.repeat(200_000)),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), {
    maxKeys: 3,
  }) as fc.Arbitrary<Json>,
);

function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

type Edit = { path: number; op: 'delete' | 'replace' | 'add'; value: Json; key: string };

function apply(base: Json, edits: readonly Edit[]): Json {
  let doc = structuredClone(base);
  for (const e of edits) {
    const all = paths(doc);
    const path = all[e.path % all.length]!;
    if (path.length === 0) {
      if (e.op === 'replace') doc = e.value;
      continue;
    }
    let parent: Json = doc;
    for (const p of path.slice(0, -1)) parent = (parent as Record<string, Json>)[p as string]!;
    const last = path.at(-1)!;
    const container = parent as Record<string | number, Json>;
    if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete container[last];
    } else if (e.op === 'replace') container[last] = e.value;
    else if (!Array.isArray(parent)) container[e.key] = e.value;
  }
  return doc;
}

const edits = fc.array(
  fc.record({
    path: fc.nat(),
    op: fc.constantFrom<Edit['op']>('delete', 'replace', 'replace', 'add'),
    value: weird,
    key: fc.string({ maxLength: 8 }),
  }),
  { minLength: 1, maxLength: 4 },
);

/** A valid document with fields deleted, replaced by values of the wrong kind, or added. */
export function mutated(base: Json): fc.Arbitrary<Json> {
  return edits.map((e) => apply(base, e));
}

/** Text as it may arrive: a mutated document, the same cut short, random JSON, or not JSON at all. */
export function mutatedText(base: Json): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: mutated(base).map((d) => JSON.stringify(d)) },
    {
      weight: 2,
      arbitrary: fc.tuple(mutated(base), fc.nat()).map(([d, n]) => {
        const s = JSON.stringify(d);
        return s.slice(0, n % Math.max(1, s.length));
      }),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: codePoint, maxLength: 200 }) },
  );
}

/** SQS faked at send() for both queues: what is pushed is received once, and deletions are recorded. */
export class FuzzSqs {
  readonly client = mockClient(SQSClient);
  private readonly visible = new Map<string, Message[]>();
  readonly deleted = new Set<string>();
  private seq = 0;

  constructor() {
    this.client.on(ReceiveMessageCommand).callsFake(async (input: { QueueUrl: string }) => {
      const queue = this.visible.get(input.QueueUrl) ?? [];
      if (queue.length === 0) await new Promise((r) => setTimeout(r, 10));
      return { Messages: queue.splice(0, 10) };
    });
    this.client.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle: string }) => {
      this.deleted.add(input.ReceiptHandle);
      return {};
    });
  }

  /** Puts one batch on a queue (at most 10, received together); returns the receipt handles. */
  push(queueUrl: string, bodies: readonly string[]): string[] {
    const batch = bodies.map((Body) => {
      this.seq += 1;
      return { MessageId: `m-${this.seq}`, Body, ReceiptHandle: `rh-${this.seq}` };
    });
    this.visible.set(queueUrl, [...(this.visible.get(queueUrl) ?? []), ...batch]);
    return batch.map((m) => m.ReceiptHandle);
  }

  /** Puts messages on a queue as given, however malformed: what a broken or hostile answer holds. */
  pushRaw(queueUrl: string, messages: readonly Message[]): void {
    this.visible.set(queueUrl, [...(this.visible.get(queueUrl) ?? []), ...messages]);
  }
}

export interface FuzzWorld {
  readonly h: Harness;
  readonly signer: TestSigner;
  readonly sqs: FuzzSqs;
  readonly ecs: FakeEcs;
  readonly cfn: FakeCfn;
  /** Faults that escaped to the process: unhandled rejections and uncaught exceptions. */
  readonly faults: unknown[];
  /** SDK calls that change something in AWS (anything but reads and queue deletions). */
  mutatingCalls(): string[];
  stop(): Promise<void>;
}

/** What the fuzz suite needs of an SDK mock. */
type Stub = { calls(): { args: readonly unknown[] }[]; restore(): void };

const READ = /^(Describe|List|Get|BatchGet|Receive|Head)/;

/** An in-process Capstan with every inbound path on, AWS faked at send() for every client it makes. */
export async function startFuzzWorld(opts: { socketMode?: boolean } = {}): Promise<FuzzWorld> {
  const faults: unknown[] = [];
  const onFault = (e: unknown) => faults.push(e);
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  const signer = await testSigner();
  const ecs = new FakeEcs();
  const cfn = new FakeCfn();
  const sqs = new FuzzSqs();
  const others = [
    mockClient(CodeDeployClient),
    mockClient(ElasticBeanstalkClient),
    mockClient(CodePipelineClient),
    mockClient(SNSClient),
    mockClient(S3Client),
    mockClient(STSClient),
  ];
  const stubs: Stub[] = [ecs.ecs, ecs.ecr, cfn.cfn, sqs.client, ...others];
  const h = await startHarness({
    yaml: FUZZ_YAML,
    slack: { users: USERS, groups: GROUPS, appToken: APP_TOKEN },
    fetchCert: (url) => signer.fetchCert(url),
    ...(opts.socketMode ? { env: { SLACK_APP_TOKEN: APP_TOKEN } } : {}),
  });
  return {
    h,
    signer,
    sqs,
    ecs,
    cfn,
    faults,
    mutatingCalls: () =>
      stubs
        .flatMap((s) => s.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, '')))
        .filter((name) => !READ.test(name) && name !== 'DeleteMessage'),
    async stop() {
      await h.stop();
      for (const s of stubs) s.restore();
      process.off('unhandledRejection', onFault);
      process.off('uncaughtException', onFault);
    },
  };
}

/** After each case: nothing escaped, nothing changed in AWS, and Capstan still answers. */
export async function expectStillServing(w: FuzzWorld): Promise<void> {
  expect(w.faults).toEqual([]);
  expect(w.mutatingCalls()).toEqual([]);
  const health = await fetch(`${w.h.base}/healthz`);
  expect(health.status).toBe(200);
  const r = await w.h.command('help');
  expect(r.status).toBe(200);
  expect(r.body).toContain('Capstan: /deploy commands');
}
