import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { SimBeanstalk } from './beanstalk.js';
import { SimCloudFormation } from './cloudformation.js';
import { SimCloudWatch } from './cloudwatch.js';
import { SimCodeDeploy } from './codedeploy.js';
import { ACCOUNT, REGION, SimEcs } from './ecs.js';
import { SimServiceDeployments } from './serviceDeployments.js';
import { AwsError } from './errors.js';
import { SimPipeline } from './pipeline.js';
import { decodePutBody, routeS3, s3ErrorXml, SimS3 } from './s3.js';
import { SimSns } from './sns.js';
import { parseQuery, queryError, queryResponse } from './xml.js';

export interface RecordedAwsCall {
  readonly service: string;
  readonly operation: string;
  readonly input: unknown;
  readonly at: number;
  readonly error?: string | undefined;
}

type Handler = (input: never, requestId: string) => unknown;

const JSON_SERVICES: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  CodePipeline_20150709: 'codepipeline',
  CodeDeploy_20141006: 'codedeploy',
  // AWS JSON 1.0 (awsQueryCompatible): the SDK's CloudWatch client no longer speaks Query.
  GraniteServiceVersion20100801: 'cloudwatch',
};
const QUERY_SERVICES: Record<string, { service: string; namespace: string }> = {
  '2010-05-15': {
    service: 'cloudformation',
    namespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  },
  '2010-03-31': { service: 'sns', namespace: 'http://sns.amazonaws.com/doc/2010-03-31/' },
  '2011-06-15': { service: 'sts', namespace: 'https://sts.amazonaws.com/doc/2011-06-15/' },
  '2010-12-01': {
    service: 'elasticbeanstalk',
    namespace: 'http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/',
  },
};
/** The service a SigV4 request was signed for: `Credential=AKID/20261110/us-east-1/s3/aws4_request`. */
const signedService = (authorization: string | undefined) =>
  /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization ?? '')?.[1];
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:todobackend-approvals`;

/**
 * The simulated SNS's signing certificate, made once per process and shared by every account started
 * in it: an RSA key takes a few hundred ms of CPU, and the tests start many accounts.
 */
let signingPems: ReturnType<typeof generate> | undefined;

/**
 * A simulated AWS account on one local port, speaking the wire protocols the SDK clients use
 * (JSON 1.1 with X-Amz-Target; the Query protocol with XML answers; S3's path-style REST), so they
 * run unmodified with AWS_ENDPOINT_URL pointed here. Every call is recorded.
 */
export class SimulatedAws {
  readonly calls: RecordedAwsCall[] = [];
  readonly ecs = new SimEcs();
  readonly serviceDeployments = new SimServiceDeployments(this.ecs);
  readonly cloudformation = new SimCloudFormation(
    (tag) => this.ecs.images.get('todobackend')?.find((i) => i.tag === tag)?.broken ?? false,
  );
  sns!: SimSns;
  readonly pipeline: SimPipeline;
  readonly s3 = new SimS3();
  readonly beanstalk = new SimBeanstalk(this.s3, this.ecs);
  readonly codedeploy = new SimCodeDeploy(this.s3, this.ecs);
  readonly cloudwatch = new SimCloudWatch(this.ecs);
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cert = '';
  url = '';

  constructor(private readonly tickMs = 1000) {
    this.pipeline = new SimPipeline((m, subject) => this.sns.publish(m, subject));
  }

  get certUrl(): string {
    return `${this.url}/sandbox/sns-signing-cert.pem`;
  }

  count(service: string, operation?: string): number {
    return this.calls.filter(
      (c) => c.service === service && (operation === undefined || c.operation === operation),
    ).length;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const pems = await (signingPems ??= generate(
      [{ name: 'commonName', value: 'sns.sandbox.capstan.local' }],
      { keySize: 2048, algorithm: 'sha256' },
    ));
    this.cert = pems.cert;
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    this.sns = new SimSns(TOPIC_ARN, { cert: pems.cert, key: pems.private, certUrl: this.certUrl }, '');
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    return this.url;
  }

  tick(): void {
    this.ecs.tick();
    this.serviceDeployments.tick();
    this.cloudformation.tick();
    this.pipeline.tick();
    this.beanstalk.tick();
    this.codedeploy.tick();
    this.cloudwatch.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private handlers(service: string): Record<string, Handler> {
    const bind = (o: object, names: string[]) =>
      Object.fromEntries(names.map((n) => [n, (o as Record<string, Handler>)[n]!.bind(o)]));
    switch (service) {
      case 'ecs':
        return {
          ...bind(this.ecs, [
            'DescribeClusters',
            'DescribeServices',
            'DescribeTaskDefinition',
            'RegisterTaskDefinition',
            'UpdateService',
            'ListTasks',
            'DescribeTasks',
          ]),
          ...bind(this.serviceDeployments, [
            'ListServiceDeployments',
            'DescribeServiceDeployments',
            'ContinueServiceDeployment',
            'StopServiceDeployment',
          ]),
        };
      case 'ecr':
        return bind(this.ecs, ['DescribeImages']);
      case 'codepipeline':
        return bind(this.pipeline, ['PutApprovalResult', 'GetPipelineState', 'StartPipelineExecution']);
      case 'cloudformation':
        return bind(this.cloudformation, [
          'DescribeStacks',
          'DescribeStackEvents',
          'CreateChangeSet',
          'DescribeChangeSet',
          'ExecuteChangeSet',
          'DeleteChangeSet',
        ]);
      case 'sns':
        return bind(this.sns, ['ConfirmSubscription']);
      case 'elasticbeanstalk':
        return bind(this.beanstalk, [
          'CreateApplicationVersion',
          'DescribeApplicationVersions',
          'UpdateEnvironment',
          'DescribeEnvironments',
          'DescribeEvents',
        ]);
      case 'codedeploy':
        return bind(this.codedeploy, [
          'CreateDeployment',
          'GetDeployment',
          'ListDeployments',
          'GetDeploymentGroup',
          'ListDeploymentTargets',
          'BatchGetDeploymentTargets',
          'StopDeployment',
          'ContinueDeployment',
        ]);
      case 'cloudwatch':
        return bind(this.cloudwatch, ['DescribeAlarms', 'DescribeAlarmHistory']);
      case 'sts':
        return {
          GetCallerIdentity: () => ({
            Account: ACCOUNT,
            Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/capstan/sandbox`,
            UserId: 'AROASANDBOX:capstan',
          }),
        };
      default:
        return {};
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString('utf8');
    if (req.method === 'GET' && req.url === '/sandbox/sns-signing-cert.pem') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.end(this.cert);
      return;
    }
    const target = req.headers['x-amz-target'];
    if (signedService(req.headers.authorization) === 's3' || (target === undefined && req.method !== 'POST'))
      return this.handleS3(req, res, raw);
    const requestId = crypto.randomUUID();
    if (typeof target === 'string') {
      const [prefix, operation = ''] = target.split('.');
      const service = JSON_SERVICES[prefix ?? ''] ?? 'unknown';
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, {
          // JSON 1.1, or 1.0 for a client that speaks it (CloudWatch).
          'content-type': req.headers['content-type'] ?? 'application/x-amz-json-1.1',
          'x-amzn-requestid': requestId,
        });
        res.end(JSON.stringify(payload));
      };
      const input = body ? (JSON.parse(body) as unknown) : {};
      try {
        const fn = this.handlers(service)[operation];
        if (!fn) throw new AwsError('UnknownOperationException', `${target} is not supported by the sandbox`);
        const out = fn(input as never, requestId);
        this.calls.push({ service, operation, input, at: Date.now() });
        send(200, out);
      } catch (e) {
        const err = e instanceof AwsError ? e : new AwsError('InternalFailure', String(e), 500);
        this.calls.push({ service, operation, input, at: Date.now(), error: err.code });
        send(err.status, { __type: err.code, message: err.message });
      }
      return;
    }
    const params = parseQuery(body);
    const action = typeof params.Action === 'string' ? params.Action : '';
    const version = typeof params.Version === 'string' ? params.Version : '';
    const spec = QUERY_SERVICES[version];
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(xml);
    };
    if (!spec) return send(400, queryError('InvalidAction', `unknown API version ${version}`));
    try {
      const fn = this.handlers(spec.service)[action];
      if (!fn) throw new AwsError('InvalidAction', `${action} is not supported by the sandbox`);
      const out = fn(params as never, requestId);
      this.calls.push({ service: spec.service, operation: action, input: params, at: Date.now() });
      send(200, queryResponse(action, spec.namespace, out, requestId));
    } catch (e) {
      const err = e instanceof AwsError ? e : new AwsError('InternalFailure', String(e), 500);
      this.calls.push({
        service: spec.service,
        operation: action,
        input: params,
        at: Date.now(),
        error: err.code,
      });
      send(err.status, queryError(err.code, err.message, requestId));
    }
  }

  private handleS3(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const requestId = crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const head = req.method === 'HEAD';
    let recorded: { operation: string; input: unknown } = {
      operation: req.method ?? '',
      input: { url: req.url },
    };
    try {
      const input = routeS3(req.method ?? '', req.url ?? '/');
      const address = { Bucket: input.Bucket, Key: input.Key };
      recorded = { operation: input.operation, input: address };
      const contentType = req.headers['content-type'];
      const reply =
        input.operation === 'PutObject'
          ? this.s3.PutObject({
              ...input,
              Body: decodePutBody(raw, req.headers['content-encoding']),
              ContentType: contentType,
            })
          : this.s3[input.operation](input);
      this.calls.push({ service: 's3', ...recorded, at: Date.now() });
      res.writeHead(reply.status, { ...reply.headers, 'x-amz-request-id': requestId });
      res.end(head ? undefined : reply.body);
    } catch (e) {
      const err = e instanceof AwsError ? e : new AwsError('InternalError', String(e), 500);
      this.calls.push({ service: 's3', ...recorded, at: Date.now(), error: err.code });
      res.writeHead(err.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
      res.end(head ? undefined : s3ErrorXml(err.code, err.message, requestId));
    }
  }
}
