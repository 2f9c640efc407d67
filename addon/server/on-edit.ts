/**
 * The simple onEdit trigger on the Credits tab.
 *
 * 1. An edit that touches a PROCESSING/PROCESSED row (any column, single cell or a paste over many rows)
 *    is put back. Single-cell edits carry e.oldValue; multi-cell edits do not, so the old cells come from
 *    the "_locked" mirror (locked-snapshot.ts). This is the SECOND line of defence: the sync protects
 *    locked rows with its own account, and a protection never locks out the user who made it. A simple
 *    trigger runs as the editing user, for at most 30 seconds, and does not run for script writes.
 * 2. An edit of the Allocation column on other rows is validated by the core: valid → ASSIGNED, Rule
 *    "manual", Distributor Keeps and Last Change written, the cell's note cleared; cleared → back to
 *    PENDING_ASSIGN; invalid → a note on the cell says what is wrong and the status is left alone.
 * Every change and revert gets Audit rows with the user's email ("unknown user" when Apps Script does not
 * say who it is, which happens in simple triggers).
 *
 * Calls are constant per edit: the header row, the edited rows, the mirror (only when needed) and the
 * Accounts tab (only for allocation edits) are each read once; writes go per run of contiguous rows.
 */
import type { AuditEntry } from '../../core/audit';
import { assignCredit, unassignCredit } from '../../core/assignment';
import type { Credit } from '../../core/credit';
import { isCreditDeskError } from '../../core/errors';
import { TABS, type CreditField } from '../../core/sheet-contract';
import { isLocked, isStatus } from '../../core/status';
import { creditFromRow, indexColumns, text, type Cell, type ColumnIndex } from '../../core/table';
import { toCell } from '../services/cells';
import { currentUserEmail } from '../services/session';
import { writeBlocks } from '../services/tabs';
import { toast } from '../services/ui';
import { assignContext } from './assign';
import { appendAudit } from './audit-log';
import { writeAssignments } from './credit-writes';
import { readSnapshot, type LockedSnapshot } from './locked-snapshot';
import { runs } from './write-plan';
import { readDirectory, type CreditsTab } from './workbook';

type EditEvent = GoogleAppsScript.Events.SheetsOnEdit;

interface EditedRow {
  row: number;
  raw: unknown[];
  cells: Cell[];
}

function lockedText(value: unknown): boolean {
  const t = text(value as Cell);
  return isStatus(t) && isLocked(t);
}

/** Runs the work under the document lock when the trigger may take it; a simple trigger may not, then it runs anyway. */
function underLockIfPossible(work: () => void): void {
  let lock: GoogleAppsScript.Lock.Lock | null = null;
  try {
    lock = LockService.getDocumentLock();
    if (!lock.tryLock(10_000)) lock = null;
  } catch {
    lock = null;
  }
  try {
    work();
  } finally {
    lock?.releaseLock();
  }
}

export function handleEdit(e: EditEvent): void {
  if (!e || !e.range) return;
  const sheet = e.range.getSheet();
  if (sheet.getName() !== TABS.credits.name) return;
  underLockIfPossible(() => onCreditsEdit(e, sheet));
}

function onCreditsEdit(e: EditEvent, sheet: GoogleAppsScript.Spreadsheet.Sheet): void {
  const range = e.range;
  const firstCol = range.getColumn();
  const lastCol = firstCol + range.getNumColumns() - 1;
  const first = Math.max(2, range.getRow());
  const last = range.getRow() + range.getNumRows() - 1;
  if (last < first) return; // only the header row
  const ss = e.source;
  const timeZone = ss.getSpreadsheetTimeZone();
  const width = Math.max(lastCol, sheet.getLastColumn());
  const headers = sheet.getRange(1, 1, 1, width).getValues()[0] as unknown[];
  let idx: ColumnIndex<CreditField>;
  try {
    idx = indexColumns<CreditField>(
      'credits',
      headers.map((h) => toCell(h, timeZone)),
    );
  } catch {
    return; // a renamed header: the next action reports it; onEdit has no one to tell
  }
  const values = sheet.getRange(first, 1, last - first + 1, width).getValues() as unknown[][];
  const rows: EditedRow[] = values.map((raw, i) => ({
    row: first + i,
    raw,
    cells: raw.map((v) => toCell(v, timeZone)),
  }));
  const touches = (field: CreditField) => idx[field] + 1 >= firstCol && idx[field] + 1 <= lastCol;
  const single = range.getNumRows() === 1 && range.getNumColumns() === 1;

  // The status in the sheet is trustworthy unless the edit covered it (or the key we find rows by).
  const statusTrusted = !touches('status') && !touches('key');
  const needSnapshot = !statusTrusted || rows.some((r) => lockedText(r.cells[idx.status]));
  const snapshot = needSnapshot ? readSnapshot(ss) : null;

  const who = currentUserEmail();
  const now = new Date().toISOString();
  const audit: AuditEntry[] = [];
  const restored = new Map<number, unknown[]>(); // row → values for columns firstCol..lastCol
  const unrestorable: number[] = [];

  for (const r of rows) {
    const entry = lockedEntry(r, idx, snapshot, statusTrusted);
    const wasLocked =
      entry !== null ||
      (statusTrusted && lockedText(r.cells[idx.status])) ||
      (single && touches('status') && lockedText(e.oldValue));
    if (!wasLocked) continue;
    const back: unknown[] = [];
    for (let c = firstCol; c <= lastCol; c++) {
      const header = String(headers[c - 1] ?? '')
        .trim()
        .toLowerCase();
      if (entry && entry.cells.has(header)) back.push(entry.cells.get(header));
      else if (single) back.push(fromOldValue(e.oldValue));
      else back.push(undefined);
    }
    if (back.some((v) => v === undefined)) {
      unrestorable.push(r.row);
      continue;
    }
    restored.set(r.row, back);
    const creditId = text(entry?.cells.get('credit id') as Cell) || text(r.cells[idx.creditId]);
    back.forEach((v, i) => {
      const attempted = text(r.cells[firstCol - 1 + i]);
      const put = text(toCell(v, timeZone));
      if (attempted !== put) {
        audit.push({
          when: now,
          who,
          action: 'revert',
          creditId,
          field: String(headers[firstCol - 1 + i] ?? ''),
          before: attempted,
          after: put,
        });
      }
    });
  }

  // Put locked rows back, one setValues per run of contiguous rows.
  writeBlocks(
    sheet,
    runs(restored.keys()).map(([a, b]) => ({
      row: a,
      col: firstCol,
      values: Array.from({ length: b - a + 1 }, (_x, i) => restored.get(a + i) as unknown[]),
    })),
  );

  const lockedRows = new Set([...restored.keys(), ...unrestorable]);
  if (touches('allocation')) {
    audit.push(...allocationEdits(e, ss, sheet, headers, idx, rows, lockedRows, single, timeZone));
  }
  appendAudit(ss, audit);

  const notices: string[] = [];
  if (restored.size)
    notices.push(
      `Row${restored.size > 1 ? 's' : ''} ${[...restored.keys()].join(', ')} ${restored.size > 1 ? 'are' : 'is'} PROCESSING/PROCESSED and can't change; your edit was undone.`,
    );
  if (unrestorable.length)
    notices.push(
      `Row${unrestorable.length > 1 ? 's' : ''} ${unrestorable.join(', ')} ${unrestorable.length > 1 ? 'are' : 'is'} locked; press Undo (Ctrl+Z) to put ${unrestorable.length > 1 ? 'them' : 'it'} back.`,
    );
  if (notices.length) toast(notices.join(' '));
}

