/**
 * The real job at a big distributor's size (bench/big-month.ts): each figure is a separate process per run
 * (bench/big-run.ts), so time, CPU and peak RSS are that run's own; min / median / max over BENCH_RUNS runs
 * (default 3).
 *
 * - workbook, at 50,000 credits: sync of a new month (accounts, 1,000 rules applied), re-sync with nothing
 *   to write, `assign` of one credit, `export --format json` — the last three on a workbook where every 4th
 *   credit is PROCESSED (interleaved);
 * - workbook sync of 100,000 and 150,000 credits (linear?);
 * - Google Sheets sink (local Sheets v4 server, in this process): first load, re-sync and `assign` of one credit
 *   on 50,000, with requests and bytes up and down;
 * - the same two jobs with the `google-spreadsheet` library doing the sheet I/O (bench/gs-lib-sink.ts: same
 *   tabs, same rows), and the ratios library ÷ sink of requests, wall and CPU;
 * - changes: a re-sync where AWS revised 1 % of the amounts (every 100th credit), sink and library, after a first
 *   load of each (not shown): the monthly case where the library's one-request-per-row shows.
 *
 * BENCH_BIG_SIZES=50000,100000 changes the sync sizes; the first is used for everything else.
 * BENCH_BIG_PARTS=workbook,larger,google,changes runs a subset (default all; google includes the library).
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSheetsServer, type SheetsServer } from '../emulators/sheets-server';
import { chunkMapPath } from '../sync-service/sinks/workbook/workbook-chunk-maps';
import { bigMonth, writeReferenceFiles } from './big-month';
import type { Job } from './big-run';
import type { Figure } from './figures';
import { launcherNodeFlags } from './launcher-flags';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_BIG_SIZES ?? '50000,100000,150000').split(',').map(Number);
const PARTS = new Set((process.env.BENCH_BIG_PARTS ?? 'workbook,larger,google,changes').split(','));

interface RunResult {
  wall: number;
  cpu: number;
  rssMiB: number;
  counts: Record<string, number>;
}

function runJob(
  job: Job,
  dir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  root = join(__dirname, '..'),
): Promise<RunResult> {
  const runner = join(root, 'bin/run-ts.cjs');
  return new Promise((resolve, reject) => {
    const args = [runner, join(root, 'bench/big-run.ts'), job, dir, ...extra];
    const child = spawn(process.execPath, [...launcherNodeFlags(root), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${job} failed (exit ${code}): ${err.slice(-2000)}`));
      const line = out.trim().split('\n').pop() ?? '';
      resolve(JSON.parse(line) as RunResult);
    });
  });
}

/**
 * Bytes the client sent and received over the requests since the server's last reset: down both as JSON (what the
 * client decodes) and on the wire (gzip-compressed, as Google answers googleapis: emulators/sheets-server.ts
 * wantsGzip). The "≤ 1 MB down" is about the wire.
 */
function traffic(server: SheetsServer): { up: number; down: number; wire: number } {
  const reqs = server.stats.requests;
  return {
    up: reqs.reduce((s, r) => s + r.requestBytes, 0),
    down: reqs.reduce((s, r) => s + r.responseBytes, 0),
    wire: reqs.reduce((s, r) => s + r.wireBytes, 0),
  };
}

const mb = (bytes: number) => Math.round(bytes / 10_000) / 100;

function trafficFigures(label: string, t: { up: number; down: number; wire: number }): Figure[] {
  return [
    { name: `${label}: MB up`, value: mb(t.up), unit: 'MB (last run)' },
    { name: `${label}: MB down (JSON)`, value: mb(t.down), unit: 'MB (last run)' },
    { name: `${label}: MB down (wire, gzip)`, value: mb(t.wire), unit: 'MB (last run)' },
  ];
}

