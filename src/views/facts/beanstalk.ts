import type { BeanstalkFact } from '../../domain/facts/beanstalk.js';
import { shortDigest } from '../../domain/version.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

const where = (f: { environment: string; application: string; region: string }) =>
  `Elastic Beanstalk environment ${escape(f.environment)} of ${escape(f.application)} (${escape(f.region)})`;

/** "Red (Severe)": the health, and the enhanced health status where there is one. */
const health = (f: { health?: string | undefined; healthStatus?: string | undefined }) =>
  `${escape(f.health ?? 'unknown')}${f.healthStatus ? ` (${escape(f.healthStatus)})` : ''}`;

const code = (s: string) => `\`${escape(s)}\``;

function mark(severity: string): string {
  if (severity === 'ERROR' || severity === 'FATAL') return ':x:';
  return severity === 'WARN' ? ':warning:' : ':information_source:';
}

/**
 * Thread lines are mrkdwn; refusals, reasons and what is missing are sentences (the tracker and
 * the ledger build on them), with only what came from outside escaped.
 */
export const beanstalkWords: Words<BeanstalkFact> = {
  'beanstalk.event': (f) => `${mark(f.severity)} ${escape(f.message)}`,
  'beanstalk.eventsOmitted': (f) => `_…${f.count} earlier events are in the Elastic Beanstalk console._`,
  'beanstalk.putBack': (f) =>
    `:rewind: Elastic Beanstalk put environment ${code(f.environment)} back on ${code(f.label)}.`,
  'beanstalk.reusingVersion': (f) =>
    `Reusing application version ${code(f.label)} (${code(`s3://${f.bucket}/${f.key}`)}).`,
  'beanstalk.versionCreated': (f) =>
    `Wrote ${code(`s3://${f.bucket}/${f.key}`)} pinning ${code(f.image)} and created application version ${code(f.label)}.`,
  'beanstalk.updating': (f) =>
    `Elastic Beanstalk is updating environment ${code(f.environment)} to ${code(f.label)}${f.requestId ? ` (request ${code(f.requestId)})` : ''}.`,
  'beanstalk.versionAppeared': (f) =>
    `Application version ${code(f.label)} of ${escape(f.application)} appeared since the review with another bundle: request the deploy again.`,
  'beanstalk.tagTooLong': (f) =>
    `Tag ${code(f.tag)} is longer than the ${f.max} characters of an Elastic Beanstalk version label.`,
  'beanstalk.tagMoved': (f) =>
    `Tag ${code(f.tag)} now names ${escape(shortDigest(f.digest))}, not ${escape(shortDigest(f.requested))} as requested: request the deploy again.`,
  'beanstalk.versionsTaken': (f) =>
    `Application versions ${f.labels.map(code).join(' and ')} of ${escape(f.application)} already exist with another image; delete one or push a new tag.`,
  'beanstalk.environmentNotFound': (f) => `${where(f)} was not found.`,
  'beanstalk.environmentNotReady': (f) =>
    `${where(f)} is ${escape(f.status)}, not Ready (health ${health(f)}): wait until its current operation ends, then deploy again.`,
  'beanstalk.environmentGone': (f) =>
    `${where(f)} ${f.status ? `is ${escape(f.status)}` : 'no longer exists'}`,
  'beanstalk.updateError': (f) => escape(f.message),
  'beanstalk.revertedSilently': (f) =>
    `Environment ${escape(f.environment)} is Ready on ${escape(f.label)} again without reporting an error for ${escape(f.deployed)}.`,
  'beanstalk.unhealthy': (f) =>
    `Environment ${escape(f.environment)} runs ${escape(f.label)} with health ${health(f)}.`,
  'beanstalk.health': (f) => `health ${health(f)}`,
};
