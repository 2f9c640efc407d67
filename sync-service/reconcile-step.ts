/**
 * The one read every writing command starts with (sync, apply-rules, assign, unassign, usage collect/close):
 * read the sink, gather the usage record (the Ledger tab, completed by the usage files on disk when there
 * are any), reconcile the Credits tab against it (core/reconcile.ts), and write the repairs — in their own
 * write, before the command decides anything, so the command works on a sheet where every collected credit
 * is as it was collected. A dry run writes nothing and works on the repaired snapshot in memory.
 */
import { auditCells, type AuditAction, type AuditEntry } from '../core/audit';
import {
  entriesFromUsageFiles,
  ledgerCells,
  ledgerIds,
  readLedger,
  readReopened,
  unionLedger,
  type LedgerEntry,
  type LedgerUnion,
} from '../core/ledger';
import { fromSheetValue } from '../core/money';
import { isCandidateOf } from '../core/ids';
import {
  applyRepairs,
  describeReconcile,
  isEmptyRepairs,
  reconcile,
  RECONCILE_ACTOR,
  type ReconcileResult,
} from '../core/reconcile';
import { CREDIT_COLUMNS, type AuditField, type CreditField, type LedgerField } from '../core/sheet-contract';
import { creditOfRow, indexColumns, recordToRow, text, type Cell, type Grid } from '../core/table';
import { readCollectTraces, readReopenedIds, type CollectTrace } from '../core/collect-trace';
import type { Reporter } from './progress';
import { type Sink } from './sinks/sink';
import { isEmptyChangeSet, type ChangeSet, type LedgerChanges, type Snapshot } from '../core/sheet-changes';
import { loadUsageFiles } from './usage/usage-files';
import { ownUsageFiles, readDeskId } from '../core/desk-id';
import type { UsageFile } from '../core/usage';
import { defaultArchiveDir, readArchivedIndex } from './archive/archive-files';
import { readArchivedLedger, unionArchived } from '../core/archived-ledger';

export interface ReconcileOptions {
  /** Where the usage files are; absent or missing on a fresh container, which is why the Ledger tab exists. */
  usageDir?: string;
  now: Date;
  reporter?: Reporter;
  /** False for a dry run: repair in memory only. */
  write?: boolean;
  /**
   * Keys of credits moved to the archive (`credit-desk archive`) that an older version listed in
   * archive/archived-keys.tsv (default: that file in the archive folder, when it is there). The Ledger tab's own
   * list of archived credits is always read as well. Their rows left the live sheet on purpose: never put back,
   * neither from the Ledger nor from the usage files on disk.
   */
  archivedKeys?: ReadonlySet<string>;
  /** Audit actions whose detail the command needs (sink.read's `auditDetail`). */
  auditDetail?: readonly AuditAction[];
  /**
   * The credits (by Credit ID) a one-credit command changes (sink.read's `scope`): a sink may read only their
   * rows and the rows the check against the usage record needs. Whenever those rows leave anything to repair,
   * to put back or to say — or a named credit is not among them — the sheet is read again whole and reconciled
   * as any other run (docs/decisions/0026).
   */
  scope?: readonly string[];
}

export interface Reconciled {
  /** The snapshot with the repairs applied (what the sheet holds after them). */
  snapshot: Snapshot;
  /** Every collected credit: the Ledger tab, plus the usage files on disk. */
  ledger: LedgerEntry[];
  /**
   * The usage records of archived credits that the usage folder still holds (their Ledger rows left with them):
   * what proves a correction that still waits in the sheet after its original was archived (core/row-proof.ts).
   */
  archivedLedger: LedgerEntry[];
  result: ReconcileResult;
  /** Ledger rows the run added (from the usage files, or adopted from a sheet older than the Ledger). */
  ledgerAdded: number;
  /** The usage files in the usage folder that are this sheet's (core/desk-id.ts), oldest first. */
  usageFiles: UsageFile[];
  /** The sheet's ID (its Config tab), or null before its first collection. */
  deskId: string | null;
  /** The collections the Audit tab records, by Credit ID (core/collect-trace.ts), as read for this run. */
  traces: ReadonlyMap<string, CollectTrace>;
  /** Those of `traces` a Ledger row gives to another credit (decision 0032): not taken, and not proof either way. */
  doubtedTraces: ReadonlySet<CollectTrace>;
  /** Lines for the command's summary (also sent to the reporter as warnings). */
  messages: string[];
  written: boolean;
}

