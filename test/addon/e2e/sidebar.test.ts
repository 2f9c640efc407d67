/**
 * The sidebar end to end: the real build (dist/Sidebar.html + dist/Code.js) in headless Chromium, with
 * google.script.run bridged to the bundle's top-level functions running on the in-memory spreadsheet.
 *
 * Screenshots go to $SIDEBAR_SCREENSHOTS_DIR (docs/screenshots when refreshing the images in docs/addon.md), else
 * to a temporary folder, so a normal test run writes nothing into the repository.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CREDIT_COLUMNS } from '../../../core/sheet-contract';
import { startBridgeServer, type BridgeServer } from './harness/bridge-server';
import { launchChromium } from './harness/chromium';
import {
  buildAddon,
  HYPERLINK_DESCRIPTION,
  openCreditDesk,
  REPO_ROOT,
  rowOf,
  SCRIPT_DESCRIPTION,
  type CreditDesk,
  type DeskOptions,
} from './harness/credit-desk';

const SCREENSHOTS = path.resolve(
  REPO_ROOT,
  process.env.SIDEBAR_SCREENSHOTS_DIR || path.join(os.tmpdir(), 'credit-desk-sidebar-screenshots'),
);

let browser: Browser;
let built: ReturnType<typeof buildAddon>;
let buildDir = '';
let open: { desk: CreditDesk; bridge: BridgeServer; context: BrowserContext; page: Page } | null = null;

beforeAll(async () => {
  buildDir = mkdtempSync(path.join(os.tmpdir(), 'credit-desk-e2e-build-'));
  built = buildAddon(buildDir);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterEach(async () => {
  if (!open) return;
  await open.context.close();
  await open.bridge.close();
  open = null;
});

afterAll(async () => {
  await browser?.close();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

/** A fresh spreadsheet with `creditId` selected, and the sidebar loaded on it. */
async function openSidebar(creditId: string | null, opts: DeskOptions = {}) {
  const desk = openCreditDesk(built.codePath, built.sidebarHtml, opts);
  if (creditId) desk.select(creditId);
  const bridge = await startBridgeServer(built.sidebarHtml, desk.call);
  const context = await browser.newContext({ viewport: { width: 320, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(bridge.url);
  if (creditId) await waitForText(page.locator('#credit-details'), creditId);
  open = { desk, bridge, context, page };
  return { desk, bridge, page, pageErrors };
}

const exact = { exact: true } as const;
const header = (field: string) => CREDIT_COLUMNS.find((c) => c.field === field)?.header as string;

/** Waits until the locator (one of its matches) contains the text: the sidebar updates asynchronously. */
async function waitForText(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ state: 'attached', timeout: 10000 });
}

describe('sidebar in Chromium against the built add-on', () => {
  it('splits a credit three ways, previews it to the cent and assigns it to the sheet', async () => {
    const { desk, bridge, page, pageErrors } = await openSidebar('CR-SPLIT');

    const customer = page.getByLabel('Customer %', exact);
    const assign = page.getByRole('button', { name: 'Assign', exact: true });
    await customer.fill('120');
    await waitForText(page.locator('#customer-percent-error'), 'over 100 %');
    assertEqual(await customer.getAttribute('aria-invalid'), 'true');
    // Assign is off while a field is invalid, and says why beside it (issue 24).
    assertEqual(await assign.isDisabled(), true);
    assertEqual(await page.locator('#assign-hint').isVisible(), true);
    // 60 % + 60 %: each field is valid, the total is not.
    await customer.fill('60');
    await page.getByLabel('Reseller %', exact).fill('60');
    await waitForText(page.locator('#total-error'), 'over 100 %');
    assertEqual(await assign.isDisabled(), true);

    await customer.fill('50');
    await page.getByLabel('Reseller %', exact).fill('30');
    await page.getByRole('button', { name: 'Add target' }).click();
    await page.getByLabel('Target 1', exact).selectOption('CUST-2');
    await page.getByLabel('Share type 1', exact).selectOption('amount');
    await page.getByLabel('Value 1', exact).fill('100.00');

    // 1234.57 USD: 50 % = 617.285 and 30 % = 370.371 round by largest remainder to 617.29 and 370.37;
    // the distributor's 20 % (246.914 → 246.91) less the fixed 100.00 leaves 146.91.
    const text = 'customer 50%, reseller 30%, customer CUST-2 100.00';
    assertEqual(await page.locator('#allocation-text').textContent(), text);
    const preview = await page.locator('#preview-rows tr').allTextContents();
    assertEqual(preview, [
      'Customer Acme Corp50 %617.29 USD',
      'Reseller Best Reseller30 %370.37 USD',
      'Customer Globexfixed100.00 USD',
      'Distributor keeps146.91 USD',
    ]);
    assertEqual(await customer.getAttribute('aria-invalid'), 'false');
    assertEqual(await assign.isDisabled(), false);
    assertEqual(await page.locator('#assign-hint').isVisible(), false);
    await page.locator('#edit-panel').evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sidebar-edit.png') });

    // While the server works: "Working…" in the status region and the buttons disabled.
    const release = bridge.hold();
    await assign.click();
    await waitForText(page.getByRole('status'), 'Working…');
    assertEqual(await assign.isDisabled(), true);
    assertEqual(await page.getByRole('button', { name: 'Refresh' }).isDisabled(), true);
    release();
    await waitForText(page.getByRole('status'), 'Assigned CR-SPLIT');
    assertEqual(await assign.isDisabled(), false);

    assertEqual(desk.cell('CR-SPLIT', header('status')), 'ASSIGNED');
    assertEqual(desk.cell('CR-SPLIT', header('allocation')), text);
    assertEqual(String(desk.cell('CR-SPLIT', header('distributorKeeps'))), '146.91');
    assertEqual(
      bridge.calls.filter((c) => c.fn === 'assignCredit'),
      [{ fn: 'assignCredit', args: ['CR-SPLIT', text] }],
    );
    // After the refresh the editor starts from what was saved, and the badge says Assigned.
    assertEqual(await page.locator('.badge').textContent(), 'Assigned');
    assertEqual(await page.locator('#allocation-text').textContent(), text);
    assertEqual(pageErrors, []);
  });

  it('deletes an assignment only after confirmation', async () => {
    const { desk, page } = await openSidebar('CR-SPLIT');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await waitForText(page.locator('.badge'), 'Assigned');

    await page.getByRole('button', { name: 'Delete assignment' }).click();
    const yes = page.getByRole('button', { name: 'Yes, delete' });
    assertEqual(await page.evaluate(() => document.activeElement?.id), 'confirm-unassign-yes');
    assertEqual(desk.cell('CR-SPLIT', header('status')), 'ASSIGNED');
    await yes.click();
    await waitForText(page.locator('.badge'), 'Pending assignment');
    assertEqual(desk.cell('CR-SPLIT', header('status')), 'PENDING_ASSIGN');
    assertEqual(await page.getByRole('button', { name: 'Delete assignment' }).count(), 0);
  });

  it('previews the rules, enables Apply only for the previewed options, then applies exactly the preview', async () => {
    const { desk, page, bridge } = await openSidebar('CR-EDP-1');
    const apply = page.getByRole('button', { name: 'Apply', exact: true });
    assertEqual(await apply.isDisabled(), true);

    await page.getByLabel('All pending credits').check();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const result = page.locator('#rules-result .preview-result');
    await result.waitFor();
    const expected = (await desk.call('previewRules', ['pending', false])) as {
      credits: number;
      byRule: { ruleId: string; credits: number }[];
    };
    assertEqual(await result.getAttribute('data-credits'), String(expected.credits));
    await waitForText(result, `${expected.credits} credit`);
    const edp = expected.byRule.find((r) => r.ruleId === 'R-1');
    if (!edp) throw new Error('the fixture expects rule R-1 to match the EDP credits');
    await waitForText(result, `R-1 EDP pass-through: ${edp.credits}`);
    // Targets by name, as the Edit preview and the Month view show them (issue 24), the ID in the tooltip.
    const targets = await result.locator('table tbody tr td:first-child').allTextContents();
    assertEqual(targets.includes('Customer Acme Corp'), true);
    assertEqual(targets.includes('Customer Globex'), true);
    assertEqual(targets.includes('Reseller Best Reseller'), true);
    assertEqual(
      targets.filter((t) => /CUST-|RES-/.test(t)),
      [],
    );
    assertEqual(await result.locator('td[title="CUST-2"]').textContent(), 'Customer Globex');
    assertEqual(await apply.isDisabled(), false);
    await page.locator('#bulk-panel').evaluate((e) => e.scrollIntoView());
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sidebar-rules-preview.png') });

    // Changing an option invalidates the preview.
    await page.getByLabel('Also overwrite rows adjusted by hand').check();
    assertEqual(await apply.isDisabled(), true);
    await page.getByLabel('Also overwrite rows adjusted by hand').uncheck();
    assertEqual(await apply.isDisabled(), false);

    // Between the preview and Apply, a teammate assigns CR-EDP-2 by hand in the grid.
    const col = (field: string) => CREDIT_COLUMNS.findIndex((c) => c.field === field) + 1;
    desk.credits._set(rowOf('CR-EDP-2'), col('allocation'), 'reseller 100%');
    desk.credits._set(rowOf('CR-EDP-2'), col('status'), 'ASSIGNED');
    desk.credits._set(rowOf('CR-EDP-2'), col('ruleId'), 'manual');

    await apply.click();
    await page.locator('#rules-result .outcome').waitFor();
    const applyCalls = bridge.calls.filter((c) => c.fn === 'applyRules');
    assertEqual(applyCalls.length, 1);
    assertEqual(applyCalls[0].args.slice(0, 2), ['pending', false]);
    // The preview itself goes back to the server: Apply writes what was shown, not what is selected now.
    assertEqual(typeof applyCalls[0].args[2], 'string');
    assertEqual(desk.cell('CR-EDP-1', header('status')), 'ASSIGNED');
    assertEqual(desk.cell('CR-EDP-1', header('ruleId')), 'R-1');
    assertEqual(desk.cell('CR-EDP-1', header('allocation')), 'customer 80%, reseller 10%');
    // The teammate's allocation stands, and the sidebar says so.
    assertEqual(desk.cell('CR-EDP-2', header('allocation')), 'reseller 100%');
    assertEqual(desk.cell('CR-EDP-2', header('ruleId')), 'manual');
    await waitForText(page.locator('#rules-result .outcome'), '1 changed since the preview');
    await waitForText(page.getByRole('list', { name: 'Not applied: changed since the preview' }), 'CR-EDP-2');
    assertEqual(await apply.isDisabled(), true);
  });

  it('shows a collected credit read-only, and shows the server refusing an assignment that raced the usage process', async () => {
    const { desk, page } = await openSidebar('CR-LOCKED');
    const view = page.locator('#view-panel');
    await waitForText(view, 'UF-2025-05-01');
    await waitForText(view, 'UR-77');
    await waitForText(view, '2025-06-03');
    await waitForText(view, 'locked');
    // Names, as everywhere else (issue 24): the parties, the lines passed on and the rule.
    await waitForText(page.locator('#credit-details'), 'Acme Corp (CUST-1)');
    await waitForText(page.locator('#credit-details'), 'Best Reseller (RES-1)');
    assertEqual(await view.locator('#view-lines tr').allTextContents(), [
      'Customer Acme Corp100 %1234.57 USD',
      'Distributor keeps0.00 USD',
    ]);
    await waitForText(view, 'Set by hand');
    assertEqual(await page.locator('#edit-panel').isHidden(), true);
    assertEqual(await page.getByRole('button', { name: 'Assign', exact: true }).count(), 0);
    assertEqual(await page.getByRole('button', { name: 'Delete assignment' }).count(), 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sidebar-locked.png') });

    // The server's own refusal, through the same bridge the sidebar uses.
    let serverMessage = '';
    try {
      await desk.call('assignCredit', ['CR-LOCKED', 'customer 50%']);
    } catch (err) {
      serverMessage = (err as Error).message;
    }
    if (!serverMessage) throw new Error('assignCredit accepted a PROCESSING credit');
    const fromPage = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const run = (
            window as unknown as { google: { script: { run: Record<string, (...a: unknown[]) => unknown> } } }
          ).google.script.run;
          const r = (run.withSuccessHandler as (f: () => void) => typeof run)(() => resolve('accepted'));
          (
            (r.withFailureHandler as (f: (e: Error) => void) => typeof run)((e: Error) => resolve(e.message))
              .assignCredit as (...a: unknown[]) => void
          )('CR-LOCKED', 'customer 50%');
        }),
    );
    assertEqual(fromPage, serverMessage);

    // The race: the editor is open on a pending credit, then the usage process collects it.
    desk.select('CR-EDP-1');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitForText(page.locator('#credit-details'), 'CR-EDP-1');
    const statusCol = CREDIT_COLUMNS.findIndex((c) => c.field === 'status') + 1;
    desk.credits._set(rowOf('CR-EDP-1'), statusCol, 'PROCESSING');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    const error = page.getByRole('alert');
    await error.waitFor();
    const shown = (await error.textContent()) ?? '';
    if (!/CR-EDP-1/.test(shown)) throw new Error(`the error should name the credit, got: ${shown}`);
    // Beside the Assign button, in view: not in the region at the top of the sidebar (issue 24).
    assertEqual(await error.getAttribute('id'), 'edit-error');
    assertEqual(await page.locator('#error').isHidden(), true);
    const inView = await error.evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    assertEqual(inView, true);
    assertEqual(desk.cell('CR-EDP-1', header('status')), 'PROCESSING');
  });

  it('downloads the filtered rows as CSV: hidden rows left out, formula-like text defused', async () => {
    const { desk, page } = await openSidebar(null);
    const sheet = desk.credits;
    const serviceCol = CREDIT_COLUMNS.findIndex((c) => c.field === 'service') + 1;
    const app = desk.fake.globals.SpreadsheetApp as {
      newFilterCriteria(): { setHiddenValues(v: string[]): { build(): unknown } };
    };
    const filter = sheet.getRange(1, 1, sheet.getLastRow(), sheet.getLastColumn()).createFilter();
    filter.setColumnFilterCriteria(
      serviceCol,
      app.newFilterCriteria().setHiddenValues(['AmazonS3']).build() as never,
    );
    if (!sheet.isRowHiddenByFilter(rowOf('CR-SCRIPT')))
      throw new Error('the fixture filter should hide CR-SCRIPT');
    // A row hidden by hand is left out too (the checkbox is off); a filter view is announced.
    sheet.hideRows(rowOf('CR-EDP-2'));
    sheet._filterViews = ['Only mine'];

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download filtered rows' }).click();
    const download = await downloading;
    const file = await download.path();
    const csv = readFileSync(file, 'utf8');
    if (!/\.csv$/i.test(download.suggestedFilename()))
      throw new Error(`not a CSV name: ${download.suggestedFilename()}`);
    for (const id of ['CR-SPLIT', 'CR-EDP-1', 'CR-LOCKED', 'CR-HYPERLINK'])
      if (!csv.includes(id)) throw new Error(`${id} missing from the CSV`);
    if (csv.includes('CR-SCRIPT')) throw new Error('the row hidden by the filter is in the CSV');
    if (csv.includes('CR-EDP-2')) throw new Error('the row hidden by hand is in the CSV');
    await waitForText(
      page.locator('#tools-result .filter-notice'),
      /filter view \(Only mine\).*sheet's own filter/,
    );
    const quoted = HYPERLINK_DESCRIPTION.replace(/"/g, '""');
    if (!csv.includes(`'${quoted}`))
      throw new Error(`the HYPERLINK description is not prefixed with ': ${csv}`);
    if (new RegExp(`(^|[,\\n"])${escapeRegExp(quoted)}`).test(csv.replace(`'${quoted}`, ''))) {
      throw new Error('an unprefixed =HYPERLINK is in the CSV');
    }
    await waitForText(page.locator('#tools-result'), 'Saved');
  });

  it('downloads a filtered 50,000-row sheet in chunks: exactly the visible rows, one server call per chunk', async () => {
    const extra = 50_000;
    const { desk, bridge, page } = await openSidebar(null, { extraCredits: extra });
    const sheet = desk.credits;
    const serviceCol = CREDIT_COLUMNS.findIndex((c) => c.field === 'service') + 1;
    const app = desk.fake.globals.SpreadsheetApp as {
      newFilterCriteria(): { setHiddenValues(v: string[]): { build(): unknown } };
    };
    sheet
      .getRange(1, 1, sheet.getLastRow(), sheet.getLastColumn())
      .createFilter()
      .setColumnFilterCriteria(
        serviceCol,
        app.newFilterCriteria().setHiddenValues(['AmazonS3']).build() as never,
      );
    const visible: string[] = [];
    for (let r = 2; r <= sheet.getLastRow(); r++)
      if (!sheet.isRowHiddenByFilter(r)) visible.push(String(sheet.getRange(r, 1).getValue()));
    if (visible.length < 30_000)
      throw new Error(`fixture: expected over 30,000 visible rows, got ${visible.length}`);

    bridge.calls.length = 0;
    const downloading = page.waitForEvent('download', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Download filtered rows' }).click();
    const csv = readFileSync(await (await downloading).path(), 'utf8');
    const ids = csv
      .split(/\r?\n/)
      .slice(1)
      .filter(Boolean)
      .map((line) => line.split(',')[0]);
    if (ids.length !== visible.length)
      throw new Error(`CSV has ${ids.length} rows, ${visible.length} are visible`);
    if (ids.join('\n') !== visible.join('\n'))
      throw new Error('the CSV rows are not the visible rows in sheet order');
    if (csv.includes('CR-BIG-0,')) throw new Error('a row hidden by the filter is in the CSV');
    // One plan, then one call per chunk: never one 10 MB string through google.script.run.
    const chunks = bridge.calls.filter((c) => c.fn === 'downloadChunk').length;
    const plans = bridge.calls.filter((c) => c.fn === 'prepareDownload').length;
    if (plans !== 1 || chunks !== Math.ceil(visible.length / 10_000) || chunks < 2)
      throw new Error(
        `expected 1 plan and ${Math.ceil(visible.length / 10_000)} chunks, got ${plans} and ${chunks}`,
      );
    await page.locator('#tools-result').filter({ hasText: `Saved` }).first().waitFor({ timeout: 120_000 });
  }, 240_000);

  it('follows the selection: another row selected in the sheet shows in the sidebar, without Refresh', async () => {
    const { desk, bridge, page, pageErrors } = await openSidebar('CR-SPLIT');
    await waitForText(page.locator('#selection-hint'), 'Follows the row you select');
    desk.select('CR-SCRIPT');
    await waitForText(page.locator('#credit-details'), 'CR-SCRIPT');
    desk.fake.spreadsheet._select('Accounts', 'A2');
    await waitForText(page.locator('#credit-message'), 'Select a row on the Credits tab.');
    // The poll is the cheap call; the credit is reloaded only when the selection moved (twice here), and no two
    // polls overlap (each waits for the previous answer, checked by the bridge's order of calls).
    const polls = bridge.calls.filter((c) => c.fn === 'getSelectionKey').length;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(bridge.calls.filter((c) => c.fn === 'getSelectedCredit')).toHaveLength(3);
    assertEqual(pageErrors, []);
  });

  it('warns of a credit whose row is not what the sync wrote: usage collect would leave it out', async () => {
    const { desk, page, pageErrors } = await openSidebar('CR-EDP-1');
    assertEqual(await page.locator('#credit-unproven').count(), 0); // its row as the sync wrote it
    // Another account's customer typed over the row, then the row selected again.
    const head = desk.credits._rows[0].map(String);
    desk.credits._set(rowOf('CR-EDP-1'), head.indexOf('Customer ID') + 1, 'CUST-2');
    desk.select('CR-EDP-2');
    await waitForText(page.locator('#credit-details'), 'CR-EDP-2');
    assertEqual(await page.locator('#credit-unproven').count(), 0);
    desk.select('CR-EDP-1');
    await waitForText(
      page.locator('#credit-unproven'),
      'usage collect will leave this credit out: its Customer ID CUST-2 is not the CUST-1 the Accounts tab gives',
    );
    assertEqual(pageErrors, []);
  });

  it('shows descriptions as text, never as HTML', async () => {
    const { page, pageErrors } = await openSidebar('CR-SCRIPT');
    await waitForText(page.locator('#credit-details dd'), SCRIPT_DESCRIPTION);
    assertEqual(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assertEqual(await page.locator('#credit-details img, #credit-details script').count(), 0);
    assertEqual(pageErrors, []);
  });

  it('lists rule problems with their rows', async () => {
    const { page } = await openSidebar(null, { brokenRule: true });
    await page.getByRole('button', { name: 'Validate rules' }).click();
    const problems = page.getByRole('list', { name: 'Rule problems' });
    await problems.waitFor();
    await waitForText(problems, /Row 3 \(R-2\)/);
  });

  it('is usable by keyboard: every control has a name and Assign is reachable by Tab', async () => {
    const { desk, page } = await openSidebar('CR-SPLIT');
    for (const label of ['Customer %', 'Reseller %']) await page.getByLabel(label, exact).waitFor();
    await page.getByRole('button', { name: 'Add target' }).click();
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('button, input, select, output'))
        .filter((e) => e.offsetParent !== null)
        .filter((e) => {
          const labelled =
            (e as HTMLInputElement).labels?.length ||
            e.getAttribute('aria-label') ||
            e.getAttribute('aria-labelledby');
          return !labelled && !(e.tagName === 'BUTTON' && e.textContent?.trim());
        })
        .map((e) => e.outerHTML),
    );
    assertEqual(unnamed, []);
    await page.getByRole('button', { name: 'Remove extra share 1' }).click();

    await page.getByLabel('Customer %', exact).focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('70');
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'assign');
    }
    if (!reached) throw new Error('Tab never reached the Assign button');
    await page.keyboard.press('Enter');
    await waitForText(page.getByRole('status'), 'Assigned CR-SPLIT');
    assertEqual(desk.cell('CR-SPLIT', header('allocation')), 'customer 70%');
  });
});

function assertEqual(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
