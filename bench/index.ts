/**
 * `npm run bench`: speed and memory figures, printed with the machine's core count. Each benchmark returns its
 * figures; a failing one is reported and the others still run. `npm run bench -- rules merge` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figures';

type Bench = () => Promise<Figure[]>;

const BENCHES: Record<string, { title: string; target: string; load: () => Bench }> = {
  cli: {
    title: 'CLI start-up',
    target: './credit-desk --help and a read-only command < 300 ms',
    load: () => require('./cli').benchCli,
  },
  rules: {
    title: 'Rule selection',
    target: '100,000 credits × 1,000 rules < 1 s',
    load: () => require('./rules').benchRules,
  },
  validate: {
    title: 'Rules validate',
    target: '100,000 rules < 5 s',
    load: () => require('./validate').benchValidate,
  },
  'rules-distinct': {
    title: 'Rule selection, every description distinct (bench/big-month.ts)',
    target: '100,000 distinct descriptions × 1,000 rules (100 regex) < 1 s',
    load: () => require('./rules').benchRulesDistinct,
  },
  merge: {
    title: 'Merge',
    target: '100,000 into 100,000 rows < 1 s',
    load: () => require('./sync').benchMerge,
  },
  duckdb: {
    title: 'DuckDB credits query',
    target: '5 M CUR lines < 5 s, peak < 1.5 GB',
    load: () => require('./duckdb').benchDuckDb,
  },
  sync: {
    title: 'Full local sync',
    target: '50,000 credits into a new workbook < 30 s',
    load: () => require('./sync').benchFullSync,
  },
  reconcile: {
    title: 'Reconciliation against the usage record (Ledger)',
    target: '< 10 % of a 50,000-credit re-sync',
    load: () => require('./reconcile').benchReconcile,
  },
  workbook: {
    title: 'Workbook sink',
    target: '(informational)',
    load: () => require('./workbook').benchWorkbook,
  },
  sheets: {
    title: 'Google Sheets sink vs google-spreadsheet (local Sheets v4 server)',
    target: '≥ 50× fewer requests',
    load: () => require('./sheets').benchSheets,
  },
  athena: {
    title: 'Athena source (local Athena server, DuckDB engine)',
    target: '5 M CUR lines',
    load: () => require('./athena').benchAthena,
  },
  'athena-big': {
    title: 'Athena source at 100,000 credits: S3 result file vs paging (local Athena server)',
    target: 'one query, few round trips (BENCH_ATHENA_CREDITS changes the size)',
    load: () => require('./athena').benchAthenaBig,
  },
  summary: {
    title: 'Summary tab: cost on a 50,000-credit sheet, and Sheets requests for the Summary and charts',
    target: '< 10 % of a sync; requests constant (not per row)',
    load: () => require('./summary').benchSummary,
  },
  year: {
    title: 'A year: 12 months × 20,000 credits through sync, rules, collect, close and archive (workbook)',
    target: 'cells in the live sheet stay flat once archiving starts',
    load: () => require('./year').benchYear,
  },
  'year-both': {
    title:
      "A year's sheet (12 × 20,000 credits, bench/big-month.ts) on both sinks: every job's wall, CPU and peak RSS, a process each",
    target:
      'ratios to the 50,000-credit sheet; collect and close flat as the sheet grows, assign < 2 s, Google assign ≤ 1 MB down',
    load: () => require('./year-both').benchYearBoth,
  },
  addon: {
    title: 'Add-on: apply rules and filtered download on 50,000 rows, worst interleaving (emulator)',
    target:
      'apply: 6 calls + 1 atomic batch per ≤ 1.8 MB, no request over 2 MB; download ≤ 15 calls (calls that move data, and all calls)',
    load: () => require('./addon').benchAddon,
  },
  big: {
    title: "The real job at a big distributor's size (bench/big-month.ts; a process per run)",
    target:
      'sync 50k < 30 s, linear to 150k; assign 1 of 50k < 2 s; export / no-op re-sync 50k < 3 s / < 5 s',
    load: () => require('./big').benchBig,
  },
  collect: {
    title:
      '`usage collect` and `usage close` of a whole month on the workbook (bench/big-month.ts; a process per run)',
    target:
      'collect linear (150k ≤ 3.2× the CPU of 50k), 50k < 8 s CPU, 250k within the default heap; close linear, 50k < 4 s',
    load: () => require('./big').benchCollect,
  },
  'apply-rules': {
    title: '`apply-rules` on a 100,000-credit workbook, by part (bench/big-month.ts; a process per run)',
    target: 'writing ≤ choosing + reading',
    load: () => require('./big').benchApplyRules,
  },
  'usage-file': {
    title: 'One usage file written by each candidate writer, and its exact check (a process per run)',
    target: 'linear in the records; memory the compressed file, not a workbook model',
    load: () => require('./usage-file').benchUsageFile,
  },
  'workbook-ops': {
    title:
      'One-credit and read-only jobs on a 50,000-credit workbook (bench/big-month.ts; a process per run)',
    target: 'assign 1 of 50k < 2 s; export 50k < 3 s; no-op re-sync 50k < 5 s',
    load: () => require('./big').benchWorkbookOps,
  },
};

function fmt(f: Figure): string {
  const v = Number.isInteger(f.value)
    ? f.value.toLocaleString('en')
    : f.value.toLocaleString('en', { maximumFractionDigits: 3 });
  return `  ${f.name.padEnd(72)} ${v.padStart(14)} ${f.unit}`;
}

/** Each benchmark runs in its own process, so memory figures are not inflated by the benchmarks before it. */
function runIsolated(names: string[]): void {
  console.log(
    `Credit Desk benchmarks — ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
  );
  let failed = 0;
  for (const name of names) {
    const runner = join(__dirname, '../bin/run-ts.cjs');
    const r = spawnSync(process.execPath, [runner, __filename, '--child', name], { stdio: 'inherit' });
    if (r.status !== 0) failed++;
  }
  process.exitCode = failed ? 1 : 0;
}

async function main(): Promise<void> {
  const child = process.argv.includes('--child');
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  if (!child) return runIsolated(names);
  let failed = 0;
  for (const name of names) {
    const b = BENCHES[name];
    if (!b) {
      console.log(`unknown benchmark "${name}"; choose from ${Object.keys(BENCHES).join(', ')}`);
      failed++;
      continue;
    }
    console.log(`${b.title} — target: ${b.target}`);
    try {
      const figures = await b.load()();
      for (const f of figures) console.log(fmt(f));
    } catch (e) {
      failed++;
      // Where it failed too: the 12-month year bench's stack overflow said only its message.
      const where = ((e as Error).stack ?? '').split('\n').slice(1, 6).join('\n');
      console.log(`  FAILED: ${(e as Error).message}${where ? `\n${where}` : ''}`);
    }
    console.log('');
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
