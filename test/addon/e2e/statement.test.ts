/**
 * The Month panel's "Statement for…" end to end (issue 23): the CLI makes the demo workbook, collects and
 * closes a usage file and assigns one more credit by hand to the two parties (so statements mix PROCESSED, ASSIGNED and the
 * usage IDs, and the External billing of the credits closed by hand); the same Credits, Accounts and Ledger tabs
 * are put in the in-memory spreadsheet; the real add-on build
 * in headless Chromium downloads a reseller's and a customer's statement, and each file must have exactly the
 * bytes of `credit-desk statement --format csv` for the same party and period.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { runCli } from '../../helpers/cli';
import { startBridgeServer } from './harness/bridge-server';
import { launchChromium } from './harness/chromium';
import { buildAddon, openCreditDesk } from './harness/credit-desk';

interface ReportJson {
  parties: { period: string; currency: string; role: string; targetId: string; amount: string }[];
}

let browser: Browser;
let built: ReturnType<typeof buildAddon>;
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'credit-desk-e2e-statement-'));
  built = buildAddon(path.join(dir, 'build'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in the demo folder; a failure shows what it printed. */
function cli(args: string[]): string {
  const r = runCli(args, path.join(dir, 'demo'));
  if (r.code !== 0) throw new Error(`credit-desk ${args.join(' ')} exited ${r.code}:\n${r.err}${r.out}`);
  return r.out;
}

describe('"Statement for…" in Chromium', () => {
  it('downloads a reseller’s and a customer’s statement with the bytes of the CLI’s CSV', async () => {
    const demo = path.join(dir, 'demo');
    mkdirSync(demo);
    cli(['start']);
    cli(['usage', 'collect']);
    const ready = cli(['usage', 'list'])
      .split('\n')
      .filter((l) => / ready /.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(ready.length).toBeGreaterThan(0);
    cli(['usage', 'close', ready[ready.length - 1]]);
    const pending = JSON.parse(cli(['export', '--format', 'json', '--status', 'PENDING_ASSIGN'])) as {
      creditId: string;
      period: string;
    }[];
    const period = pending[0].period;

    const report = JSON.parse(cli(['report', '--period', period, '--format', 'json'])) as ReportJson;
    const pick = (role: string) => {
      const p = report.parties.find((x) => x.period === period && x.role === role && Number(x.amount) > 0);
      if (!p) throw new Error(`the demo has no ${role} with a share in ${period}`);
      return p.targetId;
    };
    const parties = [
      { role: 'reseller', id: pick('reseller') },
      { role: 'customer', id: pick('customer') },
    ];
    // A pending credit (its account is not in Accounts) given to both by ID: ASSIGNED, not invoiced yet.
    cli(['assign', pending[0].creditId, `customer ${parties[1].id} 60%, reseller ${parties[0].id} 30%`]);

    // The same tabs in the in-memory spreadsheet the add-on reads.
    const sink = createWorkbookSink({ path: path.join(demo, 'credits.xlsx') });
    const snapshot = await sink.read({ only: ['credits', 'accounts', 'ledger'] });
    const state = readState(snapshot);
    await sink.close();
    const desk = openCreditDesk(built.codePath, built.sidebarHtml, {
      sheet: {
        credits: state.credits.map((e) => e.credit),
        accounts: [...state.directory.byAccount.values()],
        ledger: snapshot.tabs.ledger,
      },
    });
    const bridge = await startBridgeServer(built.sidebarHtml, desk.call);
    const context = await browser.newContext({
      viewport: { width: 320, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(bridge.url);
      // The periods are listed when the sidebar opens, without pressing Show month (issue 24).
      const periods = page.getByLabel('Period', { exact: true });
      await periods.locator(`option[value="${period}"]`).waitFor({ state: 'attached', timeout: 10000 });
      await periods.selectOption(period);
      await page.locator('#month-result').getByText(`Billing period ${period}`).waitFor({ timeout: 10000 });
      await page.waitForFunction(() => document.body.getAttribute('aria-busy') !== 'true');

      const choose = page.getByLabel('Statement for…', { exact: true });
      for (const party of parties) {
        const option = choose.locator('option', { hasText: `(${party.id})` });
        const label = (await option.textContent()) ?? '';
        expect(label.startsWith(party.role === 'reseller' ? 'Reseller ' : 'Customer ')).toBe(true);
        await choose.selectOption({ label });
        const downloading = page.waitForEvent('download', { timeout: 20000 });
        await page.getByRole('button', { name: 'Download statement' }).click();
        const download = await downloading;
        const name = `statement-${period}-${party.role}-${party.id}.csv`;
        expect(download.suggestedFilename()).toBe(name);
        const saved = path.join(dir, 'browser', name);
        await download.saveAs(saved);

        cli([
          'statement',
          '--period',
          period,
          `--${party.role}`,
          party.id,
          '--format',
          'csv',
          '--out',
          'cli',
        ]);
        const expected = readFileSync(path.join(demo, 'cli', name));
        const got = readFileSync(saved);
        expect(got.length).toBeGreaterThan(0);
        // as text first, so a difference shows as a diff; then the bytes
        expect(got.toString('utf8')).toBe(expected.toString('utf8'));
        expect(got.equals(expected)).toBe(true);
        // It is a real statement: lines for the party, a total, and usage IDs once collected.
        const text = got.toString('utf8');
        expect(text).toMatch(/\r\nTotal USD,/);
        expect(text).toMatch(/,UF-\d{4}-\d{2}-\d{4}-\d{4},/);
        // `usage close` gives no external id: the line says it was closed by hand, read from the Ledger.
        expect(text).toMatch(/,PROCESSED,(UF-[\d-]+),[^,]+,closed by hand \1,/);
        expect(text).toContain(`${pending[0].creditId},${period},`);
        expect(text).toMatch(/not invoiced yet/);
        if (party.role === 'reseller') expect(text).toContain(`What ${party.id}'s customers received`);
      }
      expect(errors).toEqual([]);
      expect(bridge.calls.filter((c) => c.fn === 'downloadStatement').map((c) => c.args)).toEqual(
        parties.map((p) => [period, { role: p.role, id: p.id }]),
      );
    } finally {
      await context.close();
      await bridge.close();
    }
  });
});
