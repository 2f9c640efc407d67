/**
 * Assignment changes as planned writes (guarded-write.ts): only the columns the assignment owns (Status,
 * Allocation, Distributor Keeps, Rule, Last Change) — plus Flags when the core changed them (assigning clears
 * the "review the amount" flag) — and, to compare just before writing, every cell the decision depended on.
 */
import type { AuditEntry } from '../../core/audit';
import type { Credit } from '../../core/credit';
import { creditFieldsOwnedBy, type CreditField } from '../../core/sheet-contract';
import { creditCell, text, type Cell } from '../../core/table';
import type { PlannedWrite } from './guarded-write';

export const ASSIGNMENT_OWNED_FIELDS: CreditField[] = creditFieldsOwnedBy('assignment');

/**
 * The cells an assignment decision reads: if any of them changes between the read (or the preview) and the
 * write, the decision is stale. Last Change is not among them: it says when, not what.
 */
export const DECISION_INPUT_FIELDS: CreditField[] = [
  'status',
  'allocation',
  'distributorKeeps',
  'ruleId',
  'amount',
  'currency',
  'customerId',
  'resellerId',
];

export function decisionCells(credit: Credit): Partial<Record<CreditField, string>> {
  const out: Partial<Record<CreditField, string>> = {};
  for (const f of DECISION_INPUT_FIELDS) out[f] = text(creditCell(credit, f));
  return out;
}

/** The write that turns `before` into `after`, with its Audit rows. */
export function assignmentWrite(before: Credit, after: Credit, audit: AuditEntry[]): PlannedWrite {
  const set: Partial<Record<CreditField, Cell>> = {};
  for (const f of ASSIGNMENT_OWNED_FIELDS) set[f] = creditCell(after, f);
  if (after.flags !== before.flags) set.flags = after.flags;
  return { key: before.key, creditId: before.creditId, expect: decisionCells(before), set, audit };
}
