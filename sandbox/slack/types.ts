import type { StoredFile } from '../slackFiles.js';

/** What the Slack stand-in keeps and is told: its records, its users, its faults. */

export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly at: number;
}

export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string | undefined;
  /** A thread reply also shown in the channel (`reply_broadcast`). */
  readonly broadcast?: boolean | undefined;
  text: string;
  blocks: unknown[];
  readonly user: string;
  edits: number;
  readonly ephemeralTo?: string | undefined;
  /** Files shared with the message (files.completeUploadExternal). */
  readonly files?: readonly StoredFile[] | undefined;
}

export interface SlackUser {
  readonly id: string;
  readonly name: string;
  /** Shown in the sandbox's user switcher. */
  readonly role?: string;
}

export interface SlackGroup {
  id: string;
  handle: string;
  users: string[];
}

export interface SlackStandInOptions {
  readonly users?: readonly SlackUser[];
  readonly groups?: readonly SlackGroup[];
  readonly botUserId?: string;
  /** The app-level token apps.connections.open accepts; any `xapp-` token when unset. */
  readonly appToken?: string;
  /** How long an envelope may wait for its acknowledgement (Slack gives up after 3 s). */
  readonly ackTimeoutMs?: number;
}

/**
 * How a call fails: Slack's `{ ok: false, error }`, an HTTP 500, a 429 with Retry-After (seconds),
 * or an answer that is not what the Web API promises (an HTML error page, an empty body, JSON
 * missing fields), sent as given.
 */
export type SlackFault =
  | string
  | { readonly status: 500 }
  | { readonly status: 429; readonly retryAfter: number }
  | { readonly status: number; readonly raw: string; readonly contentType?: string };

/** A Home tab as views.publish keeps it. */
export type HomeView = Record<string, unknown> & { id: string; hash: string };

/** Socket Mode */

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What Slack sends down the socket for each command, click or event. */
export interface SocketEnvelope {
  readonly envelope_id: string;
  readonly type: EnvelopeType;
  readonly payload: Record<string, unknown>;
  /** True when the acknowledgement may carry the answer (slash commands, view submissions, options). */
  readonly accepts_response_payload: boolean;
  readonly retry_attempt?: number;
  readonly retry_reason?: string;
}

export interface SocketAck {
  readonly envelopeId: string;
  /** The answer sent with the acknowledgement; absent for a plain one. */
  readonly payload?: Record<string, unknown> | undefined;
  /** Milliseconds from delivery to acknowledgement. */
  readonly ms: number;
}
