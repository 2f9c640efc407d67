/**
 * Builds a fake Credit Desk spreadsheet (Credits, Accounts, Rules, Config, Audit tabs) from core records,
 * laid out exactly as the sheet contract says, for tests and the bench.
 */
import type { Account } from '../../core/accounts';
import type { Credit } from '../../core/credit';
import { CONFIG_DEFAULTS, CREDIT_COLUMNS, headersOf, type RuleField } from '../../core/sheet-contract';
import { creditToCells, type Cell } from '../../core/table';
import { CallLog } from '../../emulators/call-log';
import { FakeProtection, FakeSpreadsheet, type FakeSheet } from '../../emulators/spreadsheet-app';

export type RuleRow = Partial<Record<RuleField, Cell>>;

export interface SpreadsheetInput {
  credits: Credit[];
  accounts?: Account[];
  rules?: RuleRow[];
  config?: { setting: string; value: string }[];
  /** Cells as Dates, as Sheets returns date cells: Last Change and Processing Date become Date objects. */
  datesAsDates?: boolean;
}

export function creditRow(credit: Credit, datesAsDates = true): unknown[] {
  const cells = creditToCells(credit);
  return CREDIT_COLUMNS.map(({ field }) => {
    const v = cells[field];
    if (
      datesAsDates &&
      (field === 'lastChange' || field === 'processingDate') &&
      typeof v === 'string' &&
      v
    ) {
      return new Date(field === 'processingDate' ? `${v}T00:00:00Z` : v);
    }
    return v;
  });
}

export function buildSpreadsheet(input: SpreadsheetInput, log = new CallLog()): FakeSpreadsheet {
  const ss = new FakeSpreadsheet(log);
  const dates = input.datesAsDates ?? true;
  ss._addSheet('Credits', [headersOf('credits'), ...input.credits.map((c) => creditRow(c, dates))]);
  const accountHeaders = headersOf('accounts');
  ss._addSheet('Accounts', [
    accountHeaders,
    ...(input.accounts ?? []).map((a) => [
      a.accountId,
      a.accountName,
      a.customerId,
      a.customerName,
      a.assetId,
      a.resellerId,
      a.resellerName,
    ]),
  ]);
  const ruleFields: RuleField[] = [
    'ruleId',
    'name',
    'description',
    'match',
    'customerPercent',
    'resellerPercent',
    'from',
    'to',
    'customerContext',
    'customers',
    'resellerContext',
    'resellers',
    'serviceContext',
    'services',
    'created',
    'enabled',
  ];
  ss._addSheet('Rules', [
    headersOf('rules'),
    ...(input.rules ?? []).map((r) => ruleFields.map((f) => r[f] ?? '')),
  ]);
  ss._addSheet('Config', [
    headersOf('config'),
    ...(input.config ?? CONFIG_DEFAULTS).map((c) => [c.setting, c.value, '']),
  ]);
  ss._addSheet('Audit', [headersOf('audit')]);
  ss._select('Credits', 'A1');
  return ss;
}

/** The Ledger tab's headers, from the sheet contract the usage process writes it by. */
export const LEDGER_HEADERS = headersOf('ledger');

/**
 * A hidden Ledger tab with one row per PROCESSING/PROCESSED credit, as the usage process writes it, protected
 * so only `protector` (the sync's account) may edit it.
 */
export function addLedger(
  ss: FakeSpreadsheet,
  credits: Credit[],
  protector = 'sync@project.iam.gserviceaccount.com',
): FakeSheet {
  const byHeader = new Map(CREDIT_COLUMNS.map((c) => [c.header, c.field]));
  const rows = credits
    .filter((c) => c.status === 'PROCESSING' || c.status === 'PROCESSED')
    .map((c) => {
      const cells = creditToCells(c);
      return LEDGER_HEADERS.map((h) => {
        if (h === 'Collected At') return '2026-11-03T10:00:00.000Z';
        if (h === 'Closed At') return c.status === 'PROCESSED' ? '2026-11-20T10:00:00.000Z' : '';
        const f = byHeader.get(h);
        return f ? cells[f] : '';
      });
    });
  const sheet = ss._addSheet('Ledger', [LEDGER_HEADERS, ...rows]);
  sheet._hidden = true;
  FakeProtection._create(sheet, null, protector);
  return sheet;
}

/** A tab's rows as records keyed by header (for assertions). */
export function records(sheet: FakeSheet): Record<string, unknown>[] {
  const [headers = [], ...rows] = sheet._rows;
  return rows
    .filter((r) => r.some((v) => v !== ''))
    .map((r) => Object.fromEntries(headers.map((h, i) => [String(h), r[i] ?? ''])));
}
