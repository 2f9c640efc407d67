import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
/**
 * Awkward input to the commands: reference files listing an ID twice are refused with both line numbers before
 * anything is written; broken rules are loud (sync --apply-rules assigns nothing and says why, unless
 * --allow-broken-rules); usage collect skips and names a credit whose row cannot be used, and collects the rest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCreditDeskError } from '../../../core/errors';
import { runApplyRules } from '../../../sync-service/jobs/apply-rules';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runExport } from '../../../sync-service/jobs/export';
import { formatSyncReport, runSync } from '../../../sync-service/jobs/sync';
import { syncExitCode } from '../../../sync-service/jobs/sync-intake';
import { runCollect } from '../../../sync-service/jobs/usage';
import { readCsvGrid } from '../../../sync-service/io/csv-file';
import { silentReporter, type Reporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { useTempDirs } from '../../helpers/fixtures-io';
import { smallMonthSource } from '../../helpers/small-month';

// Never the repo's own usage-files/ (a developer's `npm start` walk leaves one there): an empty folder of its own.
const ISOLATED_USAGE_DIR = mkdtempSync(join(tmpdir(), 'credit-desk-usage-'));

const tmpDir = useTempDirs('credit-desk-awkward-cmd-');
const NOW = new Date('2026-11-05T09:00:00Z');
const ACCOUNTS_HEADER =
  'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n';
const RULES_HEADER =
  'Rule ID,Name,Credit Description,Match,Customer %,Reseller %,From,To,Customer Context,Customers,Reseller Context,Resellers,Service Context,Services,Created,Enabled\n';

const source = smallMonthSource;

function files(dir: string, accounts: string, rules: string) {
  const a = path.join(dir, 'accounts.csv');
  const r = path.join(dir, 'rules.csv');
  fs.writeFileSync(a, ACCOUNTS_HEADER + accounts);
  fs.writeFileSync(r, RULES_HEADER + rules);
  return { a, r };
}

const GOOD_ACCOUNTS = '222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n';
const GOOD_RULE = 'R-1,All,,contains,100,0,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\n';

async function syncInto(
  dir: string,
  accounts: string,
  rules: string,
  flags: { applyRules?: boolean; allowBrokenRules?: boolean; skipInvalid?: boolean } = {},
  reporter: Reporter = silentReporter,
) {
  const { a, r } = files(dir, accounts, rules);
  const workbook = path.join(dir, 'credits.xlsx');
  const settings = resolveSettings(
    { usageDir: ISOLATED_USAGE_DIR, workbook, period: '2026-10', accounts: a, rules: r },
    {},
  );
  const report = await runSync(
    settings,
    { previous: false, ...flags },
    { source, sink: createWorkbookSink({ path: workbook }), reporter, now: NOW },
  );
  return { report, workbook };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isCreditDeskError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('reference files are checked like the tabs', () => {
  it('refuses an accounts CSV that lists an account twice, with both line numbers, writing nothing', async () => {
    const dir = tmpDir();
    const message = await refusal(
      syncInto(
        dir,
        `${GOOD_ACCOUNTS}\n333333333333,Other,CUST-3,,,,\n222222222222,Again,CUST-2,Other,AS-2,RES-1,P\n`,
        GOOD_RULE,
      ),
    );
    // Line 2 is the first data line; the blank line 3 counts, so the duplicate is on line 5.
    expect(message).toMatch(
      /accounts\.csv: 1 duplicate; nothing was written:\s+line 5: AWS Account 222222222222 is already on line 2/,
    );
    expect(fs.existsSync(path.join(dir, 'credits.xlsx'))).toBe(false);
  });

  it('refuses a rules CSV with the same Rule ID twice (whatever the case), naming the lines', async () => {
    const dir = tmpDir();
    const message = await refusal(
      syncInto(
        dir,
        GOOD_ACCOUNTS,
        `${GOOD_RULE}"R-2","Multi\nline",,contains,50,0,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\nr-1,Again,,contains,0,0,,,ALL,,ALL,,ALL,,2026-02-01,TRUE\n`,
      ),
    );
    // The quoted name spans lines 3-4, so the duplicate starts on line 5.
    expect(message).toMatch(/line 5: Rule ID "r-1" is already on line 2/);
    expect(fs.existsSync(path.join(dir, 'credits.xlsx'))).toBe(false);
  });

  it('reads the line each CSV row starts on', () => {
    const file = path.join(tmpDir(), 'x.csv');
    fs.writeFileSync(file, 'a,b\r\n1,2\r\n\r\n"x\r\ny",3\r\n4,5');
    expect(readCsvGrid(file).lines).toEqual([2, 4, 6]);
  });
});

describe('broken rules are loud', () => {
  const BROKEN =
    'R-2,Bad regex,(a+)+$,regex,100,0,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\nR-3,Too much,,contains,150,0,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\nR-4,Backwards,,contains,10,0,2026-09,2026-03,ALL,,ALL,,ALL,,2026-01-01,TRUE\n';

  it('sync --apply-rules imports the month but assigns nothing, lists the broken rules and exits 3', async () => {
    const { report, workbook } = await syncInto(tmpDir(), GOOD_ACCOUNTS, GOOD_RULE + BROKEN, {
      applyRules: true,
    });
    expect(report.rules!.notApplied).toBe(true);
    expect(report.rules!.ruleProblems.map((p) => p.slice(0, 18))).toEqual([
      'Rules row 3 (R-2):',
      'Rules row 4 (R-3):',
      'Rules row 5 (R-4):',
    ]);
    expect(syncExitCode(report)).toBe(3);
    expect(formatSyncReport(report, false)).toMatch(/rules NOT applied: 3 broken rules/);
    const credits = readState(await createWorkbookSink({ path: workbook }).read()).credits;
    expect(credits).toHaveLength(3);
    expect(credits.every((e) => e.credit.status === 'PENDING_ASSIGN')).toBe(true);

    // apply-rules refuses too, naming the rows, and writes nothing.
    const message = await refusal(
      runApplyRules(
        {},
        { sink: createWorkbookSink({ path: workbook }), reporter: silentReporter, now: NOW, actor: 't' },
      ),
    );
    expect(message).toMatch(/3 rules are broken, so no credit was assigned/);
    expect(message).toMatch(/Rules row 4 \(R-3\)/);
    expect(message).toMatch(/--allow-broken-rules/);
    // With the option, the valid rule applies and the broken ones are reported as ignored.
    const warnings: string[] = [];
    const { outcome } = await runApplyRules(
      { allowBrokenRules: true },
      {
        sink: createWorkbookSink({ path: workbook }),
        reporter: { ...silentReporter, warn: (m) => warnings.push(m) },
        now: NOW,
        actor: 't',
      },
    );
    expect(outcome.outcomes).toHaveLength(3);
    expect(outcome.outcomes.every((o) => o.credit.ruleId === 'R-1')).toBe(true);
    expect(warnings.filter((w) => /this rule is ignored/.test(w))).toHaveLength(3);
  });

  it('sync --apply-rules --allow-broken-rules applies the valid rules, lists the ignored ones and exits 0', async () => {
    const { report } = await syncInto(tmpDir(), GOOD_ACCOUNTS, GOOD_RULE + BROKEN, {
      applyRules: true,
      allowBrokenRules: true,
    });
    expect(report.rules!.notApplied).toBe(false);
    expect(report.rules!.outcomes.map((o) => o.credit.ruleId)).toEqual(['R-1', 'R-1', 'R-1']);
    expect(formatSyncReport(report, false)).toMatch(/ignored\s+3\s+broken rules/);
    expect(syncExitCode(report)).toBe(0);
  });

  it('--skip-invalid is accepted and does nothing but say so', async () => {
    const warnings: string[] = [];
    const { report } = await syncInto(
      tmpDir(),
      GOOD_ACCOUNTS,
      GOOD_RULE,
      { skipInvalid: true },
      {
        ...silentReporter,
        warn: (m) => warnings.push(m),
      },
    );
    expect(report.merge.adds).toHaveLength(3);
    expect(warnings).toEqual([expect.stringMatching(/--skip-invalid is no longer needed and does nothing/)]);
  });
});

describe('usage collect skips and names, it does not abort', () => {
  it('collects every usable credit and names the rows it skipped and why', async () => {
    const dir = tmpDir();
    const { workbook } = await syncInto(dir, GOOD_ACCOUNTS, GOOD_RULE);
    const sink = () => createWorkbookSink({ path: workbook });
    const state = readState(await sink().read());
    for (const e of state.credits)
      await runAssign(e.credit.creditId, 'customer 100%', { sink: sink(), now: NOW, actor: 't' });
    const after = readState(await sink().read()).credits;
    const [garbage, badKeeps] = after;
    await sink().write({
      updates: [
        { key: garbage.credit.key, fields: { allocation: 'customer 40%, customer 70%' } },
        { key: badKeeps.credit.key, fields: { distributorKeeps: 'lots' } },
      ],
      appends: [],
      audit: [],
    });
    const r = await runCollect(
      {},
      { sink: sink(), usageDir: path.join(dir, 'usage'), reporter: silentReporter, now: NOW },
    );
    expect(r.file!.records.map((x) => x.creditId)).toEqual([after[2].credit.creditId]);
    expect(r.skipped).toEqual([
      expect.objectContaining({
        sheetRow: garbage.sheetRow,
        creditId: garbage.credit.creditId,
        reason: expect.stringMatching(
          /the Allocation "customer 40%, customer 70%" cannot be used: .*Correct the cell/,
        ),
      }),
      expect.objectContaining({
        sheetRow: badKeeps.sheetRow,
        reason: expect.stringMatching(/Credits row \d+: the Distributor Keeps cell is unreadable/),
      }),
    ]);
    const statuses = readState(await sink().read(), { lenient: true }).credits.map((e) => e.credit.status);
    expect(statuses.filter((s) => s === 'PROCESSING')).toHaveLength(1);
  });
});

describe('export --out', () => {
  const tempDir = useTempDirs('credit-desk-export-');

  it('replaces the file whole (a reader never sees half of it) and says plainly when it cannot be written', async () => {
    const dir = tempDir();
    const { workbook } = await syncInto(dir, GOOD_ACCOUNTS, GOOD_RULE);
    const sink = () => createWorkbookSink({ path: workbook });
    const out = path.join(dir, 'credits.json');
    fs.writeFileSync(out, 'an older export, much longer than the new one '.repeat(100_000));
    const { count } = await runExport({ format: 'json', out }, { sink: sink() });
    const written = JSON.parse(fs.readFileSync(out, 'utf8')) as unknown[];
    expect(written).toHaveLength(count);
    expect(count).toBeGreaterThan(0);

    const missing = path.join(dir, 'no-such-folder', 'credits.json');
    expect(await refusal(runExport({ format: 'json', out: missing }, { sink: sink() }))).toBe(
      `The export could not be written to ${missing}: its folder does not exist. Nothing was changed there.\n` +
        '  → Choose another path with --out <file>, or leave --out off to print the export.',
    );
    fs.mkdirSync(path.join(dir, 'folder'));
    expect(await refusal(runExport({ out: path.join(dir, 'folder') }, { sink: sink() }))).toMatch(
      /it is a folder/,
    );
    // Nothing left behind but what was there.
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
