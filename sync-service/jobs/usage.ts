/**
 * `credit-desk usage collect|close|list`: the billing step. Collect takes every ASSIGNED credit into usage files,
 * one per currency (Connect's file has one currency), and locks those rows; close marks a file's credits PROCESSED.
 *
 * Crash safety: the usage file's JSON is written first with status "collecting", then the usage .xlsx, then the
 * Credits rows and the Ledger rows in one sink write, then the status becomes "ready" once journal, file, Ledger
 * and sheet are checked to agree. A run killed anywhere in between leaves a "collecting" file; the next collect
 * completes it (writing the .xlsx if it is missing; the sheet change is idempotent) before collecting anything
 * new, so no credit is ever half-collected or in two files. A collection in several currencies writes every
 * file's journal first, then every usage file, then completes them all in one sheet write: a run killed anywhere
 * leaves them all "collecting", and the next collect completes them the same way.
 */
import {
  applyClose,
  applyCollect,
  planCollection,
  requireUsageFileId,
  USAGE_ACTOR,
  usageTotalsText,
  withBilledRows,
  withoutRecords,
  type ConnectTarget,
  type UsageFile,
} from '../../core/usage';
import { CreditDeskError } from '../../core/errors';
import type { Credit } from '../../core/credit';
import type { Reporter } from '../progress';
import { buildChangeSet, readState, type DeskState } from '../../core/sheet-state';
import { type Sink } from '../sinks/sink';
import {
  describeSkipped,
  hasWork,
  type LedgerChanges,
  type SkippedChange,
  type Snapshot,
} from '../../core/sheet-changes';
import {
  notCollectedFlags,
  screenForCollect,
  type CollectScreenOptions,
  type SkippedCredit,
} from '../../core/collect-check';
import { readSyncedAmounts } from '../../core/amount-proof';
import { invoicedCredits } from '../../core/row-proof';
import {
  loadUsageFiles,
  removeUsageFile,
  saveUsageJson,
  usageJsonPath,
  usageXlsxMatches,
  writeUsageXlsx,
} from '../usage/usage-files';
import type { AuditEntry } from '../../core/audit';
import { entryFromRecord, ledgerCells, readLedger, type LedgerEntry } from '../../core/ledger';
import { indexColumns, text } from '../../core/table';
import type { CreditField } from '../../core/sheet-contract';
import { readReconciled, type Reconciled } from '../reconcile-step';
import { withDeskId } from '../../core/desk-id';
import { newDeskId } from '../new-desk-id';
import { finishing, stopPoint } from '../interrupt';
import { PLACEHOLDER_CONNECT } from '../settings';
import type { ConnectUsageApi } from '../connect-api/usage-api';
import { completeReopenings, isConnectFailure, runConnectTrip } from './usage-connect';

/** The points a collection passes; a test can stop the run at any of them as a killed process would. */
export type CollectStep = 'journal-written' | 'usage-file-written' | 'sheet-written' | 'verified' | 'ready';
import { summaryLayoutAfter } from '../summary-step';
import { pushAll } from '../../core/arrays';

interface Deps {
  sink: Sink;
  usageDir: string;
  reporter: Reporter;
  now: Date;
  /** Tests: called at each step boundary; throwing there is a crash at that point. */
  crashAt?: (step: CollectStep) => void;
  /** Product, marketplace, contract and item the usage files are for (settings); the placeholders when absent. */
  connect?: ConnectTarget;
  /** Connect's Usage API when settings name it (connect.endpoint): its files' statuses are read first. */
  connectApi?: ConnectUsageApi;
}

/**
 * Before a usage command decides anything: what Connect says of the collected files (statuses, closed records, a
 * rejection), or without Connect only the rejections a killed run left half-written. Connect being down never
 * stops the command: it says so and goes on with the sheet as it is. Returns the keys sent back to ASSIGNED.
 */
