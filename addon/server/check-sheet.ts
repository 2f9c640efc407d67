/**
 * "Check sheet": repairs what onEdit cannot see. Sheets fires no onEdit for sorts, row deletes and inserts, the
 * owner bypasses protections, and a paste gives onEdit no old values — so a collected credit's row can end up
 * changed, duplicated or gone. The Ledger tab (written by the usage process, protected) is the record: each
 * collected credit is found on Credits BY CREDIT ID (then Key), never by row number, and only the cells that
 * differ from the Ledger are written back, compare-and-set, with Audit rows. A row showing PROCESSING/PROCESSED
 * that the Ledger does not know was set by hand: its status goes back to what its allocation says.
 */
import type { AuditEntry } from '../../core/audit';
import { CreditDeskError } from '../../core/errors';
import { inferPriorStatus } from '../../core/hand-edit';
import type { CreditField } from '../../core/sheet-contract';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import { isLocked, isStatus } from '../../core/status';
import { text, type Cell } from '../../core/table';
import { withDocumentLock } from '../services/lock';
import { currentUserEmail } from '../services/session';
import { guardedWrite, layoutOf, type PlannedWrite } from './guarded-write';
import { ownsItsKey, readLedger, LEDGER_TAB } from './ledger';
import { openSpreadsheet, readCreditsLenient } from './live-sheet';

export interface CheckResult {
  repaired: string[];
  missing: string[];
  duplicated: string[];
  unlockedByHand: string[];
  skipped: string[];
  message: string;
}

const HEADER_FIELD = new Map(CREDIT_COLUMNS.map((c) => [c.header.toLowerCase(), c.field]));

export function checkSheet(): CheckResult {
  return withDocumentLock(() => {
    const { ss, timeZone } = openSpreadsheet();
    const ledger = readLedger(ss, timeZone);
    if (!ledger)
      throw new CreditDeskError(
        'BAD_SHEET',
        `This spreadsheet has no "${LEDGER_TAB}" tab, so collected credits can't be checked.`,
        'Run the Credit Desk sync (with the usage process) to create it.',
      );
    const tab = readCreditsLenient(ss, timeZone);
    const who = currentUserEmail();
    const now = new Date().toISOString();
    const rowsById = new Map<string, number[]>();
    tab.rows.forEach((cells, i) => {
      const id = text(cells[tab.idx.creditId]);
      if (id) rowsById.set(id, [...(rowsById.get(id) ?? []), i + 2]);
    });
    const result: CheckResult = {
      repaired: [],
      missing: [],
      duplicated: [],
      unlockedByHand: [],
      skipped: [],
      message: '',
    };
    const writes: PlannedWrite[] = [];
    const cellOf = (row: number, f: CreditField): Cell => tab.rows[row - 2]?.[tab.idx[f]] ?? '';

    for (const entry of ledger.byId.values()) {
      const rows = rowsById.get(entry.creditId) ?? [];
      if (rows.length === 0) {
        result.missing.push(entry.creditId);
        continue;
      }
      if (rows.length > 1) result.duplicated.push(entry.creditId);
      // With duplicates, the row whose Key matches the Ledger is the credit; the others are copies to delete.
      const row = rows.find((r) => text(cellOf(r, 'key')) === entry.key) ?? rows[0];
      const expect: Partial<Record<CreditField, string>> = {};
      const set: Partial<Record<CreditField, Cell>> = {};
      const audit: AuditEntry[] = [];
      // A Ledger row whose Key was typed over (its Credit ID not one that Key was issued: decision 0031) still
      // holds its credit's cells, but not its Key: the row keeps its own, and the next sync puts the Ledger's back.
      const keyTyped = text(cellOf(row, 'key')) !== entry.key && !ownsItsKey(entry);
      for (const [header, want] of entry.cells) {
        const f = HEADER_FIELD.get(header);
        if (!f || (f === 'key' && keyTyped)) continue;
        const have = cellOf(row, f);
        if (text(have) === text(want)) continue;
        expect[f] = text(have);
        set[f] = want;
        audit.push({
          when: now,
          who,
          action: 'revert',
          creditId: entry.creditId,
          field: f,
          before: text(have),
          after: text(want),
        });
      }
      if (audit.length === 0) continue;
      writes.push({ key: text(cellOf(row, 'key')), creditId: entry.creditId, expect, set, audit });
    }

    // PROCESSING/PROCESSED on Credits that the usage process never collected: set by hand.
    tab.rows.forEach((cells, i) => {
      const status = text(cells[tab.idx.status]);
      const id = text(cells[tab.idx.creditId]);
      const key = text(cells[tab.idx.key]);
      if (!key || !isStatus(status) || !isLocked(status)) return;
      if (ledger.byId.has(id) || ledger.byKey.has(key)) return;
      const to = inferPriorStatus(text(cells[tab.idx.allocation]));
      result.unlockedByHand.push(id || `row ${i + 2}`);
      writes.push({
        key,
        creditId: id,
        expect: { status },
        set: { status: to },
        audit: [
          { when: now, who, action: 'revert', creditId: id, field: 'status', before: status, after: to },
        ],
      });
    });

    const report = guardedWrite(ss, timeZone, layoutOf(tab), writes, who, { allowLocked: true });
    result.repaired = report.written.filter((id) => !result.unlockedByHand.includes(id));
    result.skipped = [...report.changed.map((c) => c.creditId), ...report.protectedIds];
    result.message = checkMessage(result, ledger.size);
    return result;
  });
}

export function checkMessage(r: CheckResult, collected: number): string {
  const parts: string[] = [];
  if (r.repaired.length)
    parts.push(
      `Put back ${r.repaired.length} collected credit${r.repaired.length === 1 ? '' : 's'} from the Ledger (${r.repaired.slice(0, 5).join(', ')}${r.repaired.length > 5 ? ', …' : ''}).`,
    );
  if (r.unlockedByHand.length)
    parts.push(
      `${r.unlockedByHand.length} row${r.unlockedByHand.length === 1 ? ' was' : 's were'} marked PROCESSING/PROCESSED by hand and put back (${r.unlockedByHand.slice(0, 5).join(', ')}).`,
    );
  if (r.duplicated.length)
    parts.push(
      `${r.duplicated.length} collected credit${r.duplicated.length === 1 ? ' appears' : 's appear'} more than once (${r.duplicated.slice(0, 5).join(', ')}): delete the copies; the next sync flags them too.`,
    );
  if (r.missing.length)
    parts.push(
      `${r.missing.length} collected credit${r.missing.length === 1 ? ' is' : 's are'} missing from Credits (${r.missing.slice(0, 5).join(', ')}): the next sync puts ${r.missing.length === 1 ? 'it' : 'them'} back.`,
    );
  if (r.skipped.length)
    parts.push(
      `${r.skipped.length} could not be repaired now (changed meanwhile or protected against you): ${r.skipped.slice(0, 5).join(', ')}.`,
    );
  if (parts.length === 0)
    return `All ${collected} collected credit${collected === 1 ? ' is' : 's are'} as the Ledger records them.`;
  return parts.join(' ');
}
