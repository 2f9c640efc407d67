/**
 * Usage files on disk, in CloudBlue Connect's format (connect-layout.ts): an .xlsx with `general`, `categories` and
 * `records` tabs, one file per currency, and a JSON twin
 * that is also our journal (its status says how far a collection got). Both are written to a temporary name and
 * renamed, so a reader never sees half a file.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { sanitizeCell } from '../../core/csv';
import { removeStaleTemps, writeFileAtomically } from '../files/atomic-file';
import { xlsxMatches, xlsxPieces, type XlsxSheet, type XlsxValue } from '../xlsx/xlsx-stream';
import type { ConnectTarget, UsageFile } from '../../core/usage';
import { PLACEHOLDER_CONNECT } from '../settings';
import {
  CATEGORIES_HEADER,
  CATEGORY_ROWS,
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
  const path = usageJsonPath(dir, file.usageFileId);
  const { pieces, records } = journalBytes(file);
  await writeFileAtomically(path, pieces);
  // Where the records now stand in the file, for the same records saved again (recordsSource).
  const stamp = records && fileStamp(path);
  if (!records || !stamp) return;
  let start = 0;
  for (let i = 0; i < records.from; i++) start += pieces[i].length;
  let end = start;
  let crc = 0;
  for (let i = records.from; i < records.to; i++) {
    end += pieces[i].length;
    crc = crc32(pieces[i], crc);
  }
  recordsSource.set(file.records, { path, stamp, start, end, crc });
}

/**
 * The journal's text: `JSON.stringify(file, null, 2)` and a newline, except that each usage record is one line
 * (`JSON.stringify(record)`, indented by four spaces): a credit's whole record is one `grep` away, and the
 * text is a third smaller and 7× faster to write than with every field on a line of its own (a whole month's
 * journal at 50,000 credits: 0.7 s of a collect's CPU, and of a close's, went on indenting records; decision 0025). Any JSON
 * reader reads it as before (loadUsageFiles parses it with JSON.parse; journals written with every field on a
 * line read the same). Made a few MB at a time: one string of a whole month's records, then its bytes, was once
 * the largest allocation of a collect. Where the records' bytes stand in the file is kept with their array
 * (journals are never changed in place: core/usage.ts makes new ones), so the same records saved again (the
 * journal marked "ready" or "closed") are copied from the file, not encoded twice (recordsSource). `records`: the
 * pieces that are the records array, [from, to).
 */
function journalBytes(file: UsageFile): { pieces: Buffer[]; records?: { from: number; to: number } } {
  const marker = `\u0000records ${file.usageFileId}\u0000`;
  const head = JSON.stringify({ ...file, records: marker }, null, 2);
  const at = head.indexOf(JSON.stringify(marker));
  if (at === -1 || head.indexOf(JSON.stringify(marker), at + 1) !== -1)
    return { pieces: [Buffer.from(JSON.stringify(file, null, 2) + '\n', 'utf8')] }; // holds the marker: whole
  const records = recordsBytes(file.records);
  return {
    pieces: [
      Buffer.from(head.slice(0, at), 'utf8'),
      ...records,
      Buffer.from(`${head.slice(at + JSON.stringify(marker).length)}\n`, 'utf8'),
    ],
    records: { from: 1, to: 1 + records.length },
  };
}

const JOURNAL_BATCH_CHARS = 4 * 1024 * 1024;

/**
 * The records array at the journal's second level, a record a line: `[`, then each record's compact JSON on a
 * line indented by four spaces, then `]` on a line indented by two, as `JSON.stringify(file, null, 2)` closes it.
 * A compact JSON text holds no line break (JSON escapes them inside strings), so each line is one record.
 */
function recordsBytes(records: UsageFile['records']): Buffer[] {
  const known = recordsOnDisk(records);
  if (known) return known;
  if (!records.length) return [Buffer.from('[]', 'utf8')];
  const out: Buffer[] = [];
  let batch = '[';
  records.forEach((r, i) => {
    batch += `${i ? ',' : ''}\n    ${JSON.stringify(r)}`;
    if (batch.length >= JOURNAL_BATCH_CHARS) {
      out.push(Buffer.from(batch, 'utf8'));
      batch = '';
    }
  });
  out.push(Buffer.from(`${batch}\n  ]`, 'utf8'));
  return out;
}

