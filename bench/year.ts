/**
 * A year of credits through the workbook: each month, 20,000 new credits are synced with rules applied,
 * collected, closed, and PROCESSED credits older than the last two periods archived. Printed per month: the
 * time of each step and the cells in the live sheet (what the same tabs would cost in Google Sheets), which
 * stays flat once archiving starts instead of growing with the year — the Ledger included, since archived
 * credits leave it too (only their packed key / Credit ID list stays). Each month's line is also printed as soon
 * as the month is done (stderr), so a long run shows where it is and what it has measured so far.
 * CREDIT_DESK_BENCH_MONTHS and CREDIT_DESK_BENCH_CREDITS make it smaller (for a quick check).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellBudget, suggestedArchiveBefore } from '../core/cell-budget';
import { runArchive } from '../sync-service/jobs/archive';
import { runSync } from '../sync-service/jobs/sync';
import { runClose, runCollect } from '../sync-service/jobs/usage';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { prng, seconds, type Figure } from './figures';

const MONTHS = Number(process.env.CREDIT_DESK_BENCH_MONTHS || 12);
const PER_MONTH = Number(process.env.CREDIT_DESK_BENCH_CREDITS || 20_000);
const ACCOUNTS = 2000;
const account = (i: number) => String(100000000000 + (i % ACCOUNTS));

function period(m: number): string {
  const d = new Date(Date.UTC(2026, m, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function rowsFor(p: string, seed: number): RawCreditRow[] {
  const rnd = prng(seed);
  return Array.from({ length: PER_MONTH }, (_, i) => ({
    billing_period: p,
    payer_account_id: '999999999999',
    usage_account_id: account(i),
    product_code: ['AmazonEC2', 'AmazonS3', 'AWSLambda'][i % 3],
    description: `Promotional credit ${p} #${i}`,
    currency_code: 'USD',
    amount: `-${(1 + Math.floor(rnd() * 100_000)) / 100}`,
    line_count: 1,
    bad_cost_lines: 0,
    invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
  }));
}

/**
 * Wall-clock and CPU seconds of one step. On a machine shared with other work the wall clock says more about
 * the neighbours than about the step; the CPU time (this process, GC included) is what to compare month by month.
 */
async function timed<T>(step: () => Promise<T>): Promise<{ value: T; text: string }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const value = await step();
  const used = process.cpuUsage(cpu);
  return { value, text: `${seconds(t)} s (cpu ${((used.user + used.system) / 1e6).toFixed(1)})` };
}

export async function benchYear(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-year-'));
  const figures: Figure[] = [];
  try {
    const accounts = join(dir, 'accounts.csv');
    writeFileSync(
      accounts,
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n' +
        Array.from(
          { length: ACCOUNTS },
          (_, i) => `${account(i)},A${i},CUST-${i % 300},C${i % 300},AS-${i},RES-${i % 20},R${i % 20}`,
        ).join('\n') +
        '\n',
    );
    const workbook = join(dir, 'credits.xlsx');
    const archiveDir = join(dir, 'archive');
    const usageDir = join(dir, 'usage-files');
    for (let m = 0; m < MONTHS; m++) {
      const p = period(m);
      const now = new Date(Date.UTC(2026, m + 1, 3));
      const rows = rowsFor(p, m + 1);
      const source: CreditSource = {
        listPeriods: async () => [p],
        fetchCredits: async () => ({ rows, label: 'bench' }),
        close: async () => {},
      };
      const sink = () => createWorkbookSink({ path: workbook });
      // The usage files on disk are read by every sync, as in production (they still hold archived credits).
      const settings = resolveSettings(
        { workbook, usageDir, period: p, accounts: m === 0 ? accounts : '' },
        {},
      );
      const sync = await timed(() =>
        runSync(
          settings,
          { applyRules: true, previous: false },
          { source, sink: sink(), reporter: silentReporter, now },
        ),
      );
      const collect = await timed(() =>
        runCollect({}, { sink: sink(), usageDir, reporter: silentReporter, now }),
      );
      const fileIds = collect.value.files.map((f) => f.file.usageFileId);
      const close = await timed(async () => {
        if (fileIds.length)
          await runClose(fileIds, { sink: sink(), usageDir, reporter: silentReporter, now });
      });
      const before = suggestedArchiveBefore(period(m + 1)); // keeps the last two periods live
      const archive = await timed(() =>
        runArchive({ before, dir: archiveDir }, { sink: sink(), reporter: silentReporter, now }),
      );
      const s = sink();
      await s.read();
      const sizes = await s.gridSize!();
      await s.close();
      const cells = cellBudget(sizes).used;
      const ledger = sizes.find((z) => z.name === 'Ledger');
      const name =
        `${p}: sync+rules ${sync.text}, collect ${collect.text}, close ${close.text}, archive ${archive.text} ` +
        `(${archive.value.credits.toLocaleString('en')} moved); Ledger ${((ledger?.rows ?? 0) * (ledger?.cols ?? 0)).toLocaleString('en')}; cells`;
      process.stderr.write(`  ${name} ${cells.toLocaleString('en')}\n`);
      figures.push({ name, value: cells, unit: 'cells' });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
