import { describe, expect, it } from 'vitest';
import { reportAlarmConfig } from '../../src/compose/alarmConfig.js';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import type { Logger } from '../../src/lib/logger.js';
import type { Alarms } from '../../src/ports/alarms.js';
import { checkAlarmConfig } from '../../src/usecases/verify/configCheck.js';
import { DEV, MIN } from '../fixtures/deployments.js';

const verifying = (name: string, alarms: string[], region = DEV.target.region): Environment => ({
  ...DEV,
  name,
  target: { ...DEV.target, region },
  verify: { alarms, bakeMs: 10 * MIN, onAlarm: 'rollback' },
});

const catalog = (...environments: Environment[]): Catalog => ({
  apps: [{ name: 'todobackend', environments }],
  admins: [],
  pipelines: [],
});

/** CloudWatch with these alarm names in every region; counts the DescribeAlarms rounds. */
function alarmsNamed(names: string[], fail?: Error) {
  const calls: { region: string; patterns: readonly string[] }[] = [];
  const alarms: Alarms = {
    describe(region, patterns) {
      calls.push({ region, patterns });
      if (fail) return Promise.reject(fail);
      return Promise.resolve(names.map((name) => ({ name, state: 'OK' as const })));
    },
    enteredAlarm: () => Promise.resolve(undefined),
  };
  return { alarms, calls };
}

function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void =>
      void lines.push({ level, msg, ...(fields && { fields }) });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return { logger, lines };
}

describe('verify.alarms checked at start', () => {
  it('names each environment and pattern that matches no alarm, one DescribeAlarms round per region', async () => {
    const { alarms, calls } = alarmsNamed(['todo-5xx', 'todo-latency-p99']);
    const problems = await checkAlarmConfig(
      alarms,
      catalog(
        verifying('live', ['todo-5xx', 'todo-latency-*']),
        verifying('watched', ['todo-5xx', 'todo-typo']),
        { ...DEV, name: 'plain' },
      ),
    );
    expect(problems).toEqual([
      {
        kind: 'unmatched',
        app: 'todobackend',
        env: 'watched',
        region: DEV.target.region,
        patterns: ['todo-typo'],
      },
    ]);
    expect(calls).toEqual([
      { region: DEV.target.region, patterns: ['todo-5xx', 'todo-latency-*', 'todo-typo'] },
    ]);
  });

  it('says which environments it could not read, and logs the mistake as an error at start', async () => {
    const denied = alarmsNamed([], new Error('AccessDenied: cloudwatch:DescribeAlarms'));
    const [problem] = await checkAlarmConfig(denied.alarms, catalog(verifying('live', ['todo-5xx'])));
    expect(problem).toMatchObject({ kind: 'unreadable', env: 'live' });
    expect(problem?.kind === 'unreadable' && problem.error).toContain('cloudwatch:DescribeAlarms');
    const { logger, lines } = recordingLogger();
    await reportAlarmConfig(
      alarmsNamed(['todo-5xx']).alarms,
      catalog(verifying('live', ['todo-typo*'])),
      logger,
    );
    expect(lines.map((l) => [l.level, l.fields?.env, l.fields?.patterns])).toEqual([
      ['error', 'live', ['todo-typo*']],
    ]);
  });

  it('reads nothing where no environment verifies', async () => {
    const { alarms, calls } = alarmsNamed([]);
    const { logger, lines } = recordingLogger();
    await reportAlarmConfig(alarms, catalog(DEV), logger);
    expect([calls, lines]).toEqual([[], []]);
  });
});