/** The Credit ID of the first ASSIGNED credit in a spreadsheet on the local server (its account has a customer). */
function assignableOnServer(server: SheetsServer, id: string): string {
  const cells = server.state.sheet(id).sheets.find((s) => s.properties.title === 'Credits')?.cells ?? [];
  const at = (h: string) => (cells[0] ?? []).findIndex((c) => c === h);
  const row = cells.slice(1).find((r) => r[at('Status')] === 'ASSIGNED');
  if (!row) throw new Error('no ASSIGNED credit in the bench spreadsheet');
  return String(row[at('Credit ID')]);
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor((s.length - 1) / 2)], max: s[s.length - 1] };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Three figures per job: wall, CPU, peak RSS, each as median with min and max in the unit column. */
function summarize(label: string, runs: RunResult[]): Figure[] {
  const line = (what: string, unit: string, pick: (r: RunResult) => number): Figure => {
    const s = stats(runs.map(pick));
    return {
      name: `${label}: ${what}`,
      value: r2(s.median),
      unit: `${unit} median (min ${r2(s.min)}, max ${r2(s.max)}; ${runs.length} runs)`,
    };
  };
  return [
    line('wall', 's', (r) => r.wall),
    line('CPU', 's', (r) => r.cpu),
    line('peak RSS', 'MiB', (r) => r.rssMiB),
  ];
}

function countFigures(label: string, counts: Record<string, number>): Figure[] {
  return Object.entries(counts).map(([k, v]) => ({ name: `${label}: ${k}`, value: v, unit: '' }));
}

/**
 * rows.json, accounts.csv, rules.csv and meta.json for one size. With `reference` (a smaller size), the month is
 * that distributor with more credits: its accounts and rules, and its credits first (bigMonth draws the credits
 * in order from one seed), as the year bench keeps the reference size's accounts and rules all year (decision
 * 0017). Without it, each size draws a distributor of its own: 0.16 accounts a credit and a rule set drawn after
 * the credits, whose share of credits split between a customer and a reseller differs from size to size.
 */
function prepare(
  n: number,
  dir = mkdtempSync(join(tmpdir(), `credit-desk-big-${n}-`)),
  reference?: number,
): string {
  mkdirSync(dir, { recursive: true });
  const accounts = reference === undefined ? undefined : Math.floor(reference * 0.16);
  const month = bigMonth({ credits: n, accounts });
  writeFileSync(join(dir, 'rows.json'), JSON.stringify(month.rows));
  // The reference size itself is its own distributor: not drawn a second time.
  const own = reference === undefined || reference === n;
  writeReferenceFiles(dir, own ? month : bigMonth({ credits: reference, accounts }));
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ period: month.period, assignId: '' }));
  return dir;
}

async function repeat(job: Job, dir: string, before?: () => void, extra?: (i: number) => string[]) {
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    runs.push(await runJob(job, dir, extra?.(i)));
  }
  return runs;
}

/**
 * `repeat` for this checkout and another (`baseline`, a checkout of main, say), run after run in turn on the same
 * file (`before` restores it), so both see the same machine load: the comparison a change's figures need on a
 * machine other work shares.
 */
async function repeatBoth(job: Job, dir: string, baseline: string, before?: () => void) {
  const ours: RunResult[] = [];
  const theirs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    ours.push(await runJob(job, dir));
    before?.();
    theirs.push(await runJob(job, dir, [], process.env, baseline));
  }
  return { ours, theirs };
}

const fresh = (dir: string) => () => {
  rmSync(join(dir, 'credits.xlsx'), { force: true });
  rmSync(join(dir, 'credits.xlsx.bak'), { force: true });
  rmSync(chunkMapPath(join(dir, 'credits.xlsx')), { force: true });
};

const k = (n: number) => `${n / 1000}k`;

