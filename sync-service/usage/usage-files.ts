/**
 * Usage files on disk, in CloudBlue Connect's format (connect-layout.ts): an .xlsx with `general`, `categories` and
 * `records` tabs, one file per currency, and a JSON twin
 * that is also our journal (its status says how far a collection got). Both are written to a temporary name and
 * renamed, so a reader never sees half a file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { excelJs } from '../sinks/exceljs-lazy';
import { sanitizeCell } from '../../core/csv';
import { removeStaleTemps, writeFileAtomically } from '../sinks/atomic-file';
import { readPlainSheet } from '../sinks/workbook-read';
import type { ConnectTarget, UsageFile } from '../../core/usage';
import type { Cell, Grid } from '../../core/table';
import type { CellValue } from 'exceljs';
// Also registers the exact text escaping for every ExcelJS save (a usage file's notes must read back as written).
import { cellFromExcel } from '../sinks/workbook-cells';
import { PLACEHOLDER_CONNECT } from '../settings';
import {
  CATEGORIES_HEADER,
  CATEGORY_ROWS,
  fileCurrency,
  GENERAL_HEADER,
  generalRows,
  RECORDS_HEADER,
  recordRows,
  TAB_CATEGORIES,
  TAB_GENERAL,
  TAB_RECORDS,
} from './connect-layout';

export function usageJsonPath(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

export function usageXlsxPath(dir: string, id: string): string {
  return join(dir, `${id}.xlsx`);
}

/** The JSON twin is the collection's journal: written like the workbook (temp file, fsync, rename), never half. */
export async function saveUsageJson(dir: string, file: UsageFile): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(file, null, 2) + '\n';
  await writeFileAtomically(usageJsonPath(dir, file.usageFileId), new TextEncoder().encode(json));
}

/** Removes a usage file that ended up with no credit (its JSON last: it is the journal). */
export function removeUsageFile(dir: string, id: string): void {
  rmSync(usageXlsxPath(dir, id), { force: true });
  rmSync(usageJsonPath(dir, id), { force: true });
}

/**
 * The usage files in `dir`, oldest first. Every usage command (collect, close, list) and every reconciliation
 * starts here, so this is also where the temp files of a run killed mid-write are removed (removeStaleTemps:
 * those of processes no longer running; a live run's temp is left alone, since it may be about to rename it).
 */
