import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameJson } from '../../src/lib/sameJson.js';

/** JSON with every object's keys in one order. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, sorted(x)]),
  );
}
const written = (v: unknown) => JSON.stringify(sorted(JSON.parse(JSON.stringify(v) ?? 'null')));

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(null, undefined, true, false, 0, -0, 1, 2, NaN, Infinity, '', 'a', 'b'),
    fc.integer({ min: -3, max: 3 }),
  ),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'data', 'progress'), tie('value'), { maxKeys: 3 }),
  value: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
})).value;

describe('sameJson: the same JSON, without writing it', () => {
  it('agrees with comparing the JSON written, key order aside', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameJson({ v: a }, { v: b })).toBe(written({ v: a }) === written({ v: b }));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a value the same as its copy, and a changed member different', () => {
    fc.assert(
      fc.property(value, (a) => {
        const copy: unknown = JSON.parse(JSON.stringify({ v: a }));
        expect(sameJson({ v: a }, copy)).toBe(true);
      }),
    );
    const t = {
      phase: 'rollout',
      progress: { done: 1, total: 2 },
      waiting: undefined,
      data: { seen: ['a'] },
    };
    expect(sameJson(t, { ...t, progress: { done: 1, total: 2 } })).toBe(true);
    expect(sameJson(t, { ...t, progress: { done: 2, total: 2 } })).toBe(false);
    expect(sameJson(t, { ...t, data: { seen: ['a', 'b'] } })).toBe(false);
    expect(sameJson(t, { ...t, waiting: 'hook' })).toBe(false);
    expect(sameJson({ at: new Date(1) }, { at: new Date(2) })).toBe(false);
    expect(sameJson({ at: new Date(1) }, { at: new Date(1) })).toBe(true);
  });
});
