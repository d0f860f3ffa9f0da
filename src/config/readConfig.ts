import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Catalog } from '../domain/catalog.js';
import { type Env, envProblems, envSchema } from './env.js';
import { configSchema } from './schema.js';
import { toCatalog } from './toCatalog.js';

export interface Config {
  readonly env: Env;
  readonly catalog: Catalog;
  /** Where the ledger lives: an SQLite file, or a DynamoDB table shared by several replicas. */
  readonly storage:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'dynamodb'; readonly table: string; readonly region?: string | undefined };
  readonly leaseMs: number;
  readonly pollIntervalMs: number;
  readonly statusCacheMs: number;
  readonly sns: {
    readonly topics: readonly string[];
    readonly sqsQueueUrl?: string | undefined;
    readonly trustRawSqsMessages: boolean;
    readonly maxMessageAge: number;
  };
  /** The queue EventBridge sends AWS events to; absent, rollouts are only polled. */
  readonly events?: { readonly sqsQueueUrl: string } | undefined;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problems: string[] };

const requiredWhenMissing = (iss: { input?: unknown; code?: string }) =>
  iss.code === 'invalid_type' && iss.input === undefined ? 'required' : undefined;

export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.');
    const msg =
      i.code === 'unrecognized_keys'
        ? `unknown key ${i.keys.map((k) => `"${k}"`).join(', ')}`
        : i.code === 'invalid_key'
          ? (i.issues[0]?.message ?? i.message)
          : i.message;
    return `${path || '(top level)'}: ${msg}`;
  });
}

/** Reads the environment and the YAML file; every problem comes back, never an exception. */
export function readConfig(
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ConfigResult {
  const problems: string[] = [];
  const parsedEnv = envSchema.safeParse(env, { error: requiredWhenMissing });
  if (!parsedEnv.success) problems.push(...formatIssues(parsedEnv.error.issues));
  const crossProblems = envProblems(env);
  problems.push(...crossProblems);
  const path = parsedEnv.success ? parsedEnv.data.CAPSTAN_CONFIG : (env.CAPSTAN_CONFIG ?? './capstan.yml');

  let text: string | undefined;
  try {
    text = readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push(
      `${path}: cannot read the configuration file (${code ?? String(e)}); set CAPSTAN_CONFIG or copy capstan.example.yml`,
    );
  }
  let config: z.infer<typeof configSchema> | undefined;
  if (text !== undefined) {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      problems.push(...doc.errors.map((e) => `${path}: ${e.message.split('\n')[0] ?? e.message}`));
    } else {
      const parsed = configSchema.safeParse(doc.toJS() ?? {}, { error: requiredWhenMissing });
      if (parsed.success) config = parsed.data;
      else problems.push(...formatIssues(parsed.error.issues));
      // Each consumer deletes what it cannot read: sharing a queue would lose the other's messages.
      if (config?.events && config.events.sqsQueueUrl === config.sns.sqsQueueUrl)
        problems.push('events.sqsQueueUrl: use a queue of its own, not the one in sns.sqsQueueUrl');
    }
  }
  if (problems.length > 0 || crossProblems.length > 0 || !parsedEnv.success || config === undefined)
    return { ok: false, problems };
  return {
    ok: true,
    config: {
      env: parsedEnv.data,
      catalog: toCatalog(config),
      storage:
        'dynamodb' in config.storage
          ? { kind: 'dynamodb', ...config.storage.dynamodb }
          : { kind: 'sqlite', path: config.storage.sqlite },
      leaseMs: config.replicas.leaseFor,
      pollIntervalMs: config.polling.interval,
      statusCacheMs: config.status.cacheFor,
      sns: config.sns,
      events: config.events,
    },
  };
}
