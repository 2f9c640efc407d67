/**
 * `credit-desk usage submit` / `usage status`: a collected usage file's round trip through CloudBlue Connect
 * (create, upload, submit, then read its status and records back), and what Connect says mapped into the journal,
 * the Credits tab, the Ledger and the Audit. The decisions are core/connect-trip.ts; this is the I/O around them.
 *
 * Resumable after kill -9 at any point: every step starts from what Connect says NOW, never from what the journal
 * assumed. The journal remembers Connect's file ID right after creating it; a run whose create reply was lost finds
 * the file by its external ID (our usage file ID) instead of creating a second one; an upload or submit whose reply
 * was lost shows in the file's status (processing, ready, pending) and is not repeated. A rejection is written to
 * the journal first ("rejected"), then the sheet and Ledger change in one sink write, so a run killed in between is
 * completed by the next usage command (completeReopenings), Connect reachable or not.
 */
import { readFileSync } from 'node:fs';
import { CreditDeskError } from '../../core/errors';
import {
  applyConnectClose,
  applyMismatchFlags,
  applyReopen,
  mapConnectRecords,
  nextConnectStep,
  type CreditsChange,
  type ConnectStep,
} from '../../core/connect-trip';
import type { Credit } from '../../core/credit';
import { REOPENED_STATUS } from '../../core/ledger';
import { hasWork, type LedgerChanges } from '../../core/sheet-changes';
import { buildChangeSet, readState } from '../../core/sheet-state';
import type { ConnectTarget, UsageFile } from '../../core/usage';
import type { ConnectUsageApi, ConnectUsageFile } from '../connect-api/usage-api';
import type { Reporter } from '../progress';
import { readReconciled } from '../reconcile-step';
import type { Sink } from '../sinks/sink';
import { summaryLayoutAfter } from '../summary-step';
import { periodBounds } from '../usage/connect-layout';
import {
  loadUsageFiles,
  saveUsageJson,
  usageXlsxMatches,
  usageXlsxPath,
  writeUsageXlsx,
} from '../usage/usage-files';
import { PLACEHOLDER_CONNECT } from '../settings';
import { stopPoint } from '../interrupt';

/** The points of a round trip; a test stops the run at any of them as a killed process would. */
export type ConnectTripStep =
  'created' | 'uploaded' | 'submitted' | 'journal-rejected' | 'sheet-written' | 'journal-saved';

export interface ConnectTripDeps {
  sink: Sink;
  usageDir: string;
  reporter: Reporter;
  now: Date;
  api: ConnectUsageApi;
  crashAt?: (step: ConnectTripStep) => void;
  /**
   * Waits (ms) between reads of a file Connect is still checking after this run uploaded it (Connect usually
   * answers an upload with `processing`): default 1, 2, 4 and 8 s, then the run says to submit later.
   */
  pollMs?: readonly number[];
}

/** Errors thrown by a Connect call (as opposed to the sheet's): a command that only reads Connect goes on without it. */
const connectFailures = new WeakSet<object>();

export function isConnectFailure(e: unknown): boolean {
  return typeof e === 'object' && e !== null && connectFailures.has(e);
}

