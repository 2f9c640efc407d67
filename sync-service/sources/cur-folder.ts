/**
 * Finds the CUR in a local folder laid out as AWS delivers it, and the files of each billing period:
 *
 * - CUR 2.0 Data Export (CSV or Parquet): `<export>/data/BILLING_PERIOD=YYYY-MM/[<execution>/]…` beside
 *   `<export>/metadata/BILLING_PERIOD=YYYY-MM/…-Manifest.json`; also plain `billing_period=YYYY-MM/` folders
 *   (any case), as `credit-desk demo-data` writes them;
 * - legacy CUR with the Athena integration (Parquet): `<report>/<report>/year=YYYY/month=M/` beside
 *   `<report>/cost_and_usage_data_status/`, or the inner folder itself;
 * - legacy CUR in CSV.gz: `<report>/<yyyymmdd-yyyymmdd>/<assembly id>/<report>-N.csv.gz` with
 *   `<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json`
 *   (https://docs.aws.amazon.com/cur/latest/userguide/understanding-report-versions.html).
 *
 * `--cur` may name the folder of the partitions or any folder up to three levels above it (the export's or the
 * report's root, or the prefix that holds it). Which version of a month is read is cur-versions.ts's job; what
 * the files hold is left to DuckDB. Errors say what was found and what to do, because this is the first thing a
 * new user hits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreditDeskError } from '../../core/errors';
import type { CurLayout } from './credits-query';
import { isManifestName } from './cur-manifest';
import { chooseVersion, dataFilesUnder, formatOf, type CurFormat } from './cur-versions';
import { pushAll } from '../../core/arrays';

export interface CurPeriod {
  period: string;
  format: CurFormat;
  files: string[];
  /** Which version was read, when the folder held more than one, or which manifest named the files. */
  notes: string[];
}

export interface CurFolder {
  /** The folder that holds the partition folders. */
  root: string;
  layout: CurLayout;
  /** How AWS delivered it, for messages: "CUR 2.0", "legacy CUR (CSV)", … */
  delivery: string;
  /** Newest period first, each with the files of its current version. */
  periods: CurPeriod[];
}

const CUR2_DIR = /^(billing_period)=(.*)$/i;
const YEAR_DIR = /^(year)=(.*)$/i;
const MONTH_DIR = /^(month)=(.*)$/i;
/** A legacy CUR report's month folder: yyyymmdd-yyyymmdd, the first day of the month and of the next. */
const RANGE_DIR = /^(\d{4})(\d{2})01-\d{8}$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
/** Folders AWS delivers beside the data that hold no CUR lines. */
const NOT_DATA = /^(metadata|cost_and_usage_data_status)$/i;

const HINT_LAYOUT =
  'Point --cur at the CUR as AWS delivers it: a CUR 2.0 export (the folder with data/ and metadata/), a legacy report folder (with yyyymmdd-yyyymmdd folders, or <report>/year=YYYY/month=M for the Athena integration), or run `credit-desk demo-data` to make one.';

function subdirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
}

function badPartition(dir: string, what: string): CreditDeskError {
  return new CreditDeskError(
    'NO_DATA',
    `CUR partition folder ${dir} is not ${what}.`,
    'Rename or remove that folder; partitions look like billing_period=2026-09, year=2026/month=9 or 20260901-20261001.',
  );
}

type Kind = 'cur2' | 'athena' | 'csv';

function kindOf(dir: string): Kind | 'mixed' | null {
  const names = subdirs(dir);
  const cur2 = names.some((n) => CUR2_DIR.test(n));
  const athena = names.some((n) => YEAR_DIR.test(n));
  if (cur2 && athena) return 'mixed';
  if (cur2) return 'cur2';
  if (athena) return 'athena';
  // Only month folders with data: a Parquet report's root can also hold yyyymmdd-yyyymmdd folders of manifests.
  return names.some((n) => RANGE_DIR.test(n) && dataFilesUnder(path.join(dir, n)).length > 0) ? 'csv' : null;
}

