/**
 * The Ledger: the record of what the usage process collected. One entry per collected credit, written in the
 * same sink write as the collection (and updated by close), kept in a hidden, protected tab of the sheet itself
 * so it travels with the sheet — a sync on a fresh container each month has no local folder to trust — and
 * completed from the usage files on disk when they are there.
 *
 * An entry is the truth about its credit forever: PROCESSING or PROCESSED with exactly that allocation, its key
 * and Credit ID never issued again. core/reconcile.ts puts the Credits tab back in line with it.
 */
import type { Credit } from './credit';
import { CreditDeskError } from './errors';
import { fromSheetValue, type Minor } from './money';
import { LEDGER_CREDIT_FIELDS, type LedgerField } from './sheet-contract';
import { creditCell, creditOfRow, indexColumns, text, type Cell, type ColumnIndex, type Grid } from './table';
import { isArchivedRow, readArchivedLedger } from './archived-ledger';
import { isCandidateOf } from './ids';
import type { UsageFile, UsageRecord } from './usage';

export type CollectedStatus = 'PROCESSING' | 'PROCESSED';

/**
 * The Status of a Ledger row whose collection Connect rejected (docs/decisions/0008): the credit went back to
 * ASSIGNED, so the row is no longer a collected credit. Every reader treats it as "not collected"; its usage
 * record ID is reopened for good (a trace of that collection in the Audit or a usage file never locks the credit
 * again), and the next collection of the credit rewrites the row (core/ledger-placement.ts: a credit's append
 * rewrites its row).
 */
export const REOPENED_STATUS = 'REOPENED';

/**
 * A collected credit as the Ledger records it: the credit's own fields the Ledger keeps (LEDGER_CREDIT_FIELDS, with
 * the same types as Credit), a collected status, and when it was collected and closed. `payerAccountId` is empty
 * only for entries rebuilt from usage files written before the Ledger existed.
 */
export interface LedgerEntry extends Omit<
  Pick<Credit, 'key' | (typeof LEDGER_CREDIT_FIELDS)[number]>,
  'status'
> {
  status: CollectedStatus;
  collectedAt: string;
  closedAt: string;
  /** What Connect said on closing its records (external billing ID: note); '' when closed by hand or open. */
  connectNote?: string;
}

/** The Ledger row of an entry, as cells: the Credits cells of its credit (creditCell), plus the Ledger's own. */
export function ledgerCells(e: LedgerEntry): Record<LedgerField, Cell> {
  const credit: Credit = { ...creditOfEntry(e), flags: '', notes: '', lastChange: '' };
  const cells = {
    key: e.key,
    collectedAt: e.collectedAt,
    closedAt: e.closedAt,
    // Always written: a collection that rewrites a REOPENED row must not keep the rejection note.
    connectNote: e.connectNote ?? '',
  } as Record<LedgerField, Cell>;
  for (const f of LEDGER_CREDIT_FIELDS) cells[f] = creditCell(credit, f);
  return cells;
}

/**
 * Reads the Ledger tab's collected credits. Rows without a Key are ignored (nothing else writes there), and so
 * are the packed rows of archived credits (core/archived-ledger.ts); an unreadable row is an error, because
 * guessing would let a collected credit be collected again.
 */
export function readLedger(grid: Grid): LedgerEntry[] {
  if (grid.rows.length === 0) return [];
  const idx = indexColumns<LedgerField>('ledger', grid.headers);
  const out: LedgerEntry[] = [];
  grid.rows.forEach((row, i) => {
    const key = text(row[idx.key]);
    if (!key || isArchivedRow(row, idx.status)) return; // archived credits: core/archived-ledger.ts
    const where = `Ledger row ${i + 2}`;
    const currency = text(row[idx.currency]) || 'USD';
    const status = text(row[idx.status]);
    if (status === REOPENED_STATUS) return; // not collected any more: readReopened
    if (status !== 'PROCESSING' && status !== 'PROCESSED') {
      throw new CreditDeskError(
        'BAD_SHEET',
        `${where}: Status "${status}" is not PROCESSING, PROCESSED or ${REOPENED_STATUS}.`,
        'The Ledger tab is written only by the usage process. Undo the edit (File → Version history, or the workbook .bak), then run again.',
      );
    }
    let amount: Minor;
    let keeps: Minor | null;
    try {
      amount = fromSheetValue(row[idx.amount], currency);
      const k = row[idx.distributorKeeps];
      keeps = k === null || k === undefined || k === '' ? null : fromSheetValue(k, currency);
    } catch (e) {
      throw new CreditDeskError(
        'BAD_SHEET',
        `${where}: an amount is unreadable (${(e as Error).message.split('\n')[0]}).`,
        'The Ledger tab is written only by the usage process. Undo the edit (File → Version history, or the workbook .bak), then run again.',
      );
    }
    out.push(
      Object.assign(creditOfRow(row, idx, { key, amount, currency, status, distributorKeeps: keeps }), {
        collectedAt: text(row[idx.collectedAt]),
        closedAt: text(row[idx.closedAt]),
        // Only when Connect said something: an entry closed by hand or still open has none.
        ...(text(row[idx.connectNote]) ? { connectNote: text(row[idx.connectNote]) } : {}),
      }),
    );
  });
  return out;
}

