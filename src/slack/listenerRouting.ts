import {
  type App,
  type Middleware,
  type AnyMiddlewareArgs,
  onlyActions,
  onlyCommands,
  onlyEvents,
  onlyOptions,
  onlyShortcuts,
  onlyViewActions,
} from '@slack/bolt';

type Listener = readonly unknown[];

/**
 * Bolt's type filters, each with the listener argument it lets through on. A filter passes only
 * when its argument is there, so a listener whose filter's argument is missing cannot run.
 */
const FILTERS: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [onlyCommands, 'command'],
  [onlyActions, 'action'],
  [onlyEvents, 'event'],
  [onlyViewActions, 'view'],
  [onlyShortcuts, 'shortcut'],
  [onlyOptions, 'options'],
]);
const KEYS = [...new Set(FILTERS.values())];

/**
 * Bolt runs every listener's middleware chain for every delivery (a copy of the chain, the
 * arguments spread anew per step) only for the first step, its type filter, to stop all but one.
 * This hands Bolt, for each delivery, only the listeners whose type filter can let it through
 * (and every listener without a known filter), from a last global middleware: Bolt reads its
 * listeners synchronously from that middleware's `next()`. Each kept listener still runs its own
 * filter and constraints, so what runs is what Bolt would run. A middleware added after this one
 * (or a Bolt that reads its listeners otherwise) sees them all, as before.
 */
export function routeListenersByKind(app: App): void {
  const holder = app as unknown as { listeners?: unknown };
  if (!Array.isArray(holder.listeners)) return;
  let all = holder.listeners as Listener[];
  let current: AnyMiddlewareArgs | undefined;
  const cache = new Map<number, { readonly of: number; readonly list: Listener[] }>();
  const forDelivery = (args: AnyMiddlewareArgs): Listener[] => {
    let mask = 0;
    KEYS.forEach((k, i) => {
      if (k in args) mask |= 1 << i;
    });
    const hit = cache.get(mask);
    if (hit?.of === all.length) return hit.list;
    const list = all.filter((l) => {
      const key = FILTERS.get(l[0]);
      return key === undefined || key in args;
    });
    cache.set(mask, { of: all.length, list });
    return list;
  };
  Object.defineProperty(holder, 'listeners', {
    configurable: true,
    enumerable: true,
    get: () => (current === undefined ? all : forDelivery(current)),
    set: (v: Listener[]) => {
      all = v;
      cache.clear();
    },
  });
  const route: Middleware<AnyMiddlewareArgs> = async (args) => {
    current = args;
    let listenersRun: Promise<void>;
    try {
      listenersRun = args.next();
    } finally {
      current = undefined;
    }
    await listenersRun;
  };
  app.use(route);
}
