import fc from 'fast-check';

/** The surrogates (U+D800–U+DFFF), which are not code points of their own: fast-check leaves them out. */
const SURROGATES_FROM = 0xd800;
const SURROGATES = 0x800;
const LAST = 0x10ffff;

/**
 * fast-check's `unit: 'binary'`, the same arbitrary value for value: any code point but a surrogate,
 * numbered in the same order (nat, then U+0000… skipping the surrogates), so a seed draws the same
 * strings and shrinks them the same way. Only the way back from a string to its number differs:
 * fast-check's own builds a table of all 1.1 million code points on first use (about 2 s of CPU in
 * every test process that uses it); this one computes it.
 */
export const codePoint: fc.Arbitrary<string> = fc.nat({ max: LAST - SURROGATES }).map(
  (i) => String.fromCodePoint(i < SURROGATES_FROM ? i : i + SURROGATES),
  (value) => {
    const cp = typeof value === 'string' ? value.codePointAt(0) : undefined;
    if (
      cp === undefined ||
      String.fromCodePoint(cp) !== value ||
      (cp >= SURROGATES_FROM && cp < SURROGATES_FROM + SURROGATES)
    )
      throw new Error('not a single code point');
    return cp < SURROGATES_FROM ? cp : cp - SURROGATES;
  },
);