/**
 * Collected credits that neither the Ledger tab nor the usage files hold any more, proven by the Audit tab
 * (core/collect-trace.ts): say the Ledger tab was deleted and the usage folder is gone. A row whose Credit ID
 * the Audit shows collected is taken into the Ledger with the allocation, amounts and usage IDs the Audit
 * recorded (the row's own cells only where a row written by an older version recorded less), whatever its
 * Status says now — never reverted to ASSIGNED and billed a second time. A Status typed by hand has no such
 * Audit row and is reverted by reconciliation as before.
 */
function adoptFromAudit(
  credits: Grid,
  traces: ReadonlyMap<string, CollectTrace>,
  skip: (key: string) => boolean,
  record: CollectionRecord,
): { adopted: LedgerEntry[]; contradicted: { trace: CollectTrace; by: Contradiction }[] } {
  const adopted: LedgerEntry[] = [];
  const contradicted: { trace: CollectTrace; by: Contradiction }[] = [];
  if (!credits.rows.length || !traces.size) return { adopted, contradicted };
  const idx = indexColumns<CreditField>('credits', credits.headers);
  // By key first: a row the sync imported again after its own was deleted may carry another Credit ID.
  const byKey = new Map<string, CollectTrace>();
  for (const trace of traces.values()) if (trace.key) byKey.set(trace.key, trace);
  const taken = new Set<string>();
  for (const row of credits.rows) {
    const t = (f: CreditField) => text(row[idx[f]]);
    const key = t('key');
    if (!key || skip(key) || taken.has(key)) continue;
    const byId = traces.get(t('creditId'));
    const trace = byKey.get(key) ?? (byId && (byId.key === undefined || byId.key === key) ? byId : undefined);
    if (!trace) continue;
    taken.add(key);
    const by = record.contradicts(trace, key);
    if (by) {
      contradicted.push({ trace, by });
      continue;
    }
    const status = t('status');
    const locked = status === 'PROCESSING' || status === 'PROCESSED';
    // A row an older version collected records only its usage record ID: the row must still show it, locked.
    if (trace.amount === undefined && (!locked || t('usageRecordId') !== trace.usageRecordId)) continue;
    const currency = trace.currency ?? (t('currency') || 'USD');
    let amount: number;
    let keeps: number | null;
    try {
      amount = trace.amount ?? fromSheetValue(row[idx.amount], currency);
      const k = row[idx.distributorKeeps];
      keeps =
        trace.distributorKeeps !== undefined
          ? trace.distributorKeeps
          : k === null || k === '' || k === undefined
            ? null
            : fromSheetValue(k, currency);
    } catch {
      continue; // not readable as a collected credit: reconciliation reports the row instead
    }
    // The row read as every reader of a credit reads it (core/table.ts creditOfRow), then what the Audit
    // recorded of the collection in place of the row's cells.
    const cells = creditOfRow(row, idx, {
      key,
      amount,
      currency,
      status: trace.closedAt !== undefined ? 'PROCESSED' : 'PROCESSING',
      distributorKeeps: keeps,
    });
    adopted.push(
      Object.assign(cells, {
        creditId: trace.creditId,
        allocation: trace.allocation ?? cells.allocation,
        usageFileId: trace.usageFileId,
        usageRecordId: trace.usageRecordId,
        processingDate: trace.processingDate ?? cells.processingDate,
        collectedAt: trace.when,
        closedAt: trace.closedAt ?? '',
      }),
    );
  }
  return { adopted, contradicted };
}

