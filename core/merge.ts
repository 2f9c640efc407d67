/**
 * The heart of the sync: existing Credits rows + the credits the CUR returns now → what to write.
 *
 * - Rows are matched by key, never by position (staff sort, filter and insert rows).
 * - New credits are added as PENDING_ASSIGN with a fresh Credit ID.
 * - Only sync-owned fields of PENDING_ASSIGN / ASSIGNED rows are updated, and only when they differ, so a
 *   re-run with the same data changes nothing.
 * - PROCESSING / PROCESSED rows are never modified: a difference there is drift, reported (once) not written.
 *   A PROCESSED credit whose amount the CUR changed gets a correction credit for the difference instead
 *   (core/correction.ts); correction rows are never CUR credits, so they are neither updated nor found missing.
 * - A row of a period the sync read whose key the CUR no longer returns stays listed, flagged REVIEW_NOT_IN_CUR
 *   (held from rules and collection) unless it is collected; the flag goes when the CUR returns the key again.
 *   Rows of periods the sync did not read are left alone (last month's unassigned credits stay listed).
 * - A credit whose account is not in Accounts is imported and flagged, never dropped.
 */
import type { AccountDirectory } from './accounts';
import type { AuditEntry } from './audit';
import { UNDECIDED, type Credit, type CurCredit } from './credit';
import { creditKey, issueCreditIds } from './ids';
import { addMinor, formatMinor, type Minor } from './money';
import { duplicateKeysError } from './sheet-layout';
import { TABS, type CreditFieldOwnedBy } from './sheet-contract';
import { isLocked } from './status';
import { resolveCreditAllocation } from './credit-allocation';
import { hasFlag, parseFlags, SYNC_OWNED_FLAGS, withFlags, writeFlags, type Flag } from './flags';
import { isCorrection, parseCorrectionKey } from './correction-key';
import {
  correctionAuditText,
  correctionsByOriginal,
  planCorrection,
  proposedAllocation,
  type PlannedCorrection,
} from './correction';

export interface ExistingCredit {
  /** The sheet row it was read from (1-based; row 1 is the header), the numbering a person sees. */
  sheetRow: number;
  credit: Credit;
}

export interface MergeInput {
  existing: ExistingCredit[];
  incoming: CurCredit[];
  directory: AccountDirectory;
  /** Every Credit ID ever issued (Credits and Audit tabs); updated with the new ones. */
  takenIds: Set<string>;
  /** IDs issued earlier and held by no row, Ledger entry or archive: a returning credit gets its own back. */
  reissuableIds?: ReadonlySet<string>;
  /** Drift already recorded in Audit, as driftKey() strings, so a re-run does not record it again. */
  recordedDrift: ReadonlySet<string>;
  /**
   * Credit IDs the Audit tab has a sync row for (core/amount-proof.ts). An uncollected credit not among them
   * (its Audit rows were deleted) gets a `sync-update` row of its amount: the proof the usage process needs to
   * bill it. Absent: no such rows.
   */
  amountsRecorded?: ReadonlySet<string>;
  now: string;
  actor: string;
  /**
   * The billing periods this sync read from the CUR (whether or not it returned credits for them). Only their
   * rows can be found missing from the CUR: a sync of 2026-11 says nothing about a 2026-09 row.
   */
  periods: readonly string[];
}

/**
 * Per column the sync owns (core/sheet-contract.ts), whether a re-sync brings it up to date with the CUR and the
 * Accounts tab (true) or leaves it as the credit was added (false: the key, and the Credit ID issued once). The
 * cells the key is made of are the CUR's own for that key, so writing them again changes nothing unless a person
 * typed over one; then it puts the CUR's back, which `usage collect` needs to take the credit (core/row-proof.ts).
 * A sync column added to the contract does not compile until it is decided here.
 */
const RESYNCED = {
  creditId: false,
  period: true,
  accountId: true,
  payerAccountId: true,
  customerId: true,
  assetId: true,
  resellerId: true,
  service: true,
  description: true,
  amount: true,
  currency: true,
  flags: true,
  key: false,
} as const satisfies Record<CreditFieldOwnedBy<'sync'>, boolean>;

export type SyncField = {
  [F in keyof typeof RESYNCED]: (typeof RESYNCED)[F] extends true ? F : never;
}[keyof typeof RESYNCED];
const SYNC_FIELDS = (Object.keys(RESYNCED) as (keyof typeof RESYNCED)[]).filter(
  (f): f is SyncField => RESYNCED[f],
);

export interface RowUpdate {
  /** 1-based, as ExistingCredit.sheetRow. */
  sheetRow: number;
  key: string;
  creditId: string;
  before: Credit;
  after: Credit;
  /** The fields that change (sync-owned, plus assignment fields when an amount change forces a re-check). */
  fields: (keyof Credit)[];
}

