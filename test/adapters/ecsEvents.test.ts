import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutArrays } from '../../src/adapters/aws/ecsEvents.js';

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

const cut = (doc: unknown, kept: number, space?: number) =>
  JSON.parse(
    cutArrays(Buffer.from(JSON.stringify(doc, null, space)), 'events', kept).toString('utf8'),
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
