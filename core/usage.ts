/**
 * The usage process: the billing step that picks ASSIGNED credits up for invoicing.
 *
 * collect: every ASSIGNED credit (optionally of one period) goes into a usage file (UF-YYYY-MM-NNNN-NNNN), one
 *          file per currency (Connect's usage file has one `currency`: usage-file-format, general tab); each
 *          credit gets a usage record ID and a processing date, and becomes PROCESSING (read-only). The journal
 *          keeps one record per credit (the Ledger and the sheet's Usage Record ID); the rows Connect bills, one
 *          per beneficiary on its own asset, are planned into it too (core/usage-billing.ts).
 * close:   a usage file's credits become PROCESSED (invoiced).
 *
 * The file is planned here, purely; the caller writes it to disk first and then the sheet, so a run killed in
 * between can be completed from the file (see `resumeCollect`).
 */
import { isCorrection } from './correction-key';
import type { AuditEntry } from './audit';
import type { Credit } from './credit';
import { CreditDeskError } from './errors';
import { usageFileId, usageRecordId } from './ids';
import { addMinor, displayMoney, formatMinor, type Minor } from './money';
import type { AllocationLine } from './allocation';
import { resolveCreditAllocation } from './credit-allocation';
import type { AccountDirectory } from './accounts';
import { traceEntry } from './collect-trace';
import { hasFlag, heldFromCollection, holdFlags, isHeld, withoutFlags } from './flags';
import { billedRows, type BilledRow } from './usage-billing';

export const USAGE_ACTOR = 'usage process';

export interface UsageRecord {
  usageRecordId: string;
  creditId: string;
  key: string;
  period: string;
  accountId: string;
  customerId: string;
  assetId: string;
  resellerId: string;
  service: string;
  description: string;
  currency: string;
  amount: Minor;
  allocation: string;
  lines: AllocationLine[];
  ruleId: string;
  /** Absent in files written before the Ledger existed. */
  payerAccountId?: string;
  distributorKeeps?: Minor | null;
  /**
   * What Connect bills for this credit: one row per beneficiary, on its asset (core/usage-billing.ts), planned
   * with the collection. Absent in journals written before files were split by beneficiary.
   */
  billed?: BilledRow[];
  /**
   * Set when the credit was collected with --allow-estimated from a period AWS had not finalised: what the
   * Config tab recorded then (core/aws-bill.ts: `estimated`, `unknown`, …). Absent for a final period.
   */
  awsBill?: string;
}

/** Where Connect files the usage: the settings connect.product, .marketplace, .contract and .item (MPN). */
export interface ConnectTarget {
  product: string;
  marketplace: string;
  contract: string;
  item: string;
}

export interface UsageFile {
  usageFileId: string;
  /** The sheet that collected it (core/desk-id.ts); absent in files written before files carried it. */
  deskId?: string;
  /**
   * collecting: written, sheet not yet updated; ready: the sheet shows its credits as PROCESSING; closed: PROCESSED;
   * rejected: Connect rejected it and its credits went back to ASSIGNED (written before the sheet changes, so a
   * run killed in between is completed by the next: docs/decisions/0008).
   */
  status: 'collecting' | 'ready' | 'closed' | 'rejected';
  createdAt: string;
  closedAt: string | null;
  processingDate: string;
  period: string | null;
  /** The file's one currency (Connect: one per file); absent in files written before files were split by it. */
  currency?: string;
  /** Product, marketplace, contract and item the file is for; absent in files written before they were set. */
  connect?: ConnectTarget;
  records: UsageRecord[];
  totals: { currency: string; amount: Minor; credits: number }[];
  /** The file in Connect, once created there (core/connect-trip.ts); absent while Connect has not been told. */
  connectFile?: ConnectFileState;
  /**
   * Collected while Connect was configured: `usage submit` sends it without being named. A file collected
   * without Connect may have been uploaded by hand; it goes to Connect only when named (`usage submit UF-…`).
   */
  viaConnect?: true;
}

