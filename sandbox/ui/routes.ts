import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAVICON_SVG, PAGE } from './page.js';

/** What the sandbox page can ask for (SlackBridge does each). */
export interface PageActions {
  state(user: string): unknown;
  command(user: string, channel: string, text: string): Promise<number>;
  click(
    user: string,
    channel: string,
    ts: string,
    actionId: string,
    value: string,
    blockId: string,
  ): Promise<number>;
  submitView(user: string, values: Record<string, Record<string, string>>): Promise<number>;
  message(user: string, channel: string, typed: string, threadTs?: string): Promise<number>;
  openHome(user: string): Promise<number>;
}

type Input = Record<string, string>;

/** Each `/ui/…` route: what it does with the page's JSON body, answered as `{ status }`. */
function uiRoutes(ui: PageActions, startPipeline: (() => string) | undefined) {
  return new Map<string, (input: Input, url: URL) => unknown>([
    ['/ui/state', (_, url) => ui.state(url.searchParams.get('user') ?? '')],
    ['/ui/command', async (i) => ({ status: await ui.command(i.user ?? '', i.channel ?? '', i.text ?? '') })],
    [
      '/ui/click',
      async (i) => ({
        status: await ui.click(
          i.user ?? '',
          i.channel ?? '',
          i.ts ?? '',
          i.actionId ?? '',
          i.value ?? '',
          i.blockId ?? '',
        ),
      }),
    ],
    [
      '/ui/view',
      async (i) => ({
        status: await ui.submitView(
          i.user ?? '',
          JSON.parse(i.values ?? '{}') as Record<string, Record<string, string>>,
        ),
      }),
    ],
    [
      '/ui/message',
      async (i) => ({
        status: await ui.message(i.user ?? '', i.channel ?? '', i.text ?? '', i.threadTs || undefined),
      }),
    ],
    ['/ui/home', async (i) => ({ status: await ui.openHome(i.user ?? '') })],
    ['/ui/pipeline', () => ({ execution: startPipeline?.() })],
  ]);
}

/** The page's HTTP routes on the Slack stand-in: true when the request was one of them. */
export function pageRoutes(ui: PageActions, startPipeline: (() => string) | undefined) {
  const routes = uiRoutes(ui, startPipeline);
  return async (req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<boolean> => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // Permalinks (`/archives/<channel>/p<ts>`) open the page, which then shows that message's thread.
    if (
      req.method === 'GET' &&
      (url.pathname === '/' || /^\/archives\/[A-Z0-9]+\/p\d+$/.test(url.pathname))
    ) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return true;
    }
    // The page names its icon inline; this answers a browser that asks anyway (a file opened in its own tab).
    if (req.method === 'GET' && url.pathname === '/favicon.ico') {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
      res.end(FAVICON_SVG);
      return true;
    }
    if (!url.pathname.startsWith('/ui/')) return false;
    const input = raw ? (JSON.parse(raw) as Input) : {};
    const route = routes.get(url.pathname);
    if (route) json(200, await route(input, url));
    else json(404, { error: 'unknown' });
    return true;
  };
}