export interface Drift {
  /** 1-based, as ExistingCredit.sheetRow. */
  sheetRow: number;
  creditId: string;
  /** The row's period and currency, for the period's check (what a difference comes from). */
  period: string;
  currency: string;
  status: string;
  field: SyncField;
  sheet: string;
  source: string;
}

/**
 * What the CUR returned for one period read and currency: every credit it returned, the flagged ones included.
 * There is one for each currency of a period read that the CUR or the sheet has, so a currency whose credits all
 * left the CUR still counts (as 0) when the sheet's whole period is compared with it (core/summary.ts).
 */
export interface CurTotal {
  period: string;
  currency: string;
  source: Minor;
  credits: number;
}

/** A correction credit: added by this sync, or added before and still waiting for a person to assign it. */
export interface CorrectionNotice {
  credit: Credit;
  originalId: string;
  /** The original's allocation, proposed; '' when none can be proposed (core/correction.ts). */
  proposal: string;
}

export interface MergeResult {
  /** New credits, the corrections among them (also in `corrections`). */
  adds: Credit[];
  updates: RowUpdate[];
  unchanged: number;
  locked: number;
  drift: Drift[];
  flagged: Credit[];
  audit: AuditEntry[];
  /** Unlocked rows of a period read that the CUR no longer returns: flagged REVIEW_NOT_IN_CUR (now or before). */
  notInCur: Credit[];
  /** Collected rows of a period read that the CUR no longer returns: the Ledger's business, left as they are. */
  collectedNotInCur: Credit[];
  totals: CurTotal[];
  /** Corrections this sync added (core/correction.ts): PENDING_ASSIGN, their original's allocation proposed. */
  corrections: CorrectionNotice[];
  /** Corrections added by earlier syncs that are still PENDING_ASSIGN. */
  awaitingCorrections: CorrectionNotice[];
}

type AddAudit = (
  action: AuditEntry['action'],
  creditId: string,
  field: string,
  before: string,
  after: string,
) => void;

export function driftKey(creditId: string, field: string, source: string): string {
  return `${creditId}|${field}|${source}`;
}

function show(field: SyncField, c: Credit): string {
  return field === 'amount' ? formatMinor(c.amount, c.currency) : String(c[field]);
}

/** What the sync says a credit's sync-owned fields should be, from the CUR row and the Accounts tab. */
function syncView(cur: CurCredit, directory: AccountDirectory, before?: Credit): Pick<Credit, SyncField> {
  const account = directory.byAccount.get(cur.accountId);
  // The sync owns only its own flags (core/flags.ts: set and cleared by the sync); other flags (e.g. a review
  // flag) stay until someone acts on them. The credit is in the CUR, so a REVIEW_NOT_IN_CUR from an earlier sync goes.
  const others = parseFlags(before?.flags ?? '').filter((f) => !(SYNC_OWNED_FLAGS as string[]).includes(f));
  const flags = withFlags(
    writeFlags([
      ...(account ? [] : ['UNKNOWN_ACCOUNT']),
      ...(cur.belowMinorUnit ? ['BELOW_MINOR_UNIT'] : []),
      ...others,
    ]),
    raisedHolds(cur, before),
  );
  return {
    period: cur.period,
    accountId: cur.accountId,
    payerAccountId: cur.payerAccountId,
    service: cur.service,
    currency: cur.currency,
    customerId: account?.customerId ?? '',
    assetId: account?.assetId ?? '',
    resellerId: account?.resellerId ?? '',
    description: cur.description,
    amount: cur.amount,
    flags,
  };
}

/** Sums CUR rows that normalise to the same key (the query groups them already; this guards against whitespace variants). */
function collapseIncoming(incoming: CurCredit[]): Map<string, CurCredit> {
  const byKey = new Map<string, CurCredit>();
  for (const cur of incoming) {
    const key = cur.key ?? creditKey(cur);
    const prior = byKey.get(key);
    byKey.set(key, prior ? { ...prior, amount: addMinor(prior.amount, cur.amount) } : cur);
  }
  return byKey;
}

export function indexExisting(existing: ExistingCredit[]): Map<string, ExistingCredit> {
  const byKey = new Map<string, ExistingCredit>();
  const repeats = new Map<string, number[]>();
  for (const e of existing) {
    const prior = byKey.get(e.credit.key);
    if (prior) repeats.set(e.credit.key, [...(repeats.get(e.credit.key) ?? [prior.sheetRow]), e.sheetRow]);
    else byKey.set(e.credit.key, e);
  }
  if (repeats.size) throw duplicateKeysError(TABS.credits.name, repeats);
  return byKey;
}