export async function benchBig(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const print = (fs: Figure[]) => {
    for (const f of fs) console.log(`  ${f.name.padEnd(58)} ${String(f.value).padStart(10)} ${f.unit}`);
    figures.push(...fs);
  };
  const [base, ...larger] = SIZES;
  const dirs: string[] = [];
  try {
    // --- workbook, base size: sync, then the jobs on a workbook with PROCESSED rows interleaved ---------
    if (PARTS.has('workbook')) {
      const dir = prepare(base);
      dirs.push(dir);
      const sync = await repeat('sync', dir, fresh(dir));
      print(summarize(`workbook sync ${k(base)} new credits (accounts, rules)`, sync));
      print(countFigures(`  sync ${k(base)}`, sync[0].counts));
      await runJob('prep', dir);
      const assignId = await pickAssignable(dir);
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ period: '2026-10', assignId }));
      const resync = await repeat('resync', dir);
      print(summarize(`workbook re-sync ${k(base)}, nothing to write`, resync));
      print(countFigures(`  re-sync ${k(base)}`, resync[0].counts));
      print(
        summarize(
          `workbook assign 1 credit on ${k(base)}`,
          await repeat('assign', dir, undefined, (i) => ['', '', String(i)]),
        ),
      );
      print(summarize(`workbook export --format json ${k(base)}`, await repeat('export', dir)));
      rmSync(dir, { recursive: true, force: true });
    }

    // --- workbook sync at larger sizes ----------------------------------------------------------------
    // The base size's distributor (accounts, rules) with more credits: linear is then the sizes' ratio.
    for (const n of PARTS.has('larger') ? larger : []) {
      const d = prepare(n, undefined, base);
      dirs.push(d);
      const runs = await repeat('sync', d, fresh(d));
      print(summarize(`workbook sync ${k(n)} new credits (accounts, rules)`, runs));
      rmSync(d, { recursive: true, force: true });
    }

    // --- Google Sheets sink against the local server, then google-spreadsheet on the same job ------------
    if (!PARTS.has('google') && !PARTS.has('changes')) return [];
    const g = prepare(base);
    dirs.push(g);
    const server: SheetsServer = await startSheetsServer({
      callerEmail: 'credit-sync@bench.iam.gserviceaccount.com',
    });
    try {
      if (PARTS.has('changes')) await changedResyncs(g, server, print);
      if (!PARTS.has('google')) return [];
      const firsts: RunResult[] = [];
      const firstRequests: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const id = `bench-big-${i}`;
        server.createSpreadsheet(id, ['Sheet1']);
        server.stats.reset();
        firsts.push(await runJob('sync-google', g, [server.rootUrl, id]));
        firstRequests.push(server.stats.count());
      }
      print(summarize(`Google sync ${k(base)} new credits (local server)`, firsts));
      print([
        { name: `  Google first load: requests`, value: stats(firstRequests).median, unit: 'requests' },
        ...trafficFigures('  Google first load', traffic(server)),
      ]);
      const resyncRequests: number[] = [];
      const resyncs: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) {
        server.stats.reset();
        resyncs.push(await runJob('resync-google', g, [server.rootUrl, `bench-big-${RUNS - 1}`]));
        resyncRequests.push(server.stats.count());
      }
      print(summarize(`Google re-sync ${k(base)}, nothing to write`, resyncs));
      print([
        { name: `  Google re-sync: requests`, value: stats(resyncRequests).median, unit: 'requests' },
        ...trafficFigures('  Google re-sync', traffic(server)),
      ]);
      // One credit assigned on the same sheet, alternating between two allocations so each run writes.
      const sheet = `bench-big-${RUNS - 1}`;
      const meta = JSON.parse(readFileSync(join(g, 'meta.json'), 'utf8')) as { period: string };
      writeFileSync(
        join(g, 'meta.json'),
        JSON.stringify({ ...meta, assignId: assignableOnServer(server, sheet) }),
      );
      const assigns: RunResult[] = [];
      const assignRequests: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        server.stats.reset();
        assigns.push(await runJob('assign-google', g, [server.rootUrl, sheet, String(i)]));
        assignRequests.push(server.stats.count());
      }
      print(summarize(`Google assign 1 credit on ${k(base)}`, assigns));
      print([
        { name: `  Google assign: requests`, value: stats(assignRequests).median, unit: 'requests' },
        ...trafficFigures('  Google assign', traffic(server)),
      ]);
      // The same on a sheet where every 4th credit is PROCESSED (a protected range per locked run): what the
      // spreadsheets.get replies cost once the protected ranges are many (sheets-gateway.ts GET_FIELDS).
      await runJob('prep-google', g, [server.rootUrl, sheet]);
      writeFileSync(
        join(g, 'meta.json'),
        JSON.stringify({ ...meta, assignId: assignableOnServer(server, sheet) }), // one still ASSIGNED
      );
      const lockedAssigns: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) {
        server.stats.reset();
        lockedAssigns.push(await runJob('assign-google', g, [server.rootUrl, sheet, String(i)]));
      }
      const gets = server.stats.requests.filter((r) => r.op === 'get');
      print(summarize(`Google assign 1 credit on ${k(base)}, every 4th PROCESSED`, lockedAssigns));
      print([
        { name: `  Google assign, locked rows: requests`, value: server.stats.count(), unit: 'requests' },
        ...trafficFigures('  Google assign, locked rows', traffic(server)),
        {
          name: `  Google assign, locked rows: spreadsheets.get replies`,
          value: mb(gets.reduce((s, r) => s + r.responseBytes, 0)),
          unit: `MB JSON in ${gets.length} gets (last run)`,
        },
      ]);

      // The same sync with google-spreadsheet doing the sheet I/O: same tabs, same rows, same server.
      const libFirsts: RunResult[] = [];
      const libFirstRequests: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const id = `bench-big-gslib-${i}`;
        server.createSpreadsheet(id, ['Sheet1']);
        server.stats.reset();
        libFirsts.push(await runJob('sync-gslib', g, [server.rootUrl, id]));
        libFirstRequests.push(server.stats.count());
      }
      print(summarize(`google-spreadsheet sync ${k(base)} new credits (same tabs)`, libFirsts));
      print(countFigures(`  google-spreadsheet sync ${k(base)}`, libFirsts[0].counts));
      const libResyncs: RunResult[] = [];
      const libResyncRequests: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        server.stats.reset();
        libResyncs.push(await runJob('resync-gslib', g, [server.rootUrl, `bench-big-gslib-${RUNS - 1}`]));
        libResyncRequests.push(server.stats.count());
      }
      print(summarize(`google-spreadsheet re-sync ${k(base)}, nothing to write`, libResyncs));
      const ratio = (lib: number[], sink: number[]) =>
        Math.round((stats(lib).median / Math.max(stats(sink).median, 1e-9)) * 100) / 100;
      const line = (what: string, lib: number[], sink: number[], unit: string): Figure => ({
        name: `  ${what}, google-spreadsheet ÷ sink`,
        value: ratio(lib, sink),
        unit: `× (medians: ${r2(stats(lib).median)} vs ${r2(stats(sink).median)} ${unit})`,
      });
      print([
        line('first load: requests', libFirstRequests, firstRequests, 'requests'),
        line(
          'first load: wall',
          libFirsts.map((r) => r.wall),
          firsts.map((r) => r.wall),
          's',
        ),
        line(
          'first load: CPU',
          libFirsts.map((r) => r.cpu),
          firsts.map((r) => r.cpu),
          's',
        ),
        line('re-sync: requests', libResyncRequests, resyncRequests, 'requests'),
        line(
          're-sync: wall',
          libResyncs.map((r) => r.wall),
          resyncs.map((r) => r.wall),
          's',
        ),
        line(
          're-sync: CPU',
          libResyncs.map((r) => r.cpu),
          resyncs.map((r) => r.cpu),
          's',
        ),
      ]);
    } finally {
      await server.close();
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  // Already printed as they came (a long bench shows progress); nothing more for bench/index.ts to print.
  return [];
}

