/**
 * What a command reads from the sheet (a Snapshot of every contract tab) and what it hands back to write (a
 * ChangeSet naming only the cells that change, with compare-and-set on the cells people own), whichever sink
 * holds the sheet: a local .xlsx workbook or a Google Sheet (sync-service/sinks/). Pure types and helpers.
 */
import { text, type Cell, type Grid } from './table';
import type { AuditField, CreditField, LedgerField, TabId } from './sheet-contract';
import type { RowRepair } from './reconcile';
import type { SummaryLayout } from './summary-layout';

export interface Snapshot {
  /** Every contract tab as a grid (header row + data rows). A tab that did not exist yet is returned empty with the contract headers. */
  tabs: Record<TabId, Grid>;
  /** Contract tabs this read had to create (they did not exist): how a deleted or renamed Credits tab is noticed. */
  created?: TabId[];
  /**
   * The Credits rows outside the read's scope (sync-service/sinks/sink.ts ReadOptions.scope) came blank: the
   * snapshot shows every collected or locked row and the command's own, not every credit.
   */
  scoped?: boolean;
}

/** The Ledger tab's part of a change set (see core/ledger.ts). */
export interface LedgerChanges {
  appends: Record<LedgerField, Cell>[];
  /**
   * Rows found by Key in the Ledger tab, only the named fields written; by Key and Credit ID when `creditId` is
   * given (a Key two rows hold: core/ledger-placement.ts).
   */
  updates: { key: string; creditId?: string; fields: Partial<Record<LedgerField, Cell>> }[];
}

/** Write these fields of the credit whose Key is `key` (the sink finds its row by Key when it writes). */
export interface CellUpdate {
  key: string;
  fields: Partial<Record<CreditField, Cell>>;
  /** For messages and for dropping the credit's Audit rows when the update is skipped. */
  creditId?: string;
  /**
   * Compare-and-set on the cells people own: the values of these fields as read. If the sheet holds
   * something else when the sink is about to write (someone assigned, unassigned or collected the credit
   * meanwhile), the whole update is skipped, its Audit rows are dropped, and it is listed in
   * WriteReport.skipped. Their edit is kept; the command says so.
   */
  expect?: Partial<Record<GuardedField, Cell>>;
}

/** The cells whose change between a read and a write means a plan made from the read is out of date. */
export const GUARDED_FIELDS = ['status', 'allocation'] as const;
export type GuardedField = (typeof GUARDED_FIELDS)[number];

/**
 * Does the sheet's cell still hold what the plan read? Compared as the domain reads it: by text (a number and
 * its text agree), and an empty Status is PENDING_ASSIGN. The one "changed since it was read" rule for every
 * writer — the sync's sinks and the add-on's guarded writes — so they never disagree about the same cell.
 */
export function stillAsRead(
  field: CreditField,
  current: Cell | undefined,
  expected: Cell | undefined,
): boolean {
  const norm = (v: Cell | undefined) => text(v) || (field === 'status' ? 'PENDING_ASSIGN' : '');
  return norm(current) === norm(expected);
}

/** Every field of `expect` that no longer holds what was read, with its value now, in `expect`'s order. */
export function conflictsOf<F extends CreditField>(
  expect: Partial<Record<F, Cell>> | undefined,
  current: (field: F) => Cell | undefined,
): { field: F; now: string }[] {
  const out: { field: F; now: string }[] = [];
  for (const f of Object.keys(expect ?? {}) as F[]) {
    const now = current(f);
    if (!stillAsRead(f, now, expect![f])) out.push({ field: f, now: text(now) });
  }
  return out;
}

/** The first guarded field that no longer holds what was read, with its value now; null when all still match. */
export function conflictOf(
  update: CellUpdate,
  current: (field: GuardedField) => Cell | undefined,
): { field: GuardedField; now: string } | null {
  return conflictsOf(update.expect, current)[0] ?? null;
}

/**
 * Why a writer left a change out (core/write-contract.ts, its rules): a guarded cell changed since the read,
 * the row is locked now, the row is gone, or the new row's Key was added by someone else meanwhile.
 */
export type SkipKind = 'changed' | 'locked' | 'gone' | 'added';

/** An update or new row the sink did not write, and why. */
export interface SkippedChange {
  key: string;
  creditId: string;
  why: SkipKind;
  /** For people: the sentence the command prints. */
  reason: string;
}

export interface ChangeSet {
  /** Updates to existing Credits rows, only the named fields. */
  updates: CellUpdate[];
  /** New Credits rows, appended after the last row. */
  appends: Record<CreditField, Cell>[];
  /** Rows appended to the Audit tab. */
  audit: Record<AuditField, Cell>[];
  /** Full replacement of tabs the run owns entirely this time (e.g. Accounts loaded from --accounts). Rarely used. */
  replaceTabs?: Partial<Record<Exclude<TabId, 'credits' | 'audit' | 'ledger'>, Grid>>;
  /** Credits rows whose Key was blanked or edited, found by Credit ID and the Key read (core/reconcile.ts); applied before `updates`. */
  rowRepairs?: RowRepair[];
  /** Ledger rows; in the Google Sheet they are written before the Credits rows. */
  ledger?: LedgerChanges;
  /** The Summary tab to draw (it is rebuilt, never edited); a sink skips it when the tab already shows it. */
  summary?: SummaryLayout;
  /**
   * Rows that leave the sheet (archived): Credits rows by Key, Audit rows by Credit ID, full Ledger rows by Key
   * (never the Ledger's packed rows of archived credits, which `ledger.appends` may add in the same write).
   */
  remove?: RemoveRows;
}

export interface RemoveRows {
  keys: string[];
  auditCreditIds: string[];
  ledgerKeys?: string[];
}

export interface WriteReport {
  updatedRows: number;
  appendedRows: number;
  lockedRows: number;
  /** Changes not written because the sheet changed under them (see CellUpdate.expect); empty when all were. */
  skipped: SkippedChange[];
}

/** True when no row of a tab changes (the Summary, always rebuilt, does not count). */
export function isEmptyChangeSet(c: ChangeSet): boolean {
  return (
    c.updates.length === 0 &&
    c.appends.length === 0 &&
    c.audit.length === 0 &&
    !c.replaceTabs &&
    !c.rowRepairs?.length &&
    !c.ledger?.appends.length &&
    !c.ledger?.updates.length &&
    !c.remove
  );
}

/** Whether a command should call write(): rows change, or there is a Summary to (re)draw. */
export function hasWork(c: ChangeSet): boolean {
  return !isEmptyChangeSet(c) || Boolean(c.summary);
}

/** One line per skipped change, for a command's output. */
export function describeSkipped(skipped: readonly SkippedChange[]): string[] {
  return skipped.map((s) => `${s.creditId || s.key}: not changed — ${s.reason}`);
}

/** Audit rows of credits whose change was skipped are dropped with it. */
export function auditWithout<T extends { creditId?: Cell }>(
  audit: readonly T[],
  creditIds: ReadonlySet<string>,
): T[] {
  if (!creditIds.size) return [...audit];
  return audit.filter((a) => !creditIds.has(text(a.creditId)));
}

/** A collected credit whose Credits change was skipped keeps its Ledger as it was: the two are written together. */
export function withoutKeys(
  ledger: LedgerChanges | undefined,
  keys: ReadonlySet<string>,
): LedgerChanges | undefined {
  if (!ledger || !keys.size) return ledger;
  const key = (r: Record<LedgerField, Cell>) => text(r.key);
  return {
    appends: ledger.appends.filter((r) => !keys.has(key(r))),
    updates: ledger.updates.filter((u) => !keys.has(u.key)),
  };
}