/** Connect's copy of a usage file as the journal last saw it: a resumed run asks Connect again, never assumes. */
export interface ConnectFileState {
  /** Connect's own ID of the file. */
  id: string;
  /** usage.UsageFileDetail.status when last seen. */
  status: string;
  lastSeen: string;
  /** Why Connect found the upload invalid (error_detail), or why it was rejected (rejection_note). */
  errorDetail?: string;
  rejectionNote?: string;
}

export interface UsageChange {
  /** Credits after the change, by key. */
  credits: Credit[];
  audit: AuditEntry[];
}

/** Plans a usage file for the ASSIGNED credits (of `period` if given). Null when there is nothing to collect. */
export function planCollect(
  credits: Credit[],
  opts: {
    period?: string;
    now: string;
    takenFileIds: ReadonlySet<string>;
    directory: AccountDirectory;
    deskId: string;
    connect?: ConnectTarget;
    /** Per period, what the Config tab records of AWS's finalisation; a record of a period not `final` says so. */
    awsBills?: ReadonlyMap<string, string>;
  },
): UsageFile | null {
  const chosen = credits
    // A row flagged UNMATCHED matches no credit (core/reconcile.ts): never billed until someone checks it; nor is a
    // held credit (collect-check skips those first, and names them). A credit of 0.00 (worth less than one minor
    // unit, BELOW_MINOR_UNIT) has nothing to bill.
    .filter(
      (c) =>
        c.status === 'ASSIGNED' &&
        // A negative amount is billed only for a correction, which bills its beneficiaries back (0006).
        (c.amount > 0 || (c.amount < 0 && isCorrection(c))) &&
        (!opts.period || c.period === opts.period) &&
        !heldFromCollection(c),
    )
    .sort((a, b) => a.period.localeCompare(b.period) || a.creditId.localeCompare(b.creditId));
  if (chosen.length === 0) return null;
  const fileId = usageFileId(opts.now, chosen.map((c) => c.key).join(','), opts.takenFileIds);
  const totals = new Map<string, { currency: string; amount: Minor; credits: number }>();
  const records = chosen.map((c, i): UsageRecord => {
    const resolved = resolveCreditAllocation(c, opts.directory);
    const t = totals.get(c.currency) ?? { currency: c.currency, amount: 0, credits: 0 };
    t.amount = addMinor(t.amount, c.amount);
    t.credits++;
    totals.set(c.currency, t);
    const recordId = usageRecordId(fileId, i);
    return {
      usageRecordId: recordId,
      creditId: c.creditId,
      key: c.key,
      period: c.period,
      accountId: c.accountId,
      customerId: c.customerId,
      assetId: c.assetId,
      resellerId: c.resellerId,
      service: c.service,
      description: c.description,
      currency: c.currency,
      amount: c.amount,
      allocation: c.allocation,
      lines: resolved.lines,
      ruleId: c.ruleId,
      payerAccountId: c.payerAccountId,
      distributorKeeps: resolved.distributorKeeps,
      billed: billedRows(recordId, c.creditId, resolved.lines, c, opts.directory),
      ...notFinal(opts.awsBills, c.period),
    };
  });
  const currencies = [...totals.keys()];
  return {
    usageFileId: fileId,
    deskId: opts.deskId,
    status: 'collecting',
    createdAt: opts.now,
    closedAt: null,
    processingDate: opts.now.slice(0, 10),
    period: opts.period ?? null,
    ...(currencies.length === 1 ? { currency: currencies[0] } : {}),
    ...(opts.connect ? { connect: opts.connect } : {}),
    records,
    totals: [...totals.values()],
  };
}

/** `{ awsBill }` for a credit of a period not recorded final (collected with --allow-estimated), else nothing. */
function notFinal(bills: ReadonlyMap<string, string> | undefined, period: string): { awsBill?: string } {
  if (!bills) return {};
  const recorded = bills.get(period) ?? '';
  return recorded === 'final' ? {} : { awsBill: recorded || 'not recorded' };
}

/**
 * A collection: one usage file per currency, because Connect's usage file has exactly one `currency` (general
 * tab; https://connect.cloudblue.com/community/modules/usage_module/usage-file-format/). Each file has its own
 * ID and journal; currencies in code order, so the same sheet plans the same files. Empty when nothing is
 * collectable.
 */
