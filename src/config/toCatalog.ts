import type { App, Catalog, Environment, Policy, Target } from '../domain/catalog.js';
import type { RawConfig } from './schema.js';

type RawPolicy = RawConfig['apps'][string]['environments'][string]['policy'];

function toPolicy(p: RawPolicy): Policy {
  return {
    deployers: p.deployers,
    approvers: p.approvers,
    approvals: p.approvals,
    allowSelfApproval: p.allowSelfApproval,
    approvalTtlMs: p.approvalTtl,
  };
}

type RawEnvironment = RawConfig['apps'][string]['environments'][string];

/** The schema guarantees exactly one target per environment. */
function targetOf(e: RawEnvironment): Target {
  if (e.ecs) return { kind: 'ecs', ...e.ecs };
  if (e.cloudformation) return { kind: 'cloudformation', ...e.cloudformation };
  if (e.beanstalk) return { kind: 'beanstalk', ...e.beanstalk };
  return { kind: 'codedeploy', ...e.codedeploy! };
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
        policy: toPolicy(e.policy),
        rolloutTimeoutMs: e.rolloutTimeout,
        rollback: e.rollback,
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