/** The same API, each call's failure marked as Connect's (isConnectFailure). */
function marked(api: ConnectUsageApi): ConnectUsageApi {
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (e) {
        if (typeof e === 'object' && e !== null) connectFailures.add(e);
        throw e;
      }
    };
  return {
    findFile: wrap((x) => api.findFile(x)),
    createFile: wrap((x) => api.createFile(x)),
    uploadFile: wrap((id, xlsx, name) => api.uploadFile(id, xlsx, name)),
    submitFile: wrap((id) => api.submitFile(id)),
    getFile: wrap((id) => api.getFile(id)),
    listRecords: wrap((id) => api.listRecords(id)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the sheet side needs (no Connect): completing a rejection a killed run recorded. */
type LocalDeps = Pick<ConnectTripDeps, 'sink' | 'usageDir' | 'reporter' | 'now' | 'crashAt'>;

export interface ConnectFileReport {
  usageFileId: string;
  connectId: string | null;
  /** Connect's status of the file when this run left it (null: not in Connect). */
  status: string | null;
  /** What this run ended on for the file. */
  step: ConnectStep | 'closed';
  processed: number;
  /** One credit this run made PROCESSED with Connect's billing id and note ('' if none): shows where they went. */
  billed: string;
  reopened: number;
  /** Credits still open in Connect. */
  open: number;
  /** What a person must look at (invalid file, records Connect and the journal disagree about). */
  problems: string[];
}

export interface ConnectTripResult {
  files: ConnectFileReport[];
  /** Keys of the credits this run sent back to ASSIGNED (a collection in the same run leaves them for the next). */
  reopenedKeys: Set<string>;
}

/**
 * Follows every collected file of this sheet in Connect (or only `only`): `submit` creates, uploads and submits
 * what Connect does not have yet; without it, the files are only read back (usage status).
 */
export async function runConnectTrip(
  opts: { only?: string; submit: boolean; reupload?: boolean },
  deps: ConnectTripDeps,
): Promise<ConnectTripResult> {
  const reopenedKeys = await completeReopenings(deps);
  const rec = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
  });
  // Not named: only files Connect already has or that were collected for it (a file collected without Connect
  // may have been uploaded by hand; sending it again would bill it twice).
  let files = rec.usageFiles.filter((f) => f.status === 'ready' && (f.connectFile || f.viaConnect));
  if (opts.only) {
    const id = opts.only.trim().toUpperCase();
    const file = rec.usageFiles.find((f) => f.usageFileId === id);
    if (!file)
      throw new CreditDeskError(
        'USAGE',
        `Usage file ${id} is not one of this sheet's usage files in ${deps.usageDir}.`,
        'Check the ID: `credit-desk usage list` shows them.',
      );
    if (file.status === 'collecting')
      throw new CreditDeskError(
        'USAGE',
        `Usage file ${id} was never completed.`,
        'Run `credit-desk usage collect` first; it completes the interrupted collection.',
      );
    files = file.status === 'ready' ? [file] : [];
    if (!files.length) deps.reporter.info(`${id} is ${file.status}: nothing to do in Connect.`);
  }
  const out: ConnectTripResult = { files: [], reopenedKeys };
  const api = marked(deps.api);
  for (const file of files) {
    const report = await followFile(file, opts, { ...deps, api });
    if (report.reopened) for (const r of file.records) out.reopenedKeys.add(r.key);
    out.files.push(report);
  }
  return out;
}

/** The statuses of a file Connect is still checking (credits-domain.md §1.4: uploading → processing → ready/invalid). */
const CHECKING: ReadonlySet<string> = new Set(['uploading', 'uploaded', 'processing']);

/** Saves what Connect said of the file into the journal (its ID first of all: a lost reply is found by it). */
async function remember(
  dir: string,
  journal: UsageFile,
  remote: ConnectUsageFile,
  now: Date,
): Promise<UsageFile> {
  const next: UsageFile = {
    ...journal,
    connectFile: {
      id: remote.id,
      status: remote.status,
      lastSeen: now.toISOString(),
      ...(remote.errorDetail ? { errorDetail: remote.errorDetail } : {}),
      ...(remote.rejectionNote ? { rejectionNote: remote.rejectionNote } : {}),
    },
  };
  await saveUsageJson(dir, next);
  return next;
}

function createInput(file: UsageFile) {
  const target: ConnectTarget = file.connect ?? PLACEHOLDER_CONNECT;
  const periods = file.records.map((r) => r.period).sort();
  return {
    externalId: file.usageFileId,
    name: file.usageFileId,
    description: `AWS credits passed on${file.period ? ` for ${file.period}` : ''} (Credit Desk ${file.deskId ?? ''})`,
    product: target.product,
    contract: target.contract,
    currency: file.currency ?? file.totals[0]?.currency ?? 'USD',
    schema: 'tr' as const,
    periodFrom: periodBounds(periods[0])[0],
    periodTo: periodBounds(periods[periods.length - 1])[1],
  };
}