export function planCollection(credits: Credit[], opts: Parameters<typeof planCollect>[1]): UsageFile[] {
  const currencies = [
    ...new Set(credits.filter((c) => c.status === 'ASSIGNED').map((c) => c.currency)),
  ].sort();
  const taken = new Set(opts.takenFileIds);
  const files: UsageFile[] = [];
  for (const currency of currencies) {
    const file = planCollect(
      credits.filter((c) => c.currency === currency),
      { ...opts, takenFileIds: taken },
    );
    if (!file) continue;
    taken.add(file.usageFileId);
    files.push(file);
  }
  return files;
}

/**
 * A journal written before rows were planned (an interrupted collection of an older version) gets them from
 * the Accounts tab as it is now: it is still "collecting", sent nowhere. The same file when nothing was missing.
 */
export function withBilledRows(file: UsageFile, directory: AccountDirectory): UsageFile {
  if (file.records.every((r) => r.billed)) return file;
  return {
    ...file,
    records: file.records.map((r) =>
      r.billed ? r : { ...r, billed: billedRows(r.usageRecordId, r.creditId, r.lines, r, directory) },
    ),
  };
}
/** A credit of a "collecting" file that the sheet no longer shows as it was collected. */
export interface LeftOut {
  key: string;
  creditId: string;
  reason: string;
}

/**
 * The sheet side of a collection: credits named by the file that are still ASSIGNED with the same allocation
 * become PROCESSING. Credits already PROCESSING in this file are left (that is how a resumed run completes
 * without doing anything twice). A credit whose row is gone or that someone changed since the file was written
 * (a person in the sheet, the add-on) is `left` out: the file is still "collecting", sent nowhere, so it is
 * taken out of it rather than collected as it no longer is — or the collection never completing.
 */
export function applyCollect(
  file: UsageFile,
  /** The sheet's credits, or the caller's index of them by key (a collection of five files: one, not five). */
  credits: readonly Credit[] | ReadonlyMap<string, Credit>,
  now: string,
): UsageChange & { left: LeftOut[] } {
  const byKey =
    credits instanceof Map ? credits : new Map((credits as readonly Credit[]).map((c) => [c.key, c]));
  const out: UsageChange & { left: LeftOut[] } = { credits: [], audit: [], left: [] };
  for (const r of file.records) {
    const c = byKey.get(r.key);
    if (!c) {
      out.left.push({ key: r.key, creditId: r.creditId, reason: 'its row is no longer in the sheet' });
      continue;
    }
    if (c.status === 'PROCESSING' && c.usageFileId === file.usageFileId) continue;
    const changed =
      c.status !== 'ASSIGNED' || c.allocation !== r.allocation
        ? `it is ${c.status} with allocation "${c.allocation}" now, not ASSIGNED with "${r.allocation}" as collected`
        : c.amount !== r.amount || c.currency !== r.currency
          ? `its amount is ${formatMinor(c.amount, c.currency)} ${c.currency} now, not ${formatMinor(r.amount, r.currency)} ${r.currency} as collected`
          : isHeld(c)
            ? `it is held for review now (${holdFlags(c.flags).join(' ')})`
            : null;
    if (changed) {
      out.left.push({ key: r.key, creditId: r.creditId, reason: changed });
      continue;
    }
    // What the distributor keeps is what the collected allocation leaves: an Allocation typed into the sheet
    // by hand never recomputed the cell, and the Ledger, the usage file and the row must all say the same.
    const keeps = r.distributorKeeps !== undefined ? r.distributorKeeps : c.distributorKeeps;
    const flags = withoutFlags(c.flags, ['REJECTED']);
    out.credits.push({
      ...c,
      status: 'PROCESSING',
      // Collected again after Connect rejected its earlier file: the rejection is history (Audit), not a state.
      flags,
      distributorKeeps: keeps,
      usageFileId: file.usageFileId,
      usageRecordId: r.usageRecordId,
      processingDate: file.processingDate,
      lastChange: now,
    });
    const base = { when: now, who: USAGE_ACTOR, creditId: c.creditId };
    out.audit.push({ ...base, action: 'collect', field: 'status', before: 'ASSIGNED', after: 'PROCESSING' });
    if (hasFlag(c.flags, 'REJECTED'))
      out.audit.push({
        ...base,
        action: 'collect',
        field: 'flags',
        before: c.flags,
        after: flags,
      });
    if (keeps !== c.distributorKeeps)
      out.audit.push({
        ...base,
        action: 'collect',
        field: 'distributorKeeps',
        before: c.distributorKeeps === null ? '' : formatMinor(c.distributorKeeps, c.currency),
        after: keeps === null ? '' : formatMinor(keeps, c.currency),
      });
    // Taken before AWS finalised the month (--allow-estimated): the Audit says so, next to the collection itself.
    if (r.awsBill)
      out.audit.push({
        ...base,
        action: 'collect',
        field: 'awsBill',
        before: r.awsBill,
        after: `collected with --allow-estimated: AWS had not finalised ${r.period}, the amount may still change`,
      });
    out.audit.push(
      { ...base, action: 'collect', field: 'usageRecordId', before: '', after: r.usageRecordId },
      traceEntry(base, {
        key: r.key,
        usageFileId: file.usageFileId,
        usageRecordId: r.usageRecordId,
        processingDate: file.processingDate,
        allocation: r.allocation,
        amount: r.amount,
        currency: r.currency,
        distributorKeeps: keeps,
      }),
    );
  }
  return out;
}

