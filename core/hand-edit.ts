/**
 * What a person typing or pasting in the Status column of the Credits tab may do, decided without I/O so the
 * add-on's onEdit and its tests share one rule: a person moves a credit only between PENDING_ASSIGN and
 * ASSIGNED, and only with an allocation. Anything into or out of PROCESSING/PROCESSED belongs to the usage
 * process and is put back.
 */
import { isLocked, isStatus, STATUSES, type Status } from './status';

export type StatusEditDecision =
  | { kind: 'none' }
  /** Assign with the allocation in the row (validated by core assignCredit; a bad one is put back too). */
  | { kind: 'assign' }
  | { kind: 'unassign' }
  | { kind: 'revert'; to: Status; note: string };

/**
 * `before` is the status the row had (e.oldValue for one cell; otherwise inferred by the caller), `typed` what
 * the cell holds now, `allocation` the row's Allocation cell.
 */
export function decideStatusEdit(before: Status, typed: string, allocation: string): StatusEditDecision {
  const t = typed.trim();
  if (t === before) return { kind: 'none' };
  if (!isStatus(t)) {
    return {
      kind: 'revert',
      to: before,
      note: `"${t}" is not a status (${STATUSES.join(', ')}); put back to ${before}.`,
    };
  }
  if (isLocked(t) || isLocked(before)) {
    return {
      kind: 'revert',
      to: before,
      note: `Only the usage process moves a credit into or out of PROCESSING/PROCESSED; put back to ${before}.`,
    };
  }
  if (t === 'ASSIGNED') {
    if (allocation.trim() === '')
      return {
        kind: 'revert',
        to: before,
        note: 'Type an allocation (e.g. "customer 100%") in the Allocation column instead: the status follows it.',
      };
    return { kind: 'assign' };
  }
  return { kind: 'unassign' };
}

/**
 * The status a row most likely had before a multi-cell paste covered its Status cell (Apps Script gives no
 * old values for those): an assigned credit always has an allocation, a pending one never has.
 */
export function inferPriorStatus(allocation: string): Status {
  return allocation.trim() === '' ? 'PENDING_ASSIGN' : 'ASSIGNED';
}
