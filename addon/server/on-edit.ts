/**
 * The simple onEdit trigger on the Credits tab: every way a person changes a cell keeps the lifecycle.
 *
 * 1. A collected credit (it is in the Ledger tab, found by Key or Credit ID — never by row number) is put
 *    back from the Ledger: only the cells that differ are written. This is the second line of defence: the
 *    sync protects those rows with its own account, but the spreadsheet's owner bypasses protections.
 *    Without a Ledger entry, a typed single-cell edit is undone from e.oldValue; a paste or range edit cannot
 *    be (Apps Script gives no old values for it, even for a paste into one cell): the cell keeps what was
 *    pasted, an Audit row says who changed it, and the person is told to press Undo or run Check sheet.
 * 2. A typed or pasted Status is validated (core/hand-edit): only PENDING_ASSIGN ⇄ ASSIGNED by hand, and
 *    ASSIGNED only with an allocation; anything into or out of PROCESSING/PROCESSED is put back with a note on
 *    the cell and an Audit row.
 * 3. An Allocation edit is validated by the core: valid → ASSIGNED, Rule "manual", Distributor Keeps and Last
 *    Change written, the note cleared; cleared → PENDING_ASSIGN; invalid → a note says what is wrong.
 *
 * 4. While the sync holds its lock, or another add-on action (an Apply) has its write marker set, nothing is
 *    written (see SYNC_RUNNING below for why).
 *
 * Google documents onEdit for "a user changes a value"; row inserts and deletes are onChange's, and moves and
 * sorts may fire onEdit as whole rows with no values (wholeRows below): Check sheet repairs what onEdit cannot
 * tell. Each block is written in its own try: one failure (a row
 * protected against this person) never skips the others. The trigger writes with SpreadsheetApp only: a
 * simple trigger may not use services that need authorisation, such as the Sheets API.
 */
import type { AuditEntry } from '../../core/audit';
import { assignCredit, unassignCredit } from '../../core/assignment';
import type { Credit } from '../../core/credit';
import { isCreditDeskError } from '../../core/errors';
import { decideStatusEdit, inferPriorStatus } from '../../core/hand-edit';
import { TABS, type CreditField } from '../../core/sheet-contract';
import { describeMarker } from '../../core/locks';
import { isLocked, isStatus, type Status } from '../../core/status';
import { creditCell, creditFromRow, indexColumns, text, type Cell, type ColumnIndex } from '../../core/table';
import { literalText, toCell } from '../services/cells';
import { currentUserEmail } from '../services/session';
import { toast } from '../services/ui';
import { assignContext } from './assign';
import { appendAudit } from './audit-log';
import { ASSIGNMENT_OWNED_FIELDS } from './credit-writes';
import { AddonBusy, withSyncExclusion } from './guarded-write';
import { cellRects, type CellWrite } from './write-plan';
import { ledgerEntry, readLedger, type Ledger } from './ledger';
import { readDirectory } from './live-sheet';
import { runs } from './write-plan';

type EditEvent = GoogleAppsScript.Events.SheetsOnEdit;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

interface EditedRow {
  row: number;
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
  // AuthMode.NONE (an add-on installed but not enabled in this document) gives no spreadsheet access at all.
  if (e.authMode !== undefined && String(e.authMode) === 'NONE') return;
  const sheet = e.range.getSheet();
  if (sheet.getName() !== TABS.credits.name) return;
  underLockIfPossible(() => {
    try {
      withSyncExclusion(
        e.source,
        currentUserEmail() || 'add-on (onEdit)',
        () => onCreditsEdit(e, sheet),
        'onEdit',
      );
    } catch (err) {
      if (err instanceof AddonBusy) toast(addonRunning(describeMarker(err.marker)));
      else if (isCreditDeskError(err) && err.code === 'LOCKED') toast(SYNC_RUNNING);
      else throw err;
    }
  });
}

