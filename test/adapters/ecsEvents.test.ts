import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ElementFilter,
  cutArrays,
  holdsWithin,
  topLevelNumber,
} from '../../src/adapters/aws/jsonCut.js';

const event = fc.record({
  id: fc.string(),
  createdAt: fc.integer(),
  message: fc.string(),
});
const service = fc.record({
  serviceName: fc.string(),
  events: fc.array(event, { maxLength: 40 }),
  deployments: fc.array(fc.record({ id: fc.string(), rolloutStateReason: fc.string() }), { maxLength: 3 }),
  tags: fc.array(fc.record({ key: fc.constantFrom('events', 'x'), value: fc.string() }), { maxLength: 2 }),
});
const answer = fc.record({
  services: fc.array(service, { maxLength: 5 }),
  failures: fc.array(fc.record({ arn: fc.string(), reason: fc.string() })),
});

const cut = (doc: unknown, kept: number, space?: number, keep?: ElementFilter) =>
  JSON.parse(
    cutArrays(Buffer.from(JSON.stringify(doc, null, space)), 'events', kept, keep).toString('utf8'),
  ) as unknown;

describe('cutting each service’s events in a DescribeServices answer, without parsing it', () => {
  it('keeps the first `kept` events of every service and everything else as it was', () => {
    fc.assert(
      fc.property(
        answer,
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(undefined, 2),
        (doc, kept, space) => {
          const expected = {
            ...doc,
            services: doc.services.map((s) => ({ ...s, events: s.events.slice(0, kept) })),
          };
          expect(cut(doc, kept, space)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('of those first `kept`, keeps only the events `keep` accepts, in their order', () => {
    const even: ElementFilter = (raw, start, end) =>
      (JSON.parse(raw.toString('utf8', start, end)) as { createdAt: number }).createdAt % 2 === 0;
    fc.assert(
      fc.property(
        answer,
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(undefined, 2),
        (doc, kept, space) => {
          const expected = {
            ...doc,
            services: doc.services.map((s) => ({
              ...s,
              events: s.events.slice(0, kept).filter((e) => e.createdAt % 2 === 0),
            })),
          };
          expect(cut(doc, kept, space, even)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the text back untouched when nothing is cut', () => {
    const raw = Buffer.from('{"services":[{"events":[{"id":"1"}, {"id":"2"}]}]}');
    expect(cutArrays(raw, 'events', 5)).toBe(raw);
    expect(cutArrays(raw, 'events', 5, () => true)).toBe(raw);
    expect(cutArrays(raw, 'events', 5, () => false).toString()).toBe('{"services":[{"events":[]}]}');
  });

  it('reads a number of an object by its own key only, as JSON writes it', () => {
    const key = Buffer.from('createdAt');
    const at = (text: string) => {
      // Inside a longer text: only its own bytes count.
      const raw = Buffer.from(`[${text},{"createdAt":99}]`);
      return topLevelNumber(raw, 1, 1 + Buffer.byteLength(text), key);
    };
    expect(at('{"id":"x","createdAt":1.79E9,"message":"m"}')).toBe(1_790_000_000);
    expect(at('{ "createdAt" : 1790000000.123 }')).toBeCloseTo(1_790_000_000.123, 3);
    expect(at('{"createdAt":-12.5e-1}')).toBe(-1.25);
    expect(at('{"createdAt":17e+2}')).toBe(1700);
    expect(at('{"inner":{"createdAt":5},"message":"\\"createdAt\\":7"}')).toBeUndefined();
    expect(at('{"createdAt":"2026-12-07T10:00:00Z"}')).toBeUndefined();
    expect(at('{"createdAt":1.2.3}')).toBeUndefined();
    expect(at('{"createdAt":}')).toBeUndefined();
    expect(at('{"id":"x"}')).toBeUndefined();
  });

  it('reads numbers as JSON.parse does, to far below a millisecond', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (n) => {
        const text = `{"createdAt":${JSON.stringify(n)}}`;
        const got = topLevelNumber(Buffer.from(text), 0, text.length, Buffer.from('createdAt'))!;
        expect(Math.abs(got - n)).toBeLessThanOrEqual(Math.max(Math.abs(n) * 1e-12, 1e-6));
      }),
    );
  });

  it('finds a text only between the bounds given', () => {
    const raw = Buffer.from('abc-dep-1-xyz');
    expect(holdsWithin(raw, 0, raw.length, Buffer.from('dep-1'))).toBe(true);
    expect(holdsWithin(raw, 0, 8, Buffer.from('dep-1'))).toBe(false);
    expect(holdsWithin(raw, 5, raw.length, Buffer.from('dep-1'))).toBe(false);
  });

  it('reads strings whole: brackets, commas, quotes and escapes inside them cut nothing', () => {
    const doc = {
      services: [
        {
          serviceName: 'a"],"events":[',
          events: [
            { id: '1', message: 'x\\", ] } ,' },
            { id: '2', message: '"events":[1,2]' },
            { id: '3', message: '\u00e9\u{1F680}' },
          ],
        },
      ],
    };
    expect(cut(doc, 2)).toEqual({
      services: [{ ...doc.services[0], events: doc.services[0]!.events.slice(0, 2) }],
    });
  });

  it('gives back text that does not close as it came', () => {
    const broken = Buffer.from('{"services":[{"events":[{"id":"1"},{"id":"2"}');
    expect(cutArrays(broken, 'events', 1)).toBe(broken);
    const open = Buffer.from('{"services":[{"events":[{"id":"1"},{"id":"2}]}]}');
    expect(cutArrays(open, 'events', 1)).toBe(open);
  });
});
