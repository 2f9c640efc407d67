/**
 * The one read every writing command starts with (sync, apply-rules, assign, unassign, usage collect/close):
 * read the sink, gather the usage record (the Ledger tab, completed by the usage files on disk when there
 * are any), reconcile the Credits tab against it (core/reconcile.ts), and write the repairs — in their own
 * write, before the command decides anything, so the command works on a sheet where every collected credit
 * is as it was collected. A dry run writes nothing and works on the repaired snapshot in memory.
 */
import { auditCells } from '../core/audit';
import {
  entriesFromUsageFiles,
  ledgerCells,
  readLedger,
  unionLedger,
  type LedgerEntry,
} from '../core/ledger';
import { fromSheetValue } from '../core/money';
import {
  applyRepairs,
  describeReconcile,
  isEmptyRepairs,
  reconcile,
  type ReconcileResult,
} from '../core/reconcile';
import type { AuditField, CreditField, LedgerField } from '../core/sheet-contract';
import { USAGE_FILE_ID_PATTERN } from '../core/ids';
import { indexColumns, readRecords, recordToRow, text, type Cell, type Grid } from '../core/table';
import type { Reporter } from './progress';
import { type Sink } from './sinks/sink';
import { isEmptyChangeSet, type ChangeSet, type LedgerChanges, type Snapshot } from '../core/sheet-changes';
import { loadUsageFiles } from './usage/usage-files';
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
}

export interface Reconciled {
  /** The snapshot with the repairs applied (what the sheet holds after them). */
  snapshot: Snapshot;
  /** Every collected credit: the Ledger tab, plus the usage files on disk. */
  ledger: LedgerEntry[];
  result: ReconcileResult;
  /** Ledger rows the run added (from the usage files, or adopted from a sheet older than the Ledger). */
  ledgerAdded: number;
  /** Lines for the command's summary (also sent to the reporter as warnings). */
  messages: string[];
  written: boolean;
}

/**
 * A sheet from before the Ledger existed (or whose Ledger tab the owner deleted) holds collected credits only
 * as locked rows. Those whose collection the Audit tab shows (a `collect` entry with that usage record ID) are
 * taken into the Ledger as they are, rather than reverted to ASSIGNED and billed a second time; a Status typed
 * by hand has no such entry and is reverted.
 */
function adoptLockedRows(credits: Grid, audit: Grid): LedgerEntry[] {
  if (!credits.rows.length) return [];
  const collected = new Set<string>();
  for (const { record } of readRecords<AuditField>('audit', audit)) {
    if (text(record.action) === 'collect' && text(record.field) === 'usageRecordId')
      collected.add(`${text(record.creditId)}|${text(record.after)}`);
  }
  if (!collected.size) return [];
  const idx = indexColumns<CreditField>('credits', credits.headers);
  const out: LedgerEntry[] = [];
  for (const row of credits.rows) {
    const status = text(row[idx.status]);
    const key = text(row[idx.key]);
    const fileId = text(row[idx.usageFileId]);
    if ((status !== 'PROCESSING' && status !== 'PROCESSED') || !key || !USAGE_FILE_ID_PATTERN.test(fileId))
      continue;
    if (!collected.has(`${text(row[idx.creditId])}|${text(row[idx.usageRecordId])}`)) continue;
    const currency = text(row[idx.currency]) || 'USD';
    let amount: number;
    let keeps: number | null;
    try {
      amount = fromSheetValue(row[idx.amount], currency);
      const k = row[idx.distributorKeeps];
      keeps = k === null || k === '' || k === undefined ? null : fromSheetValue(k, currency);
    } catch {
      continue; // not readable as a collected credit: reconciliation reverts it instead
    }
    const t = (f: CreditField) => text(row[idx[f]]);
    out.push({
      key,
      creditId: t('creditId'),
      period: t('period'),
      accountId: t('accountId').padStart(12, '0'),
      payerAccountId: t('payerAccountId') ? t('payerAccountId').padStart(12, '0') : '',
      customerId: t('customerId'),
      assetId: t('assetId'),
      resellerId: t('resellerId'),
      service: t('service'),
      description: row[idx.description] === null ? '' : String(row[idx.description] ?? ''),
      amount,
      currency,
      status,
      allocation: t('allocation'),
      distributorKeeps: keeps,
      ruleId: t('ruleId'),
      usageFileId: fileId,
      usageRecordId: t('usageRecordId'),
      processingDate: t('processingDate'),
      collectedAt: t('processingDate'),
      closedAt: '',
    });
  }
  return out;
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

/** Reads the sink, reconciles it against the usage record, writes the repairs (unless a dry run). */
export async function readReconciled(sink: Sink, opts: ReconcileOptions): Promise<Reconciled> {
  const snapshot = await sink.read();
  const now = opts.now.toISOString();
  const created = snapshot.created ?? [];
  const fromTab = readLedger(snapshot.tabs.ledger);
  const archived = unionArchived(readArchivedLedger(snapshot.tabs.ledger), {
    keys: new Set(opts.archivedKeys ?? readArchivedIndex(defaultArchiveDir()).keys),
  }).keys;
  // The usage files on disk still hold archived credits; they are not "missing" from the Ledger.
  const disk = (opts.usageDir ? entriesFromUsageFiles(loadUsageFiles(opts.usageDir)) : []).filter(
    (e) => !archived.has(e.key),
  );
  const union = unionLedger(fromTab, disk);
  const known = new Set(union.entries.map((e) => e.key));
  const adopted =
    fromTab.length === 0
      ? adoptLockedRows(snapshot.tabs.credits, snapshot.tabs.audit).filter(
          (a) => !known.has(a.key) && !archived.has(a.key),
        )
      : [];
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
    creditsTabCreated: created.includes('credits'),
    issuedIds,
    now,
  });

  const ledgerChanges: LedgerChanges = {
    appends: missing.map(ledgerCells),
    updates: union.closed.map((e) => ({ key: e.key, fields: { status: e.status, closedAt: e.closedAt } })),
  };
  const changes: ChangeSet = {
    updates: result.repairs.updates,
    appends: result.repairs.appends,
    audit: result.repairs.audit.map(auditCells),
    rowRepairs: result.repairs.rowRepairs,
    ledger: ledgerChanges,
  };

  const messages = describeReconcile(result);
  if (adopted.length)
    messages.push(
      `The Ledger held no record of ${adopted.length} locked row(s); they were taken into it as collected (usage files ${[...new Set(adopted.map((a) => a.usageFileId))].slice(0, 5).join(', ')}).`,
    );
  if (union.missing.length)
    messages.push(
      `${union.missing.length} collected credit(s) from the usage files in ${opts.usageDir} were missing from the Ledger tab and were put back into it.`,
    );
  for (const c of union.conflicts)
    messages.push(
      `Credit ${c.creditId} is in more than one usage file (${c.files.join(', ')}): the earliest is kept as the record. Check those files before they are invoiced.`,
    );

  const write = opts.write !== false;
  let written = false;
  if (!isEmptyChangeSet(changes) && write) {
    opts.reporter?.progress(`restoring ${result.restored.length} row(s) from the usage record…`);
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
    ledger: union.entries,
    result,
    ledgerAdded: missing.length,
    messages,
    written,
  };
}
