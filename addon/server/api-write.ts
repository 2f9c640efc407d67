/**
 * guarded-write.ts's rules — exclusion with the sync, compare-and-set, protected rows skipped, only changed
 * cells written, Audit in the same request — carried out on ONE read taken after our write marker is set
 * (desk-read.ts), so the action's read is also the compare-and-set read. With the Sheets API, an action is
 * then a fixed number of calls whatever the rows and however locked rows interleave:
 * createDeveloperMetadata (our marker), spreadsheets.get + values.batchGet (desk-read), spreadsheets.batchUpdate
 * (cells and Audit, atomic; one more per ~1.8 MB of changes: api-batch.ts), deleteDeveloperMetadata (our
 * marker, and any expired one the read saw).
 */
import { ADDON_WRITE_KEY, addonWriteMarker } from '../../core/locks';
import { TABS, type AuditField, type CreditField } from '../../core/sheet-contract';
import { indexColumns, type Cell, type ColumnIndex } from '../../core/table';
import { sendBatches, writeBatches, type AuditPlace } from './api-batch';
import { auditSheetFor } from './audit-log';
import type { DeskApi, DeskRead } from './desk-read';
import {
  decideWrites,
  protectedRowsFromApi,
  rowsByKeyOf,
  type PlannedWrite,
  type WriteReport,
} from './guarded-write';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

/**
 * Runs `work` with our write marker set (spreadsheet-level developer metadata, as Spreadsheet.addDeveloperMetadata
 * sets it), removed after by key AND value so another execution's live marker is left alone. The caller reads
 * after this sets the marker and refuses on the sync's live lock (core/locks: of two writers starting at
 * once, one sees the other). `work` is handed `sweep`: expired markers it saw (left by executions killed at
 * their limit, which never run their finally) are removed in the same request as ours.
 */
export function withApiExclusion<T>(
  api: DeskApi,
  spreadsheetId: string,
  who: string,
  work: (sweep: (expired: string[]) => void) => T,
): T {
  const now = new Date();
  const value = JSON.stringify(addonWriteMarker(who, now));
  const remove = new Set([value]);
  api.Spreadsheets.batchUpdate(
    {
      requests: [
        {
          createDeveloperMetadata: {
            developerMetadata: {
              metadataKey: ADDON_WRITE_KEY,
              metadataValue: value,
              location: { spreadsheet: true },
              visibility: 'DOCUMENT',
            },
          },
        },
      ],
    },
    spreadsheetId,
  );
  try {
    return work((expired) => expired.forEach((v) => remove.add(v)));
  } finally {
    api.Spreadsheets.batchUpdate(
      {
        requests: [...remove].map((v) => ({
          deleteDeveloperMetadata: {
            dataFilter: { developerMetadataLookup: { metadataKey: ADDON_WRITE_KEY, metadataValue: v } },
          },
        })),
      },
      spreadsheetId,
    );
  }
}

/**
 * The compare-and-set write of `writes` against `read` (taken under our marker). `ss` is used only in the rare
 * cases the API write can't do alone: the Audit tab is missing (created) or too short (grown: a values write
 * does not add rows, "exceeds grid limits").
 */
export function writeFromRead(
  api: DeskApi,
  ss: Spreadsheet,
  read: DeskRead,
  layout: { idx: ColumnIndex<CreditField>; headers: readonly Cell[] },
  writes: PlannedWrite[],
): WriteReport {
  const report: WriteReport = { written: [], changed: [], protectedIds: [], lockedIds: [], writeCalls: 0 };
  if (writes.length === 0) return report;
  const { idx } = layout;
  const rows = read.cells.get('credits') ?? [];
  const cell = (row: number, field: CreditField): Cell => rows[row - 1]?.[idx[field]] ?? '';
  const rowsByKey = rowsByKeyOf(rows.slice(1).map((r) => r[idx.key] ?? ''));
  const writtenCols = [
    ...new Set(writes.flatMap((w) => (Object.keys(w.set) as CreditField[]).map((f) => idx[f] + 1))),
  ];
  const credits = read.sheets.get(TABS.credits.name);
  const fenced = writtenCols.length
    ? protectedRowsFromApi(credits?.protectedRanges ?? [], writtenCols, () => credits?.rowCount ?? 0)
    : new Set<number>();
  const { cells, audit } = decideWrites(writes, layout.headers, idx, cell, rowsByKey, fenced, report, {});
  if (cells.length === 0 && audit.length === 0) return report;
  const place = audit.length ? auditPlace(ss, read) : null;
  // One spreadsheets.batchUpdate per ~1.8 MB, each atomic, each credit with its Audit rows (api-batch.ts).
  const batches = writeBatches(credits?.sheetId ?? 0, place, cells, audit);
  report.writeCalls = sendBatches(api, read.spreadsheetId, batches);
  return report;
}

/**
 * Where the Audit rows go, from the read: after its last row with content; the batch grows the grid when short
 * (appendDimension). The whole Audit tab is in the read for that (values.batchGet omits trailing empty rows,
 * so its length is the last row): a long Audit makes that read bigger, not the calls more. A deleted Audit tab
 * is made again with SpreadsheetApp and flushed, so the API batch that follows finds it.
 */
function auditPlace(ss: Spreadsheet, read: DeskRead): AuditPlace {
  const rows = read.cells.get('audit');
  const tab = read.sheets.get(TABS.audit.name);
  if (!rows || rows.length === 0 || !tab) {
    const created = !tab;
    const target = auditSheetFor(ss, 0);
    if (created) SpreadsheetApp.flush();
    return { ...target, sheetId: target.sheet.getSheetId(), rowCount: target.maxRows };
  }
  const headers = rows[0].map((h) => String(h));
  return {
    idx: indexColumns<AuditField>('audit', headers),
    width: headers.length,
    firstRow: Math.max(2, rows.length + 1), // values.batchGet omits trailing empty rows
    sheetId: tab.sheetId,
    rowCount: tab.rowCount,
  };
}