/** The nearest folder at or up to three levels below `dir` that holds partitions; more than one is ambiguous. */
function findRoot(dir: string): { root: string; kind: Kind } | null {
  let level = [dir];
  for (let depth = 0; depth <= 3 && level.length; depth++) {
    const found: { root: string; kind: Kind }[] = [];
    for (const d of level) {
      const kind = kindOf(d);
      if (kind === 'mixed') {
        throw new CreditDeskError(
          'NO_DATA',
          `${d} mixes CUR 2.0 (billing_period=…) and legacy (year=…) folders.`,
          'Keep one layout per folder: move one of them elsewhere.',
        );
      }
      if (kind) found.push({ root: d, kind });
    }
    if (found.length > 1) {
      throw new CreditDeskError(
        'NO_DATA',
        `${dir} holds more than one CUR (${found.map((f) => path.relative(dir, f.root)).join(', ')}).`,
        'Point --cur at one of them.',
      );
    }
    if (found.length) return found[0];
    level = level.flatMap((d) =>
      subdirs(d)
        .filter((n) => !NOT_DATA.test(n))
        .map((n) => path.join(d, n)),
    );
  }
  return null;
}

/** CUR 2.0 manifests of one partition: <export>/metadata/<same partition name>/…-Manifest.json, any case. */
function cur2Manifests(root: string, partitionName: string): string[] {
  if (path.basename(root).toLowerCase() !== 'data') return [];
  const exportRoot = path.dirname(root);
  const metadata = subdirs(exportRoot).find((n) => n.toLowerCase() === 'metadata');
  if (!metadata) return [];
  const dir = subdirs(path.join(exportRoot, metadata)).find(
    (n) => n.toLowerCase() === partitionName.toLowerCase(),
  );
  return dir ? filesUnder(path.join(exportRoot, metadata, dir)).filter((f) => isManifestName(f)) : [];
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

interface Partition {
  dir: string;
  period: string;
  manifests: string[];
}

function cur2Partitions(root: string): Partition[] {
  return subdirs(root)
    .filter((n) => CUR2_DIR.test(n))
    .map((name) => {
      const value = CUR2_DIR.exec(name)![2];
      const dir = path.join(root, name);
      if (!PERIOD.test(value)) throw badPartition(dir, 'a billing period (YYYY-MM)');
      return { dir, period: value, manifests: cur2Manifests(root, name) };
    });
}

function athenaPartitions(root: string): Partition[] {
  const out: Partition[] = [];
  for (const yearName of subdirs(root).filter((n) => YEAR_DIR.test(n))) {
    const year = YEAR_DIR.exec(yearName)![2];
    const yearDir = path.join(root, yearName);
    if (!/^\d{4}$/.test(year)) throw badPartition(yearDir, 'a year (YYYY)');
    for (const monthName of subdirs(yearDir)) {
      const m = MONTH_DIR.exec(monthName);
      const dir = path.join(yearDir, monthName);
      if (!m) throw badPartition(dir, 'a month=M folder');
      const month = Number(m[2]);
      if (!/^\d{1,2}$/.test(m[2]) || month < 1 || month > 12) throw badPartition(dir, 'a month from 1 to 12');
      out.push({ dir, period: `${year}-${String(month).padStart(2, '0')}`, manifests: [] });
    }
  }
  return out;
}

/** Legacy CSV: the report's manifest sits in the month folder; assembly folders hold their own copy, ignored. */
function csvPartitions(root: string): Partition[] {
  return subdirs(root)
    .filter((n) => RANGE_DIR.test(n))
    .map((name) => {
      const [, year, month] = RANGE_DIR.exec(name)!;
      const dir = path.join(root, name);
      if (!PERIOD.test(`${year}-${month}`)) throw badPartition(dir, 'a month (yyyymm01-yyyymmdd)');
      const manifests = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile() && isManifestName(e.name))
        .map((e) => path.join(dir, e.name));
      return { dir, period: `${year}-${month}`, manifests };
    });
}

