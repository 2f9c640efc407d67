/**
 * The allocation editor's state, as the inputs hold it, and what follows from it: the allocation text to
 * send (the same text form staff type in the Allocation cell) and the exact preview lines.
 *
 * Pure: no DOM. All money math is the shared core's (core/allocation.ts), so the preview shows exactly
 * what the server will compute; this module only maps input strings to a spec and errors to fields.
 */
import {
  formatAllocation,
  parseAllocation,
  resolveAllocation,
  type AllocationSpec,
  type Role,
  type ShareSpec,
} from '../../core/allocation';
import { formatPercentBp, parsePercentBp } from '../../core/config';
import { formatMinor, parseDecimal } from '../../core/money';
import type { CreditView, TargetOption } from '../api';

export type ValueMode = 'percent' | 'amount';

/** One "Add target" row: a share to an explicit customer or reseller. */
export interface ExtraShareRow {
  role: Role;
  targetId: string;
  mode: ValueMode;
  value: string;
}

export interface AllocationDraft {
  /** Percent of the credit to the credit's own customer / reseller; '' means 0. */
  customerPercent: string;
  resellerPercent: string;
  extras: ExtraShareRow[];
}

export type DraftCredit = Pick<
  CreditView,
  'creditId' | 'amount' | 'currency' | 'customerId' | 'resellerId' | 'correction'
>;

/** Where an error belongs: an input, or the allocation as a whole. */
export type DraftField =
  'customerPercent' | 'resellerPercent' | `extra.${number}.targetId` | `extra.${number}.value` | 'total';

export interface PreviewLine {
  role: Role | 'distributor';
  targetId: string;
  /** The target's name from Accounts ('' when unknown, or on the distributor line). */
  name: string;
  /** "60" / "12.5", or null for fixed amounts and the distributor line. */
  percent: string | null;
  amount: string;
}

export interface DraftOutcome {
  /** The allocation text to send; null while a field is invalid. */
  text: string | null;
  /** Exact lines, distributor last; empty while the draft is invalid. */
  lines: PreviewLine[];
  distributorKeeps: string | null;
  errors: Partial<Record<DraftField, string>>;
}

export function emptyDraft(): AllocationDraft {
  return { customerPercent: '', resellerPercent: '', extras: [] };
}

/**
 * Prefills the editor from an allocation text (the credit's current one, or a suggestion). Percent shares
 * to the credit's own customer/reseller fill the two percent inputs; every other share becomes an extra
 * row with an explicit ID. A text that does not parse (typed by hand in the sheet) gives an empty draft
 * and the parser's message, so staff see why the editor starts blank.
 */
export function draftFromAllocation(
  text: string,
  credit: DraftCredit,
): { draft: AllocationDraft; warning: string | null } {
  let spec: AllocationSpec;
  try {
    spec = parseAllocation(text, credit.currency);
  } catch (err) {
    return { draft: emptyDraft(), warning: messageOf(err) };
  }
  const draft = emptyDraft();
  for (const share of spec.shares) {
    const ownId = share.role === 'customer' ? credit.customerId : credit.resellerId;
    const isOwn = share.targetId === null || share.targetId === ownId;
    const ownKey = share.role === 'customer' ? 'customerPercent' : 'resellerPercent';
    if (isOwn && share.percentBp !== undefined && draft[ownKey] === '') {
      draft[ownKey] = formatPercentBp(share.percentBp);
      continue;
    }
    draft.extras.push({
      role: share.role,
      targetId: share.targetId ?? ownId,
      mode: share.percentBp !== undefined ? 'percent' : 'amount',
      value:
        share.percentBp !== undefined
          ? formatPercentBp(share.percentBp)
          : formatMinor(share.amount as number, credit.currency),
    });
  }
  return { draft, warning: null };
}

