/**
 * The add-on's Sheets API write, as requests of `spreadsheets.batchUpdate` — the one write call Google documents
 * as atomic ("If any request is not valid, no requests will be applied",
 * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate); `values.batchUpdate`
 * says nothing of the kind. Cells go as `updateCells` with `userEnteredValue` (a stringValue is stored as text,
 * never parsed: "0012", "=1+1" and "TRUE" stay text), and Audit grows with `appendDimension` in the same batch,
 * so no SpreadsheetApp call has to land first.
 *
 * Chunked under the recommended payload ("we recommend a 2 MB maximum payload",
 * https://developers.google.com/sheets/api/limits): credits are packed whole, each with its Audit rows, into
 * batches of at most PAYLOAD_BUDGET bytes. So each batch is all-or-nothing and a credit is never written
 * without its Audit row; a write bigger than one batch is several batches, applied in order, and a failure
 * stops at the failing batch with the earlier ones written (docs/addon.md says exactly this).
 */
import { auditCells, type AuditEntry } from '../../core/audit';
import { CreditDeskError } from '../../core/errors';
import type { AuditField } from '../../core/sheet-contract';
import { recordToRow, type Cell, type ColumnIndex } from '../../core/table';
import { cellRects, type CellWrite } from './write-plan';

/** Under Google's 2 MB recommendation, with room for the envelope Apps Script adds. */
export const PAYLOAD_BUDGET = 1_800_000;

export interface AuditPlace {
  sheetId: number;
  idx: ColumnIndex<AuditField>;
  width: number;
  /** The first empty row (1-based), where new rows go. */
  firstRow: number;
  /** The tab's grid rows now (appendDimension adds what is missing). */
  rowCount: number;
}

export interface WriteBatch {
  requests: object[];
  /** The credits whose cells and Audit rows are in this batch (all or none of them are written). */
  creditIds: string[];
  bytes: number;
}

/** A value as an ExtendedValue: '' clears the cell (no userEnteredValue). */
function extended(v: Cell): { userEnteredValue?: Record<string, unknown> } {
  if (v === '' || v === null || v === undefined) return {};
  if (typeof v === 'number') return { userEnteredValue: { numberValue: v } };
  if (typeof v === 'boolean') return { userEnteredValue: { boolValue: v } };
  return { userEnteredValue: { stringValue: String(v) } };
}

function updateCells(sheetId: number, row: number, col: number, values: Cell[][]): object {
  return {
    updateCells: {
      start: { sheetId, rowIndex: row - 1, columnIndex: col - 1 },
      rows: values.map((line) => ({ values: line.map(extended) })),
      fields: 'userEnteredValue',
    },
  };
}

/** A string's size in UTF-8 bytes (Apps Script has no Buffer). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3; // a surrogate pair is 4
  }
  return n;
}

/**
 * The write as batches. `cells` and `audit` are grouped by Credit ID; each credit's size is bounded from above
 * by its cells as one-cell requests (merging adjacent cells only shrinks it), so a batch never exceeds the
 * budget however its cells merge.
 */
export function writeBatches(
  creditsSheetId: number,
  auditPlace: AuditPlace | null,
  cells: CellWrite[],
  audit: AuditEntry[],
  budget = PAYLOAD_BUDGET,
): WriteBatch[] {
  const order: string[] = [];
  const byCredit = new Map<string, { cells: CellWrite[]; audit: Cell[][]; bytes: number }>();
  const entry = (id: string) => {
    let e = byCredit.get(id);
    if (!e) {
      byCredit.set(id, (e = { cells: [], audit: [], bytes: 0 }));
      order.push(id);
    }
    return e;
  };
  for (const c of cells) {
    const e = entry(c.creditId);
    e.cells.push(c);
    e.bytes += utf8Bytes(JSON.stringify(updateCells(creditsSheetId, c.row, c.col, [[c.value]]))) + 1;
  }
  if (audit.length && !auditPlace) throw new Error('writeBatches: Audit rows need the Audit tab.');
  for (const a of audit) {
    const e = entry(a.creditId);
    const row = recordToRow(auditCells(a), (auditPlace as AuditPlace).idx, (auditPlace as AuditPlace).width);
    e.audit.push(row);
    e.bytes += utf8Bytes(JSON.stringify({ values: row.map(extended) })) + 1;
  }
  // The fixed part of a batch: the envelope, one updateCells for Audit, one appendDimension.
  const fixed = 400;
  const groups: string[][] = [];
  let current: string[] = [];
  let size = fixed;
  for (const id of order) {
    const bytes = (byCredit.get(id) as { bytes: number }).bytes;
    if (current.length && size + bytes > budget) {
      groups.push(current);
      current = [];
      size = fixed;
    }
    current.push(id);
    size += bytes;
  }
  if (current.length) groups.push(current);

  let nextAuditRow = auditPlace?.firstRow ?? 0;
  let rowCount = auditPlace?.rowCount ?? 0;
  return groups.map((ids) => {
    const groupCells = ids.flatMap((id) => (byCredit.get(id) as { cells: CellWrite[] }).cells);
    const groupAudit = ids.flatMap((id) => (byCredit.get(id) as { audit: Cell[][] }).audit);
    const requests: object[] = cellRects(groupCells).map((r) =>
      updateCells(creditsSheetId, r.row, r.col, r.values),
    );
    if (groupAudit.length && auditPlace) {
      const last = nextAuditRow + groupAudit.length - 1;
      if (last > rowCount) {
        // AppendDimensionRequest: "Appends rows or columns to the end of a sheet" — in the same atomic batch.
        requests.push({
          appendDimension: { sheetId: auditPlace.sheetId, dimension: 'ROWS', length: last - rowCount },
        });
        rowCount = last;
      }
      requests.push(updateCells(auditPlace.sheetId, nextAuditRow, 1, groupAudit));
      nextAuditRow = last + 1;
    }
    return { requests, creditIds: ids, bytes: utf8Bytes(JSON.stringify({ requests })) };
  });
}

/**
 * Sends the batches in order; returns how many calls it made. A batch that fails after earlier ones were
 * applied is reported with both lists (each batch being atomic, the sheet holds whole credits with their Audit
 * rows); a failure of the first batch is passed on as it is — nothing was written.
 */
export function sendBatches(
  api: { Spreadsheets: { batchUpdate(resource: { requests: object[] }, id: string): unknown } },
  spreadsheetId: string,
  batches: WriteBatch[],
): number {
  let sent = 0;
  for (const b of batches) {
    try {
      api.Spreadsheets.batchUpdate({ requests: b.requests }, spreadsheetId);
    } catch (e) {
      if (sent === 0) throw e;
      const written = batches.slice(0, sent).reduce((n, x) => n + x.creditIds.length, 0);
      const left = batches.slice(sent).flatMap((x) => x.creditIds);
      throw new CreditDeskError(
        'CONFLICT',
        `${written} credit${written === 1 ? ' was' : 's were'} written with ${written === 1 ? 'its' : 'their'} Audit rows; ` +
          `${left.length} ${left.length === 1 ? 'was' : 'were'} not (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}): ` +
          `${e instanceof Error ? e.message : String(e)}`,
        'Run the action again: the written credits are left alone, the others are tried again.',
      );
    }
    sent++;
  }
  return sent;
}
