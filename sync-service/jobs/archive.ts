/**
 * `credit-desk archive --before YYYY-MM`: PROCESSED credits of closed periods before YYYY-MM — their Credits
 * rows, their Audit rows and their full Ledger rows — move from the live sheet to
 * `archive/YYYY/credits-YYYY-MM.xlsx` (one workbook per billing period, see archive-files.ts), with
 * `credits-YYYY-MM.parquet` and `audit-YYYY-MM.parquet` beside it for DuckDB (archive-parquet.ts). What the lifecycle still needs of them (key, Credit ID, usage file
 * ID) stays in the Ledger tab, packed (core/archived-ledger.ts): it is what keeps them from being imported again.
 *
 * Order, so a kill -9 at any point loses nothing: (1) each period's archive is written (merged by key with what
 * it already holds, atomically replaced; the Parquet files rewritten from the merged period); (2) only then does the sheet change, in one write: the packed list
 * gains the credits and their Credits, Audit and Ledger rows go (workbook: one atomic save; Google: the list is
 * written before the rows are deleted). A run killed after (1) leaves the credits in both places; the next run
 * archives them again — the merge by key and by Audit row makes that a no-op — and removes them. A run killed
 * between the two Google requests leaves rows whose key is already listed: the next run takes those too, and
 * until then reconciliation leaves them alone. After a re-run nothing is in both places.
 */
import { checkArchiveBefore, mergeArchive, planArchive } from '../../core/archive';
import { archivedLedgerRows, readArchivedLedger, unionArchived } from '../../core/archived-ledger';
import { readLedger } from '../../core/ledger';
import type { AuditField } from '../../core/sheet-contract';
import { buildSummary } from '../../core/summary';
import { summaryLayout } from '../../core/summary-layout';
import { readRecords } from '../../core/table';
import { archivePath, readArchive, readArchivedIndexEntries, writeArchive } from '../archive/archive-files';
import { writeArchiveParquet } from '../archive/archive-parquet';
import { currentPeriod } from '../../core/periods';
import { finishing } from '../interrupt';
import type { Reporter } from '../progress';
import { readState } from '../../core/sheet-state';
import type { Sink } from '../sinks/sink';

export interface ArchiveResult {
  credits: number;
  auditRows: number;
  /** Full Ledger rows moved to the archive. */
  ledgerRows: number;
  files: string[];
}

export async function runArchive(
  opts: { before: string; dir: string; dryRun?: boolean; crashAfterArchive?: boolean },
  deps: { sink: Sink; reporter: Reporter; now: Date },
): Promise<ArchiveResult> {
  const current = currentPeriod(deps.now);
  checkArchiveBefore(opts.before, current);
  const state = readState(await deps.sink.read());
  const audit = readRecords<AuditField>('audit', state.snapshot.tabs.audit).map((r) => r.record);
  const credits = state.credits.map((e) => e.credit);
  const listedInSheet = readArchivedLedger(state.snapshot.tabs.ledger);
  // Credits an older version archived are listed only in archived-keys.tsv: copied into the Ledger now.
  const legacy = readArchivedIndexEntries(opts.dir);
  const archived = unionArchived(listedInSheet, { keys: new Set(legacy.map((e) => e.key)) });
  const plan = planArchive(credits, audit, opts.before, {
    ledger: readLedger(state.snapshot.tabs.ledger),
    archived,
  });
  const files = plan.batches.map((b) => archivePath(opts.dir, b.period));
  const result = {
    credits: plan.keys.size,
    auditRows: plan.batches.reduce((n, b) => n + b.audit.length, 0),
    ledgerRows: plan.ledgerKeys.size,
    files,
  };
  const packed = archivedLedgerRows(
    [...plan.listed, ...legacy],
    listedInSheet,
    `archived ${deps.now.toISOString().slice(0, 10)} to ${opts.dir}`,
  );
  if ((plan.keys.size === 0 && plan.ledgerKeys.size === 0 && !packed.length) || opts.dryRun) return result;

  for (const b of plan.batches) {
    const path = archivePath(opts.dir, b.period);
    deps.reporter.progress(`writing ${path} (${b.credits.length} credits)…`);
    const content = mergeArchive(await readArchive(path), b);
    await writeArchive(path, content);
    await writeArchiveParquet(opts.dir, b.period, content);
  }
  // The archive holds the credits now: Ctrl-C completes their removal from the live sheet (interrupt.ts).
  await finishing(async () => {
    // Test hook: stop as a killed process would, with the archive written and the live sheet untouched.
    if (opts.crashAfterArchive) throw new Error('simulated crash after writing the archive');

    const left = credits.filter((c) => !plan.keys.has(c.key));
    deps.reporter.progress(`removing ${plan.keys.size} archived credits from ${deps.sink.label}…`);
    await deps.sink.write({
      updates: [],
      appends: [],
      audit: [],
      ledger: { appends: packed, updates: [] },
      remove: { keys: [...plan.keys], auditCreditIds: [...plan.creditIds], ledgerKeys: [...plan.ledgerKeys] },
      summary: summaryLayout(
        buildSummary(left, { directory: state.directory, currentPeriod: current, awsBills: state.awsBills }),
      ),
    });
  });
  deps.reporter.done();
  return result;
}
