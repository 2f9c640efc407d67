/**
 * `npm run bench -- usage-file`: one usage file of N credits (customer 60 % / reseller 40 % for every other
 * credit, so ~1.5 records a credit), written by each candidate writer, each run a process of its own (so peak
 * RSS is the writer's): ExcelJS's in-memory workbook (what wrote usage files before), ExcelJS's streaming
 * WorkbookWriter, and sync-service/xlsx/xlsx-stream.ts (what writes them now); then the cost of the exact
 * check of a file (usageXlsxMatches). BENCH_USAGE_FILE_SIZES changes the sizes (default 50000,150000);
 * BENCH_USAGE_FILE_WRITERS which writers run (default all three; the in-memory one only at the first size,
 * its cost at 150k is known: 40 s).
 *
 *   node bin/run-ts.cjs bench/usage-file.ts <writer> <credits> <dir>   (one measured run; prints a JSON line)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { UsageFile, UsageRecord } from '../core/usage';
import { sanitizeCell } from '../core/csv';
import { excelJs } from '../sync-service/xlsx/exceljs-lazy';
import {
  CATEGORIES_HEADER,
  CATEGORY_ROWS,
  GENERAL_HEADER,
  generalRows,
  RECORDS_HEADER,
  recordRows,
} from '../sync-service/usage/connect-layout';
import { usageXlsxMatches, usageXlsxPath, writeUsageXlsx } from '../sync-service/usage/usage-files';
import { PLACEHOLDER_CONNECT } from '../sync-service/settings';
import type { Figure } from './figures';

type Writer = 'exceljs' | 'exceljs-stream' | 'stream' | 'check';
const WRITERS: Writer[] = ['exceljs', 'exceljs-stream', 'stream'];

function usageFile(credits: number): UsageFile {
  const records: UsageRecord[] = Array.from({ length: credits }, (_, i) => {
    const id = `UR-2026-11-${String(i).padStart(6, '0')}`;
    const amount = 100 + ((i * 7919) % 100_000);
    const split = i % 2 === 0;
    const customer = split ? Math.round(amount * 0.6) : amount;
    return {
      usageRecordId: id,
      creditId: `AWSC-202610-${String(i % 10_000).padStart(4, '0')}-${String(i).padStart(4, '0')}`,
      key: `k${i}`,
      period: '2026-10',
      accountId: String(100000000000 + (i % 5000)),
      customerId: `CUST-${i % 800}`,
      assetId: `AS-${i % 5000}`,
      resellerId: `RES-${i % 40}`,
      service: 'AmazonEC2',
      description: `Promotional credit #${i}`,
      currency: 'USD',
      amount,
      allocation: split ? 'customer 60%, reseller 40%' : 'customer 100%',
      lines: [],
      ruleId: '',
      billed: [
        {
          recordId: `${id}-1`,
          role: 'customer',
          targetId: `CUST-${i % 800}`,
          assetId: `AS-${i % 5000}`,
          tier: 0,
          amount: customer,
        },
        ...(split
          ? [
              {
                recordId: `${id}-2`,
                role: 'reseller' as const,
                targetId: `RES-${i % 40}`,
                assetId: `AS-${i % 5000}`,
                tier: 1 as const,
                amount: amount - customer,
              },
            ]
          : []),
      ],
    };
  });
  return {
    usageFileId: 'UF-2026-11-0001-0001',
    status: 'collecting',
    createdAt: '2026-11-27T00:00:00.000Z',
    closedAt: null,
    processingDate: '2026-11-27',
    period: '2026-10',
    currency: 'USD',
    records,
    totals: [],
  };
}

const cells = (file: UsageFile) =>
  [...recordRows(file, PLACEHOLDER_CONNECT.item)].map((row) =>
    RECORDS_HEADER.map((h) => (typeof row[h] === 'string' ? sanitizeCell(row[h]) : row[h])),
  );

/** The usage file as it was written before: ExcelJS's workbook model, then writeBuffer. */
async function inMemory(file: UsageFile, path: string): Promise<void> {
  const wb = new (excelJs().Workbook)();
  const general = wb.addWorksheet('general');
  general.addRow([...GENERAL_HEADER]);
  general.addRows(generalRows(file, PLACEHOLDER_CONNECT));
  const categories = wb.addWorksheet('categories');
  categories.addRow([...CATEGORIES_HEADER]);
  categories.addRows(CATEGORY_ROWS);
  const records = wb.addWorksheet('records');
  records.addRow([...RECORDS_HEADER]);
  for (const row of cells(file)) records.addRow(row);
  for (const ws of [general, categories, records]) {
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  await wb.xlsx.writeFile(path);
}

/** ExcelJS's streaming writer, rows committed as they are added, shared styles and inline text. */
async function excelJsStream(file: UsageFile, path: string): Promise<void> {
  const wb = new (excelJs().stream.xlsx.WorkbookWriter)({
    filename: path,
    useStyles: true,
    useSharedStrings: false,
  });
  const tab = (name: string, header: readonly string[], rows: Iterable<readonly unknown[]>) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    const head = ws.addRow([...header]);
    head.font = { bold: true };
    head.commit();
    for (const r of rows) ws.addRow([...r]).commit();
    ws.commit();
  };
  tab('general', GENERAL_HEADER, generalRows(file, PLACEHOLDER_CONNECT));
  tab('categories', CATEGORIES_HEADER, CATEGORY_ROWS);
  tab('records', RECORDS_HEADER, cells(file));
  await wb.commit();
}

