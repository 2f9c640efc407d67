/**
 * `credit-desk statement`: one credit statement per customer or reseller (core/statement.ts), as a formatted
 * .xlsx (frozen header, a totals row per currency) and a formula-safe .csv, named so a folder of them sorts by
 * period, then role, then party. Read-only on the sheet; each file is written whole or not at all. The sheet is
 * read as every run reads it, checked against the usage record (reconcile-step.ts, in memory: nothing is written),
 * so a statement says what the usage files billed even where a row or a Ledger row was typed over; the record
 * gives the closed credits' external billing references (core/external-billing.ts), as the sidebar reads them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreditDeskError } from '../../core/errors';
import { closedCredits } from '../../core/external-billing';
import { USAGE_FILE_ID_PATTERN } from '../../core/ids';
import { readState } from '../../core/sheet-state';
import {
  buildStatements,
  statementCsv,
  statementName,
  statementTable,
  type Statement,
  type StatementFilter,
} from '../../core/statement';
import { writeFileAtomically } from '../files/atomic-file';
import { excelJs } from '../xlsx/exceljs-lazy';
// Registers the exact text escaping for every ExcelJS save (descriptions read back as written).
import '../xlsx/workbook-cells';
import type { Sink } from '../sinks/sink';
import { followedRecord, readReconciled } from '../reconcile-step';
import type { Reporter } from '../progress';

export type StatementFormat = 'xlsx' | 'csv';

export interface StatementOptions extends StatementFilter {
  outDir: string;
  formats: readonly StatementFormat[];
}

export interface StatementResult {
  statements: Statement[];
  files: string[];
  /** Credits whose allocation no longer resolves: in no statement, named for a person to look at. */
  skipped: string[];
}

export async function runStatement(
  opts: StatementOptions,
  deps: {
    sink: Sink;
    /** The usage folder, read with the Ledger as the record (absent: the Ledger and the Audit alone). */
    usageDir?: string;
    /** Told where the sheet differs from the record: the statements follow the record. */
    reporter?: Reporter;
    now?: Date;
  },
): Promise<StatementResult> {
  if (!opts.period && !opts.usageFileId)
    throw new CreditDeskError(
      'BAD_CONFIG',
      'A statement is for one billing period or one usage file.',
      'Name it: --period 2026-10, or --usage-file UF-… (credit-desk usage list shows them).',
    );
  if (opts.usageFileId && !USAGE_FILE_ID_PATTERN.test(opts.usageFileId))
    throw new CreditDeskError(
      'BAD_CONFIG',
      `--usage-file ${opts.usageFileId} is not a usage file ID.`,
      'Use an ID like UF-2026-11-1234-5678 (credit-desk usage list shows them).',
    );
  const rec = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now ?? new Date(),
    write: false,
  });
  const differs = followedRecord(rec, 'the statements follow');
  if (differs) deps.reporter?.warn(differs);
  const state = readState(rec.snapshot, { lenient: true });
  const closed = closedCredits(rec.ledger.map((e) => ({ ...e, connectNote: e.connectNote ?? '' })));
  const { statements, skipped } = buildStatements(
    state.credits.map((e) => e.credit),
    state.directory,
    closed,
    opts,
  );
  mkdirSync(opts.outDir, { recursive: true });
  const files: string[] = [];
  for (const s of statements) {
    const base = join(opts.outDir, statementName(s.party, opts));
    const table = statementTable(s);
    if (opts.formats.includes('csv')) {
      await writeFileAtomically(`${base}.csv`, new TextEncoder().encode(statementCsv(s)));
      files.push(`${base}.csv`);
    }
    if (opts.formats.includes('xlsx')) {
      await writeFileAtomically(`${base}.xlsx`, await statementXlsx(s, table));
      files.push(`${base}.xlsx`);
    }
  }
  return { statements, files, skipped };
}

/** The statement as a workbook: bold frozen header, amounts as numbers in the currency's decimals, bold totals. */
async function statementXlsx(s: Statement, table: ReturnType<typeof statementTable>): Promise<Uint8Array> {
  const wb = new (excelJs().Workbook)();
  const ws = wb.addWorksheet('Statement');
  ws.addRow(table.headers);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const amountAt = table.headers.indexOf('Amount') + 1;
  table.rows.forEach((cells, i) => {
    const row = ws.addRow(cells.map((c) => c ?? ''));
    const amount = cells[amountAt - 1];
    if (amount) {
      // the decimal text is exact; the cell keeps it as a number with the currency's own decimals
      const digits = amount.includes('.') ? amount.split('.')[1].length : 0;
      row.getCell(amountAt).value = Number(amount);
      row.getCell(amountAt).numFmt = digits ? `#,##0.${'0'.repeat(digits)}` : '#,##0';
    }
    if (i >= s.lines.length && i < s.lines.length + table.totalRows) row.font = { bold: true };
  });
  table.headers.forEach((h, i) => {
    ws.getColumn(i + 1).width = h === 'Description' ? 48 : Math.max(12, h.length + 2);
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
