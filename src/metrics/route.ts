import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CapstanMetrics } from './metrics.js';

/** `GET /metrics` for Prometheus, served beside /healthz (a Bolt custom route by shape). */
export function metricsRoute(metrics: CapstanMetrics, onError: (e: unknown) => void) {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      metrics.render().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        },
        (e: unknown) => {
          onError(e);
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics unavailable\n');
        },
      );
    },
  };
}
