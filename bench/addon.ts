/**
 * The add-on's "Apply rules to all pending" through the real server function, on the in-memory
 * SpreadsheetApp: how many spreadsheet calls it makes (the cost that matters in Apps Script, where each
 * call is a round trip) and how long the work takes, for 50,000 and 100,000 pending credits and 1,000 rules.
 */
import { applyRules, previewRules } from '../addon/server/rules';
import type { RuleRecord } from '../test/fakes/workbook';
import { buildWorkbook } from '../test/fakes/workbook';
import { installFakeAppsScript } from '../test/fakes/apps-script';
import { ACCOUNTS, makeCredits } from '../test/addon/fixtures';
import type { Figure } from './figures';

const SERVICES = ['AmazonEC2', 'AmazonS3', 'AmazonRDS', 'AWSLambda'];

function rules(n: number): RuleRecord[] {
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

async function run(credits: number, ruleCount: number): Promise<Figure[]> {
  const ss = buildWorkbook({
    credits: makeCredits(credits, (i) => ({ description: `credit ${i % 600}`, service: SERVICES[i % 4] })),
    accounts: ACCOUNTS,
    rules: rules(ruleCount),
  });
  const fake = installFakeAppsScript(ss, { userEmail: 'bench@example.com' });
  try {
    const token = previewRules('pending', false).token;
    fake.log.reset();
    const started = performance.now();
    const result = applyRules('pending', false, token);
    const ms = performance.now() - started;
    if (result.applied === 0) throw new Error(`applyRules assigned nothing: ${result.message}`);
    const label = `${credits.toLocaleString('en')} pending × ${ruleCount.toLocaleString('en')} rules`;
    return [
      {
        name: `${label}: spreadsheet calls (all methods)`,
        value: fake.log.spreadsheetCalls(),
        unit: 'calls',
      },
      { name: `${label}: calls that read or write cells`, value: fake.log.dataCalls(), unit: 'calls' },
      { name: `${label}: credits assigned`, value: result.applied, unit: 'credits' },
      {
        name: `${label}: engine time (read, plan, apply, write on the fake)`,
        value: Math.round(ms),
        unit: 'ms',
      },
    ];
  } finally {
    fake.uninstall();
  }
}

export async function benchAddon(sizes = [50_000, 100_000]): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of sizes) figures.push(...(await run(n, 1_000)));
  return figures;
}