export function mergeCredits(input: MergeInput): MergeResult {
  const { directory, now, actor } = input;
  const existing = indexExisting(input.existing);
  const incoming = collapseIncoming(input.incoming);
  const result: MergeResult = {
    adds: [],
    updates: [],
    unchanged: 0,
    locked: 0,
    drift: [],
    flagged: [],
    audit: [],
    notInCur: [],
    collectedNotInCur: [],
    totals: [],
    corrections: [],
    awaitingCorrections: [],
  };
  const corrections = correctionsByOriginal(input.existing.map((e) => e.credit));
  const newCorrections: PlannedCorrection[] = [];
  const totals = new Map<string, CurTotal>();
  const totalOf = (period: string, currency: string): CurTotal => {
    const tKey = `${period}|${currency}`;
    let total = totals.get(tKey);
    if (!total) totals.set(tKey, (total = { period, currency, source: 0, credits: 0 }));
    return total;
  };
  const audit: AddAudit = (action, creditId, field, before, after) =>
    result.audit.push({ when: now, who: actor, action, creditId, field, before, after });

  const newOnes: { key: string; cur: CurCredit }[] = [];
  for (const [key, cur] of incoming) {
    const found = existing.get(key);
    const view = syncView(cur, directory, found?.credit);
    const total = totalOf(cur.period, cur.currency);
    total.source = addMinor(total.source, cur.amount);
    total.credits++;
    if (!found) {
      newOnes.push({ key, cur });
      continue;
    }
    const before = found.credit;
    const changed = SYNC_FIELDS.filter((f) => before[f] !== view[f]);
    if (isLocked(before.status)) {
      result.locked++;
      // An invoiced credit's amount change is a correction credit of its own, not drift: the row stays as
      // invoiced, the correction balances the period. (A PROCESSING one is still drift: collect's amount proof
      // keeps the usage file to what was read; its correction comes once it is PROCESSED.)
      const corrected = before.status === 'PROCESSED';
      const planned = corrected
        ? planCorrection(before, view.amount, corrections.get(key) ?? [], directory, now)
        : null;
      if (planned) newCorrections.push(planned);
      for (const field of changed) {
        const d: Drift = {
          sheetRow: found.sheetRow,
          creditId: before.creditId,
          period: before.period,
          currency: before.currency,
          status: before.status,
          field,
          sheet: show(field, before),
          source: show(field, { ...before, ...view }),
        };
        if (!(corrected && field === 'amount')) result.drift.push(d);
        // The CUR's new amount of an invoiced credit is recorded here too, once, never written over the row.
        if (!input.recordedDrift.has(driftKey(d.creditId, field, d.source)))
          audit('drift', d.creditId, field, d.sheet, d.source);
      }
      continue;
    }
    if (input.amountsRecorded && !changed.includes('amount') && !input.amountsRecorded.has(before.creditId))
      audit('sync-update', before.creditId, 'amount', '', formatMinor(view.amount, before.currency));
    if (changed.length === 0) {
      result.unchanged++;
      continue;
    }
    let after: Credit = { ...before, ...view, lastChange: now };
    const fields: (keyof Credit)[] = [...changed, 'lastChange'];
    if (changed.includes('amount') && before.status === 'ASSIGNED') {
      after = recheckAssignment(after, directory);
      for (const f of ['distributorKeeps', 'status', 'flags'] as const)
        if (after[f] !== before[f] && !fields.includes(f)) fields.push(f);
    }
    for (const f of fields) {
      if (f === 'lastChange') continue;
      const b = f === 'amount' ? formatMinor(before.amount, before.currency) : String(before[f] ?? '');
      const a = f === 'amount' ? formatMinor(after.amount, after.currency) : String(after[f] ?? '');
      if (b !== a) audit('sync-update', before.creditId, f, b, a);
    }
    if (hasFlag(before.flags, 'REVIEW_NOT_IN_CUR'))
      audit(
        'sync-update',
        before.creditId,
        'review',
        'REVIEW_NOT_IN_CUR' satisfies Flag,
        'cleared: the CUR returns the credit again',
      );
    if (hasFlag(after.flags, 'UNKNOWN_ACCOUNT')) result.flagged.push(after);
    result.updates.push({ sheetRow: found.sheetRow, key, creditId: before.creditId, before, after, fields });
  }

  flagNotInCur(input, existing, incoming, totalOf, result, audit);

  const ids = issueCreditIds(
    [
      ...newOnes.map((n) => ({ key: n.key, period: n.cur.period })),
      ...newCorrections.map((p) => ({ key: p.credit.key, period: p.credit.period })),
    ],
    input.takenIds,
    input.reissuableIds,
  );
  for (const p of newCorrections) {
    const credit: Credit = { ...p.credit, creditId: ids.get(p.credit.key)! };
    result.adds.push(credit);
    result.corrections.push({ credit, originalId: p.original.creditId, proposal: p.proposal });
    audit('sync-add', credit.creditId, 'amount', '', formatMinor(credit.amount, credit.currency));
    audit('sync-add', credit.creditId, 'correction', '', correctionAuditText(p));
  }
  for (const { credit } of input.existing) {
    const of = credit.status === 'PENDING_ASSIGN' ? parseCorrectionKey(credit.key) : null;
    const original = of ? existing.get(of.originalKey)?.credit : undefined;
    if (original)
      result.awaitingCorrections.push({
        credit,
        originalId: original.creditId,
        proposal: proposedAllocation(original, directory),
      });
  }
  for (const { key, cur } of newOnes) {
    const credit: Credit = {
      key,
      creditId: ids.get(key)!,
      ...syncView(cur, directory),
      ...UNDECIDED,
      notes: '',
      lastChange: now,
    };
    result.adds.push(credit);
    if (credit.flags) result.flagged.push(credit);
    audit('sync-add', credit.creditId, 'amount', '', formatMinor(credit.amount, credit.currency));
  }
  // Adds in a stable, readable order: period, then account, then description.
  result.adds.sort(
    (a, b) =>
      a.period.localeCompare(b.period) ||
      a.accountId.localeCompare(b.accountId) ||
      a.description.localeCompare(b.description) ||
      a.key.localeCompare(b.key),
  );
  result.totals = [...totals.values()].sort(
    (a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency),
  );
  return result;
}

