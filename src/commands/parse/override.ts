import type { UsageKey } from '../usage.js';
import { invalid } from './args.js';

/** Opening quotes and their closing ones: Slack clients may turn "…" into “…”. */
const QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '‘': '’', '«': '»' };
const OVERRIDE_HINT = 'give the reason in quotes: --override "why this cannot wait"';

/** Takes `--override <reason>` out of the tokens: a reason in quotes, or a single word. */
export function takeOverride(
  tokens: readonly string[],
  key: UsageKey = 'deploy',
): { readonly rest: string[]; readonly reason?: string } {
  const at = tokens.indexOf('--override');
  if (at < 0) return { rest: [...tokens] };
  if (tokens.indexOf('--override', at + 1) >= 0) invalid('Give --override once.', key);
  const first = tokens[at + 1];
  if (first === undefined || first.startsWith('--'))
    invalid(`--override needs a reason: ${OVERRIDE_HINT}.`, key);
  const close = QUOTES[first.charAt(0)];
  let last = at + 1;
  let reason = first;
  if (close !== undefined) {
    const closes = (i: number) => tokens[i]!.endsWith(close) && (i > at + 1 || first.length > 1);
    while (last < tokens.length && !closes(last)) last++;
    if (last >= tokens.length) invalid(`The --override reason has no closing quote; ${OVERRIDE_HINT}.`, key);
    reason = tokens
      .slice(at + 1, last + 1)
      .join(' ')
      .slice(1, -1)
      .trim();
  }
  if (reason === '') invalid(`--override needs a reason: ${OVERRIDE_HINT}.`, key);
  if (reason.length > 300) invalid('Keep the --override reason under 300 characters.', key);
  return { rest: [...tokens.slice(0, at), ...tokens.slice(last + 1)], reason };
}