/**
 * The Credit IDs whose collection the Ledger tab holds (a keyed PROCESSING or PROCESSED row, not archived): the
 * rows readLedger gives. The Audit's copy of such a collection (core/collect-trace.ts: its `collect` and `close`
 * rows) is needed only to rebuild a Ledger row that is lost, so a narrow read may leave those rows narrow
 * (sync-service/sinks/sink.ts AUDIT_WHOLE_ROWS, docs/decisions/0022). Lenient where readLedger refuses: a row it
 * would refuse is not counted as held (its Audit rows come whole, the stricter answer), and readLedger still
 * refuses it.
 */
export function collectionsHeld(grid: Grid): Set<string> {
  const out = new Set<string>();
  if (grid.rows.length === 0) return out;
  let idx: ColumnIndex<LedgerField>;
  try {
    idx = indexColumns<LedgerField>('ledger', grid.headers);
  } catch {
    return out; // a header missing: nothing held (every trace whole); the layout check reports the header
  }
  for (const row of grid.rows) {
    // Archived rows (core/archived-ledger.ts) and REOPENED ones have another Status: not held.
    const status = text(row[idx.status]);
    if (!text(row[idx.key]) || (status !== 'PROCESSING' && status !== 'PROCESSED')) continue;
    const id = text(row[idx.creditId]);
    if (id) out.add(id);
  }
  return out;
}

/** A Ledger row whose collection was reopened (REOPENED_STATUS): which collection, and why. */
export interface ReopenedEntry {
  key: string;
  creditId: string;
  usageFileId: string;
  usageRecordId: string;
  /** When it was reopened (the Closed At cell) and Connect's rejection note (Connect Note). */
  reopenedAt: string;
  note: string;
}

/** The Ledger tab's REOPENED rows: collections that no longer lock their credit. */
export function readReopened(grid: Grid): ReopenedEntry[] {
  if (grid.rows.length === 0) return [];
  const idx = indexColumns<LedgerField>('ledger', grid.headers);
  const out: ReopenedEntry[] = [];
  for (const row of grid.rows) {
    if (text(row[idx.status]) !== REOPENED_STATUS || !text(row[idx.key])) continue;
    out.push({
      key: text(row[idx.key]),
      creditId: text(row[idx.creditId]),
      usageFileId: text(row[idx.usageFileId]),
      usageRecordId: text(row[idx.usageRecordId]),
      reopenedAt: text(row[idx.closedAt]),
      note: text(row[idx.connectNote]),
    });
  }
  return out;
}

/**
 * Only the Credit IDs and usage file IDs of the Ledger tab (no amounts parsed): the IDs taken forever, archived
 * credits' included.
 */
export function ledgerIds(grid: Grid): { creditIds: string[]; usageFileIds: string[] } {
  const out = { creditIds: [] as string[], usageFileIds: [] as string[] };
  if (grid.rows.length === 0) return out;
  const idx = indexColumns<LedgerField>('ledger', grid.headers);
  for (const row of grid.rows) {
    if (!text(row[idx.key]) || isArchivedRow(row, idx.status)) continue;
    out.creditIds.push(text(row[idx.creditId]));
    out.usageFileIds.push(text(row[idx.usageFileId]));
  }
  const archived = readArchivedLedger(grid);
  // One push per ID, not push(...ids): after a few months of archiving at 20,000 credits a month the list passes
  // the ~120,000 arguments a call can take (the year bench stopped in October with a stack overflow).
  for (const id of archived.creditIds) out.creditIds.push(id);
  for (const id of archived.usageFileIds) out.usageFileIds.push(id);
  return out;
}