async function followConnect(
  deps: Deps,
): Promise<{ keys: Set<string>; rejected: CollectResult['rejected'] }> {
  const local = { sink: deps.sink, usageDir: deps.usageDir, reporter: deps.reporter, now: deps.now };
  if (!deps.connectApi) return { keys: await completeReopenings(local), rejected: [] };
  try {
    const trip = await runConnectTrip({ submit: false }, { ...local, api: deps.connectApi });
    for (const f of trip.files) for (const p of f.problems) deps.reporter.warn(p);
    const rejected = trip.files
      .filter((f) => f.reopened)
      .map((f) => ({ usageFileId: f.usageFileId, credits: f.reopened }));
    return { keys: trip.reopenedKeys, rejected };
  } catch (e) {
    if (!isConnectFailure(e)) throw e; // the sheet's or the folder's trouble is the command's
    deps.reporter.warn(
      `Connect could not be read (${(e as Error).message.split('\n')[0]}); going on with the sheet as it is. Run \`credit-desk usage status\` once Connect answers.`,
    );
    return { keys: await completeReopenings(local), rejected: [] };
  }
}

/**
 * The sheet as collect and close decide from it, lenient (one unreadable row must not stop the others; collect
 * names it). The Audit tab's rows are left out of it: what readState makes of them (Credit IDs ever issued,
 * drift already recorded) is the sync's, not theirs, and the Audit is the biggest tab — a record per row of it
 * was a tenth of a whole-month close. What they need of the Audit (the amounts the sync recorded, the
 * collections it traces) is read from the snapshot itself (readSyncedAmounts, readReconciled).
 */
function usageState(snapshot: Snapshot): DeskState {
  const audit = { headers: snapshot.tabs.audit.headers, rows: [] };
  return readState({ ...snapshot, tabs: { ...snapshot.tabs, audit } }, { lenient: true });
}

/** The collect/close change to the Credits rows, with the Ledger rows it implies, as ONE sink write. */
async function writeUsageChange(
  sink: Sink,
  state: DeskState,
  change: { credits: Credit[]; audit: AuditEntry[] },
  ledger: LedgerChanges,
  now: Date,
) {
  const changes = buildChangeSet(
    change.credits.map((c) => ({ before: state.byKey.get(c.key)!, after: c })),
    change.audit,
  );
  changes.ledger = ledger;
  changes.summary = summaryLayoutAfter(state, change.credits, now);
  if (!hasWork(changes)) return [];
  return (await sink.write(changes)).skipped;
}

export interface CollectResult {
  /** The usage files this run collected into, one per currency, each with its .xlsx. */
  files: { file: UsageFile; xlsxPath: string }[];
  /** The first of `files` (the only one when every credit has one currency); null when nothing was collected. */
  file: UsageFile | null;
  resumed: string[];
  xlsxPath: string | null;
  /** Credits left out of this collection, each with its sheet row and what to do (see core/collect-check.ts). */
  skipped: SkippedCredit[];
  /**
   * With --allow-estimated: the periods this run collected credits of although AWS had not finalised them, with
   * what the Config tab recorded (core/aws-bill.ts) and how many credits. Empty otherwise.
   */
  estimated: { period: string; awsBill: string; credits: number }[];
  /** Usage files Connect rejected, read at the start of this run: their credits are ASSIGNED again. */
  rejected: { usageFileId: string; credits: number }[];
}

