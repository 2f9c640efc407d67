/**
 * `credit-desk usage collect|close|list`: the billing step. Collect takes every ASSIGNED credit into one usage
 * file and locks those rows; close marks a file's credits PROCESSED.
 *
 * Crash safety: the usage file's JSON is written first with status "collecting", then the sheet, then the status
 * becomes "ready". A run killed in between leaves a "collecting" file; the next collect finishes it (the sheet
 * change is idempotent) before collecting anything new, so no credit is ever half-collected or in two files.
 */
import {
  applyClose,
  applyCollect,
  planCollect,
  usageTotalsText,
  withoutRecords,
  type UsageFile,
} from '../../core/usage';
import { CreditDeskError } from '../../core/errors';
import type { Credit } from '../../core/credit';
import type { Reporter } from '../progress';
import { buildChangeSet, readState, type SheetState } from '../sheet-state';
import { describeSkipped, isEmptyChangeSet, type Sink, type SkippedChange } from '../sinks/sink';
import {
  loadUsageFiles,
  removeUsageFile,
  saveUsageJson,
  usageJsonPath,
  writeUsageXlsx,
} from '../usage/usage-files';

interface Deps {
  sink: Sink;
  usageDir: string;
  reporter: Reporter;
  now: Date;
}

async function writeUsageChange(
  sink: Sink,
  state: SheetState,
  change: { credits: Credit[]; audit: import('../../core/audit').AuditEntry[] },
) {
  const changes = buildChangeSet(
    change.credits.map((c) => ({ before: state.byKey.get(c.key)!, after: c })),
    change.audit,
  );
  if (isEmptyChangeSet(changes)) return [];
  return (await sink.write(changes)).skipped;
}

export interface CollectResult {
  file: UsageFile | null;
  resumed: string[];
  xlsxPath: string | null;
}

export async function runCollect(
  opts: { period?: string; crashAfterFile?: boolean },
  deps: Deps,
): Promise<CollectResult> {
  const now = deps.now.toISOString();
  let state = readState(await deps.sink.read());
  const resumed: string[] = [];
  const onDisk = loadUsageFiles(deps.usageDir);
  for (const file of onDisk.filter((f) => f.status === 'collecting')) {
    deps.reporter.info(
      `Completing the interrupted collection ${file.usageFileId} (${file.records.length} credits)…`,
    );
    await completeCollection(file, state, deps, now);
    resumed.push(file.usageFileId);
    state = readState(await deps.sink.read());
  }
  const taken = new Set([...state.usageFileIds, ...onDisk.map((f) => f.usageFileId)]);
  const file = planCollect(
    state.credits.map((e) => e.credit),
    { period: opts.period, now, takenFileIds: taken, directory: state.directory },
  );
  if (!file) return { file: null, resumed, xlsxPath: null };
  deps.reporter.progress(`writing usage file ${file.usageFileId} (${file.records.length} records)…`);
  saveUsageJson(deps.usageDir, file);
  let xlsxPath: string | null = await writeUsageXlsx(deps.usageDir, file);
  // Test hook: stop here as a killed process would, with the file written and the sheet not yet updated.
  if (opts.crashAfterFile) throw new Error('simulated crash after writing the usage file');
  deps.reporter.progress(`locking ${file.records.length} credits in ${deps.sink.label}…`);
  const ready = await completeCollection(file, state, deps, now);
  if (!ready) xlsxPath = null;
  deps.reporter.done();
  return { file: ready, resumed, xlsxPath };
}

/**
 * The sheet side of a collection (idempotent), then the file is marked ready. A credit the sheet refused to
 * collect (someone changed its Status or Allocation while this ran: compare-and-set) is taken out of the
 * file before it becomes ready, so a usage file never names a credit the sheet does not show as collected
 * by it. Null when no credit was left (the file is removed).
 */
async function completeCollection(
  file: UsageFile,
  state: SheetState,
  deps: Deps,
  now: string,
): Promise<UsageFile | null> {
  const change = applyCollect(
    file,
    state.credits.map((e) => e.credit),
    now,
  );
  const skipped: SkippedChange[] = await writeUsageChange(deps.sink, state, change);
  let kept: UsageFile | null = file;
  if (skipped.length) {
    for (const line of describeSkipped(skipped))
      deps.reporter.warn(`${line}; left out of ${file.usageFileId}`);
    kept = withoutRecords(file, new Set(skipped.map((s) => s.key)));
    if (!kept) {
      removeUsageFile(deps.usageDir, file.usageFileId);
      return null;
    }
    saveUsageJson(deps.usageDir, kept);
    await writeUsageXlsx(deps.usageDir, kept);
  }
  const ready: UsageFile = { ...kept, status: 'ready' };
  saveUsageJson(deps.usageDir, ready);
  return ready;
}

export async function runClose(
  fileId: string,
  deps: Deps,
): Promise<{ closed: number; file: UsageFile | null }> {
  const id = fileId.trim().toUpperCase();
  const file = loadUsageFiles(deps.usageDir).find((f) => f.usageFileId === id) ?? null;
  if (file && file.status === 'collecting') {
    throw new CreditDeskError(
      'USAGE',
      `Usage file ${id} was never completed.`,
      'Run `credit-desk usage collect` first; it completes the interrupted collection.',
    );
  }
  const state = readState(await deps.sink.read());
  const change = applyClose(
    id,
    state.credits.map((e) => e.credit),
    deps.now.toISOString(),
  );
  await writeUsageChange(deps.sink, state, change);
  if (file)
    saveUsageJson(deps.usageDir, {
      ...file,
      status: 'closed',
      closedAt: file.closedAt ?? deps.now.toISOString(),
    });
  return { closed: change.credits.length, file };
}

export function listUsageFiles(usageDir: string): string {
  const files = loadUsageFiles(usageDir);
  if (files.length === 0) return `No usage files in ${usageDir}.`;
  return files
    .map(
      (f) =>
        `${f.usageFileId}  ${f.status.padEnd(10)} ${f.createdAt.slice(0, 10)}  ${f.records.length} records  ${usageTotalsText(f)}  ${usageJsonPath(usageDir, f.usageFileId)}`,
    )
    .join('\n');
}
