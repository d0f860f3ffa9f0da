import { describe, expect, it } from 'vitest';
import type { Names } from '../../src/commands/command.js';
import { parseCommand } from '../../src/commands/parse.js';

const names: Names = {
  apps: [
    { name: 'todobackend', envs: ['dev', 'staging', 'prod'] },
    { name: 'billing', envs: ['staging'] },
  ],
};
const parse = (t: string) => parseCommand(t, names);

describe('parseCommand: stats, promote, history --csv', () => {
  it.each([
    ['stats', { kind: 'stats', days: 30 }],
    ['stats todobackend', { kind: 'stats', app: 'todobackend', env: undefined, days: 30 }],
    ['stats todobackend prod --days 7', { kind: 'stats', app: 'todobackend', env: 'prod', days: 7 }],
    ['stats --days 90 billing', { kind: 'stats', app: 'billing', env: undefined, days: 90 }],
    ['promote todobackend to prod', { kind: 'promote', app: 'todobackend', from: undefined, to: 'prod' }],
    [
      'promote todobackend from staging to prod',
      { kind: 'promote', app: 'todobackend', from: 'staging', to: 'prod' },
    ],
    [
      'promote todobackend to prod --override "hotfix for INC-42"',
      { kind: 'promote', app: 'todobackend', from: undefined, to: 'prod', override: 'hotfix for INC-42' },
    ],
    ['history todobackend --csv', { kind: 'history', app: 'todobackend', env: undefined, csv: true }],
    ['history todobackend prod --csv', { kind: 'history', app: 'todobackend', env: 'prod', csv: true }],
  ])('%s', (text, command) => {
    expect(parse(text)).toEqual({ kind: 'command', command });
  });

  it.each([
    ['stats --days 0', 'stats', '--days takes a whole number of days from 1 to 365'],
    ['stats --days 400', 'stats', 'from 1 to 365'],
    ['stats --days', 'stats', 'e.g. --days 30'],
    ['stats todobackend --weeks 3', 'stats', 'Unknown option `--weeks`'],
    ['stats todobackend qa', 'stats', 'has no environment `qa`'],
    ['promote todobackend', 'promote', 'Say `to <env>`'],
    ['promote todobackend from staging to staging', 'promote', 'not `staging` to itself'],
    ['promote todobackend to prd', 'promote', 'Did you mean prod?'],
    ['promote todobackend to prod --override', 'promote', '--override needs a reason'],
  ])('%s is refused with a reason', (text, usageKey, message) => {
    const r = parse(text);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.usageKey).toBe(usageKey);
    expect(r.message).toContain(message);
  });
});
