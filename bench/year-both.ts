/**
 * `npm run bench -- year-both`: a year's sheet on both sinks (issue #25). Month by month, 20,000 new credits of
 * the realistic generator (bench/big-month.ts: at 50,000 credits its 8,000 accounts, 1,000 rules of which 127
 * regex, 17 programmes, five currencies, reversals; the accounts and rules stay, the credits are new each month)
 * go through the workbook and through the Google Sheets sink on the local Sheets server
 * (emulators/sheets-server.ts, in this process, counting the bytes each job sends and receives): sync, then
 * apply-rules, usage collect and usage close — the month's work — with nothing archived, so the sheet grows to
 * 12 × 20,000 credits ("a year's sheet, before archive"). On two months, the one where the sheet first holds the
 * 50,000-credit reference and the last, every job is measured: also a re-sync with nothing to write, `rules
 * validate`, `assign` of one credit and `export`. Each job is a process of its own (bench/year-run.ts): wall,
 * CPU, peak RSS.
 *
 * The table printed at the end has each job on the year's sheet, and its CPU divided by the same job's at the
 * reference month beside the ratio of the credits in the sheet, so what grows with the sheet and what does not
 * shows at once. The jobs run through sync-service/jobs/*, as the CLI runs them, so the figures are those of
 * whatever code is checked out.
 *
 * CREDIT_DESK_BENCH_MONTHS / CREDIT_DESK_BENCH_CREDITS make it smaller (default 12 × 20,000);
 * CREDIT_DESK_BENCH_SINKS=workbook (or google) runs one sink; CREDIT_DESK_BENCH_KEEP=1 keeps the sheet it grew.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSheetsServer, type SheetsServer } from '../emulators/sheets-server';
import { bigMonth, writeReferenceFiles } from './big-month';
import type { Figure } from './figures';
import { launcherNodeFlags } from './launcher-flags';
import { BENCH_IDENTITY, YEAR_JOBS, yearPeriod, type YearJob, type YearSink } from './year-kit';

/** The sheet size the ratios are taken against: issue #25's targets are stated at 50,000 credits. */
const REFERENCE_CREDITS = 50_000;

/** The jobs every month runs; the others only on the measured months. */
const MONTHLY: readonly YearJob[] = ['sync', 'apply-rules', 'collect', 'close'];

export interface YearOptions {
  months: number;
  perMonth: number;
  sinks: YearSink[];
  /** Called after each month with a line of what it measured (the bench prints it as it goes). */
  progress?: (line: string) => void;
  /** Called when a sink's year is done, with its figures: a long run shows one sink's table without the other's. */
  sinkDone?: (result: YearResult) => void;
}

export interface JobRun {
  wall: number;
  cpu: number;
  rssMiB: number;
  counts: Record<string, number>;
  /** Google only: the requests the job made and the bytes of their bodies, sent and received. */
  requests?: number;
  bytesUp?: number;
  bytesDown?: number;
  /** Google only: the bytes received as they crossed the wire (gzip, as googleapis asks: decision 0019). */
  wireDown?: number;
}

export interface YearResult {
  /** The month (0-based) whose figures the ratios divide by, and the credits in the sheet then. */
  referenceMonth: number;
  /** runs[sink][month][job], for the jobs run that month. */
  runs: Record<string, Partial<Record<YearJob, JobRun>>[]>;
}

function runJob(job: YearJob, dir: string, month: number, sinkArgs: string[]): Promise<JobRun> {
  const runner = join(__dirname, '../bin/run-ts.cjs');
  const args = [runner, join(__dirname, 'year-run.ts'), job, dir, String(month), ...sinkArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...launcherNodeFlags(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0)
        return reject(
          new Error(`${job} (month ${month + 1}, ${sinkArgs[0]}) failed (exit ${code}): ${err.slice(-2000)}`),
        );
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as JobRun);
    });
  });
}

/** The month's CUR rows; AWS has finalised the month (invoiced lines), so collect takes them. */
function writeMonth(dir: string, m: number, perMonth: number): void {
  const month = bigMonth({
    credits: perMonth,
    // The accounts and rules of the reference size all year (8,000 and 1,000), whatever a month holds.
    accounts: Math.floor(REFERENCE_CREDITS * 0.16),
    period: yearPeriod(m),
    seed: 20260101 + m,
    firstIndex: m * perMonth,
  });
  const rows = month.rows.map((r) => ({ ...r, invoiced_lines: 1 }));
  writeFileSync(join(dir, `month-${m}.json`), JSON.stringify(rows));
  if (m === 0) writeReferenceFiles(dir, month);
}

