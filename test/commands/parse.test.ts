import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Names } from '../../src/commands/command.js';
import { invalidMessage } from '../../src/views/help.js';
import { parseCommand } from '../../src/commands/parse.js';
import { codePoint } from '../support/codePoints.js';

const names: Names = {
  apps: [
    { name: 'todobackend', envs: ['dev', 'prod'] },
    { name: 'billing', envs: ['staging'] },
  ],
};
const parse = (t: string) => parseCommand(t, names);

describe('parseCommand: commands', () => {
  it.each([
    [
      'todobackend 1.2.3',
      { kind: 'deploy', app: 'todobackend', version: '1.2.3', env: 'dev', dryRun: false, envDefaulted: true },
    ],
    [
      'todobackend 1.2.3 to prod',
      { kind: 'deploy', app: 'todobackend', version: '1.2.3', env: 'prod', dryRun: false },
    ],
    [
      'todobackend 1.2.3 to prod --dry-run',
      { kind: 'deploy', app: 'todobackend', version: '1.2.3', env: 'prod', dryRun: true },
    ],
    [
      '--dry-run todobackend master-3f9c2d1',
      {
        kind: 'deploy',
        app: 'todobackend',
        version: 'master-3f9c2d1',
        env: 'dev',
        dryRun: true,
        envDefaulted: true,
      },
    ],
    [
      'todobackend ab7ac1649e8ef4d30178c7f68899628086155f1d.10f5ef52-e3ff-455b-8ffb-8b760b7b9c55',
      {
        kind: 'deploy',
        app: 'todobackend',
        version: 'ab7ac1649e8ef4d30178c7f68899628086155f1d.10f5ef52-e3ff-455b-8ffb-8b760b7b9c55',
        env: 'dev',
        dryRun: false,
        envDefaulted: true,
      },
    ],
    [
      '  todobackend\u00a0 1.2.3  ',
      { kind: 'deploy', app: 'todobackend', version: '1.2.3', env: 'dev', dryRun: false, envDefaulted: true },
    ],
    ['status', { kind: 'status' }],
    ['status todobackend', { kind: 'status', app: 'todobackend' }],
    ['status todobackend prod', { kind: 'status', app: 'todobackend', env: 'prod' }],
    ['approve r-7k2m9x4q', { kind: 'approve', requestId: 'r-7k2m9x4q' }],
    ['reject r-7k2m9x4q', { kind: 'reject', requestId: 'r-7k2m9x4q', reason: undefined }],
    [
      'reject r-7k2m9x4q breaks the login page',
      { kind: 'reject', requestId: 'r-7k2m9x4q', reason: 'breaks the login page' },
    ],
    [
      'rollback todobackend',
      { kind: 'rollback', app: 'todobackend', env: 'dev', version: undefined, envDefaulted: true },
    ],
    ['rollback todobackend prod', { kind: 'rollback', app: 'todobackend', env: 'prod', version: undefined }],
    [
      'rollback todobackend to 1.2.2',
      { kind: 'rollback', app: 'todobackend', env: 'dev', version: '1.2.2', envDefaulted: true },
    ],
    [
      'rollback todobackend prod to 1.2.2',
      { kind: 'rollback', app: 'todobackend', env: 'prod', version: '1.2.2' },
    ],
    ['history todobackend', { kind: 'history', app: 'todobackend', env: undefined }],
    ['history todobackend prod', { kind: 'history', app: 'todobackend', env: 'prod' }],
    ['lock todobackend prod', { kind: 'lock', app: 'todobackend', env: 'prod', reason: undefined }],
    [
      'lock todobackend prod release freeze until Monday',
      { kind: 'lock', app: 'todobackend', env: 'prod', reason: 'release freeze until Monday' },
    ],
    ['unlock todobackend prod', { kind: 'unlock', app: 'todobackend', env: 'prod' }],
    [
      'todobackend 1.2.3 to prod --override "hotfix for INC-42, cannot wait"',
      {
        kind: 'deploy',
        app: 'todobackend',
        version: '1.2.3',
        env: 'prod',
        dryRun: false,
        override: 'hotfix for INC-42, cannot wait',
      },
    ],
    [
      'todobackend --override “security fix” 1.2.3 to prod',
      {
        kind: 'deploy',
        app: 'todobackend',
        version: '1.2.3',
        env: 'prod',
        dryRun: false,
        override: 'security fix',
      },
    ],
    [
      "todobackend 1.2.3 --override 'can't wait' --dry-run",
      {
        kind: 'deploy',
        app: 'todobackend',
        version: '1.2.3',
        env: 'dev',
        dryRun: true,
        envDefaulted: true,
        override: "can't wait",
      },
    ],
    [
      'todobackend 1.2.3 to prod --override INC-42',
      {
        kind: 'deploy',
        app: 'todobackend',
        version: '1.2.3',
        env: 'prod',
        dryRun: false,
        override: 'INC-42',
      },
    ],
    [
      'todobackend 1.2.3 --override "--dry-run is not a flag here"',
      {
        kind: 'deploy',
        app: 'todobackend',
        version: '1.2.3',
        env: 'dev',
        dryRun: false,
        envDefaulted: true,
        override: '--dry-run is not a flag here',
      },
    ],
  ])('%s', (text, command) => {
    expect(parse(text)).toEqual({ kind: 'command', command });
  });

  it.each(['', '   ', 'help', 'HELP'])('"%s" asks for help', (text) => {
    expect(parse(text)).toEqual({ kind: 'help' });
  });
});