/**
 * `npm run bench -- workbook-ops`: the one-credit and read-only jobs on a 50,000-credit workbook (every 4th
 * credit PROCESSED, interleaved, with its Ledger row), without big's repeated first loads: `assign` of one
 * credit (each run on a fresh copy of the same workbook), `export --format json`, and a re-sync with nothing
 * to write (after one unmeasured re-sync, which draws the Summary the preparation left out). Each run is a
 * process of its own; its figures start after the modules are loaded (bench/big-run.ts).
 *
 * BENCH_BIG_SIZES=240000 makes it a year's sheet (12 × 20,000 credits, before archive). BENCH_OPS=assign,export
 * runs a subset of resync, assign, export. BENCH_OPS_BASELINE=<a checkout of main with node_modules> runs each
 * job with that checkout's code too, in turn with this one's on the same file, and prints both.
 * BENCH_OPS_DIR=<folder> keeps the prepared workbook there, and a later run with the same folder starts from it
 * (preparing 240,000 credits takes minutes).
 */
export async function benchWorkbookOps(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const print = (fs: Figure[]) => {
    for (const f of fs) console.log(`  ${f.name.padEnd(58)} ${String(f.value).padStart(10)} ${f.unit}`);
    figures.push(...fs);
  };
  const n = SIZES[0];
  const ops = new Set((process.env.BENCH_OPS ?? 'resync,assign,export').split(','));
  const baseline = process.env.BENCH_OPS_BASELINE;
  const kept = process.env.BENCH_OPS_DIR;
  const reuse = kept !== undefined && existsSync(join(kept, 'base.xlsx'));
  const dir = kept ?? prepare(n);
  if (kept && !reuse) {
    rmSync(kept, { recursive: true, force: true });
    prepare(n, kept);
  }
  const credits = join(dir, 'credits.xlsx');
  const base = join(dir, 'base.xlsx');
  const restoreBase = () => {
    copyFileSync(base, credits);
    copyFileSync(chunkMapPath(base), chunkMapPath(credits));
  };
  try {
    if (reuse) restoreBase();
    else {
      await runJob('sync', dir);
      await runJob('prep', dir);
      const assignId = await pickAssignable(dir);
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ period: '2026-10', assignId }));
      // One assign not measured: the Audit tab, written whole by the first sync, gets its chunk map
      // (workbook-chunk-maps.ts), as every tab has on a workbook this tool has been patching. Then one re-sync not
      // measured, which draws the Summary the preparation and that assign left out of date.
      await runJob('assign', dir, ['', '', '1']);
      await runJob('resync', dir);
      copyFileSync(credits, base);
      copyFileSync(chunkMapPath(credits), chunkMapPath(base));
    }
    const load = () => `load average ${loadavg()[0].toFixed(1)}`;
    console.log(`  (${load()} at the start)`);
    const measure = async (job: Job, label: string, before?: () => void) => {
      if (!ops.has(job)) return;
      if (!baseline) return print(summarize(label, await repeat(job, dir, before)));
      const { ours, theirs } = await repeatBoth(job, dir, baseline, before);
      print(summarize(label, ours));
      print(summarize(`${label} (baseline)`, theirs));
    };
    await measure('resync', `workbook re-sync ${k(n)}, nothing to write`, restoreBase);
    await measure('assign', `workbook assign 1 credit on ${k(n)}`, restoreBase);
    await measure('export', `workbook export --format json ${k(n)}`);
    console.log(`  (${load()} at the end)`);
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
  return [];
}

