/**
 * The one way the add-on's actions write the Credits tab, built so that a write can't overwrite anyone:
 *
 * 1. Exclusion with the sync (core/locks): set our ADDON_WRITE_KEY marker, then look for the sync's
 *    SYNC_LOCK_KEY; a live one refuses the whole action, naming who holds it and since when.
 * 2. Compare-and-set: just before writing, the rows are found again BY KEY (rows move) and the cells the
 *    decision was based on are re-read; a credit whose cells changed since (a teammate typed, the sync set a
 *    status) is skipped and listed, never overwritten.
 * 3. Rows that Sheets would refuse are skipped up front: PROCESSING/PROCESSED rows, and rows covered by a
 *    protection the current user cannot edit (asked of Sheets, not guessed from Status).
 * 4. Only the cells whose value changes are written — no span rewrites the rows in between — and each credit's
 *    Audit rows go in the SAME request as its cells: a Sheets API spreadsheets.batchUpdate (advanced service),
 *    the call Google documents as atomic, one per ≤ 1.8 MB (api-batch.ts: Google recommends ≤ 2 MB). So the
 *    calls do not depend on how locked rows interleave with changed ones, and no credit is half written.
 *
 * Without the advanced service (a copy of the script that has not enabled it), the same cells are written
 * with one SpreadsheetApp setValues per run of adjacent cells, each in its own try, then Audit for what was
 * written: correct, but the calls grow with the interleaving. See docs/addon.md, "Why the Sheets API".
 */
import { appendAuditRowsData, auditSheetFor } from './audit-log';
import { sendBatches, writeBatches, type AuditPlace } from './api-batch';
import { withBackoff } from '../services/api-retry';
import type { AuditEntry } from '../../core/audit';
import { CreditDeskError } from '../../core/errors';
import {
  ADDON_WRITE_KEY,
  addonWriteMarker,
  describeMarker,
  firstLiveMarker,
  isExpiredMarker,
  isLiveMarker,
  parseLockMarker,
  SYNC_LOCK_KEY,
  type LockMarker,
} from '../../core/locks';
import { conflictsOf } from '../../core/sheet-changes';
import { TABS, type CreditField } from '../../core/sheet-contract';
import { isLocked, isStatus } from '../../core/status';
import { text, type Cell, type ColumnIndex } from '../../core/table';
import { literalText, toCell } from '../services/cells';
import { cellRects, type CellWrite } from './write-plan';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

export interface PlannedWrite {
  key: string;
  creditId: string;
  /** What the decision was based on (field → cell text as read); compared just before writing. */
  expect: Partial<Record<CreditField, string>>;
  /** The new values. Cells already holding them are not written. */
  set: Partial<Record<CreditField, Cell>>;
  audit: AuditEntry[];
}

export interface WriteReport {
  /** Credit IDs written. */
  written: string[];
  /** Credits skipped because their cells changed since they were read (or they moved away). */
  changed: { creditId: string; why: string }[];
  /** Credits skipped because a protection stops the current user. */
  protectedIds: string[];
  /** Credits skipped because they are PROCESSING/PROCESSED now. */
  lockedIds: string[];
  /** Spreadsheet write calls made (with the Sheets API: 1 per ≤ 1.8 MB batch). */
  writeCalls: number;
}

interface SheetsService {
  Spreadsheets: {
    get(
      id: string,
      optional?: { fields?: string },
    ): {
      sheets?: {
        properties?: { sheetId?: number; title?: string };
        protectedRanges?: {
          range?: {
            sheetId?: number;
            startRowIndex?: number;
            endRowIndex?: number;
            startColumnIndex?: number;
            endColumnIndex?: number;
          };
          warningOnly?: boolean;
          requestingUserCanEdit?: boolean;
        }[];
      }[];
    };
    batchUpdate(resource: { requests: object[] }, id: string): unknown;
    Values: {
      batchUpdate(
        resource: { valueInputOption: string; data: { range: string; values: unknown[][] }[] },
        id: string,
      ): unknown;
    };
  };
}

