import { readFileSync } from 'node:fs';
import { parseDocument, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

/** A template as plain data: short tags become their long forms (`!Ref X` → `{ Ref: 'X' }`). */
export interface Template {
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, Resource>;
  readonly Outputs?: Record<string, unknown>;
}

export interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Properties?: Record<string, unknown>;
}

const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'RefAll',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
  'ValueOf',
  'ValueOfAll',
];

function longForm(tag: string, value: unknown): Record<string, unknown> {
  if (tag === 'Ref' || tag === 'Condition') return { [tag]: value };
  if (tag === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${tag}`]: value };
}

const fromCollection = (name: string) => (node: YAMLMap.Parsed | YAMLSeq.Parsed) =>
  longForm(name, node.toJSON());

/** One custom tag per function and node kind, since a tag may carry a scalar, a list or a map. */
export const cloudFormationTags: Tags = ['Ref', 'Condition', 'GetAtt', ...FUNCTIONS].flatMap((name) => [
  { tag: `!${name}`, resolve: (s: string) => longForm(name, s) },
  { tag: `!${name}`, collection: 'seq' as const, resolve: fromCollection(name) },
  { tag: `!${name}`, collection: 'map' as const, resolve: fromCollection(name) },
]);

/** Parses a CloudFormation YAML template; an unknown tag or a YAML error throws, so a typo fails loudly. */
export function parseTemplate(text: string): Template {
  const doc = parseDocument(text, { customTags: cloudFormationTags, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
  if (problems.length > 0) throw new Error(`template does not parse:\n${problems.join('\n')}`);
  return doc.toJS() as Template;
}

export function loadTemplate(url: URL): Template {
  return parseTemplate(readFileSync(url, 'utf8'));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Every value an element may take: both branches of `Fn::If` (whatever the parameters), without
 * `AWS::NoValue`. A list element that is an `Fn::If` of lists contributes each branch's items.
 */
export function branches(v: unknown): unknown[] {
  if (isObject(v) && 'Fn::If' in v) {
    const [, whenTrue, whenFalse] = v['Fn::If'] as [string, unknown, unknown];
    return [...branches(whenTrue), ...branches(whenFalse)];
  }
  if (isObject(v) && v.Ref === 'AWS::NoValue') return [];
  return [v];
}

/** The Allow statements of a policy document, with conditional statements counted as present. */
function allowStatements(document: unknown): Record<string, unknown>[] {
  if (!isObject(document)) return [];
  return asList(document.Statement)
    .flatMap(branches)
    .filter(isObject)
    .filter((s) => s.Effect === 'Allow');
}

export function actionsOf(document: unknown): string[] {
  return allowStatements(document).flatMap((s) => asList(s.Action).flatMap(branches).map(String));
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export function target(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  return Array.isArray(att) && typeof att[0] === 'string' ? att[0] : undefined;
}

/** The role an ECS task definition runs as, and every policy document that grants it something. */
export function taskRolePolicies(t: Template): { role: string; documents: unknown[] } {
  const taskDefinitions = Object.values(t.Resources).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
  if (taskDefinitions.length !== 1)
    throw new Error(`expected one task definition, found ${taskDefinitions.length}`);
  const role = target(taskDefinitions[0]?.Properties?.TaskRoleArn);
  const resource = role === undefined ? undefined : t.Resources[role];
  if (role === undefined || resource?.Type !== 'AWS::IAM::Role') {
    throw new Error("the task definition's TaskRoleArn does not point at a role in the template");
  }
  const inline = asList(resource.Properties?.Policies).flatMap(branches).filter(isObject);
  const attached = Object.values(t.Resources)
    .filter((r) => ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::RolePolicy'].includes(r.Type))
    .filter((r) => [...asList(r.Properties?.Roles), r.Properties?.RoleName].some((x) => target(x) === role));
  return {
    role,
    documents: [...inline, ...attached.map((r) => r.Properties)].map((p) => p?.PolicyDocument),
  };
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** References to names the template does not define: parameters, resources, conditions. */
export function danglingReferences(t: Template): string[] {
  const params = new Set(Object.keys(t.Parameters ?? {}));
  const resources = new Set(Object.keys(t.Resources));
  const conditions = new Set(Object.keys(t.Conditions ?? {}));
  const problems: string[] = [];
  const known = (name: string, locals: ReadonlySet<string> = new Set()) =>
    params.has(name) || resources.has(name) || PSEUDO.has(name) || locals.has(name);

  const walk = (v: unknown, where: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`));
    if (!isObject(v)) return;
    for (const [key, value] of Object.entries(v)) {
      if (key === 'Ref' && typeof value === 'string' && !known(value))
        problems.push(`${where}: Ref ${value}`);
      if (key === 'Fn::GetAtt' && !resources.has(String((value as unknown[])[0]))) {
        problems.push(`${where}: GetAtt ${String((value as unknown[])[0])}`);
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(value) ? (value as [string, object?]) : [String(value), {}];
        const locals = new Set(Object.keys(vars ?? {}));
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.split('.')[0]!;
          if (!known(name, locals)) problems.push(`${where}: Sub \${${m[1]!}}`);
        }
      }
      if ((key === 'Condition' && typeof value === 'string') || key === 'Fn::If') {
        const name = key === 'Fn::If' ? String((value as unknown[])[0]) : (value as string);
        if (!conditions.has(name)) problems.push(`${where}: condition ${name}`);
      }
      walk(value, `${where}.${key}`);
    }
  };
  for (const section of ['Conditions', 'Resources', 'Outputs'] as const) walk(t[section], section);
  return problems;
}