/**
 * A re-sync where every 100th credit's amount was revised, through the sink and through google-spreadsheet:
 * each on a spreadsheet of its own first loaded with the month (not measured), then BENCH_RUNS re-syncs, each
 * revising the amounts again so every run has the same number of updates.
 */
async function changedResyncs(
  dir: string,
  server: SheetsServer,
  print: (fs: Figure[]) => void,
): Promise<void> {
  const results: Record<string, { runs: RunResult[]; requests: number[] }> = {};
  for (const [kind, first, resync] of [
    ['sink', 'sync-google', 'resync-google'],
    ['google-spreadsheet', 'sync-gslib', 'resync-gslib'],
  ] as const) {
    const id = `bench-big-changes-${kind}`;
    server.createSpreadsheet(id, ['Sheet1']);
    await runJob(first, dir, [server.rootUrl, id]);
    const runs: RunResult[] = [];
    const requests: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      server.stats.reset();
      runs.push(
        await runJob(resync, dir, [server.rootUrl, id, String(i)], {
          ...process.env,
          BENCH_CHANGE_EVERY: '100',
        }),
      );
      requests.push(server.stats.count());
    }
    const last = traffic(server);
    results[kind] = { runs, requests };
    print(summarize(`${kind}: re-sync ${k(SIZES[0])} with 1 % of amounts revised`, runs));
    print([
      {
        name: `  ${kind} re-sync with 1 % revised: requests`,
        value: stats(requests).median,
        unit: 'requests',
      },
      ...trafficFigures(`  ${kind} re-sync with 1 % revised`, last),
    ]);
  }
  const lib = results['google-spreadsheet'];
  const sink = results.sink;
  const ratio = (a: number[], b: number[]) =>
    Math.round((stats(a).median / Math.max(stats(b).median, 1e-9)) * 10) / 10;
  print([
    {
      name: '  re-sync with 1 % revised: requests, google-spreadsheet ÷ sink',
      value: ratio(lib.requests, sink.requests),
      unit: '×',
    },
    {
      name: '  re-sync with 1 % revised: CPU, google-spreadsheet ÷ sink',
      value: ratio(
        lib.runs.map((r) => r.cpu),
        sink.runs.map((r) => r.cpu),
      ),
      unit: '×',
    },
    {
      name: '  re-sync with 1 % revised: at 60 write requests/min, google-spreadsheet (at least)',
      value: Math.round((stats(lib.requests).median / 60) * 10) / 10,
      unit: 'min',
    },
  ]);
}