/** The Sheets advanced service when the project enabled it, each call retried on 429 (services/api-retry.ts). */
export function sheetsService(): SheetsService | null {
  const g = globalThis as { Sheets?: SheetsService & Parameters<typeof withBackoff>[0] };
  if (!g.Sheets || !g.Sheets.Spreadsheets) return null;
  return withBackoff(g.Sheets, (ms) => Utilities.sleep(ms));
}

// ---------------------------------------------------------------------------------------------------------
// Exclusion with the sync

/** The sync's live lock marker, or null. */
export function liveSyncLock(ss: Spreadsheet, now = new Date()): LockMarker | null {
  for (const m of ss.createDeveloperMetadataFinder().withKey(SYNC_LOCK_KEY).find()) {
    const marker = parseLockMarker(m.getValue());
    if (isLiveMarker(marker, now)) return marker;
  }
  return null;
}

export function refuseWhileSyncing(marker: LockMarker): never {
  throw new CreditDeskError(
    'LOCKED',
    `The Credit Desk sync is writing this spreadsheet right now (${describeMarker(marker)}). Nothing was changed.`,
    'Try again when the sync has finished (usually within a minute).',
  );
}

/** The marker action of the edit trigger: two people's onEdits (a second or so each) don't wait for each other. */
const ONEDIT_ACTION = 'onEdit';

/** Another add-on execution's live write marker that an onEdit must not write under, or null. */
function liveAddonWrite(ss: Spreadsheet, ours: string, now: Date): LockMarker | null {
  const others = ss
    .createDeveloperMetadataFinder()
    .withKey(ADDON_WRITE_KEY)
    .find()
    .map((m) => m.getValue())
    .filter((v) => v !== ours && parseLockMarker(v)?.action !== ONEDIT_ACTION);
  return firstLiveMarker(others, now);
}

/**
 * Runs `work` with our write marker set; refuses (without running it) while the sync's lock is live. For the
 * edit trigger (`action` "onEdit"), also while another add-on action's marker is live (an Apply running in
 * another execution): onEdit may run without the document lock (a simple trigger, or the wait ran out), and
 * its writes would race that action's. Its refusal names the action's owner (the error's `marker`).
 */
export function withSyncExclusion<T>(ss: Spreadsheet, who: string, work: () => T, action?: 'onEdit'): T {
  const now = new Date();
  const value = JSON.stringify(addonWriteMarker(who, now, action));
  // Set ours first, then check theirs (core/locks: of two writers starting at once, one sees the other).
  // DOCUMENT: the sync is another project, and PROJECT metadata "is only visible to … the developer project
  // that created the metadata" (the overload without a visibility doesn't say which it gives). flush(): a
  // SpreadsheetApp write may be bundled and land only later ("Applies all pending Spreadsheet changes",
  // SpreadsheetApp.flush) — the marker must be there before we look for the sync's and before any API call.
  ss.addDeveloperMetadata(ADDON_WRITE_KEY, value, SpreadsheetApp.DeveloperMetadataVisibility.DOCUMENT);
  SpreadsheetApp.flush();
  try {
    const sync = liveSyncLock(ss, now);
    if (sync) refuseWhileSyncing(sync);
    const other = action === ONEDIT_ACTION ? liveAddonWrite(ss, value, now) : null;
    if (other) throw new AddonBusy(other);
    return work();
  } finally {
    // Ours, and any expired marker: one left by an execution killed at its limit (it never ran its finally).
    for (const m of ss.createDeveloperMetadataFinder().withKey(ADDON_WRITE_KEY).find()) {
      const v = m.getValue();
      if (v === value || isExpiredMarker(v, new Date())) m.remove();
    }
  }
}

