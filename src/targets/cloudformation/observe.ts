import { isCapstanError } from '../../domain/errors.js';
import type { ChangeSetInfo, Stacks } from '../../ports/stacks.js';
import type { Observed } from '../strategy.js';
import type { StackEnvironment } from './deps.js';
import {
  type StackLook,
  type StackObservation,
  judgeByChangeSet,
  judgeByEvents,
  seeEvents,
} from './evaluate.js';
import type { StackTrack } from './schemas.js';

/** Stack events read back at most in one look. */
const EVENTS_PER_LOOK = 500;

/**
 * One look at AWS for each rollout, each judged on its own: a read that fails for one (denied,
 * throttled) is that rollout's `unreadable` observation and never decides the others.
 */
export async function observe(
  stacks: Stacks,
  items: readonly Observed<StackTrack, StackEnvironment>[],
): Promise<ReadonlyMap<string, StackObservation>> {
  const out = new Map<string, StackObservation>();
  await Promise.all(
    items.map(async (item) => {
      try {
        out.set(item.id, await observeOne(stacks, item.data));
      } catch (error) {
        out.set(item.id, { kind: 'unreadable', data: item.data, lines: [], error });
      }
    }),
  );
  return out;
}

async function observeOne(stacks: Stacks, r: StackTrack): Promise<StackObservation> {
  const look = await lookAt(stacks, r);
  if (!look) {
    return {
      kind: 'missing',
      data: r,
      lines: [],
      what: { kind: 'cloudformation.stackGone', stack: r.stack, region: r.region },
    };
  }
  const seen = seeEvents(r, look);
  return judgeByEvents(r, seen) ?? judgeByChangeSet(r, seen, await changeSetOf(stacks, r));
}

/** The stack and its events back to the execution; undefined once the stack is deleted. */
async function lookAt(stacks: Stacks, r: StackTrack): Promise<StackLook | undefined> {
  try {
    const [stack, events] = await Promise.all([
      stacks.describeStack(r.region, r.stack),
      // Pages back to the execution, so a busy stack cannot hide Capstan's own events.
      stacks.events(r.region, r.stack, EVENTS_PER_LOOK, r.executedAt - 1000),
    ]);
    return { stack, events };
  } catch (e) {
    // A deleted stack ends the release; any other error is this rollout's to retry.
    if (isCapstanError(e) && e.code === 'not_found') return undefined;
    throw e;
  }
}

/** The change set Capstan executed, or undefined once CloudFormation has deleted it. */
async function changeSetOf(stacks: Stacks, r: StackTrack): Promise<ChangeSetInfo | undefined> {
  try {
    return await stacks.describeChangeSet(r.region, r.changeSetArn);
  } catch (e) {
    if (isCapstanError(e) && e.code === 'not_found') return undefined;
    throw e;
  }
}