/**
 * A person's edit while the sync holds its lock (core/locks SYNC_LOCK_KEY) is left exactly as typed: onEdit
 * writes nothing — no revert, no Status, no note, no Audit row. Why: the sync read the sheet before this edit
 * and writes by compare-and-set on Status and Allocation, so it keeps the person's edit (that credit is skipped
 * and listed); a revert or an ASSIGNED written by onEdit in between would itself be a second writer racing the
 * sync (a usage collection writes the Ledger, then Credits — a revert read from a half-written Ledger could put
 * back a status the sync is changing). The next sync's reconcile puts back collected rows from the Ledger and
 * undoes statuses typed into or out of PROCESSING/PROCESSED; the person is told to re-type an allocation after
 * the sync (or run Check sheet). Like the add-on's other writes, onEdit sets its own write marker first, so a
 * sync starting while onEdit writes waits for it (withSyncExclusion).
 */
const SYNC_RUNNING =
  'The Credit Desk sync is writing this sheet right now, so your edit was not checked or applied. The sync keeps it and will put back anything locked; type an allocation again once the sync has finished, or run Credit Desk › Check sheet.';

/**
 * The same while another add-on action writes (an Apply by `who`, in another execution): onEdit writes nothing,
 * for the same reason — a second writer between that action's read and its write.
 */
const addonRunning = (who: string) =>
  `Credit Desk is writing this sheet right now (${who}), so your edit was not checked or applied. Type it again once that has finished, or run Credit Desk › Check sheet.`;

/** Cell writes, notes and audit collected while deciding, written at the end. */
class Changes {
  readonly cells: CellWrite[] = [];
  readonly notes = new Map<string, { row: number; col: number; note: string }>();
  readonly audit: AuditEntry[] = [];
  readonly reverted = new Set<number>();
  readonly unrestorable = new Set<number>();

  set(row: number, col: number, value: Cell, creditId: string): void {
    this.cells.push({ row, col, value, creditId });
  }
  note(row: number, col: number, note: string): void {
    this.notes.set(`${row}:${col}`, { row, col, note });
  }
}

function onCreditsEdit(e: EditEvent, sheet: Sheet): void {
  const range = e.range;
  const firstCol = range.getColumn();
  const lastCol = firstCol + range.getNumColumns() - 1;
  const first = Math.max(2, range.getRow());
  const last = range.getRow() + range.getNumRows() - 1;
  if (last < first) return; // only the header row
  const ss = e.source;
  const timeZone = ss.getSpreadsheetTimeZone();
  const width = Math.max(lastCol, sheet.getLastColumn());
  const headers = (sheet.getRange(1, 1, 1, width).getValues()[0] as unknown[]).map((h) =>
    toCell(h, timeZone),
  );
  let idx: ColumnIndex<CreditField>;
  try {
    idx = indexColumns<CreditField>('credits', headers);
  } catch {
    return; // a renamed header: the next action reports it; onEdit has no one to tell
  }
  const values = sheet.getRange(first, 1, last - first + 1, width).getValues() as unknown[][];
  const rows: EditedRow[] = values.map((raw, i) => ({
    row: first + i,
    cells: raw.map((v) => toCell(v, timeZone)),
  }));
  const touches = (field: CreditField) => idx[field] + 1 >= firstCol && idx[field] + 1 <= lastCol;
  // e.oldValue and e.value are "Only available if the edited range is a single cell" (Edit event reference,
  // https://developers.google.com/apps-script/guides/triggers/events#edit), and a paste gives neither even on
  // one cell. A typed edit always has e.value (oldValue is missing only for a cell that was empty), so an edit
  // with neither is a paste: its old value is unknown and it takes the multi-cell path (prior status inferred
  // from the row, locked rows restored from the Ledger only).
  const single =
    range.getNumRows() === 1 &&
    range.getNumColumns() === 1 &&
    (e.value !== undefined || e.oldValue !== undefined);
  // Whole rows with no values: rows moved (dragged, or sorted) — a third-party test reports that moving rows
  // with data fires onEdit, and Google's page is silent (docs/addon.md, "What Google really sends") — or whole rows
  // pasted. Either way each row is a whole credit as it stands: its Key and Credit ID still name it, a collected
  // one is checked against the Ledger, and nothing is re-decided (rule, status) and no "press Undo" is shown.
  // Duplicated or moved-away credits are Check sheet's to report.
  const wholeRows = !single && firstCol === 1 && lastCol >= headers.filter((h) => text(h) !== '').length;

  // The Ledger is read only when a row may be collected: its status says so, or the edit covered what tells.
  const needLedger =
    touches('status') ||
    touches('key') ||
    touches('creditId') ||
    rows.some((r) => lockedText(r.cells[idx.status]));
  const ledger = needLedger ? readLedger(ss, timeZone) : null;

  const who = currentUserEmail();
  const now = new Date().toISOString();
  const changes = new Changes();
  const free: EditedRow[] = [];
  for (const r of rows) {
    if (wholeRows) {
      restoreFromLedger(r, headers, idx, ledger, changes, who, now, timeZone);
      continue;
    }
    if (!restoreCollected(r, e, headers, idx, ledger, firstCol, lastCol, single, changes, who, now, timeZone))
      free.push(r);
  }

  if (!wholeRows && (touches('status') || touches('allocation'))) {
    lifecycleEdits(e, ss, idx, free, touches, single, changes, who, now, timeZone);
  }

  const failed = writeEach(sheet, changes);
  appendAudit(
    ss,
    changes.audit.filter((a) => !failed.has(a.creditId)),
  );

  const notices: string[] = [];
  const reverted = [...changes.reverted].sort((a, b) => a - b);
  if (reverted.length)
    notices.push(
      `Row${reverted.length > 1 ? 's' : ''} ${reverted.join(', ')} ${reverted.length > 1 ? 'are' : 'is'} PROCESSING/PROCESSED and can't change; your edit was undone.`,
    );
  const lost = [...changes.unrestorable].sort((a, b) => a - b);
  if (lost.length)
    notices.push(
      `Row${lost.length > 1 ? 's' : ''} ${lost.join(', ')} ${lost.length > 1 ? 'are' : 'is'} locked; press Undo (Ctrl+Z), or run Credit Desk › Check sheet.`,
    );
  if (failed.size)
    notices.push(`Some cells could not be put back (${[...failed].join(', ')}): run Check sheet.`);
  if (notices.length) toast(notices.join(' '));
}