/**
 * What the other two copies of the collection record (the usage files on disk, the Ledger tab) say of an Audit
 * trace that would lock a row: a usage file on disk is whole (decision 0024), so one that does not hold the
 * trace's record under its Key, or holds it under another, says the trace is another credit's collection — an
 * Audit row edited (its Credit ID, or the Key in its record) to name this one. So does a Ledger row holding the
 * record under another Key when that row's Credit ID is its Key's own (core/ids.ts isCandidateOf; a Ledger Key
 * typed over proves nothing: decision 0031 puts it back). Taking such a trace would lock its credit away unbilled.
 * Built when first asked: adoption is rare, and the Key check hashes.
 */
interface CollectionRecord {
  contradicts(trace: CollectTrace, key: string): Contradiction | null;
}

/** Which copy says a trace is another credit's: a usage file on disk (proof), or only a Ledger row. */
type Contradiction = 'file' | 'ledger';

function collectionRecord(entries: readonly LedgerEntry[], files: readonly UsageFile[]): CollectionRecord {
  let known: { inFiles: Map<string, string>; onDisk: Set<string>; inTab: Map<string, string> } | undefined;
  const index = () => {
    const inFiles = new Map<string, string>();
    for (const f of files) for (const r of f.records) inFiles.set(r.usageRecordId, r.key);
    const inTab = new Map<string, string>();
    for (const e of entries)
      if (!inFiles.has(e.usageRecordId) && isCandidateOf(e.key, e.period, e.creditId))
        inTab.set(e.usageRecordId, e.key);
    return { inFiles, onDisk: new Set(files.map((f) => f.usageFileId)), inTab };
  };
  return {
    contradicts(trace, key) {
      known ??= index();
      const inFile = known.inFiles.get(trace.usageRecordId);
      if (inFile !== undefined) return inFile !== key ? 'file' : null;
      if (known.onDisk.has(trace.usageFileId)) return 'file';
      const inTab = known.inTab.get(trace.usageRecordId);
      return inTab !== undefined && inTab !== key ? 'ledger' : null;
    },
  };
}

/**
 * An Audit row for each Ledger row put back as its usage file records it: Field names the Ledger's fields, Before
 * what the tab said, After what the file says (money in the credit's currency, as the cells show it).
 */
function ledgerRestoreAudit(corrected: LedgerUnion['corrected'], now: string): AuditEntry[] {
  return corrected.map(({ entry, was, fields }) => {
    const before = ledgerCells(was);
    const after = ledgerCells(entry);
    const lines = (cells: Record<LedgerField, Cell>) =>
      fields.map((f) => `${f}: ${text(cells[f])}`).join('\n');
    return {
      when: now,
      who: RECONCILE_ACTOR,
      action: 'restore',
      creditId: entry.creditId,
      field: `Ledger ${fields.join(', ')}`,
      before: lines(before),
      after: lines(after),
    };
  });
}

/** What the repair write is said to do: restore Credits rows, else add Ledger rows, else put Ledger rows back. */
function repairProgress(restored: number, added: number, putBack: number): string {
  if (!restored && added) return `putting ${added} collected credit(s) back into the Ledger tab…`;
  if (!restored && putBack) return `putting ${putBack} Ledger row(s) back…`; // from the usage files or the row's own cells
  return `restoring ${restored} row(s) from the record…`;
}