/** Validates every input, then builds the text and resolves the exact lines with the shared core. */
export function evaluateDraft(
  draft: AllocationDraft,
  credit: DraftCredit,
  targets: readonly TargetOption[],
): DraftOutcome {
  const errors: DraftOutcome['errors'] = {};
  const shares: ShareSpec[] = [];

  const ownPercent = (field: 'customerPercent' | 'resellerPercent', role: Role) => {
    const bp = readPercent(draft[field], (m) => (errors[field] = m));
    if (bp !== null && bp > 0) shares.push({ role, targetId: null, percentBp: bp });
  };
  ownPercent('customerPercent', 'customer');
  ownPercent('resellerPercent', 'reseller');

  draft.extras.forEach((row, i) => {
    const targetId = row.targetId.trim();
    if (targetId === '') errors[`extra.${i}.targetId`] = `Choose the ${row.role} for this share.`;
    const setValueError = (m: string) => (errors[`extra.${i}.value`] = m);
    if (row.mode === 'percent') {
      const bp = readPercent(row.value, setValueError, true);
      if (bp !== null && targetId !== '') shares.push({ role: row.role, targetId, percentBp: bp });
    } else {
      const amount = readAmount(row.value, credit.currency, setValueError);
      if (amount !== null && targetId !== '') shares.push({ role: row.role, targetId, amount });
    }
  });

  const invalid = { text: null, lines: [], distributorKeeps: null, errors };
  if (Object.keys(errors).length > 0) return invalid;

  const totalBp = shares.reduce((sum, s) => sum + (s.percentBp ?? 0), 0);
  if (totalBp > 10000) {
    errors.total = `The percentages add up to ${formatPercentBp(totalBp)} %, over 100 %. Lower one of them.`;
    return invalid;
  }

  const spec: AllocationSpec = { shares };
  try {
    const text = formatAllocation(spec, credit.currency);
    const resolved = resolveAllocation(spec, {
      creditId: credit.creditId,
      amount: parseDecimal(credit.amount, credit.currency),
      currency: credit.currency,
      customerId: credit.customerId,
      resellerId: credit.resellerId,
      // Without a target list (an empty Accounts tab) the server is the judge of explicit IDs.
      knownCustomers: targets.length > 0 ? idsOf(targets, 'customer') : undefined,
      knownResellers: targets.length > 0 ? idsOf(targets, 'reseller') : undefined,
      // A negative correction bills back (docs/decisions/0006); any other negative credit is refused.
      billsBack: credit.correction === true,
    });
    const names = new Map(targets.map((t) => [`${t.role}:${t.id}`, t.name]));
    const lines = resolved.lines.map((l) => ({
      role: l.role,
      targetId: l.targetId,
      name: names.get(`${l.role}:${l.targetId}`) ?? '',
      percent: l.percentBp === null ? null : formatPercentBp(l.percentBp),
      amount: formatMinor(l.amount, credit.currency),
    }));
    return { text, lines, distributorKeeps: formatMinor(resolved.distributorKeeps, credit.currency), errors };
  } catch (err) {
    errors.total = messageOf(err);
    return invalid;
  }
}

function readPercent(raw: string, fail: (message: string) => void, required = false): number | null {
  const value = raw.trim();
  if (value === '') {
    if (required) fail('Enter a percentage, for example 25.');
    return required ? null : 0;
  }
  const bp = parsePercentBp(value);
  if (bp !== null) return bp;
  const number = Number(value.replace(/%$/, ''));
  if (Number.isFinite(number) && number > 100) fail(`${value} % is over 100 %. Enter 0 to 100.`);
  else if (Number.isFinite(number) && number < 0) fail('A percentage can’t be negative. Enter 0 to 100.');
  else fail(`"${value}" is not a percentage. Enter 0 to 100 with at most 2 decimals, like 12.5.`);
  return null;
}

function readAmount(raw: string, currency: string, fail: (message: string) => void): number | null {
  const value = raw.trim();
  if (value === '') {
    fail(`Enter an amount in ${currency}, for example 10.00.`);
    return null;
  }
  if (value.startsWith('-')) {
    fail('An amount can’t be negative.');
    return null;
  }
  try {
    return parseDecimal(value, currency);
  } catch (err) {
    fail(messageOf(err));
    return null;
  }
}

function idsOf(targets: readonly TargetOption[], role: Role): Set<string> {
  return new Set(targets.filter((t) => t.role === role).map((t) => t.id));
}

/** A CreditDeskError's message already carries its hint on a second line; both are worth showing. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
