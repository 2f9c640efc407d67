/**
 * `credit-desk usage collect|close|list`: the billing step. Collect takes every ASSIGNED credit into one usage
 * file and locks those rows; close marks a file's credits PROCESSED.
 *
 * Crash safety: the usage file's JSON is written first with status "collecting", then the sheet, then the status
 * becomes "ready". A run killed in between leaves a "collecting" file; the next collect finishes it (the sheet
 * change is idempotent) before collecting anything new, so no credit is ever half-collected or in two files.
 */
import { applyClose, applyCollect, planCollect, usageTotalsText, type UsageFile } from '../../core/usage';
import { CreditDeskError } from '../../core/errors';
import type { Credit } from '../../core/credit';
import type { Reporter } from '../progress';
import { buildChangeSet, readState, type SheetState } from '../sheet-state';
import { hasWork, type Sink } from '../sinks/sink';
import { summaryLayoutAfter } from '../summary-step';
import { loadUsageFiles, saveUsageJson, usageJsonPath, writeUsageXlsx } from '../usage/usage-files';

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
  now: Date,
) {
  const changes = buildChangeSet(
    change.credits.map((c) => ({ before: state.byKey.get(c.key)!, after: c })),
    change.audit,
  );
  changes.summary = summaryLayoutAfter(state, change.credits, now);
  if (hasWork(changes)) await sink.write(changes);
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
  const xlsxPath = await writeUsageXlsx(deps.usageDir, file);
  // Test hook: stop here as a killed process would, with the file written and the sheet not yet updated.
  if (opts.crashAfterFile) throw new Error('simulated crash after writing the usage file');
  deps.reporter.progress(`locking ${file.records.length} credits in ${deps.sink.label}…`);
  const ready = await completeCollection(file, state, deps, now);
  deps.reporter.done();
  return { file: ready, resumed, xlsxPath };
}

/** The sheet side of a collection (idempotent), then the file is marked ready. */
async function completeCollection(
  file: UsageFile,
  state: SheetState,
  deps: Deps,
  now: string,
): Promise<UsageFile> {
  const change = applyCollect(
    file,
    state.credits.map((e) => e.credit),
    now,
  );
  await writeUsageChange(deps.sink, state, change, deps.now);
  const ready: UsageFile = { ...file, status: 'ready' };
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
  await writeUsageChange(deps.sink, state, change, deps.now);
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
