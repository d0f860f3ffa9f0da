import { describe, expect, it } from 'vitest';
import { BeanstalkFact } from '../../../src/domain/facts/beanstalk.js';
import { sayFact } from '../../../src/views/facts/index.js';

type Kind = BeanstalkFact['kind'];
type Of<K extends Kind> = Extract<BeanstalkFact, { kind: K }>;

const ENV = { environment: 'todo-prod', application: 'todo', region: 'us-east-1' } as const;
const WHERE = 'Elastic Beanstalk environment todo-prod of todo (us-east-1)';
const DIGEST = `sha256:${'0123456789ab'}${'f'.repeat(52)}`;
const REQUESTED = `sha256:${'ba9876543210'}${'e'.repeat(52)}`;

/** One fact of every kind (a kind left out does not compile), and the words people read for it. */
const WORDED: { readonly [K in Kind]: readonly [Of<K>, string] } = {
  'beanstalk.event': [
    { kind: 'beanstalk.event', at: 1_000, severity: 'INFO', message: 'Environment update is starting.' },
    ':information_source: Environment update is starting.',
  ],
  'beanstalk.eventsOmitted': [
    { kind: 'beanstalk.eventsOmitted', count: 5 },
    '_…5 earlier events are in the Elastic Beanstalk console._',
  ],
  'beanstalk.putBack': [
    { kind: 'beanstalk.putBack', environment: 'todo-prod', label: '1.2.2' },
    ':rewind: Elastic Beanstalk put environment `todo-prod` back on `1.2.2`.',
  ],
  'beanstalk.reusingVersion': [
    { kind: 'beanstalk.reusingVersion', label: '1.2.3', bucket: 'b', key: 'todo/1.2.3/Dockerrun.aws.json' },
    'Reusing application version `1.2.3` (`s3://b/todo/1.2.3/Dockerrun.aws.json`).',
  ],
  'beanstalk.versionCreated': [
    {
      kind: 'beanstalk.versionCreated',
      label: '1.2.3',
      bucket: 'b',
      key: 'todo/1.2.3/Dockerrun.aws.json',
      image: `repo/todo@${DIGEST}`,
    },
    `Wrote \`s3://b/todo/1.2.3/Dockerrun.aws.json\` pinning \`repo/todo@${DIGEST}\` and created application version \`1.2.3\`.`,
  ],
  'beanstalk.updating': [
    { kind: 'beanstalk.updating', environment: 'todo-prod', label: '1.2.3', requestId: 'req-1' },
    'Elastic Beanstalk is updating environment `todo-prod` to `1.2.3` (request `req-1`).',
  ],
  'beanstalk.versionAppeared': [
    { kind: 'beanstalk.versionAppeared', label: '1.2.3', application: 'todo' },
    'Application version `1.2.3` of todo appeared since the review with another bundle: request the deploy again.',
  ],
  'beanstalk.tagTooLong': [
    { kind: 'beanstalk.tagTooLong', tag: 'x'.repeat(101), max: 100 },
    `Tag \`${'x'.repeat(101)}\` is longer than the 100 characters of an Elastic Beanstalk version label.`,
  ],
  'beanstalk.tagMoved': [
    { kind: 'beanstalk.tagMoved', tag: '1.2.3', digest: DIGEST, requested: REQUESTED },
    'Tag `1.2.3` now names sha256:0123456789ab, not sha256:ba9876543210 as requested: request the deploy again.',
  ],
  'beanstalk.versionsTaken': [
    { kind: 'beanstalk.versionsTaken', labels: ['1.2.3', '1.2.3-0123456789ab'], application: 'todo' },
    'Application versions `1.2.3` and `1.2.3-0123456789ab` of todo already exist with another image; delete one or push a new tag.',
  ],
  'beanstalk.environmentNotFound': [
    { kind: 'beanstalk.environmentNotFound', ...ENV },
    `${WHERE} was not found.`,
  ],
  'beanstalk.environmentNotReady': [
    {
      kind: 'beanstalk.environmentNotReady',
      ...ENV,
      status: 'Updating',
      health: 'Grey',
      healthStatus: 'Pending',
    },
    `${WHERE} is Updating, not Ready (health Grey (Pending)): wait until its current operation ends, then deploy again.`,
  ],
  'beanstalk.environmentGone': [
    { kind: 'beanstalk.environmentGone', ...ENV, status: 'Terminated' },
    `${WHERE} is Terminated`,
  ],
  'beanstalk.updateError': [
    { kind: 'beanstalk.updateError', message: 'Failed to deploy application.' },
    'Failed to deploy application.',
  ],
  'beanstalk.revertedSilently': [
    { kind: 'beanstalk.revertedSilently', environment: 'todo-prod', label: '1.2.2', deployed: '1.2.3' },
    'Environment todo-prod is Ready on 1.2.2 again without reporting an error for 1.2.3.',
  ],
  'beanstalk.unhealthy': [
    {
      kind: 'beanstalk.unhealthy',
      environment: 'todo-prod',
      label: '1.2.3',
      health: 'Red',
      healthStatus: 'Severe',
    },
    'Environment todo-prod runs 1.2.3 with health Red (Severe).',
  ],
  'beanstalk.health': [
    { kind: 'beanstalk.health', health: 'Green', healthStatus: 'Ok' },
    'health Green (Ok)',
  ],
};

describe('Elastic Beanstalk facts, worded', () => {
  it.each(Object.values(WORDED))('%j', (fact, words) => {
    expect(BeanstalkFact.parse(fact)).toEqual(fact);
    expect(sayFact(fact)).toBe(words);
  });

  it('marks an event by its severity', () => {
    const event = (severity: string) => sayFact({ kind: 'beanstalk.event', at: 0, severity, message: 'm' });
    expect(['ERROR', 'FATAL', 'WARN', 'INFO', 'DEBUG'].map(event)).toEqual([
      ':x: m',
      ':x: m',
      ':warning: m',
      ':information_source: m',
      ':information_source: m',
    ]);
  });

  it('says only what it knows: no request id, no health, no environment listed at all', () => {
    expect(sayFact({ kind: 'beanstalk.updating', environment: 'todo-prod', label: '1.2.3' })).toBe(
      'Elastic Beanstalk is updating environment `todo-prod` to `1.2.3`.',
    );
    expect(sayFact({ kind: 'beanstalk.health' })).toBe('health unknown');
    expect(sayFact({ kind: 'beanstalk.health', health: 'Yellow' })).toBe('health Yellow');
    expect(sayFact({ kind: 'beanstalk.environmentGone', ...ENV })).toBe(`${WHERE} no longer exists`);
  });

  it('escapes what came from Elastic Beanstalk exactly once', () => {
    expect(
      sayFact({
        kind: 'beanstalk.event',
        at: 0,
        severity: 'ERROR',
        message: '*Failed* <@U0ADMIN> & <!here> &amp;',
      }),
    ).toBe(':x: *Failed* &lt;@U0ADMIN&gt; &amp; &lt;!here&gt; &amp;amp;');
    expect(sayFact({ kind: 'beanstalk.updateError', message: 'a < b & *c*' })).toBe('a &lt; b &amp; *c*');
    expect(
      sayFact({ kind: 'beanstalk.environmentNotReady', ...ENV, application: 'to<do>', status: 'Updating&' }),
    ).toBe(
      'Elastic Beanstalk environment todo-prod of to&lt;do&gt; (us-east-1) is Updating&amp;, not Ready (health unknown): wait until its current operation ends, then deploy again.',
    );
  });
});