/**
 * Puts a collected credit's row back. Returns true when the row is collected (handled here, whatever the
 * outcome), false when it is a free row for the lifecycle rules.
 */
function restoreCollected(
  r: EditedRow,
  e: EditEvent,
  headers: Cell[],
  idx: ColumnIndex<CreditField>,
  ledger: Ledger | null,
  firstCol: number,
  lastCol: number,
  single: boolean,
  changes: Changes,
  who: string,
  now: string,
  timeZone: string,
): boolean {
  const touched = (f: CreditField) => idx[f] + 1 >= firstCol && idx[f] + 1 <= lastCol;
  // A Key or Credit ID the edit overwrote tells nothing about which credit the row was.
  const key = touched('key') ? '' : text(r.cells[idx.key]);
  const creditId = touched('creditId') ? '' : text(r.cells[idx.creditId]);
  const entry = ledgerEntry(ledger, key, creditId);
  const statusTrusted = !touched('status');
  const oldLocked = single && touched('status') && lockedText(e.oldValue);
  const looksLocked = statusTrusted && lockedText(r.cells[idx.status]);
  if (!entry && !oldLocked && !looksLocked) {
    // Both identifiers overwritten by a paste that also put a locked status: can't tell which credit it was.
    if (touched('key') && touched('creditId') && lockedText(r.cells[idx.status])) {
      changes.unrestorable.add(r.row);
      return true;
    }
    return false;
  }
  const id = entry?.creditId || text(r.cells[idx.creditId]);
  for (let c = firstCol; c <= lastCol; c++) {
    const header = text(headers[c - 1]).toLowerCase();
    let want: Cell | undefined;
    if (entry && entry.cells.has(header)) want = entry.cells.get(header);
    else if (single && !(header === 'notes')) want = fromOldValue(e.oldValue);
    if (want === undefined) {
      if (!entry && header !== 'notes') {
        changes.unrestorable.add(r.row);
        // Not put back (its old value is unknown, and blanking it would lose the pasted value too): the
        // Audit keeps a trace of who changed a locked row, for Check sheet or Undo to settle.
        changes.audit.push({
          when: now,
          who,
          action: 'edit',
          creditId: id,
          field: text(headers[c - 1]),
          before: UNKNOWN_BEFORE,
          after: text(r.cells[c - 1]),
        });
      }
      continue;
    }
    const now_ = r.cells[c - 1];
    if (text(now_) === text(want)) continue; // only cells that differ are written
    changes.set(r.row, c, want, id);
    changes.reverted.add(r.row);
    changes.audit.push({
      when: now,
      who,
      action: 'revert',
      creditId: id,
      field: text(headers[c - 1]),
      before: text(toCell(now_, timeZone)),
      after: text(want),
    });
  }
  return true;
}