async function child(writer: Writer, credits: number, dir: string): Promise<void> {
  const file = usageFile(credits);
  const path = usageXlsxPath(dir, file.usageFileId);
  // The check is timed on a journal read afresh, as a resumed collect has it: for the object it has just written
  // from, usageXlsxMatches knows the file is the same without comparing.
  const journal = writer === 'check' ? usageFile(credits) : file;
  if (writer === 'check') await writeUsageXlsx(dir, file);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ok = true;
  if (writer === 'exceljs') await inMemory(file, path);
  else if (writer === 'exceljs-stream') await excelJsStream(file, path);
  else if (writer === 'stream') await writeUsageXlsx(dir, file);
  else ok = await usageXlsxMatches(dir, journal);
  const cpu = process.cpuUsage(cpu0);
  if (!ok) throw new Error('the check said the file written does not match');
  const records = file.records.reduce((n, r) => n + (r.billed?.length ?? 0), 0);
  console.log(
    JSON.stringify({
      wall: (performance.now() - t0) / 1000,
      cpu: (cpu.user + cpu.system) / 1e6,
      rssMiB: process.resourceUsage().maxRSS / 1024,
      mb: statSync(path).size / 1e6,
      records,
    }),
  );
}

function run(writer: Writer, credits: number, dir: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [join(__dirname, '../bin/run-ts.cjs'), __filename, writer, String(credits), dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>)
        : reject(new Error(`${writer} ${credits} failed (exit ${code})`)),
    );
  });
}

export async function benchUsageFile(): Promise<Figure[]> {
  const sizes = (process.env.BENCH_USAGE_FILE_SIZES ?? '50000,150000').split(',').map(Number);
  const writers = (process.env.BENCH_USAGE_FILE_WRITERS?.split(',') as Writer[] | undefined) ?? [
    ...WRITERS,
    'check',
  ];
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-usage-file-'));
  try {
    for (const n of sizes)
      for (const w of writers) {
        if (w === 'exceljs' && n !== sizes[0] && !process.env.BENCH_USAGE_FILE_WRITERS) continue;
        const results: Record<string, number>[] = [];
        for (let i = 0; i < runs; i++) results.push(await run(w, n, dir));
        const median = (k: string) => [...results.map((r) => r[k])].sort((a, b) => a - b)[(runs - 1) >> 1];
        const label = `${w === 'check' ? 'exact check (usageXlsxMatches)' : w} ${n / 1000}k credits, ${results[0].records.toLocaleString('en')} records`;
        const f: Figure[] = [
          {
            name: `${label}: CPU`,
            value: Math.round(median('cpu') * 100) / 100,
            unit: `s median of ${runs}`,
          },
          { name: `${label}: peak RSS`, value: Math.round(median('rssMiB')), unit: `MiB median of ${runs}` },
          { name: `${label}: file`, value: Math.round(median('mb') * 10) / 10, unit: 'MB' },
        ];
        for (const x of f) console.log(`  ${x.name.padEnd(72)} ${String(x.value).padStart(10)} ${x.unit}`);
        figures.push(...f);
      }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [];
}

// Run as the child (bin/run-ts.cjs makes argv[1] this file), not when bench/index.ts loads it.
if (process.argv[1] && resolve(process.argv[1]) === __filename) {
  const [writer, credits, dir] = process.argv.slice(2);
  child(writer as Writer, Number(credits), dir).catch((e: unknown) => {
    console.error((e as Error).stack ?? e);
    process.exit(1);
  });
}
