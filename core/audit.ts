/**
 * The Audit tab: one row per changed field, appended, never edited. Who, when, which credit, before and after.
 */
import type { Cell } from './table';
import type { AuditField } from './sheet-contract';

export type AuditAction =
  | 'sync-add'
  | 'sync-update'
  | 'drift'
  | 'assign'
  | 'edit'
  | 'unassign'
  | 'rule-applied'
  | 'collect'
  | 'close'
  | 'revert'
  /** A CUR line the sync could not read at all (creditId empty; Before names the line, After says why). */
  | 'left-out'
  /** A collected credit's row put back as the Ledger records it. */
  | 'restore';

export interface AuditEntry {
  when: string; // ISO timestamp
  who: string; // a person's email, or "credit-desk sync", "usage process"
  action: AuditAction;
  creditId: string;
  field: string;
  before: string;
  after: string;
}

/** Audit cells are written as text; a long description is cut so one audit row stays readable. */
const MAX_AUDIT_TEXT = 1000;

export function auditCells(entry: AuditEntry): Record<AuditField, Cell> {
  const cut = (s: string) => (s.length > MAX_AUDIT_TEXT ? `${s.slice(0, MAX_AUDIT_TEXT - 1)}…` : s);
  return {
    when: entry.when,
    who: entry.who,
    action: entry.action,
    creditId: entry.creditId,
    field: entry.field,
    before: cut(entry.before),
    after: cut(entry.after),
  };
}