/** The Credit ID of a credit that can be assigned (not locked): run an export and take the first ASSIGNED. */
async function pickAssignable(dir: string): Promise<string> {
  await runJob('export', dir);
  const credits = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as {
    creditId: string;
    status: string;
  }[];
  const c =
    credits.find((x) => x.status === 'ASSIGNED') ?? credits.find((x) => x.status === 'PENDING_ASSIGN');
  if (!c) throw new Error('no assignable credit in the bench workbook');
  return c.creditId;
}

/**
 * `npm run bench -- collect`: `usage collect` of a whole month on the workbook, at BENCH_COLLECT_SIZES credits
 * (default 50,000 and 150,000; bench/big-month.ts, every size with the first size's accounts and rules, synced
 * with them, not measured), each run a
 * process of its own on a fresh copy of the synced workbook and an empty usage folder: time, CPU and peak RSS,
 * and the CPU ratio of each size to the first (linear is the ratio of the sizes). Then `usage close` of the
 * file that collect wrote, each run on a fresh copy of the collected workbook and usage folder, the same figures.
 */
export async function benchCollect(): Promise<Figure[]> {
  const sizes = (process.env.BENCH_COLLECT_SIZES ?? '50000,150000').split(',').map(Number);
  const figures: Figure[] = [];
  const print = (fs: Figure[]) => {
    for (const f of fs) console.log(`  ${f.name.padEnd(58)} ${String(f.value).padStart(10)} ${f.unit}`);
    figures.push(...fs);
  };
  const cpuOf: Record<'collect' | 'close', number[]> = { collect: [], close: [] };
  // The usage records each size's collection wrote beside the credits: a check that the sizes are one
  // distributor's (a credit split between a customer and a reseller is two records).
  const recordsOf: number[] = [];
  const ratio = (job: 'collect' | 'close', n: number) => {
    const cpu = cpuOf[job];
    cpu.push(stats(runs[job].map((r) => r.cpu)).median);
    if (job === 'collect') recordsOf.push(runs.collect[0].counts.records ?? 0);
    if (cpu.length > 1)
      print([
        {
          name: `  ${job} ${k(n)} ÷ ${k(sizes[0])}: CPU`,
          value: r2(cpu[cpu.length - 1] / cpu[0]),
          unit: `× (credits ×${r2(n / sizes[0])}, usage records ×${r2(recordsOf[cpu.length - 1] / recordsOf[0])})`,
        },
      ]);
  };
  const runs: Record<'collect' | 'close', RunResult[]> = { collect: [], close: [] };
  console.log(`  (load average ${loadavg()[0].toFixed(1)} at the start)`);
  for (const n of sizes) {
    // Every size is the first size's distributor (accounts, rules) with more credits: linear is then the sizes'
    // ratio, the work per credit being the same.
    const dir = prepare(n, undefined, sizes[0]);
    try {
      await runJob('sync', dir);
      const usage = join(dir, 'usage');
      const copy = (from: string, to: string) => {
        copyFileSync(join(dir, from), join(dir, to));
        if (existsSync(chunkMapPath(join(dir, from))))
          copyFileSync(chunkMapPath(join(dir, from)), chunkMapPath(join(dir, to)));
        else rmSync(chunkMapPath(join(dir, to)), { force: true });
      };
      copy('credits.xlsx', 'base.xlsx');
      runs.collect = await repeat('collect', dir, () => {
        copy('base.xlsx', 'credits.xlsx');
        rmSync(usage, { recursive: true, force: true });
      });
      if (!runs.collect[0].counts.credits)
        throw new Error(
          `usage collect took no credit of the ${k(n)} month (skipped: ${runs.collect[0].counts.skipped})`,
        );
      print(summarize(`workbook usage collect ${k(n)}`, runs.collect));
      print(countFigures(`  collect ${k(n)}`, runs.collect[0].counts));
      ratio('collect', n);
      // The last collect's workbook and folder, closed again on a fresh copy each run.
      copy('credits.xlsx', 'collected.xlsx');
      cpSync(usage, join(dir, 'usage-collected'), { recursive: true });
      runs.close = await repeat('close', dir, () => {
        copy('collected.xlsx', 'credits.xlsx');
        rmSync(usage, { recursive: true, force: true });
        cpSync(join(dir, 'usage-collected'), usage, { recursive: true });
      });
      print(summarize(`workbook usage close ${k(n)}`, runs.close));
      print(countFigures(`  close ${k(n)}`, runs.close[0].counts));
      ratio('close', n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`  (load average ${loadavg()[0].toFixed(1)} at the end)`);
  return [];
}

/**
 * `npm run bench -- apply-rules`: `apply-rules` on a workbook of BENCH_APPLY_SIZE credits (default 100,000;
 * bench/big-month.ts, synced with accounts and 1,000 rules but none applied, not measured), each run a process of
 * its own on a fresh copy: time, CPU and peak RSS, and the CPU of its parts (bench/big-run.ts), medians. Target:
 * writing ≤ choosing + reading.
 */
export async function benchApplyRules(): Promise<Figure[]> {
  const n = Number(process.env.BENCH_APPLY_SIZE ?? 100_000);
  const figures: Figure[] = [];
  const print = (fs: Figure[]) => {
    for (const f of fs) console.log(`  ${f.name.padEnd(58)} ${String(f.value).padStart(10)} ${f.unit}`);
    figures.push(...fs);
  };
  console.log(`  (load average ${loadavg()[0].toFixed(1)} at the start)`);
  const dir = prepare(n);
  try {
    await runJob('sync-pending', dir);
    const credits = join(dir, 'credits.xlsx');
    const base = join(dir, 'base.xlsx');
    const maps = existsSync(chunkMapPath(credits));
    copyFileSync(credits, base);
    if (maps) copyFileSync(chunkMapPath(credits), chunkMapPath(base));
    const restore = () => {
      copyFileSync(base, credits);
      if (maps) copyFileSync(chunkMapPath(base), chunkMapPath(credits));
    };
    const runs = await repeat('apply-rules', dir, restore);
    print(summarize(`workbook apply-rules ${k(n)}`, runs));
    const part = (key: string) => r2(stats(runs.map((r) => r.counts[key] / 1000)).median);
    const [read, choose, write] = [part('readMs'), part('chooseMs'), part('writeMs')];
    print([
      { name: `  apply-rules ${k(n)}: reading`, value: read, unit: 's CPU median' },
      { name: `  apply-rules ${k(n)}: choosing`, value: choose, unit: 's CPU median' },
      { name: `  apply-rules ${k(n)}: writing`, value: write, unit: 's CPU median' },
      {
        name: `  apply-rules ${k(n)}: writing ÷ (choosing + reading)`,
        value: r2(write / (read + choose)),
        unit: '(target ≤ 1)',
      },
      { name: `  apply-rules ${k(n)}: credits assigned`, value: runs[0].counts.creditsAssigned, unit: '' },
      { name: `  apply-rules ${k(n)}: credits left alone`, value: runs[0].counts.creditsLeft, unit: '' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  (load average ${loadavg()[0].toFixed(1)} at the end)`);
  return [];
}
