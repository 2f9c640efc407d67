/**
 * A sink is where the sheet lives: a local .xlsx workbook or a Google Sheet. Both hold the same tabs
 * (core/sheet-contract.ts). The commands read a snapshot, decide in the core, and hand back a change set;
 * the sink writes only what the change set names.
 */
import type { Cell, Grid } from '../../core/table';
import type { AuditField, CreditField, TabId } from '../../core/sheet-contract';
import type { SummaryLayout } from '../../core/summary-layout';
import type { TabSize } from '../../core/cell-budget';

export interface Snapshot {
  /** Every contract tab as a grid (header row + data rows). A tab that did not exist yet is returned empty with the contract headers. */
  tabs: Record<TabId, Grid>;
}

/** Write these fields of the credit whose Key is `key`, found at data row `row` (0-based; sheet row = row + 2) when read. */
export interface CellUpdate {
  key: string;
  row: number;
  fields: Partial<Record<CreditField, Cell>>;
}

export interface ChangeSet {
  /** Updates to existing Credits rows, only the named fields. */
  updates: CellUpdate[];
  /** New Credits rows, appended after the last row. */
  appends: Record<CreditField, Cell>[];
  /** Rows appended to the Audit tab. */
  audit: Record<AuditField, Cell>[];
  /** Full replacement of tabs the run owns entirely this time (e.g. Accounts loaded from --accounts). Rarely used. */
  replaceTabs?: Partial<Record<Exclude<TabId, 'credits' | 'audit'>, Grid>>;
  /** The Summary tab to draw (it is rebuilt, never edited); a sink skips it when the tab already shows it. */
  summary?: SummaryLayout;
  /** Rows that leave the sheet (archived): Credits rows by Key, Audit rows by Credit ID. */
  remove?: { keys: string[]; auditCreditIds: string[] };
}

export interface WriteReport {
  updatedRows: number;
  appendedRows: number;
  lockedRows: number;
}

export interface Sink {
  /** "credits.xlsx" or "Google Sheet 1AbC…" — for messages. Never contains credentials. */
  readonly label: string;
  /** Reads every contract tab, creating missing tabs/headers/formatting first (idempotent). */
  read(): Promise<Snapshot>;
  /**
   * Applies the change set, then makes the protection of locked rows (PROCESSING / PROCESSED) match the
   * Status column. Must be all-or-nothing as far as the medium allows (workbook: temp file + rename).
   * Rows are located by `key` at write time; a key that moved since the read is followed, not overwritten.
   */
  write(changes: ChangeSet): Promise<WriteReport>;
  /** Every tab's grid size, for the cell budget. Optional so test doubles need not implement it. */
  gridSize?(): Promise<TabSize[]>;
  close(): Promise<void>;
}

/** True when no row of a tab changes (the Summary, always rebuilt, does not count). */
export function isEmptyChangeSet(c: ChangeSet): boolean {
  return (
    c.updates.length === 0 && c.appends.length === 0 && c.audit.length === 0 && !c.replaceTabs && !c.remove
  );
}

/** Whether a command should call write(): rows change, or there is a Summary to (re)draw. */
export function hasWork(c: ChangeSet): boolean {
  return !isEmptyChangeSet(c) || Boolean(c.summary);
}