/** An onEdit refused because another add-on action is writing (see withSyncExclusion). */
export class AddonBusy extends Error {
  constructor(readonly marker: LockMarker) {
    super(`Credit Desk is writing this sheet for ${describeMarker(marker)}.`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Protected rows

export type ApiProtectedRange = NonNullable<
  NonNullable<ReturnType<SheetsService['Spreadsheets']['get']>['sheets']>[number]['protectedRanges']
>[number];

/**
 * Rows (1-based) where one of the Sheets API's ProtectedRanges stops the requesting user from writing any of
 * `columns` (requestingUserCanEdit false, not warning-only). `maxRows` is asked only for an unbounded range.
 */
export function protectedRowsFromApi(
  ranges: ApiProtectedRange[],
  columns: number[],
  maxRows: () => number,
): Set<number> {
  const out = new Set<number>();
  let max: number | null = null;
  for (const p of ranges) {
    if (p.warningOnly || p.requestingUserCanEdit) continue;
    const r = p.range ?? {};
    const c1 = (r.startColumnIndex ?? 0) + 1;
    const c2 = r.endColumnIndex ?? Number.MAX_SAFE_INTEGER;
    if (!columns.some((c) => c >= c1 && c <= c2)) continue;
    const r2 = r.endRowIndex ?? (max ??= maxRows());
    for (let row = (r.startRowIndex ?? 0) + 1; row <= r2; row++) out.add(row);
  }
  return out;
}

/**
 * Sheet rows (1-based) of `sheet` where a protection stops the current user from writing any of `columns`.
 * One Sheets API call (ProtectedRange.requestingUserCanEdit); without the service, one getProtections call
 * plus a few per protection.
 */
export function rowsProtectedAgainstMe(
  ss: Spreadsheet,
  sheet: Sheet,
  columns: number[],
  // The caller knows the tab's name and the spreadsheet's id: asking again would cost a call each.
  known: { name: string; spreadsheetId: string } = { name: sheet.getName(), spreadsheetId: ss.getId() },
): Set<number> {
  const out = new Set<number>();
  const lo = Math.min(...columns);
  const hi = Math.max(...columns);
  const maxRows = () => sheet.getMaxRows();
  const addArea = (r1: number, r2: number, c1: number, c2: number) => {
    if (c2 < lo || c1 > hi) return;
    if (!columns.some((c) => c >= c1 && c <= c2)) return;
    for (let r = r1; r <= r2; r++) out.add(r);
  };
  const api = sheetsService();
  if (api) {
    const res = api.Spreadsheets.get(known.spreadsheetId, {
      fields: 'sheets(properties(sheetId,title),protectedRanges(range,warningOnly,requestingUserCanEdit))',
    });
    const mine = (res.sheets ?? []).find((s) => s.properties?.title === known.name);
    return protectedRowsFromApi(mine?.protectedRanges ?? [], columns, maxRows);
  }
  for (const p of [
    ...sheet.getProtections(SpreadsheetApp.ProtectionType.SHEET),
    ...sheet.getProtections(SpreadsheetApp.ProtectionType.RANGE),
  ]) {
    if (p.isWarningOnly() || p.canEdit()) continue;
    const r = p.getRange();
    addArea(r.getRow(), r.getLastRow(), r.getColumn(), r.getLastColumn());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The write

export interface CreditsLayout {
  sheet: Sheet;
  idx: ColumnIndex<CreditField>;
  headers: readonly Cell[];
}

export function layoutOf(tab: {
  sheet: Sheet;
  idx: ColumnIndex<CreditField>;
  grid: { headers: readonly Cell[] };
}): CreditsLayout {
  return { sheet: tab.sheet, idx: tab.idx, headers: tab.grid.headers };
}

/**
 * Compare-and-set write of planned changes to Credits, with their Audit rows. Call under the document lock
 * (other add-on executions) — it takes the sync exclusion itself. `allowLocked` is for Check sheet only,
 * which puts collected rows back as the Ledger records them.
 */
export function guardedWrite(
  ss: Spreadsheet,
  timeZone: string,
  layout: CreditsLayout,
  writes: PlannedWrite[],
  who: string,
  opts: { allowLocked?: boolean } = {},
): WriteReport {
  const report: WriteReport = { written: [], changed: [], protectedIds: [], lockedIds: [], writeCalls: 0 };
  if (writes.length === 0) return report;
  return withSyncExclusion(ss, who, () => {
    const { sheet, idx } = layout;
    const fields = new Set<CreditField>(['key', 'creditId', 'status']);
    for (const w of writes) {
      for (const f of Object.keys(w.expect) as CreditField[]) fields.add(f);
      for (const f of Object.keys(w.set) as CreditField[]) fields.add(f);
    }
    const cols = [...fields].map((f) => idx[f] + 1);
    const lastRow = sheet.getLastRow();
    // Re-read the columns involved just before writing: ONE getValues from the first to the last of them (a few
    // columns more to read cost less than a call per column run).
    const current = new Map<number, Cell[]>(); // column → cells of rows 2..lastRow
    if (lastRow >= 2) {
      const c1 = Math.min(...cols);
      const c2 = Math.max(...cols);
      const block = sheet.getRange(2, c1, lastRow - 1, c2 - c1 + 1).getValues() as unknown[][];
      for (const c of cols)
        current.set(
          c,
          block.map((r) => toCell(r[c - c1], timeZone)),
        );
    }
    const cell = (row: number, field: CreditField): Cell => current.get(idx[field] + 1)?.[row - 2] ?? '';
    const rowsByKey = rowsByKeyOf(current.get(idx.key + 1) ?? []);
    const writtenCols = [
      ...new Set(writes.flatMap((w) => (Object.keys(w.set) as CreditField[]).map((f) => idx[f] + 1))),
    ];
    // Credits is the tab this writes (CreditsLayout); its name and the id are known without asking.
    const known = { name: TABS.credits.name, spreadsheetId: ss.getId() };
    const fenced = writtenCols.length
      ? rowsProtectedAgainstMe(ss, sheet, writtenCols, known)
      : new Set<number>();

    const { cells, audit } = decideWrites(writes, layout.headers, idx, cell, rowsByKey, fenced, report, opts);
    report.writeCalls = commit(ss, sheet, cells, audit, known);
    return report;
  });
}

/** Rows of Credits by Key (several when a key appears twice), from the Key column's cells (row 2 first). */
export function rowsByKeyOf(keys: readonly Cell[]): Map<string, number[]> {
  const rowsByKey = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const key = text(k);
    if (!key) return;
    const list = rowsByKey.get(key) ?? [];
    list.push(i + 2);
    rowsByKey.set(key, list);
  });
  return rowsByKey;
}

/**
 * The compare-and-set decision for each planned write, on cells read after our write marker was set: skipped
 * when its row moved away or appears twice, when it is locked now, when a cell it was based on changed, or
 * when a protection stops the user; otherwise its changed cells and its Audit rows are kept. Fills `report`.
 */
export function decideWrites(
  writes: PlannedWrite[],
  headers: readonly Cell[],
  idx: ColumnIndex<CreditField>,
  cell: (row: number, field: CreditField) => Cell,
  rowsByKey: Map<string, number[]>,
  fenced: Set<number>,
  report: WriteReport,
  opts: { allowLocked?: boolean },
): { cells: CellWrite[]; audit: AuditEntry[] } {
  const cells: CellWrite[] = [];
  const audit: AuditEntry[] = [];
  for (const w of writes) {
    const rows = rowsByKey.get(w.key) ?? [];
    if (rows.length !== 1) {
      report.changed.push({
        creditId: w.creditId,
        why: rows.length
          ? 'its row appears twice on Credits (run Check sheet)'
          : 'it is no longer on Credits',
      });
      continue;
    }
    const row = rows[0];
    const status = text(cell(row, 'status'));
    if (!opts.allowLocked && isStatus(status) && isLocked(status)) {
      report.lockedIds.push(w.creditId);
      continue;
    }
    // Core's compare-and-set rule, the one the sync's sinks use: both writers judge a cell alike.
    const moved = conflictsOf(w.expect, (f) => cell(row, f));
    if (moved.length) {
      report.changed.push({
        creditId: w.creditId,
        why: `${moved.map((m) => text(headers[idx[m.field]])).join(', ')} changed since it was read`,
      });
      continue;
    }
    if (fenced.has(row)) {
      report.protectedIds.push(w.creditId);
      continue;
    }
    for (const f of Object.keys(w.set) as CreditField[]) {
      const v = w.set[f] as Cell;
      // Cells already holding the value are not written (a blank Status still gets its PENDING_ASSIGN).
      if (text(cell(row, f)) !== text(v))
        cells.push({ row, col: idx[f] + 1, value: v, creditId: w.creditId });
    }
    report.written.push(w.creditId);
    audit.push(...w.audit);
  }
  return { cells, audit };
}

/** Writes the cells and appends the audit rows; returns the write calls made. */
export function commit(
  ss: Spreadsheet,
  sheet: Sheet,
  cells: CellWrite[],
  audit: AuditEntry[],
  known: { name: string; spreadsheetId: string },
): number {
  if (cells.length === 0 && audit.length === 0) return 0;
  const api = sheetsService();
  if (api) {
    // The Audit tab found (or made) with SpreadsheetApp, flushed so the API batch sees it; rows it lacks are
    // added by the batch itself (appendDimension), not by insertRowsAfter, which could land after the batch.
    let place: AuditPlace | null = null;
    if (audit.length) {
      const created = !ss.getSheetByName(TABS.audit.name);
      const target = auditSheetFor(ss, 0);
      if (created) SpreadsheetApp.flush();
      place = { ...target, sheetId: target.sheet.getSheetId(), rowCount: target.maxRows };
    }
    const batches = writeBatches(sheet.getSheetId(), place, cells, audit);
    return sendBatches(api, known.spreadsheetId, batches);
  }
  // Without the API: one setValues per run of adjacent cells in a row; one that fails (a protection added
  // meanwhile) does not stop the others, and Audit is appended for the credits actually written.
  let calls = 0;
  const failedIds = new Set<string>();
  for (const [creditId, rowCells] of groupBy(cells, (c) => c.creditId)) {
    // The widest run first (Status … Rule): if Sheets refuses it, the credit's other cells (Last Change,
    // Flags) are not written either, so a refused credit is not left half changed.
    const rects = cellRects(rowCells).sort((a, b) => b.values[0].length - a.values[0].length);
    for (const r of rects) {
      calls++;
      try {
        sheet
          .getRange(r.row, r.col, r.values.length, r.values[0].length)
          .setValues(r.values.map((line) => line.map(literalText)) as never[][]);
      } catch {
        failedIds.add(creditId);
        break;
      }
    }
  }
  const kept = audit.filter((e) => !failedIds.has(e.creditId));
  if (kept.length) {
    const target = auditSheetFor(ss, kept.length);
    const block = appendAuditRowsData(target, kept, (_s, row, col, numRows, numCols) =>
      [row, col, numRows, numCols].join(','),
    );
    const [row, col, numRows, numCols] = block.range.split(',').map(Number);
    target.sheet
      .getRange(row, col, numRows, numCols)
      .setValues(block.values.map((line) => line.map(literalText)) as never[][]);
    calls++;
  }
  if (failedIds.size)
    throw new CreditDeskError(
      'LOCKED',
      `${failedIds.size} credit${failedIds.size === 1 ? '' : 's'} could not be written (a protection stopped ${failedIds.size === 1 ? 'it' : 'them'}): ${[...failedIds].slice(0, 5).join(', ')}. The others were written.`,
      'Run Check sheet, then try again.',
    );
  return calls;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}