export async function runCollect(
  opts: { period?: string; crashAfterFile?: boolean; allowEstimated?: boolean },
  deps: Deps,
): Promise<CollectResult> {
  const now = deps.now.toISOString();
  // Credits Connect just sent back to ASSIGNED wait for the next collection: a person may want to edit them first.
  const followed = await followConnect(deps);
  const reopenedNow = followed.keys;
  const reconcileOpts = {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
    // the amounts the sync recorded: a credit is billed only for the amount the CUR confirmed (core/amount-proof.ts)
    auditDetail: ['sync-add', 'sync-update'] as const,
  };
  let rec = await readReconciled(deps.sink, reconcileOpts);
  refuseLostRecords(rec);
  // Lenient: one unreadable row must not stop the others; it is skipped and named below.
  let state = usageState(rec.snapshot);
  const resumed: string[] = [];
  // Only this sheet's own interrupted collections (core/desk-id.ts): another sheet's are not ours to finish.
  const interrupted = rec.usageFiles.filter((f) => f.status === 'collecting');
  if (interrupted.length) {
    for (const file of interrupted) {
      deps.reporter.info(
        `Completing the interrupted collection ${file.usageFileId} (${file.records.length} credits)…`,
      );
      resumed.push(file.usageFileId);
    }
    await completeCollections(interrupted, state, rec.ledger, deps, now);
    rec = await readReconciled(deps.sink, reconcileOpts);
    state = usageState(rec.snapshot);
  }
  // Every file in the folder, another sheet's too: two files with one ID could not both be told apart.
  const taken = new Set([...state.usageFileIds, ...loadUsageFiles(deps.usageDir).map((f) => f.usageFileId)]);
  const screened = screenForCollect(state.credits, state.directory, {
    period: opts.period,
    syncedAmounts: readSyncedAmounts(rec.snapshot.tabs.audit),
    ...collectedIndex(rec),
    // Only months AWS has finalised (core/aws-bill.ts), unless --allow-estimated.
    awsBills: state.awsBills,
    allowEstimated: opts.allowEstimated,
    // what the credit is and who a share without an ID goes to: the row as the sync wrote it (core/row-proof.ts)
    invoiced: invoicedCredits([...rec.ledger, ...rec.archivedLedger]),
  });
  const skipped: SkippedCredit[] = [
    ...state.unreadable.map((u) => ({
      sheetRow: u.sheetRow,
      creditId: '',
      reason: u.message.split('\n')[0],
    })),
    ...screened.skipped,
  ].sort((a, b) => a.sheetRow - b.sheetRow);
  await markNotCollected(deps, state, screened.skipped, opts.period, now);
  const collectable = screened.collectable.filter((c) => !reopenedNow.has(c.key));
  if (reopenedNow.size)
    deps.reporter.info(
      `${reopenedNow.size} credit(s) Connect rejected are ASSIGNED again and wait for the next \`credit-desk usage collect\` (edit them first if needed).`,
    );
  const candidates = collectable.filter((c) => c.status === 'ASSIGNED');
  const rejected = followed.rejected;
  const none: CollectResult = {
    files: [],
    file: null,
    resumed,
    xlsxPath: null,
    skipped,
    estimated: [],
    rejected,
  };
  if (!candidates.length) return none;
  const deskId = rec.deskId ?? (await stampDeskId(deps.sink, rec));
  const planned = planCollection(collectable, {
    period: opts.period,
    now,
    takenFileIds: taken,
    directory: state.directory,
    deskId,
    connect: deps.connect ?? PLACEHOLDER_CONNECT,
    awsBills: state.awsBills,
  });
  if (!planned.length) return none;
  if (deps.connectApi) for (const f of planned) f.viaConnect = true;
  // The last point Ctrl-C stops at (interrupt.ts): from the journals on, this run completes the collection itself.
  await stopPoint();
  const xlsxPaths = new Map<string, string>();
  // From the journals on, the collection is finished even after Ctrl-C; what comes after it stops (interrupt.ts).
  const files: CollectResult['files'] = await finishing(async () => {
    // Every journal first: from here on, a killed run leaves the whole collection for the next one to complete.
    for (const file of planned) await saveUsageJson(deps.usageDir, file);
    deps.crashAt?.('journal-written');
    for (const file of planned) {
      deps.reporter.progress(`writing usage file ${file.usageFileId} (${file.records.length} records)…`);
      xlsxPaths.set(file.usageFileId, await writeUsageXlsx(deps.usageDir, file));
      deps.crashAt?.('usage-file-written');
      // Test hook: stop here as a killed process would, with the file written and the sheet not yet updated.
      if (opts.crashAfterFile) throw new Error('simulated crash after writing the usage file');
    }
    const credits = planned.reduce((n, f) => n + f.records.length, 0);
    deps.reporter.progress(`locking ${credits} credits in ${deps.sink.label}…`);
    return (await completeCollections(planned, state, rec.ledger, deps, now)).map((file) => ({
      file,
      xlsxPath: xlsxPaths.get(file.usageFileId)!,
    }));
  });
  deps.reporter.done();
  return {
    files,
    file: files[0]?.file ?? null,
    resumed,
    xlsxPath: files[0]?.xlsxPath ?? null,
    skipped,
    estimated: estimatedPeriods(files.map((f) => f.file)),
    rejected,
  };
}

