import type { AwsEvent } from '../strategy.js';

/** The poll group of a stack: one stack's rollouts are looked at together. */
export function stackGroup(region: string, stack: string): string {
  return `cloudformation|${region}|${stack}`;
}

/**
 * The stack a `CloudFormation Stack Status Change` is about, by name and by stack id (capstan.yml
 * may give either). `detail.stack-id` and `resources[0]` are `arn:…:stack/<name>/<uuid>`.
 */
export function stackEventGroups(e: AwsEvent): readonly string[] {
  if (e.source !== 'aws.cloudformation' || e.detailType !== 'CloudFormation Stack Status Change') return [];
  const id = e.detail['stack-id'] ?? e.resources[0];
  if (typeof id !== 'string') return [];
  const name = /^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\//.exec(id)?.[1];
  return name ? [stackGroup(e.region, name), stackGroup(e.region, id)] : [];
}
