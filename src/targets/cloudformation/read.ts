import type { Environment } from '../../domain/catalog.js';
import { parseImage } from '../../domain/version.js';
import { errorMessage } from '../../lib/errors.js';
import type { Stacks } from '../../ports/stacks.js';
import { cloudFormationPlatformAlarms } from '../shared/platformAlarms.js';
import type { Reading } from '../strategy.js';
import type { StackEnvironment } from './deps.js';
import { digestIn, stackConsoleUrl, versionOfParameter } from './names.js';

const EVENTS_IN_DETAIL = 5;

/** What each stack runs now, for `status`: an Error where it could not be read. */
export async function read(
  stacks: Stacks,
  envs: readonly StackEnvironment[],
  detail: boolean,
): Promise<ReadonlyMap<Environment, Reading | Error>> {
  const out = new Map<Environment, Reading | Error>();
  await Promise.all(
    envs.map(async (env) => {
      try {
        out.set(env, await readOne(stacks, env, detail));
      } catch (e) {
        out.set(env, e instanceof Error ? e : new Error(errorMessage(e)));
      }
    }),
  );
  return out;
}

async function readOne(stacks: Stacks, env: StackEnvironment, detail: boolean): Promise<Reading> {
  const t = env.target;
  const [stack, events] = await Promise.all([
    stacks.describeStack(t.region, t.stack),
    detail ? stacks.events(t.region, t.stack, EVENTS_IN_DETAIL) : Promise.resolve([]),
  ]);
  // For one environment, `status` shows the rollback triggers the stack holds too.
  const triggers =
    detail && stack.rollbackTriggers ? cloudFormationPlatformAlarms(env, stack.rollbackTriggers) : undefined;
  return {
    version: versionOfParameter(stack.parameters[t.imageParameter]),
    state: stack.status,
    facts: [{ kind: 'cloudformation.stackStatus', status: stack.status }, ...(triggers ? [triggers] : [])],
    inProgress: stack.status.endsWith('_IN_PROGRESS'),
    changedAt: Date.parse(stack.updatedAt),
    events: events.map((e) => ({
      at: e.at,
      message: `${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ''}`,
    })),
    consoleUrl: stackConsoleUrl(t.region, stack.stackId),
  };
}

/** The version running now, to pick a rollback target. */
export async function running(stacks: Stacks, env: StackEnvironment): Promise<string | undefined> {
  const t = env.target;
  // A digest stays whole here, so that it can be compared with the digests in the ledger.
  const value = (await stacks.describeStack(t.region, t.stack)).parameters[t.imageParameter];
  return value === undefined ? undefined : (digestIn(value) ?? parseImage(value).tag ?? value);
}