/** The periods of the collected credits that AWS had not finalised (records with awsBill), oldest first. */
function estimatedPeriods(files: readonly UsageFile[]): CollectResult['estimated'] {
  const by = new Map<string, CollectResult['estimated'][number]>();
  for (const r of files.flatMap((f) => f.records)) {
    if (!r.awsBill) continue;
    const e = by.get(r.period) ?? { period: r.period, awsBill: r.awsBill, credits: 0 };
    e.credits++;
    by.set(r.period, e);
  }
  return [...by.values()].sort((a, b) => a.period.localeCompare(b.period));
}

/**
 * Every key and Credit ID the record shows collected (Ledger, usage files, Audit) → its usage file, and those only
 * an Audit row shows that the rest of the record contradicts (`disputed`). An Audit trace whose usage file is on
 * disk, complete, adds nothing: that file's records are all in `rec.ledger` already, so a trace it does not bear
 * out is an Audit row edited to name another credit (decision 0032), and that credit is proven never collected
 * into it. A trace a Ledger row gives to another credit is disputed, as is a trace met by Credit ID alone on a
 * row with another Key than the one it recorded (its Credit ID edited to name this credit): not collected, and
 * not billed either, until someone settles it.
 */
function collectedIndex(rec: Reconciled): Pick<CollectScreenOptions, 'collected' | 'disputed'> {
  const collected = new Map<string, string>();
  const disputed = new Map<string, string>();
  for (const e of rec.ledger) collected.set(e.key, e.usageFileId).set(e.creditId, e.usageFileId);
  const complete = new Set(
    rec.usageFiles.filter((f) => f.status === 'ready' || f.status === 'closed').map((f) => f.usageFileId),
  );
  for (const t of rec.traces.values()) {
    if (complete.has(t.usageFileId)) continue;
    if (rec.doubtedTraces.has(t)) {
      disputed.set(t.creditId, t.usageFileId);
      if (t.key) disputed.set(t.key, t.usageFileId);
    } else if (t.key) {
      collected.set(t.key, t.usageFileId);
      if (!collected.has(t.creditId)) disputed.set(t.creditId, t.usageFileId);
    } else collected.set(t.creditId, t.usageFileId);
  }
  return { collected, disputed };
}

/** Flags what this collection skips NOT_COLLECTED, and clears the flag where it no longer applies (one write). */
async function markNotCollected(
  deps: Deps,
  state: DeskState,
  skipped: readonly SkippedCredit[],
  period: string | undefined,
  now: string,
): Promise<void> {
  const marks = notCollectedFlags(state.credits, skipped, { now, actor: USAGE_ACTOR, period });
  if (!marks.changes.length) return;
  const changes = buildChangeSet(
    marks.changes.map((c) => ({ before: state.byKey.get(c.before.key)!, after: c.after })),
    marks.audit,
  );
  changes.summary = summaryLayoutAfter(
    state,
    marks.changes.map((c) => c.after),
    deps.now,
  );
  await deps.sink.write(changes);
}

/**
 * Rows that say they were collected into a usage file no record holds any more (core/reconcile.ts `unrecorded`):
 * the Ledger tab, the usage files and the Audit rows of that collection were all lost. Collecting anything now
 * could bill those credits again once someone "repairs" their rows, so nothing is collected until the record
 * is back.
 */
