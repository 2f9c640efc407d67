/**
 * The system under test: the built add-on (dist/Code.js + dist/Sidebar.html from `node addon/build.mjs`)
 * with dist/Code.js running in a vm whose globals are the in-memory Apps Script fakes, over a small
 * Credit Desk spreadsheet. Server functions are called as the top-level functions Apps Script would see.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Account } from '../../../../core/accounts';
import type { Credit } from '../../../../core/credit';
import { creditKey } from '../../../../core/ids';
import { CREDIT_COLUMNS, TABS } from '../../../../core/sheet-contract';
import { isLocked } from '../../../../core/status';
import type { Grid } from '../../../../core/table';
import type { ServerApi } from '../../../../addon/api';
import { createFakeAppsScript, loadBundle, type FakeAppsScript } from '../../../fakes/apps-script';
import type { FakeSheet, FakeSpreadsheet } from '../../../../emulators/spreadsheet-app';
import { buildSpreadsheet } from '../../../fakes/sheet-builder';
import type { ServerCall } from './bridge-server';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
const SERVER_FUNCTIONS: readonly (keyof ServerApi)[] = [
  'getSelectedCredit',
  'getSelectionKey',
  'assignCredit',
  'unassignCredit',
  'assignSelectedWithDefault',
  'previewRules',
  'applyRules',
  'validateRules',
  'prepareDownload',
  'downloadChunk',
  'getMonthSummary',
  'downloadStatement',
];

/**
 * Runs the real build (`node addon/build.mjs --out <outDir>`) into a folder of the test's own, so tests in
 * parallel workers never read a dist/ another one is rewriting. Returns the sidebar HTML and Code.js path.
 */
export function buildAddon(outDir: string): { sidebarHtml: string; codePath: string } {
  const script = path.join(REPO_ROOT, 'addon/build.mjs');
  if (!existsSync(script))
    throw new Error('addon/build.mjs is missing: the e2e tests need the real add-on build.');
  execFileSync(process.execPath, [script, '--out', outDir], { cwd: REPO_ROOT, stdio: 'pipe' });
  const sidebarPath = path.join(outDir, 'Sidebar.html');
  const codePath = path.join(outDir, 'Code.js');
  for (const p of [sidebarPath, codePath])
    if (!existsSync(p)) throw new Error(`The build did not write ${p}.`);
  return { sidebarHtml: readFileSync(sidebarPath, 'utf8'), codePath };
}

export const HYPERLINK_DESCRIPTION = '=HYPERLINK("http://attacker.example/x","Click me")';
export const SCRIPT_DESCRIPTION = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

const base = {
  period: '2025-05',
  payerAccountId: '999999999999',
  assetId: 'ASSET-1',
  status: 'PENDING_ASSIGN',
  allocation: '',
  distributorKeeps: null,
  ruleId: '',
  usageFileId: '',
  usageRecordId: '',
  processingDate: '',
  flags: '',
  notes: '',
  lastChange: '',
  currency: 'USD',
} as const;

function credit(id: string, fields: Partial<Credit>): Credit {
  return {
    ...base,
    key: `key-${id}`,
    creditId: id,
    accountId: '111111111111',
    customerId: 'CUST-1',
    resellerId: 'RES-1',
    service: 'AmazonEC2',
    description: 'EDP discount',
    amount: 123457,
    ...fields,
  } as Credit;
}

/**
 * Rows 2.. of the Credits tab, in this order. The credits not collected have the Key the sync makes of their
 * cells, as on a real sheet, so the sidebar has nothing to say of them (its warning for a row typed over:
 * core/row-proof.ts); the locked one keeps a key of its own (it shares its cells with CR-EDP-1's).
 */
export const CREDITS: Credit[] = [
  credit('CR-SPLIT', { amount: 123457, description: 'Promotional credit Q2' }),
  credit('CR-EDP-1', { amount: 50000, description: 'EDP discount' }),
  credit('CR-EDP-2', {
    amount: 33333,
    description: 'EDP discount',
    accountId: '222222222222',
    customerId: 'CUST-2',
  }),
  credit('CR-LOCKED', {
    status: 'PROCESSING',
    allocation: 'customer 100%',
    distributorKeeps: 0,
    ruleId: 'manual',
    usageFileId: 'UF-2025-05-01',
    usageRecordId: 'UR-77',
    processingDate: '2025-06-03',
  }),
  credit('CR-HYPERLINK', { amount: 1000, description: HYPERLINK_DESCRIPTION }),
  credit('CR-SCRIPT', { amount: 2000, description: SCRIPT_DESCRIPTION, service: 'AmazonS3' }),
].map((c) => (isLocked(c.status) ? c : { ...c, key: creditKey(c) }));

export function rowOf(creditId: string): number {
  const i = CREDITS.findIndex((c) => c.creditId === creditId);
  if (i < 0) throw new Error(`no fixture credit ${creditId}`);
  return i + 2;
}

