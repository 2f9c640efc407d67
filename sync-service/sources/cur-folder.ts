/**
 * Finds the CUR partitions in a local folder: CUR 2.0 (`billing_period=YYYY-MM/`) or legacy CUR
 * (`year=YYYY/month=M/`, month padded or not). Only folder names are read here; the Parquet files are left
 * to DuckDB. Errors say what was found and what to do, because this is the first thing a new user hits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreditDeskError } from '../../core/errors';
import type { CurLayout } from './credits-query';

export interface CurPartition {
  /** Absolute folder of the partition. */
  dir: string;
  period: string;
  parquetFiles: number;
}

export interface CurFolder {
  /** The folder that holds the partition folders (curDir, or its data/ subfolder as Data Exports write it). */
  root: string;
  layout: CurLayout;
  /** Partition key names as spelled on disk (CUR 2.0 exports write BILLING_PERIOD), for hive_types. */
  keys: string[];
  /** Newest period first; a legacy period can have two folders (month=7 and month=07). */
  partitions: CurPartition[];
}

const CUR2_DIR = /^(billing_period)=(.*)$/i;
const YEAR_DIR = /^(year)=(.*)$/i;
const MONTH_DIR = /^(month)=(.*)$/i;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

const HINT_LAYOUT =
  'Point --cur at the folder that holds billing_period=YYYY-MM folders (CUR 2.0) or year=YYYY/month=M folders (legacy CUR), or run `credit-desk demo-data` to make one.';

function subdirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

function countParquet(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countParquet(path.join(dir, e.name));
    else if (e.name.toLowerCase().endsWith('.parquet')) n++;
  }
  return n;
}

function badPartition(dir: string, what: string): CreditDeskError {
  return new CreditDeskError(
    'NO_DATA',
    `CUR partition folder ${dir} is not ${what}.`,
    'Rename or remove that folder; partitions look like billing_period=2026-09 or year=2026/month=9.',
  );
}

function cur2Partitions(root: string, names: string[]): { keys: string[]; partitions: CurPartition[] } {
  const keys = new Set<string>();
  const partitions = names.map((name) => {
    const [, key, value] = CUR2_DIR.exec(name)!;
    const dir = path.join(root, name);
    if (!PERIOD.test(value)) throw badPartition(dir, 'a billing period (YYYY-MM)');
    keys.add(key);
    return { dir, period: value, parquetFiles: countParquet(dir) };
  });
  return { keys: [...keys], partitions };
}

function legacyPartitions(root: string, names: string[]): { keys: string[]; partitions: CurPartition[] } {
  const keys = new Set<string>();
  const partitions: CurPartition[] = [];
  for (const yearName of names) {
    const [, yearKey, year] = YEAR_DIR.exec(yearName)!;
    const yearDir = path.join(root, yearName);
    if (!/^\d{4}$/.test(year)) throw badPartition(yearDir, 'a year (YYYY)');
    keys.add(yearKey);
    for (const monthName of subdirs(yearDir)) {
      const m = MONTH_DIR.exec(monthName);
      const dir = path.join(yearDir, monthName);
      if (!m) throw badPartition(dir, 'a month=M folder');
      const month = Number(m[2]);
      if (!/^\d{1,2}$/.test(m[2]) || month < 1 || month > 12) throw badPartition(dir, 'a month from 1 to 12');
      keys.add(m[1]);
      partitions.push({
        dir,
        period: `${year}-${String(month).padStart(2, '0')}`,
        parquetFiles: countParquet(dir),
      });
    }
  }
  return { keys: [...keys], partitions };
}

/** Inspects `curDir`; `expected` refuses a folder of the other layout ('auto' takes what it finds). */
export function inspectCurFolder(curDir: string, expected: CurLayout | 'auto' = 'auto'): CurFolder {
  const shown = path.resolve(curDir);
  if (!fs.existsSync(shown))
    throw new CreditDeskError('NO_DATA', `The CUR folder ${shown} does not exist.`, HINT_LAYOUT);
  if (!fs.statSync(shown).isDirectory())
    throw new CreditDeskError('NO_DATA', `${shown} is a file, not a CUR folder.`, HINT_LAYOUT);

  let root = shown;
  let names = subdirs(root);
  // CUR 2.0 Data Exports put the partitions under <export>/data/.
  if (!names.some((n) => CUR2_DIR.test(n) || YEAR_DIR.test(n)) && names.includes('data')) {
    root = path.join(shown, 'data');
    names = subdirs(root);
  }
  const cur2 = names.filter((n) => CUR2_DIR.test(n));
  const legacy = names.filter((n) => YEAR_DIR.test(n));
  if (cur2.length && legacy.length) {
    throw new CreditDeskError(
      'NO_DATA',
      `${root} mixes CUR 2.0 (billing_period=…) and legacy (year=…) folders.`,
      'Keep one layout per folder: move one of them elsewhere.',
    );
  }
  if (!cur2.length && !legacy.length) {
    const entries = fs.readdirSync(root).filter((n) => !n.startsWith('.'));
    if (!entries.length)
      throw new CreditDeskError('NO_DATA', `The CUR folder ${root} is empty.`, HINT_LAYOUT);
    const found =
      entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new CreditDeskError(
      'NO_DATA',
      `${root} holds neither billing_period=YYYY-MM nor year=YYYY/month=M folders (found: ${found}).`,
      HINT_LAYOUT,
    );
  }
  const layout: CurLayout = cur2.length ? 'cur2' : 'legacy';
  if (expected !== 'auto' && expected !== layout) {
    const name = (l: CurLayout): string =>
      l === 'cur2' ? 'CUR 2.0 (billing_period=…)' : 'legacy CUR (year=…/month=…)';
    throw new CreditDeskError(
      'NO_DATA',
      `${root} holds ${name(layout)} folders, but ${name(expected)} was asked for.`,
      'Drop the layout option to detect it, or point at the right folder.',
    );
  }
  const { keys, partitions } =
    layout === 'cur2' ? cur2Partitions(root, cur2) : legacyPartitions(root, legacy);
  if (keys.length > (layout === 'cur2' ? 1 : 2)) {
    throw new CreditDeskError(
      'NO_DATA',
      `${root} spells its partition folders in different cases (${keys.join(', ')}).`,
      'Rename the folders so every partition key is spelled the same way.',
    );
  }
  const withFiles = partitions.filter((p) => p.parquetFiles > 0);
  if (!withFiles.length) {
    throw new CreditDeskError(
      'NO_DATA',
      `No Parquet files under ${root} (${partitions.length} partition folder${partitions.length === 1 ? '' : 's'}, all empty).`,
      'Copy the CUR export (the .parquet files) into the partition folders, or run `credit-desk demo-data`.',
    );
  }
  withFiles.sort((a, b) =>
    a.period === b.period ? a.dir.localeCompare(b.dir) : a.period < b.period ? 1 : -1,
  );
  return { root, layout, keys, partitions: withFiles };
}
