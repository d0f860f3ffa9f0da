import type { ServerResponse } from 'node:http';

/** Reading a Web API request and writing its answer. */

export type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  return m?.[1];
}

/** A form post or a JSON body, as the Web API takes both. */
export function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

export function jsonSender(res: ServerResponse): Send {
  return (status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}
