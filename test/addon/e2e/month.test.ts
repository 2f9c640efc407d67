/**
 * The sidebar's Month view end to end: the real build in headless Chromium, google.script.run bridged to the
 * bundle on the in-memory spreadsheet. The figures shown must equal sums computed here from the fixture
 * credits; the chart is inline SVG (one bar per period, one segment per status with an amount); nothing is
 * requested from anywhere but the bridge. Screenshot: sidebar-month.png (see sidebar.test.ts for where).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { displayMoney } from '../../../core/money';
import { startBridgeServer } from './harness/bridge-server';
import { launchChromium } from './harness/chromium';
import { buildAddon, CREDITS, openCreditDesk, REPO_ROOT } from './harness/credit-desk';

const SCREENSHOTS = path.resolve(
  REPO_ROOT,
  process.env.SIDEBAR_SCREENSHOTS_DIR || path.join(os.tmpdir(), 'credit-desk-sidebar-screenshots'),
);

let browser: Browser;
let built: ReturnType<typeof buildAddon>;
let buildDir = '';

beforeAll(async () => {
  buildDir = mkdtempSync(path.join(os.tmpdir(), 'credit-desk-e2e-month-'));
  built = buildAddon(buildDir);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

const money = (minor: number) => displayMoney(minor, 'USD').replace(' USD', '');

describe('Month view in Chromium against the built add-on', () => {
  it('shows the period figures, equal to sums of the credits, and a small inline SVG chart', async () => {
    const desk = openCreditDesk(built.codePath, built.sidebarHtml);
    const bridge = await startBridgeServer(built.sidebarHtml, desk.call);
    const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(bridge.url.replace(/\/[^/]*$/, ''))) foreign.push(r.url());
    });
    try {
      await page.goto(bridge.url);
      await page.getByRole('button', { name: 'Show month' }).click();
      const result = page.locator('#month-result');
      await result.getByText('Billing period 2025-05').waitFor({ timeout: 10000 });

      const total = CREDITS.reduce((n, c) => n + c.amount, 0);
      const pending = CREDITS.filter((c) => c.status === 'PENDING_ASSIGN').reduce((n, c) => n + c.amount, 0);
      const processing = CREDITS.filter((c) => c.status === 'PROCESSING').reduce((n, c) => n + c.amount, 0);
      expect(pending + processing).toBe(total);
      const byStatus = result.locator('table').first();
      expect(await byStatus.locator('caption').textContent()).toBe(
        `USD: ${CREDITS.length} credits, ${money(total)}`,
      );
      const rows = await byStatus.locator('tbody tr').allTextContents();
      expect(rows).toEqual([
        `Pending${CREDITS.length - 1}${money(pending)}`,
        'Assigned00.00',
        `Processing1${money(processing)}`,
        'Processed00.00',
      ]);
      // The processing credit is "customer 100%": all of it passed to Acme Corp, nothing kept.
      const passed = await result.locator('table').nth(1).locator('tbody tr').allTextContents();
      expect(passed).toEqual([`customer Acme Corp1${money(processing)} USD`, 'Distributor keeps10.00 USD']);
      const files = await result.locator('table').nth(2).locator('tbody tr').allTextContents();
      expect(files).toEqual([`UF-2025-05-01 (PROCESSING)1${money(processing)} USD`]);

      const chart = result.locator('svg.month-chart');
      expect(await chart.getAttribute('aria-label')).toBe('Amount by period and status (USD)');
      const segments = chart.locator('rect');
      expect(await segments.count()).toBe(2);
      const heights = await segments.evaluateAll((rs) =>
        rs.map((r) => [r.getAttribute('data-status'), Number(r.getAttribute('height'))]),
      );
      const [p, q] = heights as [string, number][];
      expect(p[0]).toBe('PENDING_ASSIGN');
      expect(q[0]).toBe('PROCESSING');
      // Heights in proportion to the amounts.
      expect(p[1] / q[1]).toBeCloseTo(pending / processing, 2);

      await page.locator('#month-panel').evaluate((e) => e.scrollIntoView());
      await page.locator('#month-panel').screenshot({ path: path.join(SCREENSHOTS, 'sidebar-month.png') });
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
      await bridge.close();
    }
  });
});
