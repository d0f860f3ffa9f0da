import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentKind } from '../../src/domain/deployment.js';
import { type PromotionVerdict, judgePromotion, runningNow } from '../../src/domain/promotion.js';
import type { DeploymentState } from '../../src/domain/states.js';
import { countsAsVerified } from '../../src/domain/verified.js';

const HOUR = 3_600_000;
const digest = (v: string) => `sha256:${v.replace(/\W/g, '').padEnd(64, '0')}`;

/**
 * One ledger entry of staging, written as `<version> <state> @<hour it ended>`, with an optional
 * `rollback` kind, `->v` (Capstan rolled back to v) and `untouched` (failed before changing AWS).
 */
function entry(line: string, i: number): Deployment {
  const [version = '', state = '', at = '@0', ...flags] = line.split(' ');
  const to = flags.find((f) => f.startsWith('->'))?.slice(2);
  const kind: DeploymentKind = flags.includes('rollback') ? 'rollback' : 'deploy';
  const ended = Number(at.slice(1)) * HOUR;
  return {
    id: `d${i}`,
    rev: 1,
    kind,
    app: 'todobackend',
    env: 'staging',
    requestedBy: 'U0ALICE',
    toVersion: version,
    imageDigest: digest(version),
    state: state as DeploymentState,
    channel: 'C0STAGING',
    createdAt: ended - 60_000,
    updatedAt: ended,
    finishedAt: ended,
    approvals: [],
    rollbackVersion: to,
    tracking: flags.includes('untouched') ? undefined : { phase: 'rollout', startedAt: ended - 30_000 },
  } as Deployment;
}

/** Oldest first, as people read a history; the ledger answers newest first. */
const ledger = (...oldestFirst: string[]) => oldestFirst.map(entry).reverse();
const verified = (d: Deployment) => countsAsVerified(d, { name: 'staging' });

describe('runningNow', () => {
  const cases: [string, string[], string | undefined][] = [
    ['nothing ran yet', [], undefined],
    ['only a request in flight', ['1.0 rolling_out @1'], undefined],
    ['the newest verified', ['1.0 verified @1', '1.1 verified @2'], '1.1'],
    ['a failure that changed the target runs', ['1.0 verified @1', '1.1 failed @2'], '1.1'],
    [
      'a failure that never changed the target leaves what ran',
      ['1.0 verified @1', '1.1 failed @2 untouched'],
      '1.0',
    ],
    [
      'rolled back by Capstan: its rollback target runs',
      ['1.0 verified @1', '1.1 verified @2', '1.2 rolled_back @3 ->1.0'],
      '1.0',
    ],
    ['rolled back by the target itself: what ran before', ['1.0 verified @1', '1.2 rolled_back @3'], '1.0'],
    ['rolled back to a version older than the window: the entry itself', ['1.2 rolled_back @3 ->0.9'], '1.2'],
    [
      'a rollback that failed runs nothing known to be good',
      ['1.0 verified @1', '1.2 rollback_failed @3 ->1.0'],
      '1.2',
    ],
  ];
  it.each(cases)('%s', (_name, lines, expected) => {
    expect(runningNow(ledger(...lines))?.toVersion).toBe(expected);
  });
});

describe('judgePromotion', () => {
  const now = 10 * HOUR;
  const soak = HOUR;
  const cases: [string, string[], string, PromotionVerdict][] = [
    ['never deployed there', ['1.0 verified @1'], '1.1', { ok: false, refused: 'notVerified' }],
    ['deployed but failed', ['1.1 failed @1'], '1.1', { ok: false, refused: 'notVerified' }],
    ['verified long enough ago', ['1.1 verified @2'], '1.1', { ok: true, verifiedAt: 2 * HOUR }],
    [
      'succeeded counts where nothing is verified',
      ['1.1 succeeded @2'],
      '1.1',
      { ok: true, verifiedAt: 2 * HOUR },
    ],
    [
      'verified too recently: soaking until an hour after',
      ['1.1 verified @9.5'],
      '1.1',
      { ok: false, refused: 'soaking', verifiedAt: 9.5 * HOUR, allowedAt: 10.5 * HOUR },
    ],
    [
      'the earliest standing verification counts',
      ['1.1 verified @2', '1.2 verified @3', '1.1 verified @9.5'],
      '1.1',
      { ok: true, verifiedAt: 2 * HOUR },
    ],
    [
      'rolled back away from it',
      ['1.0 verified @1', '1.1 verified @2', '1.0 verified @3 rollback'],
      '1.1',
      { ok: false, refused: 'rolledBack', verifiedAt: 2 * HOUR, at: 3 * HOUR, how: 'rollback' },
    ],
    [
      'a rollback away from another image does not count',
      ['1.1 verified @2', '1.2 verified @3', '1.1 verified @4 rollback'],
      '1.1',
      { ok: true, verifiedAt: 2 * HOUR },
    ],
    [
      'failed there again after it was verified',
      ['1.1 verified @2', '1.2 verified @3', '1.1 rolled_back @4 ->1.2'],
      '1.1',
      { ok: false, refused: 'rolledBack', verifiedAt: 2 * HOUR, at: 4 * HOUR, how: 'failure' },
    ],
    [
      'a failure that changed nothing does not count',
      ['1.1 verified @2', '1.1 failed @4 untouched'],
      '1.1',
      { ok: true, verifiedAt: 2 * HOUR },
    ],
    [
      'verified again after the rollback: the soak counts from then',
      ['1.1 verified @2', '1.0 verified @3 rollback', '1.1 verified @9.5'],
      '1.1',
      { ok: false, refused: 'soaking', verifiedAt: 9.5 * HOUR, allowedAt: 10.5 * HOUR },
    ],
  ];
  it.each(cases)('%s', (_name, lines, version, expected) => {
    expect(judgePromotion(ledger(...lines), digest(version), soak, now, verified)).toEqual(expected);
  });
});
