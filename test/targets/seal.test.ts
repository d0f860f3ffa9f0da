import { sayFact } from '../../src/views/facts/index.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type UnreadableRecord, seal } from '../../src/targets/seal.js';
import type { EnvironmentOf, Observation, Observed, Strategy } from '../../src/targets/strategy.js';
import { DEV, PROD } from '../fixtures/deployments.js';

const plan = z.object({ taskDefinition: z.string(), revision: z.number() });
const data = z.object({ deploymentId: z.string() });
const context = z.object({ running: z.string() });
type Plan = z.infer<typeof plan>;
type Data = z.infer<typeof data>;
type Context = z.infer<typeof context>;

/** A typed ECS-kind strategy that records what its logic was handed. */
function recordingStrategy() {
  const seen = {
    applied: [] as Plan[],
    observed: [] as Observed<Data, EnvironmentOf<'ecs'>>[],
    contexts: [] as (Context | undefined)[],
    discarded: [] as Plan[],
    proceeded: [] as Data[],
  };
  const strategy: Strategy<'ecs', Plan, Data, Context> = {
    kind: 'ecs',
    label: 'ECS',
    artifact: 'image',
    schemas: { plan, data, context },
    describe: (env) => `service ${env.target.service}`,
    pollGroup: (env) => env.target.cluster,
    check: async () => ({ fromVersion: '1.2.2', context: { running: 'td:41' } }),
    prepare: async (_env, req) => {
      seen.contexts.push(req.checked.context);
      return { review: { summary: 'x', changes: [] } as never, plan: { taskDefinition: 'td', revision: 42 } };
    },
    discard: async (_env, p) => void seen.discarded.push(p),
    apply: async (_env, req) => {
      seen.applied.push(req.plan);
      return { data: { deploymentId: 'ecs-svc/1' }, lines: [] };
    },
    reconcile: async () => undefined,
    observe: async (items) => {
      seen.observed.push(...items);
      return new Map<string, Observation<Data>>(
        items.map((i) => [i.id, { kind: 'succeeded', data: i.data, lines: [] }]),
      );
    },
    read: async () => new Map(),
    running: async () => '1.2.2',
    proceed: async (_env, d) => {
      seen.proceeded.push(d);
      return [];
    },
  };
  return { strategy, seen };
}

const look = (id: string, value: unknown): Observed => ({
  id,
  env: DEV,
  phase: 'rollout',
  data: value,
  startedAt: 0,
});

describe('seal: the typed seam meets the ledger', () => {
  it('hands the strategy its plan decoded from what the ledger gave back', async () => {
    const { strategy, seen } = recordingStrategy();
    const sealed = seal(strategy);
    const stored: unknown = JSON.parse(JSON.stringify({ taskDefinition: 'td', revision: 42 }));
    await sealed.apply(DEV, { requestId: 'dep-1', version: '1.2.3', plan: stored, actor: 'U0ALICE' });
    expect(seen.applied).toEqual([{ taskDefinition: 'td', revision: 42 }]);
  });

  it('refuses a change whose recorded plan does not decode, naming the request and the field', async () => {
    const { strategy, seen } = recordingStrategy();
    const sealed = seal(strategy);
    const apply = sealed.apply(DEV, {
      requestId: 'dep-7',
      version: '1.2.3',
      plan: { taskDefinition: 'td', revision: 'forty-two' },
      actor: 'U0ALICE',
    });
    await expect(apply).rejects.toMatchObject({
      fact: {
        kind: 'record.unreadable',
        id: 'dep-7',
        what: 'the plan',
        problem: expect.stringMatching(/^revision/) as string,
      },
    });
    await expect(apply).rejects.toMatchObject({ code: 'invalid_state' } satisfies Partial<UnreadableRecord>);
    expect(seen.applied).toEqual([]);
  });

  it('ends only the rollout whose tracking does not decode; the others of the look are judged', async () => {
    const { strategy, seen } = recordingStrategy();
    const out = await seal(strategy).observe([
      look('dep-1', { deploymentId: 'ecs-svc/1' }),
      look('dep-2', { deployment: 'ecs-svc/2' }),
    ]);
    expect(out.get('dep-1')?.kind).toBe('succeeded');
    const broken = out.get('dep-2');
    expect(broken?.kind).toBe('unrecorded');
    expect(broken?.kind === 'unrecorded' && sayFact(broken.what)).toMatch(
      /^Capstan cannot read what it recorded for dep-2 \(its tracking\): deploymentId/,
    );
    expect(seen.observed.map((o) => o.id)).toEqual(['dep-1']);
  });

  it('a check context that does not fit is dropped, so prepare reads again instead of trusting it', async () => {
    const { strategy, seen } = recordingStrategy();
    const sealed = seal(strategy);
    const checked = await sealed.check(DEV, '1.2.3');
    const req = { requestId: 'dep-1', version: '1.2.3', requestedBy: 'U0ALICE' };
    await sealed.prepare(DEV, { ...req, checked });
    await sealed.prepare(DEV, { ...req, checked: { ...checked, context: { running: 41 } } });
    expect(seen.contexts).toEqual([{ running: 'td:41' }, undefined]);
  });

  it('decodes the plan to discard and the tracking to proceed; nothing recorded, nothing to discard', async () => {
    const { strategy, seen } = recordingStrategy();
    const sealed = seal(strategy);
    await sealed.discard(DEV, { plan: { taskDefinition: 'td', revision: 1 } });
    await sealed.discard(DEV, {});
    await sealed.proceed?.(DEV, { deploymentId: 'ecs-svc/1' });
    expect(seen.discarded).toEqual([{ taskDefinition: 'td', revision: 1 }]);
    expect(seen.proceeded).toEqual([{ deploymentId: 'ecs-svc/1' }]);
  });

  it('an environment of another kind is a wiring bug, said as such', () => {
    const { strategy } = recordingStrategy();
    expect(() => seal(strategy).describe(PROD)).toThrow(
      /ECS strategy was handed todobackend\/prod, a cloudformation/,
    );
    expect(seal(strategy).describe(DEV)).toBe('service todobackend-dev');
  });
});