/** The usage folder's files split into this sheet's and other sheets' (core/desk-id.ts). */
function sheetsUsageFiles(
  snapshot: Snapshot,
  files: UsageFile[],
  traces: ReadonlyMap<string, CollectTrace>,
): { own: UsageFile[]; foreign: UsageFile[]; deskId: string | null } {
  const deskId = readDeskId(snapshot.tabs.config);
  const named = new Set<string>(ledgerIds(snapshot.tabs.ledger).usageFileIds);
  for (const t of traces.values()) named.add(t.usageFileId);
  const credits = snapshot.tabs.credits;
  if (credits.rows.length) {
    const at = indexColumns<CreditField>('credits', credits.headers).usageFileId;
    for (const row of credits.rows) {
      const id = text(row[at]);
      if (id) named.add(id);
    }
  }
  return { ...ownUsageFiles(files, { deskId, namedFiles: named }), deskId };
}

function appendRows<F extends string>(tab: 'audit' | 'ledger', grid: Grid, records: Record<F, Cell>[]): Grid {
  if (!records.length) return grid;
  const idx = indexColumns<F>(tab, grid.headers);
  return {
    headers: grid.headers,
    rows: [...grid.rows, ...records.map((r) => recordToRow(r, idx, grid.headers.length))],
  };
}

function updateLedgerGrid(grid: Grid, changes: LedgerChanges): Grid {
  let out = grid;
  if (changes.updates.length) {
    const idx = indexColumns<LedgerField>('ledger', grid.headers);
    const byKey = new Map(changes.updates.map((u) => [u.key, u.fields]));
    out = {
      headers: grid.headers,
      rows: grid.rows.map((row) => {
        const fields = byKey.get(text(row[idx.key]));
        if (!fields) return row;
        const copy = [...row];
        for (const [f, v] of Object.entries(fields) as [LedgerField, Cell][]) copy[idx[f]] = v;
        return copy;
      }),
    };
  }
  return appendRows('ledger', out, changes.appends);
}

/**
 * The Credits fields a writing command decides from: all but Notes (the staff's, which no command reads or
 * writes) and Last Change (only ever stamped with the time of a change, never compared). A sink may leave
 * those two out of the read (ReadOptions.creditFields): the Google Sheets sink then downloads neither column.
 */
const DECIDING_FIELDS: readonly CreditField[] = CREDIT_COLUMNS.map((c) => c.field).filter(
  (f) => f !== 'notes' && f !== 'lastChange',
);

/** Whether a scoped read's rows need nothing of reconciliation and hold every credit the command names. */
function scopeSettled(
  snapshot: Snapshot,
  creditIds: readonly string[],
  changes: ChangeSet,
  messages: readonly string[],
): boolean {
  if (!isEmptyChangeSet(changes) || messages.length) return false;
  const credits = snapshot.tabs.credits;
  const at = indexColumns<CreditField>('credits', credits.headers).creditId;
  const found = new Set<string>();
  for (const row of credits.rows) found.add(text(row[at]));
  return creditIds.every((id) => found.has(id));
}

/**
 * What a reader that does not write (`statement`, `report`) tells when the sheet it read differs from the usage
 * record it followed instead: the first difference, and that a writing command puts the sheet back; null when none.
 */
export function followedRecord(rec: Pick<Reconciled, 'messages'>, whoFollows: string): string | null {
  if (!rec.messages.length) return null;
  const first = rec.messages[0].split('\n')[0];
  return `The sheet differs from the usage record (${first}${rec.messages.length > 1 ? ' …' : ''}); ${whoFollows} the record. Any writing command (credit-desk sync) puts the sheet back.`;
}

