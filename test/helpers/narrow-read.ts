/**
 * What both sinks' narrow-read property tests draw and expect (sink.ts ReadOptions: `auditColumns`,
 * `auditDetail`, TRACE_ROWS): Audit rows of every kind, Ledger rows that hold a collection or do not, and
 * whether a row must come whole.
 */
import fc from 'fast-check';
import type { AuditAction } from '../../core/audit';
import { AUDIT_WHOLE_ROWS } from '../../sync-service/sinks/sink';

const ACTIONS: AuditAction[] = [
  'sync-add',
  'assign',
  'drift',
  'collect',
  'close',
  'reopen',
  'left-out',
  'edit',
];

/** Audit rows with short texts; `keep` says which characters a cell may hold (the medium's own limits). */
export function auditRowArb(keep: (c: string) => boolean) {
  const textArb = fc.string({ maxLength: 6 }).map((s) => [...s].filter(keep).join(''));
  return fc.record({
    when: fc.constantFrom('2026-11-01T10:00:00.000Z', ''),
    who: textArb,
    action: fc.oneof(fc.constantFrom(...ACTIONS), fc.constant('')),
    creditId: fc.oneof(fc.constantFrom('CR-1', 'CR-2', ''), textArb),
    field: textArb,
    before: textArb,
    after: textArb,
  });
}

/** A Ledger row as far as holding a collection goes: its Key, Status and Credit ID (the rest blank). */
export const ledgerRowArb = fc.record({
  key: fc.constantFrom('K-1', 'K-2', ''),
  status: fc.constantFrom('PROCESSING', 'PROCESSED', 'REOPENED', 'ARCHIVED', ''),
  creditId: fc.constantFrom('CR-1', 'CR-2', ''),
});

/** Credit IDs a Ledger holds: keyed rows whose Status is collected (neither reopened nor archived). */
export function heldIds(rows: readonly { key: unknown; status: unknown; creditId: unknown }[]): Set<string> {
  return new Set(
    rows
      .filter((r) => r.key && r.creditId && (r.status === 'PROCESSING' || r.status === 'PROCESSED'))
      .map((r) => String(r.creditId)),
  );
}

/**
 * Whether a narrow read must give this Audit row whole: its Action is one of AUDIT_WHOLE_ROWS or `detail`,
 * unless it is a collect or close row of a Credit ID the Ledger holds that `detail` does not name.
 */
export function mustBeWhole(
  action: string,
  creditId: string,
  detail: readonly string[],
  held: ReadonlySet<string>,
): boolean {
  if (!AUDIT_WHOLE_ROWS.includes(action as AuditAction) && !detail.includes(action)) return false;
  const heldTrace =
    (action === 'collect' || action === 'close') && !detail.includes(action) && held.has(creditId);
  return !heldTrace;
}
