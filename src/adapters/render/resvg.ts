import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { ImageRenderer } from '../../ports/files.js';

/** DejaVu Sans where installed (Debian's fonts-dejavu-core): the same glyphs everywhere it runs. */
const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/**
 * resvg renders without a browser. With no font at all it drops text silently, so a known font file
 * is loaded when present, and the system's fonts otherwise.
 */
export function createResvgRenderer(fontFile = DEJAVU): ImageRenderer {
  const font = existsSync(fontFile)
    ? { loadSystemFonts: false, fontFiles: [fontFile], defaultFontFamily: 'DejaVu Sans' }
    : { loadSystemFonts: true };
  return {
    png(svg) {
      return new Resvg(svg, { font, fitTo: { mode: 'original' } }).render().asPng();
    },
  };
}
