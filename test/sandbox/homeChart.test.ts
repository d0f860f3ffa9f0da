import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/main.js';
import { RENDER_JS } from '../../sandbox/ui/render.js';
import { decodePng } from '../support/png.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

type Renderer = { renderBlocks(m: { text: string; blocks: unknown[] }): string };
const makeRenderer = runInNewContext(`${RENDER_JS}; makeRenderer`) as (d: () => object) => Renderer;

describe("the sandbox's Home tab chart", () => {
  it('is served by the sandbox’s Capstan at its own address, and the page shows it as an image', async () => {
    sb = await startSandbox({ tickMs: 60, pollMs: 50, deliveryDemo: true });
    expect(await sb.ui.openHome('U0ALICE')).toBe(200);
    const view = await sb.slack.waitFor(() => sb!.slack.homeViews.get('U0ALICE'));
    const [image] = (view.blocks as { type: string; image_url?: string }[]).filter((b) => b.type === 'image');
    expect(image?.image_url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${sb.capstan.port}/charts/[\\w-]+\\.[\\w-]+\\.png$`),
    );
    const r = await fetch(image!.image_url!);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(decodePng(Buffer.from(await r.arrayBuffer()))).toMatchObject({ width: 720, height: 360 });
    const html = makeRenderer(() => ({})).renderBlocks({ text: '', blocks: view.blocks as unknown[] });
    expect(html).toContain(`<img src="${image!.image_url}"`);
  });
});
