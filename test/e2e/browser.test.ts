import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/main.js';
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
    // The console stays clean: no error, not even a 404 for /favicon.ico.
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(sb.url);
    await page.getByText('# todobackend-prod').click();
    await page.getByLabel('Acting as').selectOption('U0ALICE');
    await page.getByLabel('Message').fill('/deploy todobackend 1.2.3 to prod');
    await page.getByLabel('Message').press('Enter');

    const approve = page.locator('button[data-action-id="capstan_approve"]');
    await approve.waitFor({ timeout: 15_000 });
    await expect(page.locator('#msgs').innerText()).resolves.toContain('ApplicationImageTag: 1.2.1 → 1.2.3');
    // Who may approve is the user group, shown by its handle as Slack shows <!subteam^…>.
    await expect(
      page.locator('#msgs .mention', { hasText: '@deploy-approvers' }).count(),
    ).resolves.toBeGreaterThan(0);

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
    expect(consoleErrors).toEqual([]);
  });

  it('in an 800 px window: a deploy thread answers @capstan status, permalinks open threads, Home shows what waits', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    await page.goto(sb.url);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#channels').getByText('# todobackend-dev').click();
    await page.getByLabel('Acting as').selectOption('U0ALICE');
    await page.getByLabel('Message').fill('/deploy todobackend 1.3.0');
    await page.getByLabel('Message').press('Enter');
    await page.waitForFunction(
      "/Deploy of todobackend to dev[\\s\\S]*1\\.3\\.0[\\s\\S]*State\\s+succeeded/.test(document.querySelector('#msgs').innerText)",
      undefined,
      { timeout: 20_000 },
    );
    const parent = sb.slack.channelMessages('C0DEV').find((m) => m.text.includes('1.3.0'));
    expect(parent).toBeDefined();

    // Reply in the deploy's thread, mentioning Capstan: the answer lands in that thread.
    await page.locator(`#msgs .msg[data-ts="${parent!.ts}"] .replies`).click();
    await page.getByLabel('Reply in thread').fill('@capstan status todobackend');
    await page.getByLabel('Reply in thread').press('Enter');
    const answer = await sb.slack.waitFor(() =>
      sb.slack
        .thread('C0DEV', parent!.ts)
        .find((m) => m.user === sb.slack.botUserId && m.text.startsWith('Status:')),
    );
    expect(answer.text).toContain('todobackend/dev: 1.3.0');
    const asked = sb.slack.thread('C0DEV', parent!.ts).find((m) => m.user === 'U0ALICE');
    expect(asked?.text).toBe(`<@${sb.slack.botUserId}> status todobackend`);
    await page.locator('#tmsgs').getByText('todobackend: which version runs where').waitFor();
    await expect(page.locator('#tmsgs').innerText()).resolves.toContain('@capstan status todobackend');
    // Times are shown on every message.
    await expect(page.locator('#tmsgs .msg time').count()).resolves.toBeGreaterThan(1);
    await page.screenshot({ path: `${ARTIFACTS}thread-reply-800.png` });

    // The permalink in an ephemeral reply (history) opens the deploy's thread on the page.
    await page.locator('#closeThread').click();
    await page.getByLabel('Message').fill('/deploy history todobackend dev');
    await page.getByLabel('Message').press('Enter');
    const link = page.locator('#msgs .eph a', { hasText: 'thread' }).first();
    await link.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${ARTIFACTS}channel-800.png` });
    await expect(page.locator('#thread.open').count()).resolves.toBe(0);
    await link.click();
    await page.locator('#thread.open').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/archives\/C0DEV\/p\d+$/);
    await page.locator('#tmsgs').getByText('@capstan status todobackend').waitFor();
    await page.locator(`#tmsgs .msg.hl[data-ts="${parent!.ts}"]`).waitFor();

    // Opening a permalink address directly does the same.
    await page.goto(`${sb.url}/archives/C0DEV/p${parent!.ts.replace('.', '')}`);
    await page.locator('#tmsgs').getByText('@capstan status todobackend').waitFor();

    // Files Capstan shares show on the page: the stats chart as an image, the history CSV as a download.
    await page.goto(sb.url);
    await page.locator('#channels').getByText('# todobackend-dev').click();
    await page.getByLabel('Message').fill('/deploy stats todobackend dev');
    await page.getByLabel('Message').press('Enter');
    await page.waitForFunction(
      "[...document.querySelectorAll('#msgs .block.file img')].some((i) => i.complete && i.naturalWidth > 0)",
      undefined,
      { timeout: 10_000 },
    );
    await page.getByLabel('Message').fill('/deploy history todobackend dev --csv');
    await page.getByLabel('Message').press('Enter');
    const csv = page.locator('#msgs .block.file a[download]').last();
    await csv.waitFor({ timeout: 10_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), csv.click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    await page.screenshot({ path: `${ARTIFACTS}shared-files-800.png` });

    // A release waits for bob: his Home tab lists it, and its link opens the review's thread.
    await page.goto(sb.url);
    await page.locator('#channels').getByText('# todobackend-prod').click();
    await page.getByLabel('Acting as').selectOption('U0ALICE');
    await page.getByLabel('Message').fill('/deploy todobackend 1.2.2 to prod');
    await page.getByLabel('Message').press('Enter');
    await page.locator('button[data-action-id="capstan_approve"]').last().waitFor({ timeout: 15_000 });
    await page.getByLabel('Acting as').selectOption('U0BOB');
    await page.locator('#homeLink').click();
    await page.locator('#home').getByText('Waiting for you (1)').waitFor({ timeout: 10_000 });
    const home = await page.locator('#home').innerText();
    expect(home).toContain('Release of todobackend to prod');
    expect(home).toContain('Which version runs where');
    expect(home).toMatch(/dev\s+1\.3\.0/);
    await page.screenshot({ path: `${ARTIFACTS}home-800.png` });
    // alice asked for it: nothing waits for her.
    await page.getByLabel('Acting as').selectOption('U0ALICE');
    await page.locator('#home').getByText('Nothing is waiting for your approval.').waitFor();
    await page.getByLabel('Acting as').selectOption('U0BOB');
    await page.locator('#home').getByText('Review and approve').click();
    await page.locator('#thread.open').waitFor();
    await expect(page.locator('#top').innerText()).resolves.toBe('# todobackend-prod');
    await page.screenshot({ path: `${ARTIFACTS}permalink-800.png` });
    expect(sb.slack.homeViews.get('U0BOB')?.type).toBe('home');
  });
});