/**
 * Where a journal's records array stands in its file (byte offsets of its JSON text), as loaded or as last saved,
 * while that file is as it was then: saving the same records again (`usage collect` marks its journals ready,
 * `usage close` closed) copies those bytes instead of encoding 50,000 records again (a quarter of a second of a
 * whole-month close). Only the place is kept, with the CRC-32 of its bytes, not the bytes: the records stay in
 * memory for the process (`parsed`, the command's own), and their text beside them was 100 MB more at the peak of
 * a 150,000-credit collect.
 */
const recordsSource = new WeakMap<
  readonly UsageFile['records'][number][],
  { path: string; stamp: string; start: number; end: number; crc: number }
>();

function recordsOnDisk(records: UsageFile['records']): Buffer[] | undefined {
  const at = recordsSource.get(records);
  if (!at || fileStamp(at.path) !== at.stamp) return undefined;
  const out = Buffer.allocUnsafe(at.end - at.start);
  const fd = openSync(at.path, 'r');
  try {
    if (readSync(fd, out, 0, out.length, at.start) !== out.length) return undefined;
  } finally {
    closeSync(fd);
  }
  // The bytes the records were parsed from, not a rewrite in place the stamp missed (a coarse clock, one size).
  return crc32(out) === at.crc ? [out] : undefined;
}

const RECORDS_AT = Buffer.from('\n  "records": [\n', 'utf8');
const RECORDS_END = Buffer.from('\n  ]', 'utf8');

/**
 * A journal's text parsed as two pieces: its records array (the text between `"records": ` at the top level and
 * the `]` that closes it, as journalBytes writes it and as `JSON.stringify(file, null, 2)` did) and the rest with
 * `0` in its place. The records are by construction what those bytes say, so they can be copied back as they are
 * (recordsSource). A journal not laid out so (no such line, or the rest not holding the 0 at the top level) is
 * parsed whole. JSON escapes line breaks inside strings, so the two lines cut at are the structure's own.
 */
function parseJournal(bytes: Buffer): {
  file: UsageFile;
  records?: { start: number; end: number; crc: number };
} {
  const at = bytes.indexOf(RECORDS_AT);
  const end = at === -1 ? -1 : bytes.indexOf(RECORDS_END, at + RECORDS_AT.length);
  if (end !== -1) {
    const start = at + RECORDS_AT.length - 2; // the [
    const stop = end + RECORDS_END.length;
    try {
      const rest = JSON.parse(
        `${bytes.toString('utf8', 0, start)}0${bytes.toString('utf8', stop)}`,
      ) as UsageFile | null;
      if (rest && typeof rest === 'object' && (rest.records as unknown) === 0) {
        const records = JSON.parse(bytes.toString('utf8', start, stop)) as UsageFile['records'];
        if (Array.isArray(records))
          return {
            file: { ...rest, records },
            records: { start, end: stop, crc: crc32(bytes.subarray(start, stop)) },
          };
      }
    } catch {
      // not cut where the layout says: parsed whole below, which says what is wrong if anything is
    }
  }
  return { file: JSON.parse(bytes.toString('utf8')) as UsageFile };
}

/** Removes a usage file that ended up with no credit (its JSON last: it is the journal). */
export function removeUsageFile(dir: string, id: string): void {
  rmSync(usageXlsxPath(dir, id), { force: true });
  rmSync(usageJsonPath(dir, id), { force: true });
}

/**
 * The journals of the folder loaded last, with each file's identity then (fileStamp): a usage command loads the
 * folder two or three times (Connect's rejections, reconciliation, the command itself), and a whole month's
 * journals are 42 MB of JSON at 50,000 credits. A file replaced or touched since (another inode, size or
 * modification time) is parsed again; only the last folder's are kept, so memory holds what a command needs.
 */
let parsed = new Map<string, { stamp: string; file: UsageFile }>();

/**
 * The journal's records frozen, deeply, before they are kept: the kept parse is handed to every later load in this
 * process, so a record changed in place by one caller would change the money record every other caller reads. A
 * frozen record makes such a change throw (modules are strict) instead of spreading silently.
 */
