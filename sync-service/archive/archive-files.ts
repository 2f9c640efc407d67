/**
 * The archive on disk: one workbook per year, `archive/credits-YYYY.xlsx`, with a Credits and an Audit tab in
 * the live sheet's columns, and `archive/archived-keys.tsv` (key, Credit ID per line), the set the sync checks
 * so an archived credit is never imported again and its ID never reused. Every file is replaced atomically.
 *
 * The index stands in for the Ledger tab (the lifecycle record in the sheet) until the two are wired together:
 * on a fresh container the archive folder must be on durable storage, like the usage files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { AuditRecord } from '../../core/archive';
import type { Credit } from '../../core/credit';
import { AUDIT_COLUMNS, CREDIT_COLUMNS, type AuditField, type CreditField } from '../../core/sheet-contract';
import { creditFromRow, creditToCells, indexColumns, readRecords } from '../../core/table';
import { writeFileAtomically } from '../sinks/atomic-file';
import { excelValueFor } from '../sinks/workbook-cells';
import { readGrid } from '../sinks/workbook-layout';

export const ARCHIVE_DIR_ENV = 'CREDIT_DESK_ARCHIVE_DIR';
export const INDEX_FILE = 'archived-keys.tsv';

export function defaultArchiveDir(): string {
  return process.env[ARCHIVE_DIR_ENV] || 'archive';
}

export function archivePath(dir: string, year: string): string {
  return join(dir, `credits-${year}.xlsx`);
}

export interface ArchiveContent {
  credits: Credit[];
  audit: AuditRecord[];
}

export async function readArchive(path: string): Promise<ArchiveContent> {
  if (!existsSync(path)) return { credits: [], audit: [] };
  const wb = new ExcelJS.Workbook();
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
  return { credits, audit };
}

export async function writeArchive(path: string, content: ArchiveContent): Promise<void> {
  const wb = new ExcelJS.Workbook();
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
  for (const ws of [credits, audit]) ws.views = [{ state: 'frozen', ySplit: 1 }];
  mkdirSync(join(path, '..'), { recursive: true });
  await writeFileAtomically(path, new Uint8Array(await wb.xlsx.writeBuffer()));
}

/** Every archived credit (all years), for `export --include-archive`. */
export async function readAllArchives(dir: string): Promise<Credit[]> {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((f) => /^credits-\d{4}\.xlsx$/.test(f))
    .sort();
  const out: Credit[] = [];
  for (const f of files) for (const c of (await readArchive(join(dir, f))).credits) out.push(c);
  return out;
}

export interface ArchivedIndex {
  keys: Set<string>;
  creditIds: Set<string>;
}

export function readArchivedIndex(dir: string): ArchivedIndex {
  const keys = new Set<string>();
  const creditIds = new Set<string>();
  const path = join(dir, INDEX_FILE);
  if (!existsSync(path)) return { keys, creditIds };
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [key, id] = line.split('\t');
    if (key) keys.add(key);
    if (id) creditIds.add(id.trim());
  }
  return { keys, creditIds };
}

/** Adds credits to the index (a union: re-running with the same credits changes nothing). */
export async function addToArchivedIndex(dir: string, credits: readonly Credit[]): Promise<void> {
  const path = join(dir, INDEX_FILE);
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
  const seen = new Set(lines.map((l) => l.split('\t')[0]));
  for (const c of credits) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    lines.push(`${c.key}\t${c.creditId}`);
  }
  mkdirSync(dir, { recursive: true });
  await writeFileAtomically(path, new TextEncoder().encode(lines.join('\n') + '\n'));
}
