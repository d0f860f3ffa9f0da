import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTable, openDynamoStore } from '../../src/adapters/store/dynamodb.js';
import type { Deployment } from '../../src/domain/deployment.js';
import type { Store } from '../../src/ports/store.js';
import { stateText } from '../../src/views/deploy.js';
import { SimulatedAws } from '../../sandbox/aws/server.js';
import { SlackStandIn, type StoredMessage } from '../../sandbox/slackApi.js';
import { slackHeaders } from '../support/signing.js';

/*
 * Several Capstan processes on one DynamoDB table (dynalite, in this process), with the simulated
 * AWS account and the Slack stand-in also in this process: what test/e2e/replicas.test.ts and
 * bench/replicas.ts run. Every wait is bounded and every child is killed in stop().
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOST = '127.0.0.1';
const SECRET = 'replicas-signing-secret';
const TABLE = 'capstan-test';

export interface ReplicaSetOptions {
  readonly replicas: number;
  /** ECS environments dev1…devN, each its own service in the simulated account and its own channel. */
  readonly environments: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  /** How often the simulated AWS moves a rollout one step (a rollout takes about five). */
  readonly tickMs: number;
  /** How a replica is started, relative to the repository (default: the sources, through tsx). */
  readonly command?: readonly string[];
}

export interface Replica {
  readonly index: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** What it wrote (LOG_LEVEL=warn): shown when something goes wrong. */
  readonly output: string[];
}

export interface LeaseItem {
  readonly name: string;
  readonly owner: string;
  readonly fence: number;
  readonly expiresAt: number;
}

export interface Environment {
  readonly name: string;
  readonly channel: string;
}

