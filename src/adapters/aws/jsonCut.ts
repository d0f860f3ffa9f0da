/**
 * Reading JSON text as bytes, without building the document: cutting arrays, reading one number,
 * finding a text. Nothing here allocates per byte or per element read, only for what it gives back.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const isOpen = (b: number | undefined) => b === 0x5b || b === 0x7b; // [ {
const isClose = (b: number | undefined) => b === 0x5d || b === 0x7d; // ] }
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Whether `raw` holds `text` from `at` on. */
function holds(raw: Buffer, at: number, text: Buffer): boolean {
  if (at + text.length > raw.length) return false;
  for (let k = 0; k < text.length; k++) if (raw[at + k] !== text[k]) return false;
  return true;
}

/** One element of an array, as the bytes from `start` to `end` of the text. */
export type ElementFilter = (raw: Buffer, start: number, end: number) => boolean;

/**
 * The JSON text with every array under `key` cut to its first `kept` (at least 1) elements, and of
 * those only the ones `keep` accepts, read as bytes without building the document: strings are
 * skipped whole (escapes included), brackets counted outside them. Text that does not close, or
 * that nothing was cut from, is given back as it came.
 */
export function cutArrays(raw: Buffer, key: string, kept: number, keep?: ElementFilter): Buffer {
  const name = Buffer.from(key);
  const parts: Buffer[] = [];
  let from = 0;
  let depth = 0;
  let target = -1; // depth inside the array being cut; -1: none
  let elements = 0;
  let elementAt = -1; // where the element being read began; -1: between elements
  let openAt = -1; // where the `[` of the array being cut is
  let keptAt: number[] = []; // start and end of each element kept
  let changed = false;
  let cut = false;
  let afterKey = false; // just read `"<key>"`, waiting for `:` then `[`
  let colon = false;
  /** The element read is over before `end`: kept, or left out. */
  const endElement = (end: number) => {
    if (elementAt === -1) return;
    while (end > elementAt && isSpace(raw[end - 1])) end--;
    elements++;
    if (elements <= kept && (keep === undefined || keep(raw, elementAt, end))) keptAt.push(elementAt, end);
    else changed = true;
    elementAt = -1;
  };
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (depth === target && elementAt === -1 && !isSpace(b) && !isClose(b) && b !== COMMA) elementAt = i;
    if (b === QUOTE) {
      const start = i + 1;
      for (i = start; i < raw.length && raw[i] !== QUOTE; i++) if (raw[i] === BACKSLASH) i++;
      if (i >= raw.length) return raw;
      afterKey = target === -1 && i - start === name.length && holds(raw, start, name);
      colon = false;
      continue;
    }
    if (isSpace(b)) continue;
    if (afterKey && !colon && b === COLON) {
      colon = true;
      continue;
    }
    const opensTarget = afterKey && colon && b === 0x5b;
    afterKey = false;
    if (isOpen(b)) {
      depth++;
      if (opensTarget) {
        target = depth;
        openAt = i;
        elements = 0;
        keptAt = [];
        changed = false;
      }
    } else if (isClose(b)) {
      if (depth === target) {
        endElement(i);
        if (changed) {
          // From after the `[` to the `]`: the elements kept, comma between.
          parts.push(raw.subarray(from, openAt + 1));
          for (let k = 0; k < keptAt.length; k += 2) {
            if (k > 0) parts.push(COMMA_TEXT);
            parts.push(raw.subarray(keptAt[k], keptAt[k + 1]));
          }
          from = i;
          cut = true;
        }
        target = -1;
      }
      depth--;
      if (depth < 0) return raw;
    } else if (b === COMMA && depth === target) {
      endElement(i);
    }
  }
  if (depth !== 0 || target !== -1 || !cut) return raw;
  parts.push(raw.subarray(from));
  return Buffer.concat(parts);
}

const COMMA_TEXT = Buffer.from(',');

/** A JSON number's text from `start` to `end`, read without making a string of it; NaN if it is none. */
function numberAt(raw: Buffer, start: number, end: number): number {
  let i = start;
  const sign = raw[i] === 0x2d ? -1 : 1;
  if (sign === -1) i++;
  let value = 0;
  let digits = 0;
  let scale = 0;
  for (; i < end && raw[i]! >= 0x30 && raw[i]! <= 0x39; i++, digits++) value = value * 10 + raw[i]! - 0x30;
  if (raw[i] === 0x2e && i < end)
    for (i++; i < end && raw[i]! >= 0x30 && raw[i]! <= 0x39; i++, digits++, scale--)
      value = value * 10 + raw[i]! - 0x30;
  if (digits === 0) return NaN;
  if ((raw[i] === 0x65 || raw[i] === 0x45) && i < end) {
    i++;
    const expSign = raw[i] === 0x2d ? -1 : 1;
    if (raw[i] === 0x2d || raw[i] === 0x2b) i++;
    let exp = 0;
    const from = i;
    for (; i < end && raw[i]! >= 0x30 && raw[i]! <= 0x39; i++) exp = exp * 10 + raw[i]! - 0x30;
    if (i === from) return NaN;
    scale += expSign * exp;
  }
  if (i !== end) return NaN;
  return sign * (scale < 0 ? value / 10 ** -scale : value * 10 ** scale);
}

/**
 * The number under the top-level `key` of the JSON object from `start` to `end` of the text (as
 * JSON 1.1 writes timestamps: seconds since the epoch), or undefined when there is none or it is
 * not a number.
 */
export function topLevelNumber(raw: Buffer, start: number, end: number, key: Buffer): number | undefined {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const b = raw[i]!;
    if (b === QUOTE) {
      const from = i + 1;
      for (i = from; i < end && raw[i] !== QUOTE; i++) if (raw[i] === BACKSLASH) i++;
      if (depth !== 1 || i - from !== key.length || !holds(raw, from, key)) continue;
      let j = i + 1;
      while (j < end && isSpace(raw[j])) j++;
      if (raw[j] !== COLON || j >= end) continue;
      j++;
      while (j < end && isSpace(raw[j])) j++;
      let k = j;
      while (k < end && !isSpace(raw[k]) && raw[k] !== COMMA && !isClose(raw[k])) k++;
      const n = numberAt(raw, j, k);
      return Number.isFinite(n) ? n : undefined;
    }
    if (isOpen(b)) depth++;
    else if (isClose(b)) depth--;
  }
  return undefined;
}

/** Whether the text from `start` to `end` holds `text`. */
export function holdsWithin(raw: Buffer, start: number, end: number, text: Buffer): boolean {
  if (text.length === 0) return true;
  for (let i = start; i + text.length <= end; i++) if (raw[i] === text[0] && holds(raw, i, text)) return true;
  return false;
}
