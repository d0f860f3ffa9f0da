import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { z } from 'zod';
import type { Lock } from '../../../domain/deployment.js';
import type { PipelineApproval } from '../../../domain/pipelineApproval.js';
import { lockRow, pipelineApprovalRow, readRow } from '../rows.js';

/** The table's keys and attribute values (the layout is drawn in ../dynamodb.ts). */

export type Item = Record<string, AttributeValue>;
export type Value = string | number | boolean;
export type Values = Record<string, Value>;
export interface Key {
  readonly pk: string;
  readonly sk: string;
}
export interface Condition {
  readonly condition?: string;
  readonly values?: Values;
}

/** Name parts are URI-encoded, so a `#` in a name cannot forge a key. */
export const k = (...parts: string[]): string => parts.map(encodeURIComponent).join('#');
export const pointerKey = (id: string): Key => ({ pk: k('DEP', id), sk: 'DEP' });
export const envKey = (app: string, env: string): Key => ({ pk: 'ENVS', sk: k(app, env) });
export const recordKey = (app: string, env: string, createdAt: number, id: string): Key => ({
  pk: k('ENV', app, env),
  sk: k('DEP', String(createdAt).padStart(15, '0'), id),
});
export const recordKeyOf = (app?: string, env?: string, createdAt?: number, id?: string): Key | undefined =>
  app === undefined || env === undefined || createdAt === undefined || id === undefined
    ? undefined
    : recordKey(app, env, createdAt, id);
export const lockKey = (app: string, env: string): Key => ({ pk: 'LOCKS', sk: k(app, env) });
export const approvalKey = (id: string): Key => ({ pk: k('PA', id), sk: 'PA' });
export const openKey = (a: PipelineApproval): Key => ({ pk: k('PIPE', a.pipeline), sk: k('PA', a.id) });
export const leaseKey = (name: string): Key => ({ pk: 'LEASES', sk: k(name) });
export const CREATE_ONLY: Condition = { condition: 'attribute_not_exists(pk)' };

const attr = (v: Value): AttributeValue =>
  typeof v === 'string' ? { S: v } : typeof v === 'number' ? { N: String(v) } : { BOOL: v };
export const attrs = (vs: Values): Item =>
  Object.fromEntries(Object.entries(vs).map(([n, v]) => [n, attr(v)]));
export const num = (v: AttributeValue | undefined): number | undefined =>
  v?.N === undefined ? undefined : Number(v.N);
/** ExpressionAttributeNames for every `#name` used, so reserved words (state, data, owner) are safe. */
export function names(...exprs: (string | undefined)[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const e of exprs) for (const m of e?.matchAll(/#(\w+)/g) ?? []) out[m[0]] = m[1]!;
  return Object.keys(out).length > 0 ? out : undefined;
}
/** The record an item keeps as JSON in `data`, read with its schema (rows.ts). */
export const parseWith =
  <T>(schema: z.ZodType<T>, what: string) =>
  (item: Item | undefined): T | undefined =>
    item?.data?.S === undefined ? undefined : readRow(schema, what, item.data.S);
export const parseLock = parseWith<Lock>(lockRow, 'lock');
export const parseApproval = parseWith<PipelineApproval>(pipelineApprovalRow, 'pipeline approval');
