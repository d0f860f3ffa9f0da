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
  return new ArrayCutter(raw, Buffer.from(key), kept, keep).cut();
}

/** One pass of cutArrays over the text: where it is, and what it keeps. */
class ArrayCutter {
  private readonly parts: Buffer[] = [];
  private from = 0;
  private depth = 0;
  /** Depth inside the array being cut; -1: none. */
  private target = -1;
  private elements = 0;
  /** Where the element being read began; -1: between elements. */
  private elementAt = -1;
  /** Where the `[` of the array being cut is. */
  private openAt = -1;
  /** Start and end of each element kept. */
  private keptAt: number[] = [];
  private changed = false;
  private anyCut = false;
  /** Just read `"<key>"`, waiting for `:` then `[`. */
  private afterKey = false;
  private colon = false;

  constructor(
    private readonly raw: Buffer,
    private readonly name: Buffer,
    private readonly kept: number,
    private readonly keep: ElementFilter | undefined,
  ) {}

  cut(): Buffer {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i++) {
      const b = raw[i]!;
      if (this.depth === this.target && this.elementAt === -1 && !isSpace(b) && !isClose(b) && b !== COMMA)
        this.elementAt = i;
      if (b === QUOTE) {
        i = this.string(i);
        if (i >= raw.length) return raw;
        continue;
      }
      if (isSpace(b)) continue;
      if (this.afterKey && !this.colon && b === COLON) {
        this.colon = true;
        continue;
      }
      const opensTarget = this.afterKey && this.colon && b === 0x5b;
      this.afterKey = false;
      if (isOpen(b)) this.open(i, opensTarget);
      else if (isClose(b)) {
        if (!this.close(i)) return raw;
      } else if (b === COMMA && this.depth === this.target) this.endElement(i);
    }
    if (this.depth !== 0 || this.target !== -1 || !this.anyCut) return raw;
    this.parts.push(raw.subarray(this.from));
    return Buffer.concat(this.parts);
  }

  /** Skips the string whose `"` is at `at` (escapes included): where it closes, or past the end. */
  private string(at: number): number {
    const raw = this.raw;
    const start = at + 1;
    let i = start;
    for (; i < raw.length && raw[i] !== QUOTE; i++) if (raw[i] === BACKSLASH) i++;
    if (i >= raw.length) return i;
    this.afterKey = this.target === -1 && i - start === this.name.length && holds(raw, start, this.name);
    this.colon = false;
    return i;
  }

  private open(i: number, opensTarget: boolean): void {
    this.depth++;
    if (!opensTarget) return;
    this.target = this.depth;
    this.openAt = i;
    this.elements = 0;
    this.keptAt = [];
    this.changed = false;
  }

  /** A `]` or `}` at `i`; false when it closes more than was opened. */
  private close(i: number): boolean {
    if (this.depth === this.target) {
      this.endElement(i);
      if (this.changed) {
        // From after the `[` to the `]`: the elements kept, comma between.
        this.parts.push(this.raw.subarray(this.from, this.openAt + 1));
        for (let k = 0; k < this.keptAt.length; k += 2) {
          if (k > 0) this.parts.push(COMMA_TEXT);
          this.parts.push(this.raw.subarray(this.keptAt[k], this.keptAt[k + 1]));
        }
        this.from = i;
        this.anyCut = true;
      }
      this.target = -1;
    }
    this.depth--;
    return this.depth >= 0;
  }

  /** The element read is over before `end`: kept, or left out. */
  private endElement(end: number): void {
    const start = this.elementAt;
    if (start === -1) return;
    while (end > start && isSpace(this.raw[end - 1])) end--;
    this.elements++;
    if (this.elements <= this.kept && (this.keep === undefined || this.keep(this.raw, start, end)))
      this.keptAt.push(start, end);
    else this.changed = true;
    this.elementAt = -1;
  }
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