async function followFile(
  file: UsageFile,
  opts: { submit: boolean; reupload?: boolean },
  deps: ConnectTripDeps,
): Promise<ConnectFileReport> {
  const { api } = deps;
  const id = file.usageFileId;
  const report: ConnectFileReport = {
    usageFileId: id,
    connectId: file.connectFile?.id ?? null,
    status: null,
    step: 'wait',
    processed: 0,
    billed: '',
    reopened: 0,
    open: 0,
    problems: [],
  };
  let journal = file;
  // What Connect says now: by its ID once we know it, else by our ID (a create whose reply was lost).
  let remote = journal.connectFile ? await api.getFile(journal.connectFile.id) : await api.findFile(id);
  if (remote && (!journal.connectFile || journal.connectFile.status !== remote.status))
    journal = await remember(deps.usageDir, journal, remote, deps.now);
  let reupload = Boolean(opts.reupload);
  const polls = [...(deps.pollMs ?? [1000, 2000, 4000, 8000])];
  let uploaded = false;
  for (let round = 0; round < 8 + polls.length; round++) {
    const step = nextConnectStep(remote?.status ?? null, { submit: opts.submit, reupload });
    // Ctrl-C stops before the next change in Connect too, not after it (interrupt.ts): the journal holds every
    // step done so far, and the next run goes on from it.
    if (step === 'create' || step === 'upload' || step === 'submit') await stopPoint();
    report.step = step;
    report.status = remote?.status ?? null;
    report.connectId = remote?.id ?? null;
    if (step === 'create') {
      deps.reporter.progress(`creating ${id} in Connect…`);
      remote = await api.createFile(createInput(journal));
      journal = await remember(deps.usageDir, journal, remote, deps.now);
      deps.crashAt?.('created');
    } else if (step === 'upload') {
      // The journal is the truth: an .xlsx missing, or written by a version without the record column, is rewritten.
      if (!(await usageXlsxMatches(deps.usageDir, journal))) await writeUsageXlsx(deps.usageDir, journal);
      deps.reporter.progress(`uploading ${id}.xlsx to Connect (${remote!.id})…`);
      remote = await api.uploadFile(remote!.id, readFileSync(usageXlsxPath(deps.usageDir, id)), `${id}.xlsx`);
      reupload = false; // once per run: an invalid reply is shown, not uploaded again in a loop
      uploaded = true;
      journal = await remember(deps.usageDir, journal, remote, deps.now);
      deps.crashAt?.('uploaded');
    } else if (step === 'submit') {
      deps.reporter.progress(`submitting ${id} (${remote!.id}) in Connect…`);
      remote = await api.submitFile(remote!.id);
      journal = await remember(deps.usageDir, journal, remote, deps.now);
      deps.crashAt?.('submitted');
    } else if (step === 'invalid') {
      report.problems.push(
        `Connect found ${id} (${remote!.id}) invalid: ${remote!.errorDetail || '(no error detail given)'}. Its credits stay PROCESSING in it, so nothing is collected twice. ` +
          `Fix what Connect names (in Connect, or the Accounts tab's Asset IDs and the connect.* settings), then upload it again: credit-desk usage submit ${id} --reupload`,
      );
      return report;
    } else if (step === 'gone') {
      report.problems.push(
        `${id} was deleted in Connect (${remote!.id}). Its credits stay PROCESSING and are not collected again by themselves; check in Connect why it was deleted.`,
      );
      return report;
    } else if (step === 'reopen') {
      journal = {
        ...journal,
        status: 'rejected',
        closedAt: deps.now.toISOString(),
      };
      await saveUsageJson(deps.usageDir, journal);
      deps.crashAt?.('journal-rejected');
      report.reopened = await reopenInSheet(journal, deps);
      return report;
    } else if (step === 'follow') {
      await followRecords(journal, remote!, report, deps);
      return report;
    } else if (uploaded && opts.submit && remote && CHECKING.has(remote.status) && polls.length) {
      // Connect checks an upload after answering it: wait for its verdict, then submit in the same run.
      await sleep(polls.shift()!);
      remote = await api.getFile(remote.id);
      if (remote.status !== journal.connectFile?.status)
        journal = await remember(deps.usageDir, journal, remote, deps.now);
    } else {
      if (opts.submit && remote && CHECKING.has(remote.status))
        report.problems.push(
          `Connect is still checking ${id} (${remote.id}, ${remote.status}); run \`credit-desk usage submit ${id}\` again in a few minutes to submit it.`,
        );
      return report; // wait: Connect's turn (or a submit this run was not asked for)
    }
  }
  return report;
}

