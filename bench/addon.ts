/**
 * The add-on's "Apply rules to all pending" and "Download filtered rows" through the real server functions,
 * on the in-memory SpreadsheetApp (and Sheets advanced service) emulator: how many spreadsheet calls they
 * make — the cost that matters in Apps Script, where each call is a round trip — and how long the work takes.
 *
 * The sheet is the WORST interleaving for writes: every other row is a collected (PROCESSING) credit protected
 * by the sync's account, so no two pending rows are adjacent. Targets: apply-rules 6 spreadsheet calls plus one
 * atomic write batch per ≤ 1.8 MB of changes (no request over Google's recommended 2 MB: the largest is printed),
 * download ≤ 15 — all calls, not only those that move data (both counts are printed).
 */
import { downloadChunk, prepareDownload } from '../addon/server/download';
import { applyRules, previewRules } from '../addon/server/rules';
import { CREDIT_COLUMNS } from '../core/sheet-contract';
import type { RuleRow } from '../test/fakes/sheet-builder';
import { addLedger, buildSpreadsheet } from '../test/fakes/sheet-builder';
import { installFakeAppsScript } from '../test/fakes/apps-script';
import { ACCOUNTS, makeCredits } from '../test/addon/fixtures';
import type { Figure } from './figures';

const SERVICES = ['AmazonEC2', 'AmazonS3', 'AmazonRDS', 'AWSLambda'];
const SYNC = 'sync@project.iam.gserviceaccount.com';

function rules(n: number): RuleRow[] {
  return Array.from({ length: n }, (_x, i) => ({
    ruleId: `R${i + 1}`,
    name: `Rule ${i + 1}`,
    // Most rules name the credit they are for; every tenth is a broad rule (blank description) that admits
    // many credits, so the index has real ranking work to do.
    description: i % 10 === 9 ? '' : i < 10 ? `promo ${i}` : `credit ${i % 500}`,
    match: i < 10 ? 'contains' : 'exact',
    customerPercent: String(50 + (i % 50)),
    resellerPercent: String(i % 50 === 0 ? 0 : 50 - (i % 50)),
    customerContext: i % 4 === 0 ? 'ONLY' : 'ALL',
    customers: i % 4 === 0 ? ACCOUNTS[i % 2].customerId : '',
    serviceContext: i % 5 === 0 ? 'ONLY' : 'ALL',
    services: i % 5 === 0 ? SERVICES[i % 4] : '',
    created: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
    enabled: true,
  }));
}

function desk(credits: number, ruleCount: number) {
  const all = makeCredits(credits, (i) => ({
    description: `credit ${i % 600}`,
    service: SERVICES[i % 4],
    ...(i % 2 === 1
      ? { status: 'PROCESSING' as const, allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'default' }
      : {}),
  }));
  const ss = buildSpreadsheet({ credits: all, accounts: ACCOUNTS, rules: rules(ruleCount) });
  addLedger(ss, all);
  const sheet = ss._sheet('Credits');
  ss._activeUser = SYNC; // the sync protects each collected row with its own account
  for (let r = 3; r <= credits + 1; r += 2) sheet.getRange(r, 1, 1, CREDIT_COLUMNS.length).protect();
  ss._sheet('Audit')._maxRows = credits * 10;
  const fake = installFakeAppsScript(ss, { userEmail: 'bench@example.com' });
  return { ss, sheet, fake };
}

async function applyFigures(credits: number, ruleCount: number): Promise<Figure[]> {
  const { fake } = desk(credits, ruleCount);
  try {
    const token = previewRules('pending', false).token;
    fake.log.reset();
    const started = performance.now();
    const result = applyRules('pending', false, token);
    const ms = performance.now() - started;
    if (result.applied === 0) throw new Error(`applyRules assigned nothing: ${result.message}`);
    const label = `apply-rules, ${credits.toLocaleString('en')} rows (every other one locked) × ${ruleCount.toLocaleString('en')} rules`;
    // The write is one atomic spreadsheets.batchUpdate per ≤ 1.8 MB (addon/server/api-batch.ts); the emulator
    // refuses any request over Google's recommended 2 MB, so the largest body is bounded whatever the rows.
    const payloads = (fake.globals.Sheets as { _payloads(): number[] })._payloads();
    const batches = fake.log.count('Sheets.Spreadsheets.batchUpdate') - 2; // less the marker's set and removal
    return [
      { name: `${label}: write batches (spreadsheets.batchUpdate)`, value: batches, unit: 'calls' },
      {
        name: `${label}: largest request body (limit 2,000,000)`,
        value: Math.max(...payloads),
        unit: 'bytes',
      },
      { name: `${label}: calls that read or write cells`, value: fake.log.dataCalls(), unit: 'calls' },
      {
        name: `${label}: spreadsheet calls (all methods)`,
        value: fake.log.spreadsheetCalls(),
        unit: 'calls',
      },
      { name: `${label}: credits assigned`, value: result.applied, unit: 'credits' },
      {
        name: `${label}: engine time (read, plan, write on the emulator)`,
        value: Math.round(ms),
        unit: 'ms',
      },
    ];
  } finally {
    fake.uninstall();
  }
}

async function downloadFigures(credits: number): Promise<Figure[]> {
  const { ss, sheet, fake } = desk(credits, 10);
  try {
    // A basic filter with a criterion Apps Script can evaluate (Service hidden values) and one it can't (a
    // custom formula, asked of Sheets), plus rows hidden by hand.
    const filter = sheet.getDataRange().createFilter();
    const col = (h: string) => CREDIT_COLUMNS.findIndex((c) => c.header === h) + 1;
    const newCriteria = (SpreadsheetApp as unknown as { newFilterCriteria(): never }).newFilterCriteria;
    filter.setColumnFilterCriteria(
      col('Service'),
      (newCriteria() as { setHiddenValues(v: string[]): { build(): never } })
        .setHiddenValues(['AWSLambda'])
        .build(),
    );
    filter.setColumnFilterCriteria(
      col('Amount'),
      (newCriteria() as { whenFormulaSatisfied(f: string): { build(): never } })
        .whenFormulaSatisfied('=MOD(ROW(),7)<>0')
        .build(),
    );
    sheet.hideRows(100, 50);
    void ss;
    fake.log.reset();
    const started = performance.now();
    const plan = prepareDownload('csv', false);
    let bytes = 0;
    for (const c of plan.chunks) bytes += downloadChunk(c).length;
    const ms = performance.now() - started;
    const label = `download, ${credits.toLocaleString('en')} rows filtered`;
    return [
      { name: `${label}: calls that read or write cells`, value: fake.log.dataCalls(), unit: 'calls' },
      {
        name: `${label}: spreadsheet calls (all methods)`,
        value: fake.log.spreadsheetCalls(),
        unit: 'calls',
      },
      {
        name: `${label}: google.script.run calls (plan + chunks)`,
        value: 1 + plan.chunks.length,
        unit: 'calls',
      },
      { name: `${label}: rows in the file`, value: plan.rows, unit: 'rows' },
      {
        name: `${label}: largest chunk`,
        value: Math.round(bytes / Math.max(1, plan.chunks.length) / 1024),
        unit: 'KiB',
      },
      { name: `${label}: engine time`, value: Math.round(ms), unit: 'ms' },
    ];
  } finally {
    fake.uninstall();
  }
}

export async function benchAddon(sizes = [50_000]): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of sizes) figures.push(...(await applyFigures(n, 1_000)));
  for (const n of sizes) figures.push(...(await downloadFigures(n)));
  return figures;
}