export interface ReplicaSet {
  readonly aws: SimulatedAws;
  readonly slack: SlackStandIn;
  /** The shared ledger, read by the test through its own client. */
  readonly store: Store;
  readonly replicas: readonly Replica[];
  readonly environments: readonly Environment[];
  readonly options: ReplicaSetOptions;
  /** Sends a signed `/deploy todobackend <version> to <env>` to one replica; resolves with the HTTP status. */
  deploy(replica: number, env: Environment, version: string): Promise<number>;
  /** Every lease item, expired and released ones included. */
  leases(): Promise<LeaseItem[]>;
  /** The replica a lease owner names (`<host>-<pid>-<random>`), if it is one of ours. */
  replicaOf(owner: string): Replica | undefined;
  /** The newest deployment of each environment. */
  deployments(): Promise<Deployment[]>;
  /** What the replicas wrote, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

/** Polls `probe` every `everyMs` until it answers, for at most `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function configYaml(o: ReplicaSetOptions, envs: readonly Environment[]): string {
  const environments = envs
    .map(
      (e) => `      ${e.name}:
        channel: ${e.channel}
        ecs:
          region: us-east-1
          cluster: todobackend-dev
          service: todobackend-${e.name}
          container: app
          repository: todobackend
        policy:
          deployers: ['*']
        rolloutTimeout: 2m
        rollback: auto`,
    )
    .join('\n');
  return `storage:
  dynamodb: { table: ${TABLE}, region: us-east-1 }
replicas: { leaseFor: ${o.leaseMs}ms }
polling: { interval: ${o.pollMs}ms }
apps:
  todobackend:
    environments:
${environments}
`;
}

/** One more ECS service in the simulated account, a copy of todobackend-dev (2 tasks of 1.2.2). */
function addService(aws: SimulatedAws, name: string): void {
  const base = aws.ecs.services.get('todobackend-dev');
  if (!base) throw new Error('the simulated account has no todobackend-dev service to copy');
  const copy = structuredClone(base);
  aws.ecs.services.set(name, {
    ...copy,
    name,
    events: copy.events.map((e) => ({ ...e, message: e.message.replace(base.name, name) })),
  });
}

const running = (r: Replica) => r.child.exitCode === null && r.child.signalCode === null;

/** Resolves once the replica's process has exited, or after `ms`. */
function exited(r: Replica, ms: number): Promise<void> {
  if (!running(r)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    r.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitHealthy(r: Replica, timeoutMs: number): Promise<void> {
  await waitUntil(
    `replica ${r.index} to answer /healthz`,
    timeoutMs,
    async () => {
      if (!running(r))
        throw new Error(
          `replica ${r.index} exited (${r.child.exitCode ?? r.child.signalCode}):\n${r.output.join('')}`,
        );
      const ok = await fetch(`http://${HOST}:${r.port}/healthz`).then(
        (res) => res.status === 200,
        () => false,
      );
      return ok || undefined;
    },
    100,
  );
}

export async function startReplicaSet(o: ReplicaSetOptions): Promise<ReplicaSet> {
  const children: Replica[] = [];
  const db: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const aws = new SimulatedAws(o.tickMs);
  const slack = new SlackStandIn({ users: [{ id: 'U0ALICE', name: 'alice' }] });
  const dir = mkdtempSync(join(tmpdir(), 'capstan-replicas-'));
  const environments: Environment[] = Array.from({ length: o.environments }, (_, i) => ({
    name: `dev${i + 1}`,
    channel: `C0DEV${i + 1}`,
  }));
  let client: DynamoDBClient | undefined;
  let store: Store | undefined;
  const stop = async () => {
    for (const r of children) if (running(r)) r.child.kill('SIGKILL');
    await Promise.all(children.map((r) => exited(r, 5000)));
    store?.close();
    client?.destroy();
    const dbClosed = new Promise((resolve) => db.close(resolve));
    db.closeAllConnections();
    await Promise.allSettled([aws.stop(), slack.stop(), dbClosed]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve) => db.listen(0, HOST, resolve));
    const dynamoUrl = `http://${HOST}:${(db.address() as AddressInfo).port}`;
    await aws.start(0, HOST);
    await slack.start(0, HOST);
    for (const e of environments) addService(aws, `todobackend-${e.name}`);
    const config = join(dir, 'capstan.yml');
    writeFileSync(config, configYaml(o, environments));
    const credentials = { accessKeyId: 'AKIDREPLICAS', secretAccessKey: 'replicas-secret' };
    client = new DynamoDBClient({ endpoint: dynamoUrl, region: 'us-east-1', credentials });
    // Created once here, so three replicas starting together do not race to create it.
    await ensureTable(client, TABLE);
    store = openDynamoStore({ table: TABLE, client });
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CAPSTAN_CONFIG: config,
      SLACK_BOT_TOKEN: 'xoxb-replicas',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      HOST,
      AWS_ENDPOINT_URL: aws.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      LOG_LEVEL: 'warn',
    };
    for (let index = 0; index < o.replicas; index++) {
      const port = await freePort();
      const child = spawn(process.execPath, [...(o.command ?? ['--import', 'tsx', 'src/main.ts'])], {
        cwd: ROOT,
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      const keep = (b: Buffer) => output.push(`[replica ${index}] ${b.toString()}`);
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      children.push({ index, port, child, output });
    }
    await Promise.all(children.map((r) => waitHealthy(r, 45_000)));
  } catch (e) {
    await stop();
    throw e;
  }
  const ledger = store;
  const dynamo = client;

  return {
    aws,
    slack,
    store: ledger,
    replicas: children,
    environments,
    options: o,
    async deploy(replica, e, version) {
      const r = children[replica];
      if (!r) throw new Error(`no replica ${replica}`);
      const body = new URLSearchParams({
        token: 'replicas',
        team_id: 'T0SANDBOX',
        channel_id: e.channel,
        channel_name: `todobackend-${e.name}`,
        user_id: 'U0ALICE',
        user_name: 'alice',
        command: '/deploy',
        text: `todobackend ${version} to ${e.name}`,
        response_url: slack.responseUrl(`${e.name}-${version}`),
        trigger_id: `trigger-${e.name}`,
        api_app_id: 'A0CAPSTAN',
      }).toString();
      const res = await fetch(`http://${HOST}:${r.port}/slack/events`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...slackHeaders(body, Math.floor(Date.now() / 1000), SECRET),
        },
      });
      await res.text();
      return res.status;
    },
    async leases() {
      const out = await dynamo.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'LEASES' } },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((i) => ({
        name: i.name?.S ?? '',
        owner: i.owner?.S ?? '',
        fence: Number(i.fence?.N),
        expiresAt: Number(i.expiresAt?.N),
      }));
    },
    replicaOf(owner) {
      const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(owner)?.[1]);
      return children.find((r) => r.child.pid === pid);
    },
    async deployments() {
      const newest = await Promise.all(environments.map((e) => ledger.history('todobackend', e.name, 1)));
      return newest.flat();
    },
    logs() {
      return children.flatMap((r) => r.output).join('');
    },
    stop,
  };
}

