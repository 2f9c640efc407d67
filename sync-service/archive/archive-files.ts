/**
 * The archive on disk: a folder per year and in it one workbook per billing period,
 * `archive/YYYY/credits-YYYY-MM.xlsx`, with Credits, Audit and Ledger tabs in the live sheet's columns. Every
 * file is replaced atomically.
 *
 * Per period rather than one workbook per year: a run archives about one period, and a workbook cannot be
 * appended to, only rewritten whole — a year file would be read and rewritten by every run, growing all year
 * (at 20,000 credits a month, past what ExcelJS holds in memory well before December). A period's file is
 * written by the run that archives it and read again only by a re-run after a crash. Year workbooks
 * (`archive/credits-YYYY.xlsx`) written by earlier versions are still read.
 *
 * Which credits are archived (never to be imported again, their IDs never reused) is recorded in the sheet's
 * own Ledger tab (core/archived-ledger.ts). Earlier versions kept it in `archive/archived-keys.tsv` (key, Credit
 * ID per line); that file is still read when it is there, and `archive` copies what it lists into the Ledger.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { excelJs } from '../xlsx/exceljs-lazy';
import { mergeArchive, type ArchiveContent } from '../../core/archive';
import type { ArchivedCredit } from '../../core/archived-ledger';
import type { Credit } from '../../core/credit';
import { ledgerCells, readLedger } from '../../core/ledger';
import {
  AUDIT_COLUMNS,
  CREDIT_COLUMNS,
  LEDGER_COLUMNS,
  type AuditField,
  type CreditField,
} from '../../core/sheet-contract';
import { creditFromRow, creditToCells, indexColumns, readRecords } from '../../core/table';
import { writeFileAtomically } from '../files/atomic-file';
import { excelValueFor } from '../xlsx/workbook-cells';
import { readGrid } from '../xlsx/worksheet-grid';

export const ARCHIVE_DIR_ENV = 'CREDIT_DESK_ARCHIVE_DIR';
export const INDEX_FILE = 'archived-keys.tsv';

export function defaultArchiveDir(): string {
  return process.env[ARCHIVE_DIR_ENV] || 'archive';
}

/** The archive workbook of one billing period (YYYY-MM). */
export function archivePath(dir: string, period: string): string {
  return join(dir, period.slice(0, 4), `credits-${period}.xlsx`);
}

/** Every archive workbook under `dir`: the period files, and year files of earlier versions. */
export function archiveFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && /^credits-\d{4}\.xlsx$/.test(entry.name)) out.push(join(dir, entry.name));
    if (!entry.isDirectory() || !/^\d{4}$/.test(entry.name)) continue;
    for (const f of readdirSync(join(dir, entry.name)))
      if (/^credits-\d{4}-\d{2}\.xlsx$/.test(f)) out.push(join(dir, entry.name, f));
  }
  return out.sort();
}

export async function readArchive(path: string): Promise<ArchiveContent> {
  if (!existsSync(path)) return { credits: [], audit: [], ledger: [] };
  const wb = new (excelJs().Workbook)();
  await wb.xlsx.readFile(path);
  const creditsGrid = readGrid(wb.getWorksheet('Credits')!, CREDIT_COLUMNS);
  const idx = indexColumns<CreditField>('credits', creditsGrid.headers);
  const credits: Credit[] = [];
  creditsGrid.rows.forEach((r, i) => {
    const c = creditFromRow(r, idx, i + 2);
    if (c) credits.push(c);
  });
  const audit = readRecords<AuditField>('audit', readGrid(wb.getWorksheet('Audit')!, AUDIT_COLUMNS)).map(
    (r) => r.record,
  );
  // Archives written before the Ledger was archived have no Ledger tab.
  const ledgerTab = wb.getWorksheet('Ledger');
  const ledger = ledgerTab ? readLedger(readGrid(ledgerTab, LEDGER_COLUMNS)) : [];
  return { credits, audit, ledger };
}

export async function writeArchive(path: string, content: ArchiveContent): Promise<void> {
  const wb = new (excelJs().Workbook)();
  const credits = wb.addWorksheet('Credits');
  credits.addRow(CREDIT_COLUMNS.map((c) => c.header));
  for (const c of content.credits) {
    const cells = creditToCells(c);
    credits.addRow(CREDIT_COLUMNS.map((col) => excelValueFor(cells[col.field], col.kind)));
  }
  const audit = wb.addWorksheet('Audit');
  audit.addRow(AUDIT_COLUMNS.map((c) => c.header));
  for (const a of content.audit)
    audit.addRow(AUDIT_COLUMNS.map((col) => excelValueFor(a[col.field], col.kind)));
  const ledger = wb.addWorksheet('Ledger');
  ledger.addRow(LEDGER_COLUMNS.map((c) => c.header));
  for (const e of content.ledger) {
    const cells = ledgerCells(e);
    ledger.addRow(LEDGER_COLUMNS.map((col) => excelValueFor(cells[col.field], col.kind)));
  }
  for (const ws of [credits, audit, ledger]) ws.views = [{ state: 'frozen', ySplit: 1 }];
  mkdirSync(join(path, '..'), { recursive: true });
  await writeFileAtomically(path, new Uint8Array(await wb.xlsx.writeBuffer()));
}

/** The whole archive: every file's credits, Audit and Ledger rows (each credit once, by key). */
export async function readAllArchiveContent(dir: string): Promise<ArchiveContent> {
  let all: ArchiveContent = { credits: [], audit: [], ledger: [] };
  for (const f of archiveFiles(dir)) all = mergeArchive(all, await readArchive(f));
  return all;
}

/** Every archived credit (all years), for `export --include-archive`. */
export async function readAllArchives(dir: string): Promise<Credit[]> {
  return (await readAllArchiveContent(dir)).credits;
}

/** The credits an older version listed in archived-keys.tsv (key, Credit ID per line); [] when there is none. */
export function readArchivedIndexEntries(dir: string): ArchivedCredit[] {
  const path = join(dir, INDEX_FILE);
  if (!existsSync(path)) return [];
  const out: ArchivedCredit[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [key, id] = line.split('\t');
    if (key?.trim()) out.push({ key: key.trim(), creditId: (id ?? '').trim(), usageFileId: '' });
  }
  return out;
}

/** The keys and Credit IDs archived-keys.tsv lists (back-compat: the Ledger tab is the record now). */
export function readArchivedIndex(dir: string): { keys: Set<string>; creditIds: Set<string> } {
  const entries = readArchivedIndexEntries(dir);
  return {
    keys: new Set(entries.map((e) => e.key)),
    creditIds: new Set(entries.map((e) => e.creditId).filter(Boolean)),
  };
}