export function loadUsageFiles(dir: string): UsageFile[] {
  removeStaleTemps(dir, { prefix: '.UF-' });
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^UF-.*\.json$/.test(n))
    .map((n) => {
      try {
        return JSON.parse(readFileSync(join(dir, n), 'utf8')) as UsageFile;
      } catch (e) {
        throw new Error(
          `${join(dir, n)} is not a readable usage file (${(e as Error).message}). Move it away if it is not one.`,
        );
      }
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Whether the usage .xlsx of `file` exists and holds exactly what the journal says, in Connect's layout: its
 * `general` and `categories` tabs, and a `records` tab with the expected header and, row by row, the expected
 * record ID, asset, tier and amount. A kill during the write leaves no file (it is renamed into place whole), so a
 * missing, older-layout or different one is rewritten.
 */
export async function usageXlsxMatches(dir: string, file: UsageFile): Promise<boolean> {
  const path = usageXlsxPath(dir, file.usageFileId);
  if (!existsSync(path)) return false;
  if (file.records.some((r) => !r.billed)) return false; // an older journal: its file is rewritten
  const bytes = readFileSync(path);
  // The fast read first: loading 45,000 records into ExcelJS's model took 4 s of a collect (measured).
  const tabs = new Map<string, Grid | null>(
    [TAB_GENERAL, TAB_CATEGORIES, TAB_RECORDS].map((t) => [t, readPlainSheet(bytes, t)]),
  );
  if ([...tabs.values()].some((g) => !g)) {
    const read = await readWithExcelJs(path);
    if (!read) return false;
    for (const t of tabs.keys()) tabs.set(t, read.get(t) ?? null);
  }
  return gridsMatch(file, tabs);
}

function gridsMatch(file: UsageFile, tabs: ReadonlyMap<string, Grid | null>): boolean {
  const general = tabs.get(TAB_GENERAL);
  const categories = tabs.get(TAB_CATEGORIES);
  const records = tabs.get(TAB_RECORDS);
  if (!general || !categories || !records) return false;
  if (!sameCells(general.headers, GENERAL_HEADER) || !sameCells(records.headers, RECORDS_HEADER))
    return false;
  const attributes = new Map(general.rows.map((r) => [String(r[0] ?? ''), String(r[1] ?? '')]));
  if (attributes.get('report_id') !== file.usageFileId) return false;
  if (attributes.get('currency') !== fileCurrency(file)) return false;
  if (categories.rows.length < 1) return false;
  const expected = recordRows(file, connectOf(file).item);
  if (records.rows.length !== expected.length) return false;
  const col = (name: (typeof RECORDS_HEADER)[number]) => RECORDS_HEADER.indexOf(name);
  return expected.every((e, i) => {
    const row = records.rows[i];
    return (
      String(row[col('record_id')] ?? '') === e.record_id &&
      String(row[col('asset_search_value')] ?? '') === e.asset_search_value &&
      Number(row[col('tier')]) === e.tier &&
      Number(row[col('amount')]) === e.amount
    );
  });
}

function sameCells(actual: readonly unknown[], expected: readonly string[]): boolean {
  return expected.every((h, i) => String(actual[i] ?? '') === h);
}

/** The three tabs through ExcelJS (the fallback when the fast reader cannot read the file); null when unreadable. */
async function readWithExcelJs(path: string): Promise<Map<string, Grid> | null> {
  const wb = new (excelJs().Workbook)();
  try {
    await wb.xlsx.readFile(path);
  } catch {
    return null;
  }
  const out = new Map<string, Grid>();
  for (const name of [TAB_GENERAL, TAB_CATEGORIES, TAB_RECORDS]) {
    const ws = wb.getWorksheet(name);
    if (!ws) continue;
    const rows: Cell[][] = [];
    ws.eachRow((row, n) => {
      const values = (row.values as CellValue[]).slice(1).map((v) => cellFromExcel(v));
      rows[n - 1] = values;
    });
    const [headers = [], ...data] = rows.map((r) => r ?? []);
    out.set(name, { headers: headers.map(String), rows: data });
  }
  return out;
}

/** The journal's Connect IDs, or the placeholders for a journal written before they were settings. */
function connectOf(file: UsageFile): ConnectTarget {
  return file.connect ?? PLACEHOLDER_CONNECT;
}

/**
 * The usage file in Connect's format (sync-service/usage/connect-layout.ts says which rule comes from where):
 * `general`, `categories` and `records`, one record per billed share of each credit.
 */
export async function writeUsageXlsx(dir: string, file: UsageFile): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const wb = new (excelJs().Workbook)();
  const general = wb.addWorksheet(TAB_GENERAL);
  general.addRow([...GENERAL_HEADER]);
  general.addRows(generalRows(file, connectOf(file)));
  general.getColumn(1).width = 26;
  general.getColumn(2).width = 48;
  const categories = wb.addWorksheet(TAB_CATEGORIES);
  categories.addRow([...CATEGORIES_HEADER]);
  categories.addRows(CATEGORY_ROWS);
  const records = wb.addWorksheet(TAB_RECORDS);
  records.addRow([...RECORDS_HEADER]);
  for (const row of recordRows(file, connectOf(file).item))
    records.addRow(RECORDS_HEADER.map((h) => (typeof row[h] === 'string' ? sanitizeCell(row[h]) : row[h])));
  for (const ws of [general, categories, records]) {
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  const path = usageXlsxPath(dir, file.usageFileId);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  await writeFileAtomically(path, new Uint8Array(buffer));
  return path;
}