function refuseLostRecords(rec: Reconciled): void {
  const lost = rec.result.unrecorded;
  if (!lost.length) return;
  const files = [...new Set(lost.map((u) => u.usageFileId))];
  throw new CreditDeskError(
    'USAGE',
    `Nothing was collected: ${lost.length} row(s) say they were collected into ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}, and no record of that collection survives (Ledger tab, usage folder, Audit tab).`,
    'Restore the Ledger tab (File → Version history in Google Sheets, the .bak copy beside a workbook) or copy the usage files back into the usage folder, then collect again. ' +
      'Only if those credits were never invoiced: clear their Usage File ID and Usage Record ID cells, and the next run puts them back to ASSIGNED.',
  );
}

/**
 * Gives a sheet made before Credit Desk IDs existed its ID, before its first usage file is written
 * (core/desk-id.ts). A new sheet has one from the start: this whole-tab write happens once per old sheet.
 */
async function stampDeskId(sink: Sink, rec: Reconciled): Promise<string> {
  const id = newDeskId();
  await sink.write({
    updates: [],
    appends: [],
    audit: [],
    replaceTabs: { config: withDeskId(rec.snapshot.tabs.config, id) },
  });
  return id;
}

/**
 * Completes collections, whether this run started them or a killed one did: each usage file is written if it is
 * missing, then the Credits rows and the Ledger rows of every file change in ONE sink write (idempotent: what is
 * already done is skipped), and a file's journal is marked ready only when journal, usage file, Ledger and sheet
 * are checked to agree. One write for all the files of a collection (one per currency), not one each: each write
 * re-reads and rewrites the sheet, so a five-currency month cost five times the work of a one-currency one.
 * A credit the sheet no longer shows as collected (someone changed its Status, Allocation or amount, or deleted
 * its row, while the file was "collecting"; or the sheet's compare-and-set refused the write) is taken out of its
 * file before the file becomes ready, so a usage file never names a credit the sheet does not show as collected
 * by it. Files are taken in order, each against the sheet as the ones before it leave it, so a credit two
 * journals name is collected by the first only (the second leaves it out, as it did when each file had its own
 * write). Returns the files made ready; a file left with no credit is removed.
 */
async function completeCollections(
  planned: readonly UsageFile[],
  state: DeskState,
  ledger: readonly LedgerEntry[],
  deps: Deps,
  now: string,
): Promise<UsageFile[]> {
  // The credits as the files before this one leave them: what the next file's applyCollect decides from.
  const current = new Map(state.credits.map((e) => [e.credit.key, e.credit]));
  const inLedger = new Set(ledger.map((e) => `${e.usageFileId}\n${e.key}`));
  const credits: Credit[] = [];
  const audit: AuditEntry[] = [];
  const entries: LedgerChanges['appends'] = [];
  const files: UsageFile[] = [];
  for (const one of planned) {
    // A journal of an older version has no billed rows yet: planned now, from the Accounts tab as it is.
    const journal = withBilledRows(one, state.directory);
    if (journal !== one) await saveUsageJson(deps.usageDir, journal);
    let file: UsageFile | null = journal;
    const change = applyCollect(file, current, now);
    if (change.left.length) {
      for (const l of change.left)
        deps.reporter.warn(`${l.creditId}: ${l.reason}; left out of ${one.usageFileId}`);
      file = withoutRecords(file, new Set(change.left.map((l) => l.key)));
      if (!file) {
        removeUsageFile(deps.usageDir, one.usageFileId);
        continue;
      }
      await saveUsageJson(deps.usageDir, file);
    }
    if (!(await usageXlsxMatches(deps.usageDir, file))) {
      if (file === journal)
        deps.reporter.info(
          `Writing the usage file ${file.usageFileId}.xlsx, which the interrupted run did not write.`,
        );
      await writeUsageXlsx(deps.usageDir, file);
      deps.crashAt?.('usage-file-written');
    }
    for (const c of change.credits) current.set(c.key, c);
    pushAll(credits, change.credits); // never push(...array): 150,000 arguments overflow the call stack
    pushAll(audit, change.audit);
    const collecting = file;
    for (const r of collecting.records)
      if (!inLedger.has(`${collecting.usageFileId}\n${r.key}`))
        entries.push(ledgerCells(entryFromRecord(collecting, r, 'PROCESSING')));
    files.push(file);
  }
  if (!files.length) return [];
  const skipped: SkippedChange[] = await writeUsageChange(
    deps.sink,
    state,
    { credits, audit },
    { appends: entries, updates: [] },
    deps.now,
  );
  deps.crashAt?.('sheet-written');
  const kept: UsageFile[] = [];
  const skippedKeys = new Set(skipped.map((s) => s.key));
  const fileOf = new Map(files.flatMap((f) => f.records.map((r) => [r.key, f.usageFileId] as const)));
  describeSkipped(skipped).forEach((line, i) =>
    deps.reporter.warn(`${line}; left out of ${fileOf.get(skipped[i].key) ?? 'its usage file'}`),
  );
  for (const file of files) {
    if (!file.records.some((r) => skippedKeys.has(r.key))) {
      kept.push(file);
      continue;
    }
    const rest = withoutRecords(file, skippedKeys);
    if (!rest) {
      removeUsageFile(deps.usageDir, file.usageFileId);
      continue;
    }
    await saveUsageJson(deps.usageDir, rest);
    await writeUsageXlsx(deps.usageDir, rest);
    kept.push(rest);
  }
  await verifyCollections(kept, deps);
  deps.crashAt?.('verified');
  const ready: UsageFile[] = [];
  for (const file of kept) {
    const done: UsageFile = { ...file, status: 'ready' };
    await saveUsageJson(deps.usageDir, done);
    ready.push(done);
  }
  deps.crashAt?.('ready');
  return ready;
}

