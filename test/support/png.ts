import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** CRC-32 as PNG computes it over a chunk's type and data. */
function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Decodes a PNG far enough to prove it is one: signature, every chunk's CRC, IHDR, and the IDAT
 * stream inflating to exactly one filter byte plus one row of pixels per line. Throws otherwise.
 */
export function decodePng(png: Buffer): {
  width: number;
  height: number;
  colourType: number;
  rows: Buffer[];
} {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG signature');
  let at = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  for (;;) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    const type = typeAndData.subarray(0, 4).toString('ascii');
    if (png.readUInt32BE(at + 8 + length) !== crc32(typeAndData)) throw new Error(`bad CRC in ${type}`);
    const data = typeAndData.subarray(4);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (!ihdr) throw new Error('no IHDR');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const depth = ihdr[8]!;
  const colourType = ihdr[9]!;
  const stride = Math.ceil((width * (CHANNELS[colourType] ?? 0) * depth) / 8);
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (1 + stride))
    throw new Error(`pixel data is ${raw.length} bytes, not ${height * (1 + stride)}`);
  const rows = Array.from({ length: height }, (_, y) =>
    raw.subarray(y * (1 + stride), (y + 1) * (1 + stride)),
  );
  return { width, height, colourType, rows };
}
