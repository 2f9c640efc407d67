/**
 * `credit-desk report [--period P] [--format table|json|csv]`: the Summary tab's figures in the terminal, from
 * the same core/summary.ts over the same Credits tab, so the numbers are the tab's numbers.
 *
 * table: one aligned block per table; json: the summary with amounts as decimal strings; csv: one block per
 * table (a title line, the header line, the rows), separated by an empty line, formula-safe like `export`.
 */
import { csvDecimal, toCsv } from '../../core/csv';
import { CreditDeskError } from '../../core/errors';
import type { Minor } from '../../core/money';
import { buildSummary, summaryJson, type Summary } from '../../core/summary';
import { cellText, isMoneyCell, summaryTables } from '../../core/summary-layout';
import { currentPeriod } from '../../core/periods';
import { readState } from '../../core/sheet-state';
import type { Reporter } from '../progress';
import { followedRecord, readReconciled } from '../reconcile-step';
import type { Sink } from '../sinks/sink';

export type ReportFormat = 'table' | 'json' | 'csv';

/**
 * The summary of the sheet as it stands (run-month's, read right after its own writes put the sheet back): the
 * Audit and the Ledger, the largest tabs on a year's sheet, are not read (Sink.read's `only`).
 */
export async function loadSummary(
  deps: { sink: Sink; now: Date },
  period?: string,
  cur?: { period: string; currency: string; amount: Minor }[],
): Promise<Summary> {
  checkPeriod(period);
  return summaryOf(
    readState(await deps.sink.read({ only: ['credits', 'accounts', 'config'] })),
    deps.now,
    period,
    cur,
  );
}

/**
 * `report`'s summary: the sheet read as every run reads it and checked against the usage record in memory
 * (reconcile-step.ts; nothing is written), as the statements read it. A collected row typed over since the last
 * writing command is counted as the record has it, so `report` and the statements agree; the difference is said.
 */
export async function loadRecordedSummary(
  deps: { sink: Sink; now: Date; usageDir?: string; reporter?: Reporter },
  period?: string,
): Promise<Summary> {
  checkPeriod(period);
  const rec = await readReconciled(deps.sink, { usageDir: deps.usageDir, now: deps.now, write: false });
  const differs = followedRecord(rec, 'the report follows');
  if (differs) deps.reporter?.warn(differs);
  return summaryOf(readState(rec.snapshot, { lenient: true }), deps.now, period);
}

function checkPeriod(period: string | undefined): void {
  if (period && !/^\d{4}-(0[1-9]|1[0-2])$/.test(period))
    throw new CreditDeskError('BAD_CONFIG', `--period ${period} is not a billing period.`, 'Use YYYY-MM.');
}

function summaryOf(
  state: ReturnType<typeof readState>,
  now: Date,
  period?: string,
  cur?: { period: string; currency: string; amount: Minor }[],
): Summary {
  return buildSummary(
    state.credits.map((e) => e.credit),
    { directory: state.directory, currentPeriod: currentPeriod(now), period, cur, awsBills: state.awsBills },
  );
}

export function formatReport(s: Summary, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(summaryJson(s), null, 2) + '\n';
  // The chart tables repeat figures of the others in chart form; the terminal has no chart to feed.
  const tables = summaryTables(s).filter((t) => !t.id.startsWith('chart-'));
  if (format === 'csv') {
    const noBom = (csv: string) => csv.replace(/^\uFEFF/, '');
    const blocks = tables.map(
      (t) =>
        noBom(toCsv([t.title], [])) +
        noBom(
          toCsv(
            t.headers,
            // money as a number in the currency's decimals (a negative one is no formula to defuse)
            t.rows.map((r) => r.map((c) => (isMoneyCell(c) ? csvDecimal(cellText(c)) : cellText(c)))),
          ),
        ),
    );
    return '\uFEFF' + blocks.join('\r\n');
  }
  if (format !== 'table')
    throw new CreditDeskError(
      'BAD_CONFIG',
      `--format ${String(format)} is not supported.`,
      'Use table, json or csv.',
    );
  const out: string[] = [];
  for (const t of tables) {
    out.push(t.title);
    const cells = [t.headers, ...t.rows.map((r) => r.map((c) => cellText(c, true)))];
    // A reduce, not Math.max(...): a table of every customer can be longer than a call's argument limit.
    const widths = t.headers.map((_, j) => cells.reduce((w, r) => Math.max(w, (r[j] ?? '').length), 0));
    const numeric = t.headers.map((_, j) =>
      t.rows.some((r) => typeof r[j] === 'number' || (r[j] !== null && typeof r[j] === 'object')),
    );
    for (const r of cells)
      out.push(
        '  ' +
          r
            .map((c, j) => (numeric[j] ? (c ?? '').padStart(widths[j]) : (c ?? '').padEnd(widths[j])))
            .join('  ')
            .trimEnd(),
      );
    if (t.rows.length === 0) out.push('  (none)');
    out.push('');
  }
  return out.join('\n');
}
