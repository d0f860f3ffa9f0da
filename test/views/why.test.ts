import { describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';

describe('why a deployment ended, cut to fit', () => {
  it('never cuts a mention, date or link in two', () => {
    const cause = {
      kind: 'request.inFlight',
      app: 'todobackend',
      env: 'prod',
      other: { id: 'dep-1', kind: 'deploy', version: '1.2.3', by: 'U0ALICE' },
    } as const;
    const whole = sayWhy({ cause })!;
    const at = whole.indexOf('<@U0ALICE>');
    const cut = sayWhy({ cause }, at + 4)!;
    expect(cut).not.toContain('<@');
    expect(cut.endsWith('…')).toBe(true);
  });

  it('closes a code span it cut open, and never cuts an entity', () => {
    const cause = { kind: 'ecs.serviceEvent', message: 'a & b `c d e f`' } as const;
    const whole = sayWhy({ cause })!;
    const inSpan = sayWhy({ cause }, whole.indexOf('c d') + 2)!;
    expect((inSpan.match(/`/g) ?? []).length % 2).toBe(0);
    const inEntity = sayWhy({ cause }, whole.indexOf('&amp;') + 2)!;
    expect(inEntity).not.toMatch(/&[a-z]*…/);
  });
});