export interface CreditDesk {
  fake: FakeAppsScript;
  spreadsheet: FakeSpreadsheet;
  credits: FakeSheet;
  /** The bridge's call: a top-level function of the bundle, by name. */
  call: ServerCall;
  /** A Credits cell by header, for assertions (formulas show as their text). */
  cell(creditId: string, header: string): unknown;
  select(creditId: string): void;
}

export interface DeskOptions {
  /** Adds rule R-2 with a 150 % customer share, for "Validate rules". */
  brokenRule?: boolean;
  /** Adds this many generated pending credits after the fixtures (every 3rd an AmazonS3 one), for a big sheet. */
  extraCredits?: number;
  /**
   * Other Credits and Accounts tabs instead of the fixtures (e.g. read from a workbook the CLI wrote), and that
   * workbook's Ledger tab as it is (the statement reads its Connect Note and Closed status).
   */
  sheet?: { credits: Credit[]; accounts: Account[]; ledger?: Grid };
}

/** `n` pending credits CR-BIG-0…, every 3rd of them an AmazonS3 credit (the one a filter can hide). */
function bigCredits(n: number): Credit[] {
  return Array.from({ length: n }, (_, i) =>
    credit(`CR-BIG-${i}`, { amount: 100 + i, service: i % 3 === 0 ? 'AmazonS3' : 'AmazonEC2' }),
  );
}

export function openCreditDesk(codePath: string, sidebarHtml: string, opts: DeskOptions = {}): CreditDesk {
  const spreadsheet = buildSpreadsheet({
    credits:
      opts.sheet?.credits ?? (opts.extraCredits ? [...CREDITS, ...bigCredits(opts.extraCredits)] : CREDITS),
    accounts: opts.sheet?.accounts ?? [
      {
        accountId: '111111111111',
        accountName: 'Acme prod',
        customerId: 'CUST-1',
        customerName: 'Acme Corp',
        assetId: 'ASSET-1',
        resellerId: 'RES-1',
        resellerName: 'Best Reseller',
      },
      {
        accountId: '222222222222',
        accountName: 'Globex prod',
        customerId: 'CUST-2',
        customerName: 'Globex',
        assetId: 'ASSET-2',
        resellerId: 'RES-1',
        resellerName: 'Best Reseller',
      },
    ],
    rules: [
      {
        ruleId: 'R-1',
        name: 'EDP pass-through',
        description: 'EDP',
        match: 'contains',
        customerPercent: '80',
        resellerPercent: '10',
        customerContext: 'ALL',
        resellerContext: 'ALL',
        serviceContext: 'ALL',
        enabled: true,
      },
      ...(opts.brokenRule
        ? [
            {
              ruleId: 'R-2',
              name: 'Broken',
              description: 'Promo',
              match: 'contains',
              customerPercent: '150',
              enabled: true,
            },
          ]
        : []),
    ],
  });
  const credits = spreadsheet._sheet('Credits');
  // The sync writes descriptions as text; a leading apostrophe is how a sheet keeps "=..." from being a formula.
  const descriptionCol = CREDIT_COLUMNS.findIndex((c) => c.field === 'description') + 1;
  if (!opts.sheet) credits._set(rowOf('CR-HYPERLINK'), descriptionCol, `'${HYPERLINK_DESCRIPTION}`);
  // Tabs from elsewhere: their descriptions were written as text too, so one that looks like a formula keeps it.
  else
    opts.sheet.credits.forEach((c, i) => {
      if (/^[='+\-@]/.test(c.description)) credits._set(i + 2, descriptionCol, `'${c.description}`);
    });

  const ledger = opts.sheet?.ledger;
  if (ledger?.headers.length) spreadsheet._addSheet(TABS.ledger.name, [ledger.headers, ...ledger.rows]);

  const fake = createFakeAppsScript(spreadsheet, { htmlFiles: { Sidebar: sidebarHtml } });
  // In Apps Script the script and SpreadsheetApp share one realm: a date cell reads as a Date the script's
  // `instanceof Date` recognises, and a Date the script writes is a Date to the sheet. The fake lives in
  // Node's realm, so the bundle gets Node's Date too (without it every date cell would look foreign).
  const context = loadBundle(codePath, { ...fake, globals: { ...fake.globals, Date } });
  const call: ServerCall = (fn, args) => {
    const f = context[fn];
    if (!SERVER_FUNCTIONS.includes(fn as keyof ServerApi) || typeof f !== 'function') {
      throw new Error(`Script function not found: ${fn}`);
    }
    return (f as (...a: unknown[]) => unknown)(...args);
  };
  const headers = credits._rows[0].map(String);
  return {
    fake,
    spreadsheet,
    credits,
    call,
    cell(creditId, header) {
      const col = headers.indexOf(header) + 1;
      if (col === 0) throw new Error(`no Credits column "${header}"`);
      return credits._get(rowOf(creditId), col);
    },
    select(creditId) {
      spreadsheet._select(
        'Credits',
        `A${rowOf(creditId)}:${String.fromCharCode(64 + Math.min(26, headers.length))}${rowOf(creditId)}`,
      );
    },
  };
}
