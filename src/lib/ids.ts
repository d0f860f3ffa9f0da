import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Short, readable, unguessable ids: `dep-7k2m9x4q`. Lowercase and a prefix other than `d-`, so a
 * request id never looks like a CodeDeploy deployment id (`d-` and nine capitals or digits).
 */
export function newId(prefix: string, length = 8): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return `${prefix}-${s}`;
}
