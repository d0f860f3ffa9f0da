import type { AlarmReading } from '../domain/verify.js';

/** CloudWatch alarms, read for verification (adapters/aws/cloudwatch.ts). */
export interface Alarms {
  /**
   * Every alarm (metric and composite) named by `patterns`: exact names, and prefixes ending in `*`.
   * Each alarm once, whichever patterns matched it.
   */
  describe(region: string, patterns: readonly string[]): Promise<readonly AlarmReading[]>;
  /** When (and why) the alarm last entered ALARM at or after `since` (epoch ms), if it did. */
  enteredAlarm(
    region: string,
    name: string,
    since: number,
  ): Promise<{ readonly at: number; readonly reason?: string | undefined } | undefined>;
}
