import { describe, expect, it } from 'vitest';
import type { FreezeWindow } from '../../src/domain/catalog.js';
import { cronProblem, formatInstant, isTimeZone, nextWindow, openWindow } from '../../src/domain/freeze.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

/** Friday 18:00 in Paris until Monday 08:00 (62 hours). In December Paris is UTC+1. */
const weekend: FreezeWindow = {
  name: 'weekend',
  cron: '0 18 * * 5',
  durationMs: 62 * H,
  timezone: 'Europe/Paris',
};

describe('openWindow', () => {
  it.each([
    ['2026-12-18T16:59:00Z', undefined],
    ['2026-12-18T17:00:00Z', '2026-12-21T07:00:00Z'],
    ['2026-12-20T12:00:00Z', '2026-12-21T07:00:00Z'],
    ['2026-12-21T06:59:59Z', '2026-12-21T07:00:00Z'],
    ['2026-12-21T07:00:00Z', undefined],
    ['2026-12-23T12:00:00Z', undefined],
  ])('at %s the weekend freeze ends at %s', (now, end) => {
    const open = openWindow([weekend], at(now));
    expect(open?.endsAt).toBe(end === undefined ? undefined : at(end));
    if (open) expect(open).toMatchObject({ name: 'weekend', startedAt: at('2026-12-18T17:00:00Z') });
  });

  it('opens at local time in its time zone, across a change to summer time', () => {
    // Paris is UTC+2 in July: the same Friday 18:00 opens at 16:00 UTC.
    expect(openWindow([weekend], at('2026-07-03T15:59:00Z'))).toBeUndefined();
    expect(openWindow([weekend], at('2026-07-03T16:00:00Z'))?.endsAt).toBe(at('2026-07-06T06:00:00Z'));
  });

  it('counts windows that overlap or follow on at once as one freeze', () => {
    const monday: FreezeWindow = { name: 'monday', cron: '0 0 * * 1', durationMs: 24 * H, timezone: 'UTC' };
    const tuesday: FreezeWindow = { name: 'tuesday', cron: '0 0 * * 2', durationMs: 24 * H, timezone: 'UTC' };
    const open = openWindow([monday, tuesday], at('2026-12-21T12:00:00Z'));
    expect(open).toMatchObject({ name: 'monday', endsAt: at('2026-12-23T00:00:00Z') });
    const christmas: FreezeWindow = {
      name: 'christmas',
      cron: '0 12 20 12 *',
      durationMs: 10 * 24 * H,
      timezone: 'UTC',
    };
    // Inside the weekend freeze, Christmas (until 30 December noon) is what holds things back longest.
    expect(openWindow([weekend, christmas], at('2026-12-20T12:00:00Z'))).toMatchObject({
      name: 'christmas',
      endsAt: at('2026-12-30T12:00:00Z'),
    });
  });

  it('says nothing without freezes', () => {
    expect(openWindow([], Date.now())).toBeUndefined();
    expect(nextWindow([], Date.now())).toBeUndefined();
  });
});

describe('nextWindow', () => {
  it('is the next opening when no freeze is in force', () => {
    expect(nextWindow([weekend], at('2026-12-16T10:00:00Z'))).toEqual({
      name: 'weekend',
      timezone: 'Europe/Paris',
      startsAt: at('2026-12-18T17:00:00Z'),
      endsAt: at('2026-12-21T07:00:00Z'),
    });
  });

  it('is the one after the freeze in force', () => {
    expect(nextWindow([weekend], at('2026-12-19T10:00:00Z'))?.startsAt).toBe(at('2026-12-25T17:00:00Z'));
  });

  it('picks the earliest of several', () => {
    const release: FreezeWindow = {
      name: 'release day',
      cron: '0 9 17 12 *',
      durationMs: 2 * H,
      timezone: 'UTC',
    };
    expect(nextWindow([weekend, release], at('2026-12-16T10:00:00Z'))).toMatchObject({
      name: 'release day',
      startsAt: at('2026-12-17T09:00:00Z'),
      endsAt: at('2026-12-17T11:00:00Z'),
    });
  });
});

describe('cronProblem', () => {
  it.each(['0 18 * * 5', '*/15 9-17 * * MON-FRI', '0 0 24 12 *', '0 18 * * THU'])('accepts %s', (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });

  it.each([
    ['0 0 18 * * 5', /5 fields.*not 6/],
    ['0 18 * *', /5 fields.*not 4/],
    ['@weekly', /5 fields.*not 1/],
    ['H 18 * * 5', /must not use H/],
    ['61 18 * * 5', /not a cron expression: .*61/],
    ['0 18 31 2 *', /not a cron expression/],
    ['0 18 * * funday', /not a cron expression/],
  ])('refuses %s', (cron, problem) => {
    expect(cronProblem(cron)).toMatch(problem);
  });
});

describe('time zones and dates for people', () => {
  it('knows IANA names', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('writes an instant in the freeze’s own time zone', () => {
    expect(formatInstant(at('2026-12-21T07:00:00Z'), 'Europe/Paris')).toBe('Mon 21 Dec 2026, 08:00 CET');
    expect(formatInstant(at('2026-12-21T07:00:00Z'), 'UTC')).toBe('Mon 21 Dec 2026, 07:00 UTC');
  });
});
