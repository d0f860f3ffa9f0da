/**
 * Whether `a` and `b` would be written as the same JSON, up to the order of keys, without writing
 * either: undefined members count as absent (JSON leaves them out), as do functions and symbols
 * inside objects; numbers JSON cannot write (NaN, ±Infinity) are all null. Meant for plain data,
 * such as a ledger record compared before it is written again.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && !Number.isFinite(a)) return sameJson(null, b);
  if (typeof b === 'number' && !Number.isFinite(b)) return sameJson(a, null);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // Written their own way (a Date): compared as written.
  if (hasToJson(a) || hasToJson(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameItem(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let written = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k) || !writes(x[k])) continue;
    written++;
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (Object.hasOwn(y, k) && writes(y[k])) written--;
  return written === 0;
}

const hasToJson = (v: object) => typeof (v as { toJSON?: unknown }).toJSON === 'function';

/** JSON leaves such members of an object out. */
const writes = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';

/** In an array, what JSON leaves out of an object is written as null. */
function sameItem(a: unknown, b: unknown): boolean {
  return sameJson(writes(a) ? a : null, writes(b) ? b : null);
}