/** A whole row as it stands (moved, or pasted whole): put back from the Ledger where it differs, else left. */
function restoreFromLedger(
  r: EditedRow,
  headers: Cell[],
  idx: ColumnIndex<CreditField>,
  ledger: Ledger | null,
  changes: Changes,
  who: string,
  now: string,
  timeZone: string,
): void {
  const entry = ledgerEntry(ledger, text(r.cells[idx.key]), text(r.cells[idx.creditId]));
  if (!entry) return;
  headers.forEach((h, i) => {
    const want = entry.cells.get(text(h).toLowerCase());
    if (want === undefined || text(r.cells[i]) === text(want)) return;
    changes.set(r.row, i + 1, want, entry.creditId);
    changes.reverted.add(r.row);
    changes.audit.push({
      when: now,
      who,
      action: 'revert',
      creditId: entry.creditId,
      field: text(h),
      before: text(toCell(r.cells[i], timeZone)),
      after: text(want),
    });
  });
}

/** The Audit's "before" for a locked cell changed by a paste or range edit: Apps Script does not say. */
const UNKNOWN_BEFORE = '(not known: pasted or edited as a range)';

/**
 * e.oldValue is text. A number cell's old value comes back as a number (so "-5" stays -5 instead of being
 * written as the text "-5"); anything else is restored as text.
 */