/** Journal, usage file, Ledger and Credits tab must agree, file by file, before a collection is called ready. */
async function verifyCollections(files: readonly UsageFile[], deps: Deps): Promise<void> {
  if (!files.length) return;
  // Only the two tabs it compares, and of Credits the three columns (Key and Status always come): nothing is
  // planned from this read, and the Audit tab, the biggest, has just grown by three rows per collected credit.
  // On a Google Sheet the rest of the Credits tab is not downloaded again.
  const snapshot = await deps.sink.read({ only: ['credits', 'ledger'], creditFields: ['usageFileId'] });
  const ledger = readLedger(snapshot.tabs.ledger);
  // Each row's Key, Usage File ID and Status, read from their columns: what the check compares. A credit object
  // per row (readState) cost a 50,000-credit collect 0.25 s for cells nobody looks at here.
  const credits = snapshot.tabs.credits;
  const at = indexColumns<CreditField>('credits', credits.headers);
  const rows = new Map<string, { usageFileId: string; status: string }>();
  for (const row of credits.rows) {
    const key = text(row[at.key]);
    if (key) rows.set(key, { usageFileId: text(row[at.usageFileId]), status: text(row[at.status]) });
  }
  for (const file of files) {
    const entries = new Map(ledger.filter((e) => e.usageFileId === file.usageFileId).map((e) => [e.key, e]));
    const problems: string[] = [];
    for (const r of file.records) {
      const entry = entries.get(r.key);
      const row = rows.get(r.key);
      if (!entry || entry.usageRecordId !== r.usageRecordId)
        problems.push(`${r.creditId} is not in the Ledger`);
      else if (
        !row ||
        row.usageFileId !== file.usageFileId ||
        (row.status !== 'PROCESSING' && row.status !== 'PROCESSED')
      )
        problems.push(`${r.creditId} is not locked in the Credits tab`);
    }
    if (entries.size !== file.records.length)
      problems.push(
        `the Ledger holds ${entries.size} credits of the file, the journal ${file.records.length}`,
      );
    if (!(await usageXlsxMatches(deps.usageDir, file)))
      problems.push(`${file.usageFileId}.xlsx is missing or incomplete`);
    if (problems.length) {
      throw new CreditDeskError(
        'USAGE',
        `Usage file ${file.usageFileId} is not complete: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; … (${problems.length} problems)` : ''}.`,
        'It stays "collecting"; run `credit-desk usage collect` again to complete it.',
      );
    }
  }
}

export interface ClosedFile {
  usageFileId: string;
  /** Credits this run marked PROCESSED (0 when the file was closed before). */
  closed: number;
  /** The usage file's journal, or null when the folder has none (the sheet's rows are closed all the same). */
  file: UsageFile | null;
}

/**
 * `usage close UF-… [UF-…]`: the credits of invoiced usage files become PROCESSED, every file named in one sheet
 * write (a month's files, one per currency, cost one read and one write, not one each). Every ID is checked before
 * anything is written: one file Connect follows, rejected or never completed refuses them all.
 */
export async function runClose(
  fileIds: readonly string[],
  deps: Deps,
): Promise<{ closed: number; files: ClosedFile[] }> {
  const ids = [...new Set(fileIds.map((f) => f.trim().toUpperCase()))];
  if (!ids.length) requireUsageFileId('');
  for (const id of ids) requireUsageFileId(id); // before reconciliation writes anything
  await followConnect(deps); // what Connect says first: a file it rejected is not closed by hand
  const rec = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
  });
  // Only this sheet's own files (core/desk-id.ts): another sheet's file of the same ID is not marked closed.
  const fileOf = (id: string) => rec.usageFiles.find((f) => f.usageFileId === id) ?? null;
  for (const id of ids) refuseClosing(id, fileOf(id));
  const state = usageState(rec.snapshot);
  const now = deps.now.toISOString();
  const credits = state.credits.map((e) => e.credit);
  const change: { credits: Credit[]; audit: AuditEntry[] } = { credits: [], audit: [] };
  const updates: LedgerChanges['updates'] = [];
  const files: ClosedFile[] = [];
  for (const id of ids) {
    const one = applyClose(id, credits, now);
    const closing = new Set(one.credits.map((c) => c.key));
    for (const e of rec.ledger)
      if (e.usageFileId === id && e.status === 'PROCESSING' && closing.has(e.key))
        updates.push({ key: e.key, fields: { status: 'PROCESSED', closedAt: now } });
    pushAll(change.credits, one.credits);
    pushAll(change.audit, one.audit);
    files.push({ usageFileId: id, closed: one.credits.length, file: fileOf(id) });
  }
  await writeUsageChange(deps.sink, state, change, { appends: [], updates }, deps.now);
  // The sheet says PROCESSED: Ctrl-C now still marks the usage files closed to match.
  await finishing(async () => {
    for (const { file } of files)
      if (file)
        await saveUsageJson(deps.usageDir, {
          ...file,
          status: 'closed',
          closedAt: file.closedAt ?? now,
        });
  });
  return { closed: change.credits.length, files };
}

/** A file Connect follows, Connect rejected, or a collect never completed is not closed by hand. */
function refuseClosing(id: string, file: UsageFile | null): void {
  if (file?.connectFile || file?.status === 'rejected') {
    throw new CreditDeskError(
      'USAGE',
      file.status === 'rejected'
        ? `Usage file ${id} was rejected in Connect; its credits are ASSIGNED again.`
        : `Usage file ${id} is followed in Connect (${file.connectFile!.id}, ${file.connectFile!.status}): its credits become PROCESSED when Connect closes their records, not by hand.`,
      file.status === 'rejected'
        ? 'Collect them again: credit-desk usage collect'
        : `Read Connect's status: credit-desk usage status ${id}`,
    );
  }
  if (file && file.status === 'collecting') {
    throw new CreditDeskError(
      'USAGE',
      `Usage file ${id} was never completed.`,
      'Run `credit-desk usage collect` first; it completes the interrupted collection.',
    );
  }
}

export function listUsageFiles(usageDir: string): string {
  const files = loadUsageFiles(usageDir);
  if (files.length === 0) return `No usage files in ${usageDir}.`;
  return files
    .map(
      (f) =>
        `${f.usageFileId}  ${f.status.padEnd(10)} ${f.createdAt.slice(0, 10)}  ${f.records.length} credits  ${usageTotalsText(f)}  ${usageJsonPath(usageDir, f.usageFileId)}` +
        (f.connectFile
          ? `  Connect ${f.connectFile.id} ${f.connectFile.status} (${f.connectFile.lastSeen})`
          : ''),
    )
    .join('\n');
}