/** Closing a usage file: its credits become PROCESSED (invoiced). Idempotent. */
/**
 * A blank usage file ID names no file: without this check it would match every credit not yet collected (their
 * Usage File ID cell is blank too) and the refusal would name one of them instead of the mistake.
 */
export function requireUsageFileId(fileId: string): void {
  if (fileId.trim()) return;
  throw new CreditDeskError(
    'USAGE',
    'No usage file ID was given.',
    'Name the file to close: credit-desk usage list shows them (UF-…), and usage collect prints the one it wrote.',
  );
}

export function applyClose(fileId: string, credits: Credit[], now: string): UsageChange {
  requireUsageFileId(fileId);
  const inFile = credits.filter((c) => c.usageFileId === fileId);
  if (inFile.length === 0) {
    throw new CreditDeskError(
      'USAGE',
      `No credit in the sheet belongs to usage file ${fileId}.`,
      'Check the ID (credit-desk usage list shows the files), or collect first.',
    );
  }
  const out: UsageChange = { credits: [], audit: [] };
  for (const c of inFile) {
    if (c.status === 'PROCESSED') continue;
    if (c.status !== 'PROCESSING') {
      throw new CreditDeskError(
        'USAGE',
        `Credit ${c.creditId} in ${fileId} is ${c.status}, not PROCESSING.`,
        'Only collected credits can be closed.',
      );
    }
    out.credits.push({ ...c, status: 'PROCESSED', lastChange: now });
    out.audit.push({
      when: now,
      who: USAGE_ACTOR,
      action: 'close',
      creditId: c.creditId,
      field: 'status',
      before: 'PROCESSING',
      after: 'PROCESSED',
    });
  }
  return out;
}

/**
 * The file without the credits of `keys` (the sheet refused to collect them because someone changed them
 * while the collection ran), totals recomputed. The other records keep their IDs. Null when none is left.
 */
export function withoutRecords(file: UsageFile, keys: ReadonlySet<string>): UsageFile | null {
  const records = file.records.filter((r) => !keys.has(r.key));
  if (records.length === 0) return null;
  const totals = new Map<string, { currency: string; amount: Minor; credits: number }>();
  for (const r of records) {
    const t = totals.get(r.currency) ?? { currency: r.currency, amount: 0, credits: 0 };
    t.amount = addMinor(t.amount, r.amount);
    t.credits++;
    totals.set(r.currency, t);
  }
  return { ...file, records, totals: [...totals.values()] };
}

/**
 * "265,015.57 USD": the file's money, as every other command shows money. Its credits are counted by the caller,
 * once; per currency only for an older file that holds several (a file has one currency now).
 */
export function usageTotalsText(file: UsageFile): string {
  return file.totals
    .map(
      (t) =>
        `${displayMoney(t.amount, t.currency)}${file.totals.length > 1 ? ` (${t.credits} credits)` : ''}`,
    )
    .join(', ');
}