/**
 * e.oldValue is always text. A number cell's old value comes back as a number (so "-5" stays -5 instead of
 * being written as the text "-5"); anything else is restored as text.
 */
function fromOldValue(old: unknown): unknown {
  if (old === undefined || old === null) return '';
  const t = String(old);
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/** The mirror entry of a locked row: by the key in the row, or, when the edit covered the key, by row number. */
function lockedEntry(
  r: EditedRow,
  idx: ColumnIndex<CreditField>,
  snapshot: LockedSnapshot | null,
  statusTrusted: boolean,
) {
  if (!snapshot) return null;
  const byKey = snapshot.byKey.get(text(r.cells[idx.key]));
  if (byKey) return byKey;
  return statusTrusted ? null : (snapshot.byRow.get(r.row) ?? null);
}

function allocationEdits(
  e: EditEvent,
  ss: GoogleAppsScript.Spreadsheet.Spreadsheet,
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  headers: unknown[],
  idx: ColumnIndex<CreditField>,
  rows: EditedRow[],
  lockedRows: Set<number>,
  single: boolean,
  timeZone: string,
): AuditEntry[] {
  const ctx = assignContext(readDirectory(ss, timeZone));
  const notes = new Map<number, string>();
  const changed: { row: number; credit: Credit }[] = [];
  const credits: CreditsTab['credits'] = [];
  const audit: AuditEntry[] = [];
  for (const r of rows) {
    if (lockedRows.has(r.row)) continue;
    let credit: Credit | null;
    try {
      credit = creditFromRow(r.cells, idx, r.row);
    } catch (err) {
      notes.set(r.row, (err as Error).message);
      continue;
    }
    if (!credit) continue; // not a credit row (no key): staff may type there freely
    credits.push({ row: r.row, credit });
    const typed = credit.allocation;
    // The cell already holds the new text; the audit's "before" is the old one (known for single cells only).
    const before: Credit = { ...credit, allocation: single ? text((e.oldValue ?? '') as Cell) : '' };
    try {
      if (typed === '') {
        if (credit.status === 'ASSIGNED') {
          const outcome = unassignCredit(before, ctx);
          changed.push({ row: r.row, credit: outcome.credit });
          audit.push(...outcome.audit);
        }
      } else {
        const outcome = assignCredit(before, typed, ctx);
        changed.push({ row: r.row, credit: outcome.credit });
        audit.push(...outcome.audit);
      }
      notes.set(r.row, '');
    } catch (err) {
      if (!isCreditDeskError(err)) throw err;
      notes.set(r.row, `Not applied: ${err.message}`);
    }
  }
  const raw: unknown[][] = [headers];
  for (const r of rows) raw[r.row - 1] = r.raw;
  writeAssignments({ sheet, raw, grid: { headers: [], rows: [] }, idx, credits }, changed);
  const col = idx.allocation + 1;
  writeNotes(sheet, col, notes);
  return audit;
}

function writeNotes(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  col: number,
  notes: Map<number, string>,
): void {
  for (const [a, b] of runs(notes.keys())) {
    const block = Array.from({ length: b - a + 1 }, (_x, i) => [notes.get(a + i) ?? '']);
    sheet.getRange(a, col, block.length, 1).setNotes(block);
  }
}
