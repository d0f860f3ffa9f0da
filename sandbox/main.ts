import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo, createServer } from 'node:net';
import { pathToFileURL } from 'node:url';
import { httpsCertFetcher } from '../src/adapters/sns/verify.js';
import { readConfig } from '../src/config/readConfig.js';
import { createLogger, type Logger, silentLogger } from '../src/lib/logger.js';
import { type Capstan, type StartOptions, startCapstan } from '../src/main.js';
import { SimulatedAws } from './aws/server.js';
import { SlackStandIn } from './slackApi.js';
import { SlackBridge } from './ui/bridge.js';
import { seedHistory } from './seed.js';

export const SANDBOX_USERS = [
  { id: 'U0ALICE', name: 'alice', role: 'developer' },
  { id: 'U0BOB', name: 'bob', role: 'approver' },
  { id: 'U0CAROL', name: 'carol', role: 'approver' },
];
const GROUPS = [{ id: 'S0APPROVERS', handle: 'deploy-approvers', users: ['U0BOB', 'U0CAROL'] }];
const CHANNELS = [
  { id: 'C0DEV', name: 'todobackend-dev' },
  { id: 'C0PROD', name: 'todobackend-prod' },
  { id: 'C0STAGING', name: 'todobackend-staging' },
  { id: 'C0FLEET', name: 'todobackend-fleet' },
  { id: 'C0BLUEGREEN', name: 'todobackend-bluegreen' },
  { id: 'C0GREEN', name: 'todobackend-green' },
  { id: 'C0LINEAR', name: 'todobackend-linear' },
  { id: 'C0PIPELINE', name: 'todobackend-pipeline' },
  { id: 'C0LIVE', name: 'todobackend-live' },
  { id: 'C0WATCHED', name: 'todobackend-watched' },
];

export interface SandboxOptions {
  /** Port of the page and the Slack Web API stand-in (0: any free port). */
  readonly port?: number;
  readonly awsPort?: number;
  readonly capstanPort?: number;
  /** How often the simulated AWS moves one step. */
  readonly tickMs?: number;
  /** Capstan's polling interval. */
  readonly pollMs?: number;
  /** How long `live` and `watched` bake after a rollout succeeds (a minute unless told). */
  readonly bakeMs?: number;
  readonly logger?: Logger;
  /** Capstan's waits (Slack pacing, change-set polling): tests run them fast. */
  readonly timing?: StartOptions['timing'];
  /**
   * The delivery demo: four weeks of dev history in the ledger (for `/deploy stats`), and bluegreen
   * taking only what dev verified, once it has soaked there (`promotion: { from: dev, soak }`). Off in
   * tests, whose journeys it would change.
   */
  readonly deliveryDemo?: boolean;
  /** In the delivery demo, how long an image soaks in dev before bluegreen takes it (two minutes unless told). */
  readonly soakMs?: number;
}