/** Top-level messages the bot posted in `channel` (the parent messages). */
export function parents(slack: SlackStandIn, channel: string): StoredMessage[] {
  return slack.channelMessages(channel).filter((m) => m.user === slack.botUserId);
}

/** Lines posted more than once in one thread: an event reported twice. */
export function repeatedLines(slack: SlackStandIn, m: StoredMessage): string[] {
  const lines = slack
    .thread(m.channel, m.ts)
    .flatMap((x) => x.text.split('\n'))
    .filter((l) => l.trim() !== '');
  return lines.filter((l, i) => lines.indexOf(l) !== i);
}

export interface StopReport {
  readonly victim: Replica;
  readonly stoppedAt: number;
  /** The deployments the victim owned when it was stopped, all still rolling out. */
  readonly owned: readonly string[];
  /** How many deployments each replica owned (by index) when the victim was stopped. */
  readonly ownedBy: readonly number[];
  /** For each deployment the victim owned: ms from the stop until another replica held its lease. */
  readonly takeoverMs: readonly number[];
}

const deploymentOf = (lease: string) => lease.replace(/^deployment:/, '');

/**
 * Sends `/deploy todobackend <version>` to every environment at once, spread over the live
 * replicas; once every rollout runs, stops the replica that owns the most (SIGKILL: it dies;
 * SIGSTOP: it stalls and may come back), and measures how long each of its deployments stays
 * without a live owner.
 */
