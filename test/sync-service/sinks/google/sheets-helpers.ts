/**
 * Shared helpers for the Google Sheets sink tests: a server + sink pair, credit rows, a minimal merge (the real
 * one is core/merge.ts; these tests only need "update what differs, append what is missing"), and a comparable
 * view of the server state.
 */
import { withoutDeskIds } from '../workbook/workbook-helpers';
import { auth as googleAuth } from '@googleapis/sheets';
import { CREDIT_COLUMNS, type CreditField } from '../../../../core/sheet-contract';
import { indexColumns, text, type Cell } from '../../../../core/table';
import {
  createGoogleSheetsSink,
  type GoogleSheetsSinkOptions,
} from '../../../../sync-service/sinks/google/google-sheets';
import type { ChangeSet, Snapshot } from '../../../../core/sheet-changes';
export { oneAtATime } from '../../../helpers/sinks';
import { startSheetsServer, type SheetsServer } from '../../../../emulators/sheets-server';
import type { SpreadsheetState } from '../../../../emulators/sheets-state';

export const SHEET_ID = 'sheet-1';
export const IDENTITY = 'credit-sync@demo-project.iam.gserviceaccount.com';
export const TOKEN = 'ya29.test-secret-token';

/**
 * The server's calling account is the sync's identity, as with a service account key (the identity is the key's
 * client_email). Pass another `caller` for a sync named with --sync-identity while another account calls.
 */
export async function startServer(
  titles: string[] = ['Sheet1'],
  caller: string = IDENTITY,
): Promise<SheetsServer> {
  const server = await startSheetsServer({ callerEmail: caller });
  server.createSpreadsheet(SHEET_ID, titles);
  return server;
}

/** An OAuth2 client with a fixed access token: no token endpoint is ever called. */
export function fakeAuth() {
  const client = new googleAuth.OAuth2();
  client.setCredentials({ access_token: TOKEN, expiry_date: Date.now() + 3_600_000 });
  return client;
}

export function makeSink(server: SheetsServer, extra: Partial<GoogleSheetsSinkOptions> = {}) {
  return createGoogleSheetsSink({
    spreadsheetId: SHEET_ID,
    rootUrl: server.rootUrl,
    auth: fakeAuth(),
    syncIdentity: IDENTITY,
    maxWriteRequestsPerMinute: 100_000,
    retry: { maxAttempts: 8, baseMs: 1, maxMs: 5 },
    lockWait: { attempts: 2, ms: 1 },
    ...extra,
  });
}

export function creditRow(
  i: number,
  over: Partial<Record<CreditField, Cell>> = {},
): Record<CreditField, Cell> {
  const row = {} as Record<CreditField, Cell>;
  for (const c of CREDIT_COLUMNS) row[c.field] = '';
  Object.assign(row, {
    key: `K${String(i).padStart(6, '0')}`,
    creditId: `CR-${i}`,
    period: '2024-05',
    accountId: String(100000000000 + i),
    payerAccountId: '999999999999',
    service: 'AmazonEC2',
    description: `EDP credit ${i}`,
    amount: (i % 997) + 0.25,
    currency: 'USD',
    status: 'PENDING_ASSIGN',
  });
  return Object.assign(row, over);
}

const SYNC_FIELDS = CREDIT_COLUMNS.filter((c) => c.owner === 'sync' || c.field === 'status').map(
  (c) => c.field,
);

/** Update what differs (in the sync's fields plus Status), append what is missing. */
export function changesFor(
  snapshot: Snapshot,
  desired: readonly Record<CreditField, Cell>[],
  fields: readonly CreditField[] = SYNC_FIELDS,
): ChangeSet {
  const grid = snapshot.tabs.credits;
  const idx = indexColumns<CreditField>('credits', grid.headers);
  const byKey = new Map(grid.rows.map((r, i) => [text(r[idx.key]), i]));
  const changes: ChangeSet = { updates: [], appends: [], audit: [] };
  for (const d of desired) {
    const row = byKey.get(String(d.key));
    if (row === undefined) {
      changes.appends.push(d);
      continue;
    }
    const cur = grid.rows[row];
    const diff: Partial<Record<CreditField, Cell>> = {};
    for (const f of fields) if (text(cur[idx[f]]) !== text(d[f])) diff[f] = d[f];
    if (Object.keys(diff).length) changes.updates.push({ key: String(d.key), fields: diff });
  }
  return changes;
}

export function tab(ss: SpreadsheetState, title: string) {
  const t = ss.sheets.find((s) => s.properties.title === title);
  if (!t) throw new Error(`no tab ${title}`);
  return t;
}

/** Credits as key → { header: value } from the server state, for order-independent comparisons. */
export function creditsByKey(ss: SpreadsheetState): Map<string, Record<string, unknown>> {
  const t = tab(ss, 'Credits');
  const headers = (t.cells[0] ?? []).map((h) => String(h ?? ''));
  const keyAt = headers.indexOf('Key');
  const out = new Map<string, Record<string, unknown>>();
  for (const row of t.cells.slice(1)) {
    const key = row[keyAt];
    if (key === null || key === undefined) continue;
    if (out.has(String(key))) throw new Error(`duplicate key ${String(key)} in server state`);
    out.set(String(key), Object.fromEntries(headers.map((h, i) => [h, row[i] ?? null])));
  }
  return out;
}

/** The protected ranges we own, as row spans (ids differ between runs and are left out). */
export function lockRanges(ss: SpreadsheetState): string[] {
  return tab(ss, 'Credits')
    .protectedRanges.filter((p) => p.description === 'credit-desk:locked')
    .map((p) => `${p.range?.startRowIndex}-${p.range?.endRowIndex}:${(p.editors?.users ?? []).join(',')}`)
    .sort();
}

/** The whole spreadsheet minus ids the server generates, for comparing two runs. */
export function comparable(ss: SpreadsheetState): unknown {
  return {
    tabs: ss.sheets.map((s) => ({
      title: s.properties.title,
      frozen: s.properties.gridProperties.frozenRowCount,
      cells: s.cells
        .map((r) => {
          const copy = [...r];
          while (copy.length && (copy[copy.length - 1] === null || copy[copy.length - 1] === undefined))
            copy.pop();
          return copy.map((v) => withoutDeskIds(v ?? null));
        })
        .filter((r, i, all) => r.length > 0 || all.slice(i).some((x) => x.length > 0)),
      filter: s.basicFilter ? { ...s.basicFilter, range: { ...s.basicFilter.range, sheetId: 'x' } } : null,
      validations: s.validations.map((v) => ({ ...v, range: { ...v.range, sheetId: 'x' } })),
      hidden: s.hiddenColumns,
      locks: s.properties.title === 'Credits' ? lockRanges(ss) : [],
    })),
    metadata: ss.developerMetadata,
  };
}
