/** An object whose every member is a method answering a promise: it can be called before it exists. */
export type AsyncMethods<T> = { readonly [K in keyof T]: (...args: never[]) => Promise<unknown> };

/** Every method name of `T`, once: the compiler refuses a list that misses one. */
export type MethodList<T> = { readonly [K in keyof T]-?: true };

/**
 * `T`, made on the first call of any of its methods: `load` runs once (a failed load is tried again
 * on the next call), then every call goes to what it made. Capstan's AWS ports load their SDK
 * client this way, so start-up does not pay for clients a deployment may never use.
 */
/** How each object lazy() made is loaded: warm() starts it. */
const loaders = new WeakMap<object, () => Promise<unknown>>();

/** Loads what lazy() made for `port` now, so its first call does not wait; any other object: nothing. */
export async function warm(port: object): Promise<void> {
  await loaders.get(port)?.();
}

export function lazy<T extends AsyncMethods<T>>(load: () => Promise<T>, methods: MethodList<T>): T {
  let made: T | undefined;
  let loading: Promise<T> | undefined;
  const get = (): Promise<T> =>
    (loading ??= load().then(
      (m) => (made = m),
      (e: unknown) => {
        loading = undefined;
        throw e;
      },
    ));
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    const call = (m: T, args: unknown[]) =>
      (m[name as keyof T] as unknown as (...a: unknown[]) => Promise<unknown>).apply(m, args);
    out[name] = (...args) => (made ? call(made, args) : get().then((m) => call(m, args)));
  }
  loaders.set(out, get);
  return out as unknown as T;
}
