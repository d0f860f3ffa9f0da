import type { Deployment } from '../domain/deployment.js';
import { ago } from './message.js';

/**
 * How long a request took, with the wait for people apart from the change itself: a change that
 * ran 4 s after a minute of waiting for approval took 4 s, and waited a minute. A request that was
 * rejected or expired never ran: it only waited (as one still waiting has so far).
 */
export function timeSpent(d: Deployment, end: number): { ran?: number; waited?: number } {
  if (d.state === 'rejected' || d.state === 'expired' || d.state === 'awaiting_approval')
    return { waited: end - d.createdAt };
  if (d.approvals.length === 0) return { ran: end - d.createdAt };
  const approvedAt = Math.max(...d.approvals.map((a) => a.at));
  return { ran: end - approvedAt, waited: approvedAt - d.createdAt };
}

/** Took "4s", "4s (waited 1m 7s for approval)"; or Waited "1m 59s for approval" when nothing ran. */
export function tookText(d: Deployment, end: number): { label: 'Took' | 'Waited'; text: string } {
  const { ran, waited } = timeSpent(d, end);
  if (ran === undefined) return { label: 'Waited', text: `${ago(waited ?? 0)} for approval` };
  const wait = waited === undefined ? '' : ` (waited ${ago(waited)} for approval)`;
  return { label: 'Took', text: `${ago(ran)}${wait}` };
}

/** As a phrase: "took 4s (waited 1m 7s for approval)", "waited 1m 59s for approval". */
export function tookPhrase(d: Deployment, end: number): string {
  const took = tookText(d, end);
  return `${took.label.toLowerCase()} ${took.text}`;
}