describe('parseCommand: what was typed is quoted exactly', () => {
  it.each([
    ['billing 1.2.3 to stag_ing', 'billing has no environment `stag_ing`. Did you mean staging?'],
    ['todobackend feature_new_ui!', '`feature_new_ui!` is not an image tag'],
    ['todobackend *bold*~x~', '`*bold*~x~` is not an image tag'],
    ['todobackend a<b>&c', '`a<b>&c` is not an image tag'],
    ['todobackend a`b', '"a`b" is not an image tag'],
  ])('%s', (text, quoted) => {
    const r = parse(text);
    expect(r.kind === 'invalid' && r.message).toContain(quoted);
  });
});

describe('parseCommand: invalid input', () => {
  it.each([
    ['todobackend 1.2.3;rm', /is not an image tag/, 'deploy'],
    ['todobackend $(id)', /is not an image tag/, 'deploy'],
    ['todobackend .hidden', /is not an image tag/, 'deploy'],
    [`todobackend ${'a'.repeat(129)}`, /is not an image tag/, 'deploy'],
    ['todobackend', /Which version/, 'deploy'],
    ['todobakend 1.2.3', /Unknown app `todobakend`\. Did you mean todobackend\?/, 'deploy'],
    ['todobackend 1.2.3 to prd', /no environment `prd`\. Did you mean prod\?/, 'deploy'],
    ['todobackend 1.2.3 to', /Unexpected `to`/, 'deploy'],
    ['todobackend 1.2.3 --force', /Unknown option `--force`/, 'deploy'],
    ['zzz 1.2.3', /Unknown app `zzz`\. Known apps: todobackend, billing\./, 'deploy'],
    ['stauts', /Unknown command `stauts`\. Did you mean status\?/, 'help'],
    ['status todobackend qa', /no environment `qa`/, 'status'],
    ['approve', /Which request/, 'approve'],
    ['approve <script>', /is not a request id/, 'approve'],
    ['lock todobackend', /Which environment of todobackend/, 'lock'],
    ['rollback todobackend to', /Which version/, 'rollback'],
    ['history', /Which app/, 'history'],
    ['unlock todobackend prod now', /Unexpected `now`/, 'unlock'],
    [
      'todobackend 1.2.3 to prod --override',
      /--override needs a reason: give the reason in quotes/,
      'deploy',
    ],
    ['todobackend 1.2.3 --override --dry-run', /--override needs a reason/, 'deploy'],
    ['todobackend 1.2.3 --override ""', /--override needs a reason/, 'deploy'],
    ['todobackend 1.2.3 --override "hotfix to prod', /has no closing quote/, 'deploy'],
    // Unquoted, only one word is the reason: more words are refused, not quietly taken into it.
    ['todobackend 1.2.3 to prod --override hotfix for INC-42', /Unexpected `to prod for INC-42`/, 'deploy'],
    ['todobackend 1.2.3 --override a --override b', /Give --override once/, 'deploy'],
    [`todobackend 1.2.3 --override "${'x'.repeat(301)}"`, /under 300 characters/, 'deploy'],
    ['todobackend 1.2.3 --force', /the options are --dry-run and --override "reason"/, 'deploy'],
  ])('%s', (text, message, usageKey) => {
    const r = parse(text);
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.message).toMatch(message);
    expect(r.usageKey).toBe(usageKey);
    expect(r.usage).toMatch(/^\/deploy /);
  });

  it('never echoes markup back: the view escapes what the parser quotes as typed', () => {
    const r = parse('todobackend <!channel>');
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.message).toContain('`<!channel>`');
    const shown = invalidMessage(r.message, r.usage);
    expect(JSON.stringify(shown)).not.toContain('<!channel>');
    expect(shown.text).toContain('`&lt;!channel&gt;`');
  });
});

describe('parseCommand: properties', () => {
  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: codePoint }), (text) => {
        const r = parse(text);
        expect(['command', 'help', 'invalid']).toContain(r.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on word soup built from the grammar', () => {
    const word = fc.constantFrom(
      'todobackend',
      'billing',
      'dev',
      'prod',
      'to',
      'status',
      'rollback',
      'lock',
      '--dry-run',
      '--override',
      '"two',
      'words"',
      '“',
      '1.2.3',
      '$(id)',
      '',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        expect(() => parse(words.join(' '))).not.toThrow();
      }),
    );
  });

  it('accepts every valid image tag as a version and refuses anything else', () => {
    const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    fc.assert(
      fc.property(tag, (t) => {
        const r = parse(`todobackend ${t}`);
        expect(r).toMatchObject({ kind: 'command', command: { version: t } });
      }),
    );
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1 })
          .filter(
            (s) => !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s) && !/\s/.test(s) && !s.startsWith('--'),
          ),
        (t) => {
          expect(parse(`todobackend ${t}`).kind).toBe('invalid');
        },
      ),
    );
  });
});
