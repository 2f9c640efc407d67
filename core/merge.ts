/**
 * The heart of the sync: existing Credits rows + the credits the CUR returns now → what to write.
 *
 * - Rows are matched by key, never by position (staff sort, filter and insert rows).
 * - New credits are added as PENDING_ASSIGN with a fresh Credit ID.
 * - Only sync-owned fields of PENDING_ASSIGN / ASSIGNED rows are updated, and only when they differ, so a
 *   re-run with the same data changes nothing.
 * - PROCESSING / PROCESSED rows are never modified: a difference there is drift, reported (once) not written.
 * - Rows the CUR no longer returns are left alone (last month's unassigned credits stay listed).
 * - A credit whose account is not in Accounts is imported and flagged, never dropped.
 */
import type { AccountDirectory } from './accounts';
import type { AuditEntry } from './audit';
import { FLAG_UNKNOWN_ACCOUNT, type Credit, type CurCredit } from './credit';
import { creditKey, issueCreditIds } from './ids';
import { addMinor, formatMinor, type Minor } from './money';
import { duplicateKeysError } from './sheet-layout';
import { TABS } from './sheet-contract';
import { isLocked } from './status';
import { resolveCreditAllocation } from './credit-allocation';
import { raisedHolds, withFlags } from './review';

export const FLAG_REVIEW = 'REVIEW_AMOUNT_CHANGED';

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
}

export type SyncField = 'customerId' | 'assetId' | 'resellerId' | 'description' | 'amount' | 'flags';
const SYNC_FIELDS: SyncField[] = ['customerId', 'assetId', 'resellerId', 'description', 'amount', 'flags'];

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
  status: string;
  field: SyncField;
  sheet: string;
  source: string;
}

export interface PeriodTotal {
  period: string;
  currency: string;
  source: Minor;
  /** What the sheet holds for the same credits after the merge (differs only by drift). */
  sheet: Minor;
  credits: number;
}

export interface MergeResult {
  adds: Credit[];
  updates: RowUpdate[];
  unchanged: number;
  locked: number;
  drift: Drift[];
  flagged: Credit[];
  audit: AuditEntry[];
  totals: PeriodTotal[];
}

export function driftKey(creditId: string, field: string, source: string): string {
  return `${creditId}|${field}|${source}`;
}

function show(field: SyncField, c: Credit): string {
  return field === 'amount' ? formatMinor(c.amount, c.currency) : String(c[field]);
}

/** What the sync says a credit's sync-owned fields should be, from the CUR row and the Accounts tab. */
function syncView(cur: CurCredit, directory: AccountDirectory, before?: Credit): Pick<Credit, SyncField> {
  const account = directory.byAccount.get(cur.accountId);
  // The sync owns only its own flag; other flags (e.g. a review flag) stay until someone acts on them.
  const others = (before?.flags ?? '').split(/\s+/).filter((f) => f && f !== FLAG_UNKNOWN_ACCOUNT);
  const flags = withFlags(
    (account ? others : [FLAG_UNKNOWN_ACCOUNT, ...others]).join(' '),
    raisedHolds(cur, before),
  );
  return {
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
    totals: [],
  };
  const totals = new Map<string, PeriodTotal>();
  const audit = (
    action: AuditEntry['action'],
    creditId: string,
    field: string,
    before: string,
    after: string,
  ) => result.audit.push({ when: now, who: actor, action, creditId, field, before, after });

  const newOnes: { key: string; cur: CurCredit }[] = [];
  for (const [key, cur] of incoming) {
    const found = existing.get(key);
    const view = syncView(cur, directory, found?.credit);
    const tKey = `${cur.period}|${cur.currency}`;
    const total = totals.get(tKey) ?? {
      period: cur.period,
      currency: cur.currency,
      source: 0,
      sheet: 0,
      credits: 0,
    };
    totals.set(tKey, total);
    total.source = addMinor(total.source, cur.amount);
    total.credits++;
    if (!found) {
      newOnes.push({ key, cur });
      total.sheet = addMinor(total.sheet, cur.amount);
      continue;
    }
    const before = found.credit;
    const changed = SYNC_FIELDS.filter((f) => before[f] !== view[f]);
    if (isLocked(before.status)) {
      result.locked++;
      total.sheet = addMinor(total.sheet, before.amount);
      for (const field of changed) {
        const d: Drift = {
          sheetRow: found.sheetRow,
          creditId: before.creditId,
          status: before.status,
          field,
          sheet: show(field, before),
          source: show(field, { ...before, ...view }),
        };
        result.drift.push(d);
        if (!input.recordedDrift.has(driftKey(d.creditId, field, d.source)))
          audit('drift', d.creditId, field, d.sheet, d.source);
      }
      continue;
    }
    total.sheet = addMinor(total.sheet, view.amount);
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
    if (after.flags.includes(FLAG_UNKNOWN_ACCOUNT)) result.flagged.push(after);
    result.updates.push({ sheetRow: found.sheetRow, key, creditId: before.creditId, before, after, fields });
  }

  const ids = issueCreditIds(
    newOnes.map((n) => ({ key: n.key, period: n.cur.period })),
    input.takenIds,
  );
  for (const { key, cur } of newOnes) {
    const credit: Credit = {
      key,
      creditId: ids.get(key)!,
      period: cur.period,
      accountId: cur.accountId,
      payerAccountId: cur.payerAccountId,
      service: cur.service,
      currency: cur.currency,
      ...syncView(cur, directory),
      status: 'PENDING_ASSIGN',
      allocation: '',
      distributorKeeps: null,
      ruleId: '',
      usageFileId: '',
      usageRecordId: '',
      processingDate: '',
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
 * The amount of an ASSIGNED credit changed (a late CUR line). Percent shares still apply; fixed amounts may no
 * longer fit. Recompute what the distributor keeps, or send the credit back for review.
 */
function recheckAssignment(credit: Credit, directory: AccountDirectory): Credit {
  try {
    const resolved = resolveCreditAllocation(credit, directory);
    return { ...credit, distributorKeeps: resolved.distributorKeeps };
  } catch {
    const flags = credit.flags ? `${credit.flags} ${FLAG_REVIEW}` : FLAG_REVIEW;
    return { ...credit, status: 'PENDING_ASSIGN', distributorKeeps: null, flags };
  }
}