/** Reads the file's records back: credits Connect closed become PROCESSED; a disagreement is flagged. */
async function followRecords(
  journal: UsageFile,
  remote: ConnectUsageFile,
  report: ConnectFileReport,
  deps: ConnectTripDeps,
): Promise<void> {
  const records = await deps.api.listRecords(remote.id);
  const mapping = mapConnectRecords(journal, remote.status, records);
  report.open = mapping.open;
  if (mapping.unknown.length)
    report.problems.push(
      `Connect has ${mapping.unknown.length} record(s) in ${journal.usageFileId} that its journal does not: ${mapping.unknown.slice(0, 5).join(', ')}. Nothing was guessed; check the file in Connect.`,
    );
  for (const m of mapping.mismatched)
    report.problems.push(`${m.creditId}: ${m.why}; it stays PROCESSING, flagged CONNECT_MISMATCH`);
  const rec = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
  });
  const state = readState(rec.snapshot, { lenient: true });
  const credits = state.credits.map((e) => e.credit);
  const now = deps.now.toISOString();
  const closing = applyConnectClose(journal.usageFileId, mapping.closed, credits, now);
  const flagged = applyMismatchFlags(
    mapping.mismatched,
    credits.map((c) => closing.credits.find((x) => x.key === c.key) ?? c),
    now,
  );
  const note = new Map(mapping.closed.map((c) => [c.key, c.note]));
  const updates = rec.ledger
    .filter((e) => e.usageFileId === journal.usageFileId && e.status === 'PROCESSING' && note.has(e.key))
    .map((e) => ({
      key: e.key,
      fields: { status: 'PROCESSED', closedAt: now, connectNote: note.get(e.key)! },
    }));
  const change = merge(closing, flagged);
  await writeChange(deps, state, change, { appends: [], updates });
  report.processed = closing.credits.length;
  const first = closing.credits[0];
  if (first) report.billed = `${first.creditId} billed as ${note.get(first.key)}`;
  deps.crashAt?.('sheet-written');
  const allClosed =
    remote.status === 'closed' && !mapping.open && !mapping.mismatched.length && !mapping.unknown.length;
  const next: UsageFile = allClosed
    ? { ...journal, status: 'closed', closedAt: journal.closedAt ?? now }
    : journal;
  if (next !== journal) {
    await saveUsageJson(deps.usageDir, next);
    report.step = 'closed';
  }
  deps.crashAt?.('journal-saved');
}

function merge(a: CreditsChange, b: CreditsChange): CreditsChange {
  const byKey = new Map(a.credits.map((c) => [c.key, c]));
  for (const c of b.credits) byKey.set(c.key, c);
  return { credits: [...byKey.values()], audit: [...a.audit, ...b.audit] };
}

async function writeChange(
  deps: LocalDeps,
  state: ReturnType<typeof readState>,
  change: { credits: Credit[]; audit: CreditsChange['audit'] },
  ledger: LedgerChanges,
): Promise<void> {
  const changes = buildChangeSet(
    change.credits.map((c) => ({ before: state.byKey.get(c.key)!, after: c })),
    change.audit,
  );
  changes.ledger = ledger;
  changes.summary = summaryLayoutAfter(state, change.credits, deps.now);
  if (!hasWork(changes)) return;
  const skipped = (await deps.sink.write(changes)).skipped;
  if (skipped.length)
    throw new CreditDeskError(
      'USAGE',
      `${skipped.length} credit row(s) changed while the usage process was writing what Connect said (${skipped[0].key}).`,
      'Run the same command again: it reads Connect and the sheet afresh.',
    );
}

/**
 * The sheet side of a rejection: the file's credits back to ASSIGNED, their Ledger rows REOPENED with Connect's
 * note, in one sink write. Idempotent; returns how many credits it moved.
 */
async function reopenInSheet(journal: UsageFile, deps: LocalDeps): Promise<number> {
  const rec = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
  });
  const state = readState(rec.snapshot, { lenient: true });
  const now = deps.now.toISOString();
  const note = journal.connectFile?.rejectionNote ?? '';
  const change = applyReopen(
    journal,
    note,
    state.credits.map((e) => e.credit),
    now,
  );
  const updates = rec.ledger
    .filter((e) => e.usageFileId === journal.usageFileId)
    .map((e) => ({
      key: e.key,
      fields: { status: REOPENED_STATUS, closedAt: now, connectNote: note || '(rejected, no note)' },
    }));
  await writeChange(deps, state, change, { appends: [], updates });
  deps.crashAt?.('sheet-written');
  if (change.credits.length)
    deps.reporter.warn(
      `Connect rejected ${journal.usageFileId}${note ? ` ("${note}")` : ''}: ${change.credits.length} credit(s) are ASSIGNED again, flagged REJECTED. Edit them if needed; the next \`credit-desk usage collect\` takes them into a new usage file.`,
    );
  return change.credits.length;
}

/**
 * Rejections a killed run wrote to the journal but not yet to the sheet: completed before anything else, with or
 * without Connect (nothing is asked of it). Returns the keys sent back to ASSIGNED.
 */
export async function completeReopenings(deps: LocalDeps): Promise<Set<string>> {
  const keys = new Set<string>();
  // No rejected journal in the folder (the usual case): no extra read of the sheet.
  if (!loadUsageFiles(deps.usageDir).some((f) => f.status === 'rejected')) return keys;
  const rec = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
  });
  for (const f of rec.usageFiles.filter((x) => x.status === 'rejected')) {
    if (!rec.ledger.some((e) => e.usageFileId === f.usageFileId)) continue; // done
    deps.reporter.info(`Completing the rejection of ${f.usageFileId} an interrupted run recorded…`);
    const moved = await reopenInSheet(f, deps);
    if (moved) for (const r of f.records) keys.add(r.key);
  }
  return keys;
}