const DELIVERY: Record<Kind, string> = {
  cur2: 'CUR 2.0',
  athena: 'legacy CUR',
  csv: 'legacy CUR in CSV',
};

/** Inspects `curDir`; `expected` refuses a folder of the other layout ('auto' takes what it finds). */
export function inspectCurFolder(curDir: string, expected: CurLayout | 'auto' = 'auto'): CurFolder {
  const shown = path.resolve(curDir);
  if (!fs.existsSync(shown))
    throw new CreditDeskError('NO_DATA', `The CUR folder ${shown} does not exist.`, HINT_LAYOUT);
  if (!fs.statSync(shown).isDirectory())
    throw new CreditDeskError('NO_DATA', `${shown} is a file, not a CUR folder.`, HINT_LAYOUT);

  const found = findRoot(shown);
  if (!found) {
    const entries = fs.readdirSync(shown).filter((n) => !n.startsWith('.'));
    if (!entries.length)
      throw new CreditDeskError('NO_DATA', `The CUR folder ${shown} is empty.`, HINT_LAYOUT);
    const list =
      entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new CreditDeskError(
      'NO_DATA',
      `${shown} holds no CUR: neither billing_period=YYYY-MM, year=YYYY/month=M nor yyyymmdd-yyyymmdd folders, here or up to three levels down (found: ${list}).`,
      HINT_LAYOUT,
    );
  }
  const { root, kind } = found;
  const layout: CurLayout = kind === 'cur2' ? 'cur2' : 'legacy';
  if (expected !== 'auto' && expected !== layout) {
    const name = (l: CurLayout): string =>
      l === 'cur2' ? 'CUR 2.0 (billing_period=…)' : 'legacy CUR (year=…/month=… or yyyymmdd-yyyymmdd)';
    throw new CreditDeskError(
      'NO_DATA',
      `${root} holds ${name(layout)} folders, but ${name(expected)} was asked for.`,
      'Drop the layout option to detect it, or point at the right folder.',
    );
  }
  const partitions =
    kind === 'cur2' ? cur2Partitions(root) : kind === 'athena' ? athenaPartitions(root) : csvPartitions(root);

  // A legacy month can have two folders (month=7 and month=07): both are read, as Athena reads both.
  const byPeriod = new Map<string, CurPeriod>();
  for (const p of partitions) {
    const chosen = chooseVersion(p.dir, p.manifests, shown);
    if (!chosen.files.length) continue;
    const period = byPeriod.get(p.period) ?? { period: p.period, format: 'parquet', files: [], notes: [] };
    pushAll(period.files, chosen.files);
    if (chosen.note) period.notes.push(chosen.note);
    byPeriod.set(p.period, period);
  }
  for (const period of byPeriod.values()) {
    const formats = new Set(period.files.map(formatOf));
    if (formats.size > 1) {
      throw new CreditDeskError(
        'NO_DATA',
        `${period.period} in ${root} holds both Parquet and CSV files (${period.files.map((f) => path.basename(f)).join(', ')}).`,
        'Keep one delivery per month: move the copy you converted by hand out of the folder.',
      );
    }
    period.format = [...formats][0];
  }
  if (!byPeriod.size) {
    const zipped = filesUnder(root).filter((f) => /\.csv\.zip$/i.test(f)).length;
    throw new CreditDeskError(
      'NO_DATA',
      `No CUR data files (.parquet, .csv or .csv.gz) under ${root} (${partitions.length} partition folder${partitions.length === 1 ? '' : 's'}, all empty${zipped ? `; ${zipped} .csv.zip file${zipped === 1 ? '' : 's'}, which are not read` : ''}).`,
      zipped
        ? 'Unzip the .csv.zip files where they are (or set the report to GZIP compression), then run again.'
        : 'Copy the CUR export (its data files, with the manifest) into the folder, or run `credit-desk demo-data`.',
    );
  }
  const periods = [...byPeriod.values()].sort((a, b) => (a.period < b.period ? 1 : -1));
  return { root, layout, delivery: DELIVERY[kind], periods };
}
