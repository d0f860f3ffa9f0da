import { isImageTag } from '../../domain/version.js';
import { closest } from '../../lib/closest.js';
import type { Names } from '../command.js';
import type { UsageKey } from '../usage.js';

/** Reading one word of `/deploy` text: an app, an environment, a version, a request id. */

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/;

/** Internal to the parser: unwinds to parseCommand, which turns it into a result. */
export class Invalid extends Error {
  constructor(
    message: string,
    readonly usageKey: UsageKey,
  ) {
    super(message);
  }
}

export function invalid(message: string, key: UsageKey): never {
  throw new Invalid(message, key);
}

/**
 * What was typed, quoted exactly (clipped when long). In a code span Slack shows `*`, `_` and `~`
 * as they are; text with a backtick of its own is quoted instead. The view escapes `&`, `<`, `>`.
 */
export function show(s: string): string {
  const clipped = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return clipped.includes('`') ? `"${clipped}"` : `\`${clipped}\``;
}

export function resolveApp(names: Names, app: string | undefined, key: UsageKey) {
  if (app === undefined) invalid('Which app? Name one.', key);
  const found = names.apps.find((a) => a.name === app);
  if (found) return found;
  const hint = closest(
    app,
    names.apps.map((a) => a.name),
  );
  const known = names.apps.map((a) => a.name).join(', ');
  invalid(
    hint
      ? `Unknown app ${show(app)}. Did you mean ${hint}?`
      : `Unknown app ${show(app)}. Known apps: ${known}.`,
    key,
  );
}

export function resolveEnv(
  app: Names['apps'][number],
  env: string | undefined,
  key: UsageKey,
  required: boolean,
): string {
  if (env === undefined) {
    if (required) invalid(`Which environment of ${app.name}? One of: ${app.envs.join(', ')}.`, key);
    const first = app.envs[0];
    if (first === undefined) invalid(`${app.name} has no environments configured.`, key);
    return first;
  }
  if (app.envs.includes(env)) return env;
  const hint = closest(env, app.envs);
  invalid(
    hint
      ? `${app.name} has no environment ${show(env)}. Did you mean ${hint}?`
      : `${app.name} has no environment ${show(env)}. Its environments: ${app.envs.join(', ')}.`,
    key,
  );
}

export function version(v: string | undefined, key: UsageKey): string {
  if (v === undefined) invalid('Which version? Give the image tag to deploy.', key);
  if (!isImageTag(v)) {
    invalid(
      `${show(v)} is not an image tag: use letters, digits, "_", "." and "-" (not starting with "." or "-"), at most 128 characters.`,
      key,
    );
  }
  return v;
}

export function requestId(id: string | undefined, key: UsageKey): string {
  if (id === undefined) invalid('Which request? Give its id (shown on the approval message).', key);
  if (!REQUEST_ID.test(id)) invalid(`${show(id)} is not a request id.`, key);
  return id;
}

export function noMore(rest: readonly string[], key: UsageKey): void {
  if (rest.length > 0) invalid(`Unexpected ${show(rest.join(' '))}.`, key);
}

/** The remaining words as one text (a reason), undefined when there are none. */
export function rest(tokens: readonly string[]): string | undefined {
  const s = tokens.join(' ').trim();
  return s === '' ? undefined : s;
}