function withFrozenRecords(file: UsageFile): UsageFile {
  const freeze = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
    for (const inner of Object.values(value)) freeze(inner);
    Object.freeze(value);
  };
  freeze(file.records);
  return file;
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
  const before = parsed;
  parsed = new Map();
  return names
    .filter((n) => /^UF-.*\.json$/.test(n))
    .map((n) => {
      const path = join(dir, n);
      const stamp = fileStamp(path);
      const known = before.get(path);
      // A copy of the top level, so a caller setting a field changes its own; records are never changed in place.
      if (known && stamp && known.stamp === stamp) {
        parsed.set(path, known);
        return { ...known.file };
      }
      try {
        const { file, records } = parseJournal(readFileSync(path));
        if (stamp) parsed.set(path, { stamp, file: withFrozenRecords(file) });
        if (stamp && records) recordsSource.set(file.records, { path, stamp, ...records });
        return { ...file };
      } catch (e) {
        throw new Error(
          `${path} is not a readable usage file (${(e as Error).message}). Move it away if it is not one.`,
        );
      }
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Whether the usage .xlsx of `file` exists and is exactly what writeUsageXlsx writes from this journal: the same
 * tabs, header and rows, cell for cell (sync-service/xlsx/xlsx-stream.ts compares the file's XML, inflated as a
 * stream, with the XML the journal gives; nothing is parsed, nothing is whole in memory). A kill during the write
 * leaves no file (it is renamed into place whole), so a missing, older-layout or different one is rewritten from
 * the journal, which is the truth.
 */
export async function usageXlsxMatches(dir: string, file: UsageFile): Promise<boolean> {
  const path = usageXlsxPath(dir, file.usageFileId);
  if (!existsSync(path)) return false;
  if (file.records.some((r) => !r.billed)) return false; // an older journal: its file is rewritten
  if (writtenHere(path, file)) return true;
  return xlsxMatches(readFileSync(path), usageSheets(file));
}

/**
 * The journal each usage .xlsx was last written from by this process, with the file's identity just after the
 * write. A collection checks the file it has just written twice (before the sheet write, and before "ready");
 * when the journal is that very object (journals are never changed in place: core/usage.ts makes new ones) and
 * the file is still the one written (same inode, size and modification time to the nanosecond), comparing its
 * XML again could only say "same". A resumed collection, another process's file or a file touched since is
 * compared in full.
 */
const written = new WeakMap<UsageFile, { path: string; stamp: string }>();

function fileStamp(path: string): string | null {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return null;
  }
}

function writtenHere(path: string, file: UsageFile): boolean {
  const w = written.get(file);
  return !!w && w.path === path && w.stamp === fileStamp(path);
}

/** The journal's Connect IDs, or the placeholders for a journal written before they were settings. */
function connectOf(file: UsageFile): ConnectTarget {
  return file.connect ?? PLACEHOLDER_CONNECT;
}

/**
 * The usage file in Connect's format (sync-service/usage/connect-layout.ts says which rule comes from where):
 * `general`, `categories` and `records`, one record per billed share of each credit, written as a stream of rows
 * (sync-service/xlsx/xlsx-stream.ts): memory holds the journal and the compressed file, not a workbook.
 */
export async function writeUsageXlsx(dir: string, file: UsageFile): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = usageXlsxPath(dir, file.usageFileId);
  await writeFileAtomically(path, await xlsxPieces(usageSheets(file)));
  const stamp = fileStamp(path);
  if (stamp) written.set(file, { path, stamp });
  return path;
}

/** The three tabs of a usage file, over whatever columns connect-layout.ts gives. */
function usageSheets(file: UsageFile): XlsxSheet[] {
  const connect = connectOf(file);
  return [
    { name: TAB_GENERAL, header: GENERAL_HEADER, rows: generalRows(file, connect), widths: [26, 48] },
    { name: TAB_CATEGORIES, header: CATEGORIES_HEADER, rows: CATEGORY_ROWS },
    { name: TAB_RECORDS, header: RECORDS_HEADER, rows: recordCells(file, connect.item) },
  ];
}

function* recordCells(file: UsageFile, item: string): Generator<XlsxValue[]> {
  for (const row of recordRows(file, item))
    yield RECORDS_HEADER.map((h) => (typeof row[h] === 'string' ? sanitizeCell(row[h]) : row[h]));
}
