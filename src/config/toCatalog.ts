import type { App, Catalog, Environment, Policy } from '../domain/catalog.js';
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

export function toCatalog(raw: RawConfig): Catalog {
  const apps: App[] = Object.entries(raw.apps).map(([appName, a]) => ({
    name: appName,
    environments: Object.entries(a.environments).map(([envName, e]): Environment => {
      const target: Environment['target'] = e.ecs
        ? { kind: 'ecs', ...e.ecs }
        : // the schema guarantees exactly one target
          { kind: 'cloudformation', ...e.cloudformation! };
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