function distributorShare(r: UsageRecord): Minor {
  return r.lines.filter((l) => l.role === 'distributor').reduce((s, l) => s + l.amount, 0);
}

/** The entry of one usage record, with the status its file is in. */
export function entryFromRecord(file: UsageFile, r: UsageRecord, status: CollectedStatus): LedgerEntry {
  return {
    key: r.key,
    creditId: r.creditId,
    period: r.period,
    accountId: r.accountId,
    payerAccountId: r.payerAccountId ?? '',
    customerId: r.customerId,
    assetId: r.assetId,
    resellerId: r.resellerId,
    service: r.service,
    description: r.description,
    amount: r.amount,
    currency: r.currency,
    status,
    allocation: r.allocation,
    distributorKeeps: r.distributorKeeps !== undefined ? r.distributorKeeps : distributorShare(r),
    ruleId: r.ruleId,
    usageFileId: file.usageFileId,
    usageRecordId: r.usageRecordId,
    processingDate: file.processingDate,
    collectedAt: file.createdAt,
    closedAt: status === 'PROCESSED' ? (file.closedAt ?? '') : '',
  };
}

/**
 * Entries of the usage files on disk. A file still "collecting" is not collected yet (the run that wrote it
 * died before the sheet changed; the next `usage collect` completes it), so it contributes nothing; nor does a
 * file Connect rejected (its credits went back to ASSIGNED: docs/decisions/0008).
 */
export function entriesFromUsageFiles(files: readonly UsageFile[]): LedgerEntry[] {
  return files
    .filter((f) => f.status !== 'collecting' && f.status !== 'rejected')
    .flatMap((f) =>
      f.records.map((r) => entryFromRecord(f, r, f.status === 'closed' ? 'PROCESSED' : 'PROCESSING')),
    );
}

export interface LedgerUnion {
  /**
   * One entry per key — the Ledger tab's, completed by the usage files — but where two rows no usage file
   * proves hold one Key under two Credit IDs (one Key typed over): both, for the Key check to settle.
   */
  entries: LedgerEntry[];
  /** Entries the usage files hold and the Ledger tab lacks: to be appended to the tab. */
  missing: LedgerEntry[];
  /** Entries the tab has as PROCESSING whose file on disk is closed: to be updated in the tab. */
  closed: LedgerEntry[];
  /** A credit found in two different usage files: reported, the earliest collection wins. */
  conflicts: { key: string; creditId: string; files: string[] }[];
  /**
   * Ledger rows that say other than their usage file about what was billed (a cell typed over in the tab, which
   * a person can unhide), the Key included: the file's values, which are what Connect bills, in `entry`; the
   * tab's in `was` (its row is found by `was.key` and `was.creditId`). To be written back to the tab.
   */
  corrected: { entry: LedgerEntry; was: LedgerEntry; fields: LedgerField[] }[];
  /**
   * Ledger rows naming a usage file the folder holds that holds no such record (no record with their Key or
   * their usage record ID): typed, not collected. Left out of `entries`, so they lock no credit and put back no row.
   */
  untrusted: LedgerEntry[];
}

/**
 * The fields a usage record says of its credit, which its Ledger row must say too: everything the Ledger keeps of
 * the credit but the Status (the file's status is followed apart: a close), the usage file (the same by match)
 * and the rule.
 */
const BILLED_FIELDS = LEDGER_CREDIT_FIELDS.filter(
  (f) => f !== 'status' && f !== 'usageFileId' && f !== 'ruleId',
);

/** The billed fields where the tab's entry differs from its usage file's (a field an older journal lacks: not compared). */
function differingFields(tab: LedgerEntry, disk: LedgerEntry): LedgerField[] {
  let out: LedgerField[] | undefined; // made only when a field differs: nearly every row agrees
  for (const f of BILLED_FIELDS) {
    const filed = disk[f];
    if (filed === undefined || (f === 'payerAccountId' && filed === '') || tab[f] === filed) continue;
    (out ??= []).push(f);
  }
  return out ?? [];
}