export async function runYear(opts: YearOptions): Promise<YearResult> {
  const { months, perMonth, sinks } = opts;
  const ref = Math.min(months - 1, Math.max(0, Math.ceil(REFERENCE_CREDITS / perMonth) - 1));
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-year-both-'));
  const runs: YearResult['runs'] = {};
  let server: SheetsServer | null = null;
  try {
    for (let m = 0; m < months; m++) writeMonth(dir, m, perMonth);
    if (sinks.includes('google')) {
      server = await startSheetsServer({ callerEmail: BENCH_IDENTITY });
      server.createSpreadsheet('bench-year', ['Sheet1']);
    }
    for (const sink of sinks) {
      runs[sink] = [];
      const sinkArgs = sink === 'google' ? ['google', server!.rootUrl, 'bench-year'] : ['workbook'];
      for (let m = 0; m < months; m++) {
        const month: Partial<Record<YearJob, JobRun>> = {};
        const jobs = m === ref || m === months - 1 ? YEAR_JOBS : MONTHLY;
        for (const job of jobs) {
          server?.stats.reset();
          const run = await runJob(job, dir, m, sinkArgs);
          if (sink === 'google') {
            const reqs = server!.stats.requests;
            run.requests = reqs.length;
            run.bytesUp = reqs.reduce((s, r) => s + r.requestBytes, 0);
            run.bytesDown = reqs.reduce((s, r) => s + r.responseBytes, 0);
            run.wireDown = reqs.reduce((s, r) => s + r.wireBytes, 0);
          }
          month[job] = run;
        }
        runs[sink].push(month);
        opts.progress?.(
          `${sink} ${yearPeriod(m)} (${k((m + 1) * perMonth)} in the sheet): ` +
            Object.entries(month)
              .map(
                ([job, r]) =>
                  `${job} ${r.cpu.toFixed(1)} s CPU (${r.wall.toFixed(1)} s, ${Math.round(r.rssMiB)} MiB)`,
              )
              .join(', '),
        );
      }
      opts.sinkDone?.({ referenceMonth: ref, runs: { [sink]: runs[sink] } });
    }
    return { referenceMonth: ref, runs };
  } finally {
    await server?.close();
    // CREDIT_DESK_BENCH_KEEP=1 keeps the grown sheet (workbook, usage files, inputs) to profile a job on it.
    if (process.env.CREDIT_DESK_BENCH_KEEP) console.log(`  (kept: ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const k = (n: number) => `${Math.round(n / 100) / 10}k`;
const mb = (bytes: number | undefined) => `${((bytes ?? 0) / 1e6).toFixed(2)} MB`;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** The table: each job on the year's sheet, with its CPU ratio to the reference month's. */
export function yearTable(result: YearResult, perMonth: number): string[] {
  const lines: string[] = [];
  for (const [sink, months] of Object.entries(result.runs)) {
    const last = months.length - 1;
    const sheet = (last + 1) * perMonth;
    const refSheet = (result.referenceMonth + 1) * perMonth;
    lines.push(
      `  ${sink}: sheet of ${k(sheet)} credits (${months.length} months); ratios to ${k(refSheet)} (month ${result.referenceMonth + 1}), credits ×${r2(sheet / refSheet)}`,
    );
    lines.push(
      `    ${'job'.padEnd(12)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'RSS MiB'.padStart(8)} ${'CPU ÷ ref'.padStart(10)}${sink === 'google' ? `  ${'requests'.padStart(8)} ${'up'.padStart(10)} ${'down'.padStart(10)} ${'wire'.padStart(10)}` : ''}  counts`,
    );
    for (const job of YEAR_JOBS) {
      const r = months[last][job];
      if (!r) continue;
      const base = months[result.referenceMonth][job];
      const ratio = base && result.referenceMonth !== last ? `×${r2(r.cpu / base.cpu)}` : '—';
      const google =
        sink === 'google'
          ? `  ${String(r.requests).padStart(8)} ${mb(r.bytesUp).padStart(10)} ${mb(r.bytesDown).padStart(10)} ${mb(r.wireDown).padStart(10)}`
          : '';
      const counts = Object.entries(r.counts)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ');
      lines.push(
        `    ${job.padEnd(12)} ${r.wall.toFixed(2).padStart(8)} ${r.cpu.toFixed(2).padStart(8)} ${Math.round(r.rssMiB).toString().padStart(8)} ${ratio.padStart(10)}${google}  ${counts}`,
      );
    }
  }
  return lines;
}

export async function benchYearBoth(): Promise<Figure[]> {
  const months = Number(process.env.CREDIT_DESK_BENCH_MONTHS || 12);
  const perMonth = Number(process.env.CREDIT_DESK_BENCH_CREDITS || 20_000);
  const sinks = (process.env.CREDIT_DESK_BENCH_SINKS || 'workbook,google').split(',') as YearSink[];
  for (const s of sinks)
    if (s !== 'workbook' && s !== 'google')
      throw new Error(
        `CREDIT_DESK_BENCH_SINKS: "${s}" is not a sink; use workbook, google or both (comma-separated).`,
      );
  console.log(`  (load average ${loadavg()[0].toFixed(1)} at the start)`);
  await runYear({
    months,
    perMonth,
    sinks,
    progress: (line) => process.stderr.write(`  ${line}\n`),
    sinkDone: (result) => {
      for (const line of yearTable(result, perMonth)) console.log(line);
    },
  });
  console.log(`  (load average ${loadavg()[0].toFixed(1)} at the end)`);
  return [];
}
