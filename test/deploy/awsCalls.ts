import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type TypeScript from 'typescript';

/**
 * Required rather than imported: Node imports a CommonJS package only after scanning all of it for the
 * names it exports, about 1.5 s of CPU for TypeScript's 9 MB, which require() never does.
 */
const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;

/** IAM service prefix of each SDK client package Capstan may use. */
export const IAM_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-cloudformation': 'cloudformation',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-codedeploy': 'codedeploy',
  '@aws-sdk/client-codepipeline': 'codepipeline',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-elastic-beanstalk': 'elasticbeanstalk',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-sts': 'sts',
};

/** The operation a waiter polls. A waiter not listed here is reported, never guessed. */
export const WAITER_OPERATION: Readonly<Record<string, string>> = {
  'cloudformation:waitUntilChangeSetCreateComplete': 'DescribeChangeSet',
  'cloudformation:waitUntilStackUpdateComplete': 'DescribeStacks',
  'ecs:waitUntilServicesStable': 'DescribeServices',
  'ecs:waitUntilTasksStopped': 'DescribeTasks',
  'codedeploy:waitUntilDeploymentSuccessful': 'GetDeployment',
  'elasticbeanstalk:waitUntilEnvironmentUpdated': 'DescribeEnvironments',
  'dynamodb:waitUntilTableExists': 'DescribeTable',
};

/** Operations whose IAM action is not their own name (`[]`: no permission is checked). */
export const AUTHORIZED_BY: Readonly<Record<string, readonly string[]>> = {
  's3:HeadObject': ['s3:GetObject'],
  's3:ListObjectsV2': ['s3:ListBucket'],
  'sts:GetCallerIdentity': [],
};

/** Permissions a call needs beyond its own action, and why: the policy must list them too. */
export const ALSO_NEEDED: readonly { when: string; also: readonly string[]; why: string }[] = [
  {
    when: 'ecs:RegisterTaskDefinition',
    also: ['iam:PassRole', 'ecs:TagResource'],
    why: 'a task definition names task and execution roles, and Capstan registers it with tags',
  },
  {
    when: 'cloudformation:CreateChangeSet',
    also: ['iam:PassRole'],
    why: "a change set runs with the stack's service role (roleArn)",
  },
  {
    when: 'codedeploy:CreateDeployment',
    also: ['codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision'],
    why: 'CodeDeploy checks the deployment config and registers the new revision',
  },
  {
    when: 's3:GetObject',
    also: ['s3:ListBucket'],
    why: 'without it S3 answers 403 instead of 404 for a missing key',
  },
  {
    when: 'sts:AssumeRole',
    also: ['sts:SetSourceIdentity'],
    why: 'the session carries the Slack user as its source identity',
  },
];

export interface AwsCalls {
  /** IAM action → the files whose calls need it (or the rule that adds it). */
  readonly actions: ReadonlyMap<string, readonly string[]>;
  /** Calls the scan could not turn into an IAM action. */
  readonly problems: readonly string[];
}

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

type Found = { action: string } | { problem: string } | undefined;

/** What referring to `name`, exported by `pkg`, calls in AWS. */
function callOf(pkg: string, name: string, constructed: boolean): Found {
  const prefix = IAM_PREFIX[pkg];
  const command = /^(\w+)Command$/.exec(name)?.[1];
  const paginated = /^paginate(\w+)$/.exec(name)?.[1];
  const waiter = /^wait(?:Until|For)(\w+)$/.exec(name)?.[1];
  if (command === undefined && paginated === undefined && waiter === undefined) {
    // Building a client calls nothing; building anything else from the SDK (an aggregated client
    // such as `new ECS()`) hides its calls from this scan.
    if (!constructed || name.endsWith('Client')) return undefined;
    return { problem: `new ${name}() from ${pkg}: use the client and its commands so the calls can be read` };
  }
  if (prefix === undefined) return { problem: `${pkg} has no IAM prefix in IAM_PREFIX` };
  if (waiter !== undefined) {
    const operation = WAITER_OPERATION[`${prefix}:waitUntil${waiter}`];
    return operation === undefined
      ? { problem: `waiter ${name} of ${pkg} is not in WAITER_OPERATION` }
      : { action: `${prefix}:${operation}` };
  }
  return { action: `${prefix}:${command ?? paginated!}` };
}