export interface Sandbox {
  readonly aws: SimulatedAws;
  readonly slack: SlackStandIn;
  readonly ui: SlackBridge;
  capstan: Capstan;
  readonly url: string;
  /** What the Slack stand-in signs requests with (benchmarks send their own). */
  readonly signingSecret: string;
  /** Stops Capstan and starts it again on the same ledger, as a deploy of a new version would. */
  restartCapstan(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts, on 127.0.0.1 only: a simulated AWS account, a Slack stand-in with a browser page, and
 * the real Capstan in HTTP mode with its ordinary configuration file. This is the only path into
 * sandbox mode: it alone trusts the sandbox's SNS signing certificate.
 */
export async function startSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const host = '127.0.0.1';
  const logger = o.logger ?? silentLogger;
  const aws = new SimulatedAws(o.tickMs ?? 1000);
  await aws.start(o.awsPort ?? 0, host);
  const slack = new SlackStandIn({ users: SANDBOX_USERS, groups: GROUPS });
  const url = await slack.start(o.port ?? 0, host);
  const signingSecret = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'capstan-sandbox-'));
  // Known before Capstan starts: the Home tab's chart is served at this address (CAPSTAN_PUBLIC_URL).
  let capstanPort = o.capstanPort || (await freePort(host));

  // The SDK clients inside Capstan find the simulated account through the SDK's own settings. A
  // service's own variable (AWS_ENDPOINT_URL_S3…) would win over AWS_ENDPOINT_URL, and the
  // ignore switch would send every call to real AWS: neither may leak in from the shell.
  for (const name of Object.keys(process.env))
    if (name.startsWith('AWS_ENDPOINT_URL_') || name === 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')
      delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'SANDBOX',
    AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const yaml = readFileSync(new URL('./capstan.yml', import.meta.url), 'utf8')
    .replace('__DATA__', dataDir)
    .replace('__POLL__', `${o.pollMs ?? 1000}ms`)
    .replaceAll('__BAKE__', `${o.bakeMs ?? 60_000}ms`)
    .replace(
      '        channel: C0BLUEGREEN\n',
      `        channel: C0BLUEGREEN\n${o.deliveryDemo ? `        promotion: { from: dev, soak: ${o.soakMs ?? 120_000}ms }\n` : ''}`,
    );
  if (o.deliveryDemo) await seedHistory(join(dataDir, 'capstan.db'), Date.now());
  const production = httpsCertFetcher();
  const start = async () => {
    const result = readConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-sandbox',
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(capstanPort),
        CAPSTAN_CONFIG: 'sandbox/capstan.yml',
        LOG_LEVEL: 'info',
        CAPSTAN_PUBLIC_URL: `http://${host}:${capstanPort}`,
      },
      () => yaml,
    );
    if (!result.ok) throw new Error(`sandbox configuration is invalid:\n${result.problems.join('\n')}`);
    const capstan = await startCapstan({
      config: result.config,
      logger,
      host,
      trustSnsCertUrl: (u) => u === aws.certUrl,
      fetchCert: async (u) => (u === aws.certUrl ? (await fetch(u)).text() : production(u)),
      timing: o.timing,
    });
    capstanPort = capstan.port;
    return capstan;
  };
  const capstan = await start();
  aws.sns.setEndpoint(`http://${host}:${capstan.port}/sns`);
  await aws.sns.subscribe();
  const ui = new SlackBridge(slack, {
    eventsUrl: () => `http://${host}:${capstanPort}/slack/events`,
    signingSecret,
    channels: CHANNELS,
    startPipeline: () => aws.pipeline.start(),
  });
  const sandbox: Sandbox = {
    aws,
    slack,
    ui,
    capstan,
    url,
    signingSecret,
    async restartCapstan() {
      await sandbox.capstan.stop();
      sandbox.capstan = await start();
    },
    async stop() {
      await sandbox.capstan.stop();
      await aws.stop();
      await slack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/** A port free right now on `host`. */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function cli(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? 3100);
  const sandbox = await startSandbox({
    port,
    logger: createLogger('info', (l) => process.stderr.write(`${l}\n`)),
    deliveryDemo: true,
  });
  process.stdout.write(
    [
      '',
      '  ┌────────────────────────────────────────────────────────────────────┐',
      '  │  CAPSTAN SANDBOX: simulated Slack and AWS on 127.0.0.1, nothing real │',
      '  └────────────────────────────────────────────────────────────────────┘',
      '',
      `  Open ${sandbox.url} and try, as alice in #todobackend-dev:`,
      '    /deploy todobackend 1.2.3            a clean rollout',
      '    /deploy todobackend 1.2.4-broken     tasks fail, the circuit breaker rolls back',
      '    /deploy status todobackend',
      '  then in #todobackend-prod:  /deploy todobackend 1.2.3 to prod  and approve as bob.',
      '  Elastic Beanstalk in #todobackend-staging:  /deploy todobackend 1.2.3 to staging  (1.2.4-broken fails).',
      '  CodeDeploy in #todobackend-fleet:  /deploy todobackend 1.2.4-broken to fleet  (CodeDeploy rolls back).',
      '  "Start todobackend-pipeline" relays a CodePipeline manual approval.',
      '  Delivery: /deploy stats todobackend dev  (four seeded weeks, with a chart);  /deploy history todobackend dev --csv',
      '  Promotion: #todobackend-bluegreen (CodeDeploy blue/green) takes only what dev verified, after a two-minute soak.',
      '    /deploy todobackend 1.2.3 to bluegreen  is refused until dev has verified 1.2.3 (deploy it there first) and it',
      '    has soaked (the reply says until when); then  /deploy promote todobackend to bluegreen  sends what dev',
      '    verified, and Continue as bob lets it finish.',
      '  Verification in #todobackend-live:  /deploy todobackend 1.2.3 to live  bakes a minute, then verified;',
      '    then 1.2.4-broken to live: its 5XX alarm trips after success, and Capstan rolls back to 1.2.3.',
      '    In #todobackend-watched the alarm asks instead: Roll back or Keep.',
      '',
      `  Simulated AWS: ${sandbox.aws.url}   Capstan: http://127.0.0.1:${sandbox.capstan.port}   Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli().catch((e: unknown) => {
    process.stderr.write(`The sandbox could not start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
