import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/main.js';
import { fastSandbox } from './sandbox.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let sb: Sandbox;
let browser: Browser;

beforeAll(async () => {
  sb = await fastSandbox();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await sb?.stop();
});

describe('the sandbox page in a real browser', () => {
  it('runs a production release by clicks: the requester is refused, a second person approves, the release succeeds', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await page.goto(sb.url);
    await page.getByText('# todobackend-prod').click();
    await page.getByLabel('Acting as').selectOption('U0ALICE');
    await page.getByLabel('Message').fill('/deploy todobackend 1.2.3 to prod');
    await page.getByLabel('Message').press('Enter');

    const approve = page.locator('button[data-action-id="capstan_approve"]');
    await approve.waitFor({ timeout: 15_000 });
    await expect(page.locator('#msgs').innerText()).resolves.toContain('ApplicationImageTag: 1.2.1 → 1.2.3');

    await approve.click();
    await expect(page.locator('#dialog').innerText()).resolves.toContain('Approve this change?');
    await page.locator('#go').click();
    await page
      .getByText('You asked for this change, so someone else has to approve it.')
      .waitFor({ timeout: 10_000 });

    await page.getByLabel('Acting as').selectOption('U0BOB');
    await approve.click();
    await page.locator('#go').click();
    await page.waitForFunction(
      "/Release of todobackend to prod[\\s\\S]*State\\s+succeeded/.test(document.querySelector('#msgs').innerText)",
      undefined,
      { timeout: 15_000 },
    );
    await expect(approve.count()).resolves.toBe(0);

    await page.locator('#msgs .replies').first().click();
    await page.locator('#tmsgs').getByText('UPDATE_COMPLETE').first().waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}release-journey.png` });
    expect(sb.aws.count('cloudformation', 'ExecuteChangeSet')).toBe(1);
  });
});
