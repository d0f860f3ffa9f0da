import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InboundDeps } from './receive.js';
import { receiveEnvelope } from './receive.js';

const LIMIT = 256 * 1024;

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? undefined : v;
};

/** POST /sns. SNS sends text/plain; the raw body is read here whatever the Content-Type says. */
export function snsRoute(deps: InboundDeps) {
  return {
    path: '/sns',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      const answer = (status: number, reason: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(reason);
      };
      void (async () => {
        const raw = await readBody(req);
        if (raw === undefined) return answer(413, 'too large');
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          deps.logger.warn('SNS message refused', { status: 400, reason: 'body is not JSON' });
          return answer(400, 'body is not JSON');
        }
        const r = await receiveEnvelope(deps, json, {
          type: header(req, 'x-amz-sns-message-type'),
          topic: header(req, 'x-amz-sns-topic-arn'),
        });
        answer(r.status, r.reason);
      })().catch((e: unknown) => {
        deps.logger.error('SNS route failed', { error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) answer(500, 'error');
      });
    },
  };
}
