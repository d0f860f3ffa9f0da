import type {
  App,
  Catalog,
  Environment,
  FreezeWindow,
  Policy,
  Principal,
  Target,
} from '../domain/catalog.js';
import { verifyPolicy } from './verify.js';
import type { RawConfig } from './schema.js';

type RawPolicy = RawConfig['apps'][string]['environments'][string]['policy'];

type RawFreeze = RawConfig['freezes'][number];

function distinct(ps: readonly Principal[]): Principal[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const key = JSON.stringify(p);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** A number of approvals stays one rule over `approvers`; a list of rules also says who may approve at all. */
function toPolicy(p: RawPolicy): Policy {
  const common = {
    deployers: p.deployers,
    allowSelfApproval: p.allowSelfApproval,
    approvalTtlMs: p.approvalTtl,
  };
  if (typeof p.approvals === 'number') return { ...common, approvers: p.approvers, approvals: p.approvals };
  const rules = p.approvals.map((r) => ({ from: r.from, count: r.count }));
  return {
    ...common,
    approvers: distinct(rules.flatMap((r) => r.from)),
    approvals: rules.reduce((n, r) => n + r.count, 0),
    rules,
  };
}

function toFreeze(f: RawFreeze): FreezeWindow {
  return { name: f.name, cron: f.cron.trim(), durationMs: f.duration, timezone: f.timezone };
}

type RawEnvironment = RawConfig['apps'][string]['environments'][string];

/** The schema guarantees exactly one target per environment. */
function targetOf(e: RawEnvironment): Target {
  if (e.ecs) return { kind: 'ecs', ...e.ecs };
  if (e.cloudformation) return { kind: 'cloudformation', ...e.cloudformation };
  if (e.beanstalk) return { kind: 'beanstalk', ...e.beanstalk };
  if (e.codedeploy) return e.codedeploy;
  throw new Error('the configuration schema lets no environment through without a target');
}

export function toCatalog(raw: RawConfig): Catalog {
  const apps: App[] = Object.entries(raw.apps).map(([appName, a]) => ({
    name: appName,
    environments: Object.entries(a.environments).map(([envName, e]): Environment => {
      const target = targetOf(e);
      return {
        app: appName,
        name: envName,
        channel: e.channel,
        target,
        ...(e.roleArn !== undefined && { roleArn: e.roleArn }),
        policy: toPolicy(e.policy),
        rolloutTimeoutMs: e.rolloutTimeout,
        rollback: e.rollback,
        freezes: [...raw.freezes, ...e.freezes].map(toFreeze),
        ...(e.promotion && { promotion: { from: e.promotion.from, soakMs: e.promotion.soak } }),
        ...(e.verify && { verify: verifyPolicy(e.verify, e.rollback) }),
      };
    }),
  }));
  return {
    apps,
    admins: raw.admins,
    pipelines: raw.pipelines.map((p) => ({
      pipeline: p.name,
      channel: p.channel,
      policy: toPolicy(p.policy),
    })),
  };
}