/**
 * Rows of a period read whose key the CUR did not return. An unlocked one is flagged REVIEW_NOT_IN_CUR (once:
 * a row already flagged is left as it is), so nothing bills a credit whose CUR line is gone; a collected one is
 * the Ledger's and is only listed. Its currency gets a CUR total (maybe 0), so the period's check sees the row.
 */
function flagNotInCur(
  input: MergeInput,
  existing: ReadonlyMap<string, ExistingCredit>,
  incoming: ReadonlyMap<string, CurCredit>,
  totalOf: (period: string, currency: string) => CurTotal,
  result: MergeResult,
  audit: AddAudit,
): void {
  const read = new Set(input.periods);
  for (const [key, { sheetRow, credit: before }] of existing) {
    if (!read.has(before.period) || incoming.has(key)) continue;
    totalOf(before.period, before.currency);
    if (isCorrection(before)) continue; // not a CUR credit: its original is the one the CUR returns, or not
    if (isLocked(before.status)) {
      result.collectedNotInCur.push(before);
      continue;
    }
    if (hasFlag(before.flags, 'REVIEW_NOT_IN_CUR')) {
      result.notInCur.push(before);
      continue;
    }
    const after: Credit = {
      ...before,
      flags: withFlags(before.flags, ['REVIEW_NOT_IN_CUR']),
      lastChange: input.now,
    };
    audit('sync-update', before.creditId, 'flags', before.flags, after.flags);
    audit(
      'sync-update',
      before.creditId,
      'review',
      '',
      `${'REVIEW_NOT_IN_CUR' satisfies Flag}: the ${before.period} CUR no longer returns this credit (payer ${before.payerAccountId}, account ${before.accountId}, service ${before.service}, ${formatMinor(before.amount, before.currency)} ${before.currency}); held from rules and collection until it does`,
    );
    result.updates.push({
      sheetRow,
      key,
      creditId: before.creditId,
      before,
      after,
      fields: ['flags', 'lastChange'],
    });
    result.notInCur.push(after);
  }
}

/**
 * The amount of an ASSIGNED credit changed (a late CUR line). Percent shares still apply; fixed amounts may no
 * longer fit. Recompute what the distributor keeps, or send the credit back for review.
 */
function recheckAssignment(credit: Credit, directory: AccountDirectory): Credit {
  try {
    const resolved = resolveCreditAllocation(credit, directory);
    return { ...credit, distributorKeeps: resolved.distributorKeeps };
  } catch {
    const flags = withFlags(credit.flags, ['REVIEW_AMOUNT_CHANGED']);
    return { ...credit, status: 'PENDING_ASSIGN', distributorKeeps: null, flags };
  }
}

/**
 * The hold flags a sync puts on a credit: all the CUR reading raised, when the credit is new; on a known credit
 * only REVIEW_NOT_POSITIVE, and only when its amount changes to a value that is not a positive credit. A flag a
 * person cleared is therefore not put back by the next sync of the same data.
 */
function raisedHolds(cur: CurCredit, before?: { amount: number }): Flag[] {
  const raised = (cur.review ?? []).map((r) => r.flag);
  if (!before) return raised;
  // The reader says whether a credit is not positive; a credit below the minor unit has amount 0 and is not.
  const notPositive = cur.review ? raised.includes('REVIEW_NOT_POSITIVE') : cur.amount <= 0;
  return before.amount !== cur.amount && notPositive ? ['REVIEW_NOT_POSITIVE'] : [];
}