/**
 * The IAM actions one file's AWS SDK calls need. Read from the syntax tree, so comments and strings
 * do not count: a command, paginator or waiter imported from an `@aws-sdk/` package and used in
 * the code (constructed, called or passed on) is a call.
 */
export function scanFile(file: SourceFile): { actions: string[]; problems: string[] } {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const named = new Map<string, { pkg: string; name: string }>();
  const namespaces = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const pkg = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!pkg.startsWith('@aws-sdk/') || !clause || clause.isTypeOnly) continue;
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, pkg);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) {
        if (!el.isTypeOnly) named.set(el.name.text, { pkg, name: (el.propertyName ?? el.name).text });
      }
    }
  }

  const actions = new Set<string>();
  const problems = new Set<string>();
  const record = (found: Found) => {
    if (found && 'action' in found)
      (AUTHORIZED_BY[found.action] ?? [found.action]).forEach((a) => actions.add(a));
    if (found && 'problem' in found) problems.add(`${file.path}: ${found.problem}`);
  };
  const isConstructed = (node: TypeScript.Node) =>
    ts.isNewExpression(node.parent) && node.parent.expression === node;

  const visit = (node: TypeScript.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const pkg = namespaces.get(node.expression.text);
      if (pkg !== undefined) record(callOf(pkg, node.name.text, isConstructed(node)));
    } else if (
      ts.isIdentifier(node) &&
      !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)
    ) {
      const binding = named.get(node.text);
      if (binding !== undefined) record(callOf(binding.pkg, binding.name, isConstructed(node)));
      else if (isConstructed(node) && node.text.endsWith('Command')) {
        problems.add(`${file.path}: new ${node.text}() is not imported from an @aws-sdk package`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { actions: [...actions], problems: [...problems] };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every production file under `src/` that imports the AWS SDK (the sandbox lives outside it, in `sandbox/`). */
export function scanSources(root: string): AwsCalls {
  const src = join(root, 'src');
  const actions = new Map<string, string[]>();
  const problems: string[] = [];
  const add = (action: string, from: string) => {
    const list = actions.get(action) ?? [];
    if (!list.includes(from)) list.push(from);
    actions.set(action, list);
  };
  for (const path of sourceFiles(src)) {
    const rel = relative(root, path);
    const text = readFileSync(path, 'utf8');
    if (!text.includes('@aws-sdk/')) continue;
    const found = scanFile({ path: rel, text });
    found.actions.forEach((a) => add(a, rel));
    problems.push(...found.problems);
  }
  for (const rule of ALSO_NEEDED) {
    if (actions.has(rule.when)) rule.also.forEach((a) => add(a, `${rule.when}: ${rule.why}`));
  }
  return { actions, problems };
}

/** What the policy lacks and what it grants that no call needs, each sorted. */
export function compareActions(
  policy: Iterable<string>,
  needed: ReadonlyMap<string, readonly string[]>,
): { missing: string[]; extra: string[] } {
  const granted = new Set(policy);
  return {
    missing: [...needed.keys()].filter((a) => !granted.has(a)).sort(),
    extra: [...granted].filter((a) => !needed.has(a)).sort(),
  };
}

export function describeDifference(
  diff: { missing: readonly string[]; extra: readonly string[] },
  needed: ReadonlyMap<string, readonly string[]>,
): string {
  const lines = ["The task role's policy in deploy/capstan.yaml does not match the AWS calls in src/."];
  if (diff.missing.length > 0) {
    lines.push('Missing (the code needs these; add them to the policy):');
    for (const a of diff.missing) lines.push(`  - ${a}   (${(needed.get(a) ?? []).join('; ')})`);
  }
  if (diff.extra.length > 0) {
    lines.push('Extra (the policy grants these; no code calls them):');
    for (const a of diff.extra) lines.push(`  - ${a}`);
  }
  return lines.join('\n');
}
