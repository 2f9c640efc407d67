/**
 * A sink is where the sheet lives: a local .xlsx workbook or a Google Sheet. Both hold the same tabs
 * (core/sheet-contract.ts). The commands read a snapshot, decide in the core, and hand back a change set
 * (core/sheet-changes.ts); the sink writes only what the change set names.
 */
import type { AuditAction } from '../../core/audit';
import type { TabSize } from '../../core/cell-budget';
import type { AuditField, CreditField, TabId } from '../../core/sheet-contract';
import type { ChangeSet, Snapshot, WriteReport } from '../../core/sheet-changes';

export interface ReadOptions {
  /**
   * A read-only command that needs just these tabs says so; a sink may then return the other tabs empty
   * (contract headers, no rows) to save their reading. Never for a snapshot a write is planned from.
   */
  only?: readonly TabId[];
  /**
   * Audit actions whose rows the command needs whole (`usage collect`: the amounts the sync recorded,
   * core/amount-proof.ts), with AUDIT_WHOLE_ROWS, when it reads the Audit narrowly (`auditColumns`).
   */
  auditDetail?: readonly AuditAction[];
  /**
   * The Audit columns the command reads in every row (Credit ID and Action are always among them). A sink may
   * leave the other Audit cells blank, except in the rows whose Action is one of AUDIT_WHOLE_ROWS or
   * `auditDetail`, which come whole; the rows themselves are all there, so row counts and appends are unchanged.
   * One exception (TRACE_ROWS): a `collect` or `close` row whose Credit ID the snapshot's Ledger tab holds
   * (core/ledger.ts collectionsHeld) may come narrow too, unless its action is in `auditDetail` (both sinks leave
   * them narrow: on a year's sheet they are most of the Audit's whole rows). Pinned by the narrow-read property
   * tests of each sink. Absent: every Audit cell (archive copies whole rows).
   */
  auditColumns?: readonly AuditField[];
  /**
   * The Credits fields the command decides from (Key and Status are always read). A sink may leave the other
   * cells of the Credits tab blank, and non-contract columns out (Google Sheets does: it downloads only these
   * columns). Safe only for fields the command never writes from what it read: changes are cell diffs
   * (core/sheet-state.ts buildChangeSet), so a field read blank and left alone is not written. Default: all.
   */
  creditFields?: readonly CreditField[];
  /**
   * A command that changes only these credits (by Credit ID) says so, with `creditFields`: a sink may then give
   * whole only the Credits rows that hold one of them, that the Ledger tab or the Audit's whole rows name, that
   * the Audit never issued, or whose Status is neither PENDING_ASSIGN nor ASSIGNED, and the tab's last row; the
   * other rows come blank and the snapshot says so (Snapshot.scoped). The Google Sheets sink does
   * (sheets-scope.ts, docs/decisions/0026); the workbook reads every row. readReconciled reads again whole
   * whenever the scoped rows leave anything to repair or to say.
   */
  scope?: { creditIds: readonly string[] };
}

/**
 * The Audit rows a narrow read (`auditColumns`) still gives whole: what the commands that read narrowly look up
 * in them — drift and left-out lines recorded (sync), collections, closes and reopenings (reconcile-step.ts,
 * core/collect-trace.ts: a lost Ledger row is rebuilt from these).
 */
export const AUDIT_WHOLE_ROWS: readonly AuditAction[] = ['drift', 'left-out', 'collect', 'close', 'reopen'];

/**
 * The rows of AUDIT_WHOLE_ROWS that make a collection's trace (core/collect-trace.ts readCollectTraces). The trace
 * is read only to rebuild a Ledger row that was lost (reconcile-step.ts adoptFromAudit) and to name the keys and
 * usage files a collection took (jobs/usage.ts), which the Ledger row says itself while it is there: so a narrow
 * read gives them whole only for a Credit ID the Ledger tab does not hold (docs/decisions/0022). On a sheet with
 * a year of collections and closes, that is most of the Audit's whole rows.
 */
export const TRACE_ROWS: readonly AuditAction[] = ['collect', 'close'];

export interface Sink {
  /** "credits.xlsx" or "Google Sheet 1AbC…" — for messages. Never contains credentials. */
  readonly label: string;
  /**
   * Reads every contract tab, creating missing tabs/headers/formatting first (idempotent). A sink opened for
   * writing takes its writer lock here (waiting a bounded time for another writer) and keeps it until close(),
   * so what is read cannot be changed by another command before this one writes.
   */
  read(opts?: ReadOptions): Promise<Snapshot>;
  /**
   * Applies the change set, then makes the protection of locked rows (PROCESSING / PROCESSED) match the
   * Status column. Must be all-or-nothing as far as the medium allows (workbook: temp file + rename).
   * Rows are located by `key` at write time; a key that moved since the read is followed, not overwritten.
   * Keeps the write contract (core/write-contract.ts); test/contract/ runs its suite against every sink.
   */
  write(changes: ChangeSet): Promise<WriteReport>;
  /** Every tab's grid size, for the cell budget. Optional so test doubles need not implement it. */
  gridSize?(): Promise<TabSize[]>;
  /** Releases the writer lock, if held. Always call it (in a finally). */
  close(): Promise<void>;
}