function fromOldValue(old: unknown): Cell {
  if (old === undefined || old === null) return '';
  const t = String(old);
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function lifecycleEdits(
  e: EditEvent,
  ss: GoogleAppsScript.Spreadsheet.Spreadsheet,
  idx: ColumnIndex<CreditField>,
  rows: EditedRow[],
  touches: (f: CreditField) => boolean,
  single: boolean,
  changes: Changes,
  who: string,
  now: string,
  timeZone: string,
): void {
  const ctx = { ...assignContext(readDirectory(ss, timeZone)), actor: who, now };
  const statusCol = idx.status + 1;
  const allocationCol = idx.allocation + 1;
  for (const r of rows) {
    const typedStatus = text(r.cells[idx.status]);
    const allocation = text(r.cells[idx.allocation]);
    let credit: Credit | null;
    try {
      // Parse with a valid status; the typed one is judged below.
      const cells = [...r.cells];
      cells[idx.status] = isStatus(typedStatus) ? typedStatus : 'PENDING_ASSIGN';
      credit = creditFromRow(cells, idx, r.row);
    } catch (err) {
      changes.note(r.row, allocationCol, (err as Error).message);
      continue;
    }
    if (!credit) continue; // not a credit row (no key): staff may type there freely

    const creditId = credit.creditId;
    /** The typed status put back, with a note saying why and an Audit row (one shape for every revert). */
    const revertStatus = (to: Status, note: string) => {
      changes.set(r.row, statusCol, to, creditId);
      changes.note(r.row, statusCol, note);
      changes.audit.push({
        when: now,
        who,
        action: 'revert',
        creditId,
        field: 'status',
        before: typedStatus,
        after: to,
      });
    };
    let status: Status = isStatus(typedStatus) ? typedStatus : 'PENDING_ASSIGN';
    let act: 'allocation' | 'assign' | 'unassign' | 'none' = touches('allocation') ? 'allocation' : 'none';
    if (touches('status')) {
      let before: Status;
      if (single)
        before = isStatus(text((e.oldValue ?? '') as Cell))
          ? (text(e.oldValue as Cell) as Status)
          : 'PENDING_ASSIGN';
      else if (touches('allocation') && (typedStatus === 'PENDING_ASSIGN' || typedStatus === 'ASSIGNED'))
        before = typedStatus;
      else before = inferPriorStatus(allocation);
      const decision = decideStatusEdit(before, typedStatus, allocation);
      if (decision.kind === 'revert') {
        revertStatus(decision.to, decision.note);
        status = decision.to;
      } else {
        status = before;
        if (decision.kind === 'assign' || decision.kind === 'unassign') act = decision.kind;
        else changes.note(r.row, statusCol, '');
      }
    }
    const prior: Credit = {
      ...credit,
      status,
      // The cell already holds the new text; the audit's "before" is the old one (known for single cells only).
      allocation:
        single && touches('allocation')
          ? text((e.oldValue ?? '') as Cell)
          : act === 'assign'
            ? ''
            : credit.allocation,
    };
    try {
      let outcome = null;
      if (act === 'allocation') {
        if (allocation === '') outcome = status === 'ASSIGNED' ? unassignCredit(prior, ctx) : null;
        else outcome = assignCredit(prior, allocation, ctx);
      } else if (act === 'assign') outcome = assignCredit(prior, allocation, ctx);
      else if (act === 'unassign') outcome = unassignCredit({ ...prior, status: 'ASSIGNED' }, ctx);
      if (outcome) {
        const after = outcome.credit;
        const fields: CreditField[] = [...ASSIGNMENT_OWNED_FIELDS, 'flags'];
        for (const f of fields) {
          const v = creditCell(after, f);
          if (text(r.cells[idx[f]]) !== text(v)) changes.set(r.row, idx[f] + 1, v, credit.creditId);
        }
        changes.audit.push(...outcome.audit);
        if (touches('allocation')) changes.note(r.row, allocationCol, '');
        if (act !== 'allocation') changes.note(r.row, statusCol, '');
      }
    } catch (err) {
      if (!isCreditDeskError(err)) throw err;
      if (act === 'assign') {
        // A status typed as ASSIGNED with an allocation the core refuses: the status goes back.
        revertStatus('PENDING_ASSIGN', `Not applied: ${err.message}`);
      } else changes.note(r.row, allocationCol, `Not applied: ${err.message}`);
    }
  }
}

/**
 * Writes the cells — one setValues per rectangle of adjacent changed cells; a rectangle that fails (a row
 * protected against this person) is retried row by row, so one failure never skips the others — then the
 * notes, one setNotes per run of rows in a column. Returns the Credit IDs whose write failed.
 */
function writeEach(sheet: Sheet, changes: Changes): Set<string> {
  const failed = new Set<string>();
  // The last value set for a cell wins (a revert then a lifecycle write of the same cell).
  const last = new Map<string, CellWrite>();
  for (const c of changes.cells) last.set(`${c.row}:${c.col}`, c);
  const cells = [...last.values()];
  const put = (rect: { row: number; col: number; values: Cell[][] }) =>
    sheet
      .getRange(rect.row, rect.col, rect.values.length, rect.values[0].length)
      .setValues(rect.values.map((l) => l.map(literalText)) as never[][]);
  for (const rect of cellRects(cells)) {
    try {
      put(rect);
    } catch {
      for (let i = 0; i < rect.values.length; i++) {
        const row = rect.row + i;
        try {
          put({ row, col: rect.col, values: [rect.values[i]] });
        } catch {
          const who = cells.find((c) => c.row === row);
          if (who) failed.add(who.creditId);
        }
      }
    }
  }
  const byCol = new Map<number, Map<number, string>>();
  for (const { row, col, note } of changes.notes.values()) {
    const m = byCol.get(col) ?? new Map<number, string>();
    m.set(row, note);
    byCol.set(col, m);
  }
  for (const [col, notes] of byCol) {
    for (const [a, b] of runs(notes.keys())) {
      try {
        sheet
          .getRange(a, col, b - a + 1, 1)
          .setNotes(Array.from({ length: b - a + 1 }, (_x, i) => [notes.get(a + i) ?? '']));
      } catch {
        // A note on a protected cell: the values written (or not) above are what matters.
      }
    }
  }
  return failed;
}
