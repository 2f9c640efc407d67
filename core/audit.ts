/**
 * The Audit tab: one row per change (the fields one action changed in one credit), appended, never edited.
 * Who, when, which credit, which fields, before and after.
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
  /** `usage collect` left a credit out and flagged it NOT_COLLECTED (After: the flags, then why), or cleared it. */
  | 'collect-skip'
  | 'close'
  /** Connect rejected the credit's usage file: back to ASSIGNED (docs/decisions/0008; After of `reopened`: the record ID). */
  | 'reopen'
  /** What the usage process heard from Connect about a credit's records (a mismatch it will not guess about). */
  | 'connect'
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

/**
 * One Audit row per change, not per field: the entries one action makes to one credit at one moment become
 * one row whose Field lists the fields ("status, allocation, distributorKeeps, ruleId") and whose Before and
 * After hold one `field: value` line each. A credit added and assigned by rules in the same sync is one change:
 * its rule-applied fields join its sync-add row. Drift stays one row per field and a left-out CUR line one row
 * per line (a re-run looks each one up).
 * A single-field change is written exactly as before. Order: each row where its first entry was.
 */
export function compactAudit(entries: readonly AuditEntry[]): AuditEntry[] {
  // moment (when, who) → Credit ID → action → its entries: nested maps rather than a key string made per entry
  // (apply-rules on 100,000 credits compacts 360,000 entries, all of one moment).
  const groups = new Map<string, Map<string, Map<string, AuditEntry[]>>>();
  let byCredit: Map<string, Map<string, AuditEntry[]>> | undefined;
  let when: string | undefined;
  let who: string | undefined;
  const order: (AuditEntry[] | AuditEntry)[] = [];
  for (const e of entries) {
    // Drift and left-out lines stay one row each: a re-run looks each one up to not record it twice, and
    // left-out lines have no Credit ID to group by.
    if (e.action === 'drift' || e.action === 'left-out' || !e.creditId) {
      order.push(e);
      continue;
    }
    if (byCredit === undefined || e.when !== when || e.who !== who) {
      ({ when, who } = e);
      const moment = `${when}\u0000${who}`;
      byCredit = groups.get(moment);
      if (!byCredit) groups.set(moment, (byCredit = new Map()));
    }
    let actions = byCredit.get(e.creditId);
    if (!actions) byCredit.set(e.creditId, (actions = new Map()));
    const added = e.action === 'rule-applied' ? actions.get('sync-add') : undefined;
    const group = added ?? actions.get(e.action);
    if (group) {
      group.push(e);
      continue;
    }
    const fresh = [e];
    actions.set(e.action, fresh);
    order.push(fresh);
  }
  const out: AuditEntry[] = [];
  for (const item of order) {
    if (!Array.isArray(item)) out.push(item);
    else if (item.length === 1) out.push(item[0]);
    else {
      const lines = (pick: (e: AuditEntry) => string) => item.map((e) => `${e.field}: ${pick(e)}`).join('\n');
      out.push({
        ...item[0],
        field: item.map((e) => e.field).join(', '),
        before: item.every((e) => e.before === '') ? '' : lines((e) => e.before),
        after: lines((e) => e.after),
      });
    }
  }
  return out;
}

/**
 * The After values of an Audit row by field: a single-field row is its own value; a compacted row's After holds
 * one `field: value` line per field listed in Field (a value may itself span lines).
 */
export function auditAfterValues(field: string, after: string): Map<string, string> {
  const names = field.split(', ');
  if (names.length === 1) return new Map([[field, after]]);
  const out = new Map<string, string>();
  let current: string | null = null;
  let next = 0;
  for (const line of after.split('\n')) {
    const name = names[next];
    if (name !== undefined && line.startsWith(`${name}: `)) {
      current = name;
      out.set(name, line.slice(name.length + 2));
      next++;
    } else if (current !== null) out.set(current, `${out.get(current)}\n${line}`);
  }
  return out;
}