/** Reads the sink, reconciles it against the usage record, writes the repairs (unless a dry run). */
export async function readReconciled(sink: Sink, opts: ReconcileOptions): Promise<Reconciled> {
  // The Audit narrowly (sink.ts: auditColumns): Credit ID and Action of every row, the rows of AUDIT_WHOLE_ROWS
  // and auditDetail whole — all that this step and the commands after it look up there, and what the Google
  // Sheets sink reads anyway. The other Audit cells (When, Who, Field, Before, After of 240,000 sync rows on a
  // year's sheet) are never decoded.
  const snapshot = await sink.read({
    auditDetail: opts.auditDetail,
    auditColumns: ['creditId', 'action'],
    creditFields: DECIDING_FIELDS,
    ...(opts.scope ? { scope: { creditIds: opts.scope } } : {}),
  });
  const now = opts.now.toISOString();
  const created = snapshot.created ?? [];
  const fromTab = readLedger(snapshot.tabs.ledger);
  const archived = unionArchived(readArchivedLedger(snapshot.tabs.ledger), {
    keys: new Set(opts.archivedKeys ?? readArchivedIndex(defaultArchiveDir()).keys),
  }).keys;
  // Collections Connect rejected (docs/decisions/0008): the Ledger's REOPENED rows and the Audit's `reopen`
  // rows name their usage record IDs. No copy of the record may lock such a credit again — not an Audit trace,
  // not a usage file restored from a backup — so they are left out of all three here.
  const reopenedRows = readReopened(snapshot.tabs.ledger);
  const reopened = readReopenedIds(snapshot.tabs.audit);
  for (const r of reopenedRows) reopened.add(r.usageRecordId);
  const traces = new Map(
    [...readCollectTraces(snapshot.tabs.audit)].filter(([, t]) => !reopened.has(t.usageRecordId)),
  );
  const usageFiles = opts.usageDir
    ? sheetsUsageFiles(snapshot, loadUsageFiles(opts.usageDir), traces)
    : { own: [], foreign: [], deskId: readDeskId(snapshot.tabs.config) };
  // The usage files on disk still hold archived credits; they are not "missing" from the Ledger.
  const onDisk = entriesFromUsageFiles(usageFiles.own).filter((e) => !reopened.has(e.usageRecordId));
  const disk = onDisk.filter((e) => !archived.has(e.key));
  const archivedLedger = archived.size ? onDisk.filter((e) => archived.has(e.key)) : [];
  const union = unionLedger(fromTab, disk);
  const known = new Set(union.entries.map((e) => e.key));
  // Every run, not only when the Ledger tab is empty: rows deleted from the Ledger lose their record too.
  const { adopted, contradicted } = adoptFromAudit(
    snapshot.tabs.credits,
    traces,
    (k) => known.has(k) || archived.has(k),
    collectionRecord(union.entries, usageFiles.own),
  );
  const entries = [...union.entries, ...adopted];
  const missing = [...union.missing, ...adopted];
  // Only the Credit ID column: a record object per Audit row cost a 50,000-credit assign 50 ms.
  const auditIdAt = indexColumns<AuditField>('audit', snapshot.tabs.audit.headers).creditId;
  const issuedIds = new Set<string>();
  for (const row of snapshot.tabs.audit.rows) issuedIds.add(text(row[auditIdAt]));
  const result = reconcile({
    credits: snapshot.tabs.credits,
    ledger: archived.size ? entries.filter((e) => !archived.has(e.key)) : entries,
    archivedKeys: archived,
    // A row still naming a reopened collection was not lost: it is reverted like a typed one.
    knownUsageFiles: new Set([...reopened].map((id) => id.replace(/^UR-/, 'UF-').replace(/-\d{5}$/, ''))),
    creditsTabCreated: created.includes('credits'),
    issuedIds,
    now,
  });

  // What reconciliation found of the Ledger's Keys where no usage file says (decision 0031).
  const keyCheck = result.ledgerKeys;
  const ledger = archived.size
    ? [...keyCheck.ledger, ...entries.filter((e) => archived.has(e.key))]
    : keyCheck.ledger;
  const keysPutBack = keyCheck.keysPutBack.map(({ entry, was }) => ({
    entry,
    was,
    fields: ['key' as const],
  }));
  const corrected: LedgerUnion['corrected'] = [...union.corrected, ...keysPutBack];

  // One update per Ledger row: a close the usage files record, and the cells put back. A row put back is found by
  // the Key and Credit ID it has now (the Key typed over it may be another collected credit's, whose row comes
  // first); any other by its Key.
  const ledgerUpdates = new Map<string, LedgerChanges['updates'][number]>();
  for (const { entry, was, fields } of corrected) {
    const cells = ledgerCells(entry);
    const update: Partial<Record<LedgerField, Cell>> = {};
    for (const f of fields) update[f] = cells[f];
    ledgerUpdates.set(entry.key, { key: was.key, creditId: was.creditId, fields: update });
  }
  for (const e of union.closed) {
    const prior = ledgerUpdates.get(e.key);
    const fields = { status: e.status, closedAt: e.closedAt };
    ledgerUpdates.set(
      e.key,
      prior ? { ...prior, fields: { ...prior.fields, ...fields } } : { key: e.key, fields },
    );
  }
  const ledgerChanges: LedgerChanges = {
    appends: missing.map(ledgerCells),
    updates: [...ledgerUpdates.values()],
  };
  const changes: ChangeSet = {
    updates: result.repairs.updates,
    appends: result.repairs.appends,
    audit: [...result.repairs.audit, ...ledgerRestoreAudit(corrected, now)].map(auditCells),
    rowRepairs: result.repairs.rowRepairs,
    ledger: ledgerChanges,
  };

  const messages = describeReconcile(result);
  // First: the rows restored from the Ledger (describeReconcile's lines) were restored from what this puts back.
  if (union.corrected.length)
    messages.unshift(
      `The Ledger tab said other than its usage file about ${union.corrected.length} collected credit(s) (typed over?): put back as the usage file records it, which is what Connect bills: ${union.corrected
        .slice(0, 5)
        .map((c) => `${c.entry.creditId} (${c.fields.join(', ')})`)
        .join(
          ', ',
        )}${union.corrected.length > 5 ? ', …' : ''}. The Audit tab has each change (action "restore", Field "Ledger …").`,
    );
  const named = (list: readonly LedgerEntry[]) =>
    `${list
      .slice(0, 5)
      .map((e) => `${e.creditId || e.key} (${e.usageFileId})`)
      .join(', ')}${list.length > 5 ? ', …' : ''}`;
  if (keyCheck.keysPutBack.length)
    messages.unshift(
      `The Ledger tab had ${keyCheck.keysPutBack.length} row(s) under another credit's Key (typed over?): put back under the Key their own cells and Credit ID give (the Key's own credit keeps its row): ${named(keyCheck.keysPutBack.map((k) => k.entry))}. The Audit tab has each change (action "restore", Field "Ledger key").`,
    );
  if (keyCheck.copies.length)
    messages.unshift(
      `The Ledger tab has ${keyCheck.copies.length} row(s) under another credit's Key that copy a credit the tab already holds (made up?), not taken as collected: ${named(keyCheck.copies)}. Unhide the Ledger tab and delete those rows.`,
    );
  if (keyCheck.unproven.length)
    messages.unshift(
      `The Ledger tab has ${keyCheck.unproven.length} row(s) under another credit's Key whose cells name no credit their Credit ID belongs to (typed over?), kept as the record because nothing proves otherwise: ${named(keyCheck.unproven)}. Check them against the usage files (usageDir) or Version history, then run again.`,
    );
  if (union.untrusted.length)
    messages.unshift(
      `The Ledger tab has ${union.untrusted.length} row(s) naming a usage file that does not hold them (typed over?), not taken as collected: ${named(union.untrusted)}. Unhide the Ledger tab and delete those rows.`,
    );
  // About the folder, not the sheet's rows: a scoped read is settled without it (below), then said in its place.
  const folderNotesAt = messages.length;
  const folderNotes: string[] = [];
  if (usageFiles.foreign.length)
    folderNotes.push(
      `${opts.usageDir} also holds ${usageFiles.foreign.length} usage file(s) of another sheet (${usageFiles.foreign
        .slice(0, 3)
        .map((f) => f.usageFileId)
        .join(
          ', ',
        )}${usageFiles.foreign.length > 3 ? ', …' : ''}); they were not read. Give each sheet its own usage folder (usageDir, CREDIT_DESK_USAGE_DIR).`,
    );
  const disproven = contradicted.filter((c) => c.by === 'file').map((c) => c.trace);
  const doubted = contradicted.filter((c) => c.by === 'ledger').map((c) => c.trace);
  const traced = (list: readonly CollectTrace[]) =>
    `${list
      .slice(0, 5)
      .map((t) => `${t.creditId} (${t.usageRecordId})`)
      .join(', ')}${list.length > 5 ? ', …' : ''}`;
  if (disproven.length)
    messages.unshift(
      `The Audit tab shows ${disproven.length} collection(s) its usage file on disk does not hold (edited?), not taken as collected: ${traced(disproven)}. Those credits are collected as any other; put the Audit rows back as they were (Version history, or a backup of the workbook).`,
    );
  if (doubted.length)
    messages.unshift(
      `The Audit tab shows ${doubted.length} collection(s) the Ledger tab gives to another credit (edited?), not taken as collected: ${traced(doubted)}. \`usage collect\` leaves these credits out until the Audit rows are put back as they were (Version history, or a backup of the workbook) or the usage folder (usageDir) is there to settle it.`,
    );
  if (adopted.length)
    messages.push(
      `The Ledger and the usage files held no record of ${adopted.length} collected credit(s) the Audit tab shows collected; they were taken into the Ledger as the Audit recorded them (usage files ${[...new Set(adopted.map((a) => a.usageFileId))].slice(0, 5).join(', ')}).`,
    );
  if (union.missing.length)
    messages.push(
      `${union.missing.length} collected credit(s) from the usage files in ${opts.usageDir} were missing from the Ledger tab and were put back into it.`,
    );
  for (const c of union.conflicts)
    messages.push(
      `Credit ${c.creditId} is in more than one usage file (${c.files.join(', ')}): the earliest is kept as the record. Check those files before they are invoiced.`,
    );

  // A scoped read (decision 0026) settles the run only when its rows need nothing: a repair, a Ledger row, a
  // warning about the sheet or a named credit not found could involve a row it left blank. Then the whole
  // sheet, as every run. (Another sheet's usage files in the folder involve none of this sheet's rows.)
  if (snapshot.scoped && !scopeSettled(snapshot, opts.scope ?? [], changes, messages))
    return readReconciled(sink, { ...opts, scope: undefined });
  messages.splice(folderNotesAt, 0, ...folderNotes);

  const write = opts.write !== false;
  let written = false;
  if (!isEmptyChangeSet(changes) && write) {
    opts.reporter?.progress(repairProgress(result.restored.length, missing.length, corrected.length));
    await sink.write(changes);
    written = true;
  }
  for (const m of messages) opts.reporter?.warn(write ? m : `(dry run, not written) ${m}`);

  const repaired: Snapshot = {
    ...snapshot,
    tabs: {
      ...snapshot.tabs,
      credits: isEmptyRepairs(result.repairs)
        ? snapshot.tabs.credits
        : applyRepairs(snapshot.tabs.credits, result.repairs),
      audit: appendRows<AuditField>('audit', snapshot.tabs.audit, changes.audit),
      ledger: updateLedgerGrid(snapshot.tabs.ledger, ledgerChanges),
    },
  };
  return {
    snapshot: repaired,
    ledger,
    archivedLedger,
    usageFiles: usageFiles.own,
    // A collection its usage file on disk disproves is no collection: `usage collect` may take the credit.
    traces: disproven.length ? new Map([...traces].filter(([, t]) => !disproven.includes(t))) : traces,
    doubtedTraces: new Set(doubted),
    deskId: usageFiles.deskId,
    result,
    ledgerAdded: missing.length,
    messages,
    written,
  };
}