/**
 * The tab's entries plus the usage files' (tab first: it is the record that travels with the sheet), where the
 * usage files, what Connect bills, say what a tab row of theirs must say (decision 0030). The usual run — every
 * row found by its Key in its file, nothing typed — builds no index beyond the Key's: a year's sheet has 240,000.
 */
export function unionLedger(tab: readonly LedgerEntry[], disk: readonly LedgerEntry[]): LedgerUnion {
  const byKey = new Map<string, LedgerEntry>();
  const conflicts = new Map<string, { key: string; creditId: string; files: Set<string> }>();
  const note = (a: LedgerEntry, b: LedgerEntry) => {
    const c = conflicts.get(a.key) ?? { key: a.key, creditId: a.creditId, files: new Set<string>() };
    c.files.add(a.usageFileId).add(b.usageFileId);
    conflicts.set(a.key, c);
  };
  // Rows under a Key another row holds, with another Credit ID: two credits, not one collected twice — one row's
  // Key was typed over. Kept to one, the other credit lost its record (and was reverted, to be billed again). The
  // Key stays with the row holding the Credit ID issued to it (hashed only here: rare); the other is found by its
  // usage record below, or, where no usage file is there to say, given on for the Key check
  // (core/ledger-key-check.ts).
  const sameKey = new Set<LedgerEntry>();
  for (const e of tab) {
    const prior = byKey.get(e.key);
    if (!prior) byKey.set(e.key, e);
    else if (prior.creditId !== e.creditId) {
      const swap =
        !isCandidateOf(e.key, prior.period, prior.creditId) && isCandidateOf(e.key, e.period, e.creditId);
      if (swap) byKey.set(e.key, e);
      sameKey.add(swap ? prior : e);
    } else if (prior.usageFileId !== e.usageFileId) note(prior, e);
  }
  const missing: LedgerEntry[] = [];
  const closed: LedgerEntry[] = [];
  const corrected: LedgerUnion['corrected'] = [];
  // Where each missing entry (a usage file's, the tab lacking it) is: no indexOf per close.
  const missingAt = new Map<LedgerEntry, number>();
  const addMissing = (e: LedgerEntry) => {
    missingAt.set(e, missing.length);
    missing.push(e);
  };
  // How many of the tab's entries a usage record answered for (found by Key in its file, or by record ID): when
  // that is all of them, as in nearly every run, nothing more is looked up.
  const tabEntries = byKey.size;
  let answered = 0;
  /** A disk entry met with its tab entry (`prior`, found by Key or, `typedKey`, by record ID). */
  const meet = (e: LedgerEntry, found: LedgerEntry, typedKey: boolean) => {
    let prior = found;
    // The usage file is what Connect bills: a Ledger row that says otherwise was typed over, and left so it
    // would put a row back, and bill a correction, as typed.
    const fields = differingFields(prior, e);
    if (typedKey) fields.unshift('key');
    if (fields.length && !missingAt.has(prior)) {
      const was = prior;
      prior = { ...prior };
      for (const f of fields) (prior as unknown as Record<string, unknown>)[f] = e[f];
      byKey.set(e.key, prior);
      corrected.push({ entry: prior, was, fields });
    }
    if (prior.status === 'PROCESSING' && e.status === 'PROCESSED') {
      const done = { ...prior, status: 'PROCESSED' as const, closedAt: e.closedAt };
      byKey.set(e.key, done);
      if (missingAt.has(prior)) {
        const at = missingAt.get(prior)!;
        missing[at] = done;
        missingAt.set(done, at);
      } else closed.push(done);
    }
  };
  const sorted = [...disk].sort((a, b) => a.collectedAt.localeCompare(b.collectedAt));
  // Disk entries whose Key the tab lacks: a row lost, or its Key typed over (decided below, in this order).
  const unmet: LedgerEntry[] = [];
  for (const e of sorted) {
    const prior = byKey.get(e.key);
    if (!prior) unmet.push(e);
    else if (prior.usageFileId !== e.usageFileId) note(prior, e);
    else {
      answered++;
      meet(e, prior, false);
    }
  }
  if (unmet.length) {
    // A usage record's Ledger row under another Key (the Key cell typed over): found by its file and record ID
    // among the tab's rows whose Key no record has. Without this it read as a second collected credit, whose row
    // the next run "put back" beside the credit's own.
    const diskKeys = new Set(sorted.map((e) => e.key));
    const byRecord = new Map<string, LedgerEntry>();
    for (const t of sameKey) byRecord.set(`${t.usageFileId}\n${t.usageRecordId}`, t);
    for (const t of byKey.values())
      if (!diskKeys.has(t.key) && !conflicts.has(t.key))
        byRecord.set(`${t.usageFileId}\n${t.usageRecordId}`, t);
    for (const e of unmet) {
      const prior = byKey.get(e.key);
      if (prior) {
        // another file's record of the same Key met first
        if (prior.usageFileId !== e.usageFileId) note(prior, e);
        else meet(e, prior, false);
        continue;
      }
      const under = byRecord.get(`${e.usageFileId}\n${e.usageRecordId}`);
      if (under && (byKey.get(under.key) === under || sameKey.has(under))) {
        if (!sameKey.delete(under)) byKey.delete(under.key);
        byRecord.delete(`${e.usageFileId}\n${e.usageRecordId}`);
        answered++;
        meet(e, under, true);
        continue;
      }
      byKey.set(e.key, e);
      addMissing(e);
    }
  }
  // What the files say is what was collected: a tab row that names one of them, of a record it does not hold, was
  // typed (every identifying cell typed over, or made up), and taking it would lock a credit no file bills.
  const untrusted: LedgerEntry[] = [];
  // The usage files on disk, made only when a row is in doubt.
  let onDiskFiles: Set<string> | undefined;
  const filesOnDisk = () => (onDiskFiles ??= new Set(sorted.map((e) => e.usageFileId)));
  const filed = answered < tabEntries ? filesOnDisk() : new Set<string>();
  const suspects = filed.size
    ? [...byKey.values()].filter((e) => !missingAt.has(e) && filed.has(e.usageFileId))
    : [];
  if (suspects.length) {
    const held = new Set(
      sorted.flatMap((e) => [`${e.usageFileId}\n${e.key}`, `${e.usageFileId}\n${e.usageRecordId}`]),
    );
    const firstOnDisk = new Map<string, LedgerEntry>();
    for (const e of sorted) if (!firstOnDisk.has(e.key)) firstOnDisk.set(e.key, e);
    for (const e of suspects) {
      if (held.has(`${e.usageFileId}\n${e.key}`) || held.has(`${e.usageFileId}\n${e.usageRecordId}`))
        continue;
      untrusted.push(e);
      // A credit a file does hold under that Key (its row's usage file typed over): the file's record stands, and
      // rewrites the row (an append to a Key the tab has is written onto its row: ledger-placement.ts).
      const record = firstOnDisk.get(e.key);
      if (record) {
        byKey.set(e.key, record);
        addMissing(record);
      } else byKey.delete(e.key);
    }
  }
  // A row under another's Key that no usage record answered: where its file is in the folder, typed (as above);
  // where it is not, given on for the Key check.
  for (const e of sameKey)
    if (filesOnDisk().has(e.usageFileId)) {
      untrusted.push(e);
      sameKey.delete(e);
    }
  return {
    entries: [...byKey.values(), ...sameKey],
    missing,
    closed,
    corrected,
    untrusted,
    // A conflict with a row not taken (its usage file typed over) was no second collection.
    conflicts: [...conflicts.values()]
      .filter((c) => !untrusted.some((e) => e.key === c.key))
      .map((c) => ({ ...c, files: [...c.files] })),
  };
}

/** The Credits row a collected credit must have (staff's Notes and the row's Last Change are theirs to keep). */
export function creditOfEntry(e: LedgerEntry): Omit<Credit, 'flags' | 'notes' | 'lastChange'> {
  return {
    key: e.key,
    creditId: e.creditId,
    period: e.period,
    accountId: e.accountId,
    payerAccountId: e.payerAccountId,
    customerId: e.customerId,
    assetId: e.assetId,
    resellerId: e.resellerId,
    service: e.service,
    description: e.description,
    amount: e.amount,
    currency: e.currency,
    status: e.status,
    allocation: e.allocation,
    distributorKeeps: e.distributorKeeps,
    ruleId: e.ruleId,
    usageFileId: e.usageFileId,
    usageRecordId: e.usageRecordId,
    processingDate: e.processingDate,
  };
}