export async function burstThenStopBusiest(
  rs: ReplicaSet,
  version: string,
  signal: 'SIGKILL' | 'SIGSTOP',
): Promise<StopReport> {
  const live = rs.replicas.filter(running);
  const statuses = await Promise.all(
    rs.environments.map((e, k) => rs.deploy(live[k % live.length]!.index, e, version)),
  );
  if (statuses.some((s) => s !== 200)) throw new Error(`a /deploy was refused: ${statuses.join(', ')}`);
  const rolling = await waitUntil('every deploy to be rolling out', 30_000, async () => {
    const ds = await rs.deployments();
    const all = ds.length === rs.environments.length && ds.every((d) => d.toVersion === version);
    return all && ds.every((d) => d.state === 'rolling_out') ? ds : undefined;
  });
  const ids = new Set(rolling.map((d) => d.id));
  // On two busy cores a renewal can come a round late, and a lease may lapse and pass to another
  // replica meanwhile (which the checks after the stop allow for); the victim is chosen once every
  // rollout has a live owner again. A rollout left without one for a whole lease is an orphan: this fails.
  const leases = await waitUntil('every rollout to have a live owner', 2 * rs.options.leaseMs, async () => {
    const now = Date.now();
    const live = (await rs.leases()).filter((l) => ids.has(deploymentOf(l.name)) && l.expiresAt > now);
    return live.length === ids.size ? live : undefined;
  });
  const ownedBy = rs.replicas.map((r) => leases.filter((l) => rs.replicaOf(l.owner) === r).length);
  const victim = rs.replicas[ownedBy.indexOf(Math.max(...ownedBy))]!;
  const leased = leases.filter((l) => rs.replicaOf(l.owner) === victim);
  victim.child.kill(signal);
  const stoppedAt = Date.now();
  // A rollout of the victim's may have ended in the instant before the stop (ECS's simulated steps
  // go on meanwhile): what is judged is the work it held still in flight, and there must be some.
  const stillRolling = new Set(
    (await rs.deployments()).filter((d) => d.state === 'rolling_out').map((d) => d.id),
  );
  const held = leased.filter((l) => stillRolling.has(deploymentOf(l.name)));
  if (held.length === 0) throw new Error('the victim’s rollouts all ended before it was stopped');
  const takenAt = new Map<string, number>();
  await waitUntil(
    'another replica to take over every deployment of the stopped one',
    rs.options.leaseMs * 4,
    async () => {
      const items = await rs.leases();
      const at = Date.now();
      for (const l of held) {
        const now = items.find((i) => i.name === l.name);
        if (takenAt.has(l.name) || !now || now.owner === l.owner || now.fence <= l.fence) continue;
        // The new tenure began at expiresAt - leaseFor by the taker's clock, unless renewed or released since.
        const began = now.expiresAt - rs.options.leaseMs;
        takenAt.set(l.name, began > stoppedAt ? Math.min(at, began) : at);
      }
      return takenAt.size === held.length || undefined;
    },
    25,
  );
  return {
    victim,
    stoppedAt,
    owned: held.map((l) => deploymentOf(l.name)),
    ownedBy,
    takeoverMs: held.map((l) => takenAt.get(l.name)! - stoppedAt),
  };
}

/** Waits until every environment's newest deployment has ended and its parent message says so. */
export async function waitForOutcomes(rs: ReplicaSet, timeoutMs: number): Promise<Deployment[]> {
  let seen: readonly string[] = [];
  try {
    return await waitUntil(
      'every deployment to end and show it',
      timeoutMs,
      async () => {
        const ds = await rs.deployments();
        const looks = ds.map((d) => {
          const env = rs.environments.find((e) => e.name === d.env);
          const parent = env && parents(rs.slack, env.channel).find((m) => m.ts === d.messageTs);
          const shown = d.finishedAt !== undefined && parent?.text.endsWith(`: ${stateText(d)}`) === true;
          return { d, shown, line: `${d.env} ${d.id} ${d.state}: parent says "${parent?.text ?? '(none)'}"` };
        });
        seen = looks.filter((l) => !l.shown).map((l) => l.line);
        return ds.length === rs.environments.length && looks.every((l) => l.shown) ? ds : undefined;
      },
      100,
    );
  } catch (e) {
    // Which deployments were left, as the ledger and Slack had them at the end.
    throw new Error(`${e instanceof Error ? e.message : String(e)}; not shown:\n  ${seen.join('\n  ')}`, {
      cause: e,
    });
  }
}

export interface PostCount {
  readonly id: string;
  /** Parent messages naming the deployment (its request id): 1 when it was posted once. */
  readonly parents: number;
  /** Thread lines that appear more than once: none when each event was reported once. */
  readonly repeated: readonly string[];
}

/** What Slack received for each deployment, found by the request id its parent message shows. */
export function postsPerDeployment(rs: ReplicaSet, ds: readonly Deployment[]): PostCount[] {
  return ds.map((d) => {
    const channel = rs.environments.find((e) => e.name === d.env)?.channel ?? '';
    const mine = parents(rs.slack, channel).filter((m) =>
      `${m.text} ${JSON.stringify(m.blocks)}`.includes(d.id),
    );
    const own = mine.find((m) => m.ts === d.messageTs);
    return { id: d.id, parents: mine.length, repeated: own ? repeatedLines(rs.slack, own) : [] };
  });
}
