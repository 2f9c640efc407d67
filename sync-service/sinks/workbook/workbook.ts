/**
 * The local .xlsx workbook sink (the offline default "sheet"), on ExcelJS's in-memory model.
 *
 * read() loads the file (or starts a new workbook with the contract tabs) and returns every tab as a grid;
 * write() applies a change set by Key, re-formats and re-protects the Credits tab from its Status column, and
 * saves atomically (temp file + fsync + rename, the previous file kept as <name>.bak).
 *
 * Opened for writing (`lock`), the sink holds `<name>.lock` (./file-lock.ts) from its first read to close(),
 * so no other credit-desk command can change the file between this one's read and its rename.
 *
 * Excel does not know that lock: if someone saved the file between read() and write() (a person sorting
 * rows), write() reloads it first, so their edits are kept, each update still lands on the row that holds
 * its Key, and an update whose Status or Allocation they changed is skipped (CellUpdate.expect).
 */
import { readFile, stat } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import { basename, dirname, join } from 'node:path';
import type ExcelJS from 'exceljs';
import { excelJs } from '../../xlsx/exceljs-lazy';
import { CreditDeskError } from '../../../core/errors';
import {
  CREDIT_COLUMNS,
  creditHeader,
  TABS,
  type CreditField,
  type TabId,
} from '../../../core/sheet-contract';
import { TAB_ORDER } from '../../../core/sheet-layout';
import { headerKey, text, type Cell, type Grid } from '../../../core/table';
import { writeFileAtomically, type FileBytes } from '../../files/atomic-file';
import {
  acquireFileLock,
  removeLeftoverTemps,
  type FileLock,
  type FileLockOptions,
} from '../../files/file-lock';
import { type ReadOptions, type Sink } from '../sink';
import {
  auditWithout,
  conflictOf,
  isEmptyChangeSet,
  withoutKeys,
  type ChangeSet,
  type GuardedField,
  type SkippedChange,
  type Snapshot,
  type WriteReport,
} from '../../../core/sheet-changes';
import { cellFromExcel, excelValueFor } from '../../xlsx/workbook-cells';
import { fileAccessError, openInExcel, unreadableWorkbook } from './workbook-errors';
import { skippedAsAdded, skippedAsChanged, skippedAsGone } from '../../../core/write-contract';
import { formatAuditTab, formatCreditsTab, formatLedgerTab, formatStaffTab } from './workbook-format';
import { applyLedgerChanges, applyRowRepairs } from './workbook-ledger';
import { patchWorkbook } from './workbook-patch';
import { readChunkRecords, removeChunkRecords, writeChunkRecords } from './workbook-chunk-maps';
import { plainTabSizes, readPlainWorkbookParts, type MeasuredSizes } from './workbook-read';
import { renderWorkbookSummary } from './workbook-summary';
import { workbookTabSizes } from '../grid-size';
import type { TabSize } from '../../../core/cell-budget';
import { removeRows } from './workbook-remove';
import { Interrupted, stopPoint } from '../../interrupt';
import {
  columnOf,
  ensureLayout,
  indexKeys,
  readHeaderIndex,
  writeGridRows,
  type Seed,
} from './workbook-layout';
import { lastUsedRow, readGrid } from '../../xlsx/worksheet-grid';

export interface WorkbookSinkOptions {
  path: string;
  onProgress?: (msg: string) => void;
  /** Accounts / Rules rows for a workbook created by this run. */
  seed?: Seed;
  /** Saves the bytes; defaults to an atomic replace keeping `<path>.bak`. Replaceable to simulate failures. */
  saveFile?: (path: string, bytes: FileBytes) => Promise<void>;
  /** Take the writer lock `<path>.lock` at the first read and hold it until close(). Off for read-only use. */
  lock?: FileLockOptions;
  /** Patch a few changed rows into the file (workbook-patch.ts) rather than rewrite it whole; default true. Off in tests that compare the two. */
  patch?: boolean;
  /** For tests: the patcher's deflate chunk size (workbook-zip.ts), small so that small parts have many chunks. */
  zipChunkBytes?: number;
  /** New credits from which a first load is written as one row by ExcelJS and the rest patched; for tests. */
  firstLoadSplit?: number;
  /** Cells the write may hold; default: what fits in this process's heap (cellsThatFit). For tests. */
  maxCells?: number;
}

/** What identifies the file version we loaded; a different one at write time means someone else saved it. */
interface FileVersion {
  size: number;
  mtimeMs: number;
  ino: number;
}

const PROGRESS_EVERY_ROWS = 10_000;

/** A first load of this many new credits or more is written by firstLoadPatched. */
const FIRST_LOAD_SPLIT = 1_000;
/** How many more cells a patched first load may hold than a whole write in ExcelJS (see write()). */
const PATCHED_SHARE = 2;

/**
 * Writing goes through ExcelJS's in-memory model, which holds every cell of the workbook. Measured with
 * `npm run bench -- big`: 150,000 credits with their Audit rows (4.5 M cells) fit in the default 4 GiB heap,
 * so under ~900 bytes per cell. A write that would not fit is refused before it starts, with the number of
 * credits that fits, rather than dying half-way with "JavaScript heap out of memory" (the file is never
 * half-written either way: saves are atomic).
 */
const BYTES_PER_CELL = 800;
const HEAP_SHARE = 0.9;

/** Cells that fit in this process's heap. Exported for tests. */
export function cellsThatFit(heapLimit = getHeapStatistics().heap_size_limit): number {
  return Math.floor((heapLimit * HEAP_SHARE) / BYTES_PER_CELL);
}

function refuseIfTooBig(
  label: string,
  tabs: Snapshot['tabs'] | undefined,
  changes: ChangeSet,
  fits: number,
): void {
  if (!tabs) return;
  const width = (tab: TabId) => Math.max(tabs[tab].headers.length, TABS[tab].columns.length);
  let cells = 0;
  for (const tab of TAB_ORDER) cells += (tabs[tab].rows.length + 1) * width(tab);
  cells += changes.appends.length * width('credits') + changes.audit.length * width('audit');
  if (cells <= fits) return;
  const perCredit = width('credits') + width('audit'); // a credit row and (about) one Audit row
  const credits = tabs.credits.rows.length + changes.appends.length;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  const needed = Math.ceil((cells * BYTES_PER_CELL) / HEAP_SHARE / 2 ** 20 / 1024) + 1;
  throw new CreditDeskError(
    'BAD_SHEET',
    `${label} would hold ${credits.toLocaleString('en-US')} credits (${cells.toLocaleString('en-US')} cells with the other tabs); ` +
      `this process's ${gib(getHeapStatistics().heap_size_limit)} GiB of heap fits about ${Math.floor(fits / perCredit).toLocaleString('en-US')} credits in a workbook. Nothing was written.`,
    `Run with more heap if the machine has the memory (NODE_OPTIONS=--max-old-space-size=${needed * 1024}, about ${needed} GiB), ` +
      'sync one period at a time (--period, --no-previous), or use a Google Sheet (--spreadsheet).',
  );
}

/**
 * Excel shows at most 32,767 characters of a cell. Longer text (a CUR description can be) is still written in
 * full: it is an input to the credit's key, and our own read gets it back whole. Only Excel truncates, so a
 * warning says so.
 */
const EXCEL_CELL_LIMIT = 32_767;

function countOverlong(changes: ChangeSet): number {
  const long = (v: Cell | undefined) => typeof v === 'string' && v.length > EXCEL_CELL_LIMIT;
  let n = 0;
  for (const u of changes.updates) n += Object.values(u.fields).filter(long).length;
  for (const r of [...changes.appends, ...changes.audit]) n += Object.values(r).filter(long).length;
  return n;
}

export function createWorkbookSink(opts: WorkbookSinkOptions): Sink {
  const label = basename(opts.path);
  const backupPath = `${opts.path}.bak`;
  const progress = opts.onProgress ?? (() => undefined);
  const save =
    opts.saveFile ?? ((path: string, bytes: FileBytes) => writeFileAtomically(path, bytes, { backupPath }));
  let workbook: ExcelJS.Workbook | undefined;
  let loadedVersion: FileVersion | null = null;
  let created: TabId[] = [];
  let lock: FileLock | null = null;
  /** What read() returned, for the size check before a write. */
  let lastRead: Snapshot['tabs'] | undefined;
  /** The file read() parsed and the XML parts it inflated, for the patching writer. */
  let readBytes: { bytes: Buffer; parts: Map<string, Buffer> } | undefined;
  /** The tab sizes of the file version read() parsed (measured while parsing), for gridSize. */
  let readSizes: { version: FileVersion; sizes: () => TabSize[] | null } | undefined;
  /** The sheet sizes the last fast read measured, by part and CRC: a part a write left as it was is not measured again. */
  let measured: MeasuredSizes | undefined;

  function warnOverlong(changes: ChangeSet): void {
    const overlong = countOverlong(changes);
    if (!overlong) return;
    progress(
      `warning: ${overlong} cell(s) are longer than Excel's ${EXCEL_CELL_LIMIT.toLocaleString('en-US')}-character limit; ` +
        `${label} keeps them in full, but Excel shows them cut off and would shorten them if the workbook is saved in Excel`,
    );
  }

  async function saveBytes(bytes: FileBytes): Promise<void> {
    try {
      await save(opts.path, bytes);
    } catch (err) {
      // The in-memory workbook now holds changes the file does not: drop it so the next read starts clean.
      workbook = undefined;
      // A stop asked for (Ctrl-C) is not a file that cannot be saved: it goes up as it is (exit 130, its message).
      if (err instanceof CreditDeskError || err instanceof Interrupted) throw err;
      throw fileAccessError(label, 'save', err);
    }
    loadedVersion = await fileVersion(opts.path, label);
  }

  /** Taken before the first read, so the read, the plan and the rename all happen under it. */
  async function ensureLock(): Promise<void> {
    if (!opts.lock || lock) return;
    lock = await acquireFileLock(opts.path, opts.lock);
    const removed = removeLeftoverTemps(opts.path);
    if (removed.length)
      progress(`removed ${removed.length} temporary file(s) a killed run left: ${removed.join(', ')}`);
  }

  async function load(): Promise<ExcelJS.Workbook> {
    const version = await fileVersion(opts.path, label);
    const wb = new (excelJs().Workbook)();
    if (version) {
      progress(`reading ${label}`);
      try {
        await wb.xlsx.readFile(opts.path);
      } catch (err) {
        if (isFileSystemError(err)) throw fileAccessError(label, 'read', err);
        throw unreadableWorkbook(label, basename(backupPath), err);
      }
    } else {
      progress(`${label} does not exist yet; starting a new workbook`);
    }
    created = TAB_ORDER.filter((t) => !wb.getWorksheet(TABS[t].name));
    ensureLayout(wb, version ? {} : (opts.seed ?? {}));
    const credits = sheet(wb, 'credits');
    indexKeys(credits, columnOf(credits, readHeaderIndex(credits), 'Key'));
    loadedVersion = version;
    return wb;
  }

  /**
   * The first credits of a workbook (a new file, or an empty Credits tab): ExcelJS writes the first one, with
   * everything else the change set holds but the other new rows and the Audit, into bytes in memory, and the
   * patcher appends the rest to those bytes; the file is saved once, as by the whole write. ExcelJS's model of
   * 150,000 new credits took ~100 s and most of the heap, superlinear in the credits; the patcher's rows are
   * linear. Null when this is not a first load or the patcher cannot take the rest: the caller writes whole.
   */
  async function firstLoadPatched(
    changes: ChangeSet,
    current: FileVersion | null,
  ): Promise<WriteReport | null> {
    if (changes.updates.length || changes.rowRepairs?.length || changes.remove) return null;
    // A Key twice or none: the whole write's error to raise, with its message.
    const keys = new Set(changes.appends.map((a) => text(a.key)));
    if (keys.size !== changes.appends.length || keys.has('')) return null;
    if (!workbook || !sameVersion(current, loadedVersion)) workbook = await load();
    const wb = workbook;
    if (lastUsedRow(sheet(wb, 'credits')) > 1) return null;
    workbook = undefined; // the model gets the first row below and is never saved itself
    await refuseIfOpenInExcel(opts.path, label);
    const first: ChangeSet = { ...changes, appends: changes.appends.slice(0, 1), audit: [] };
    const rest: ChangeSet = { updates: [], appends: changes.appends.slice(1), audit: changes.audit };
    const firstReport = applyChanges(wb, first);
    if (first.summary) await renderWorkbookSummary(wb, first.summary);
    await formatTabs(wb);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    progress(`writing ${label}: ${changes.appends.length.toLocaleString('en-US')} new credit rows`);
    let outcome: Awaited<ReturnType<typeof patchWorkbook>>;
    try {
      const read = await readPlainWorkbookParts(bytes);
      if (!read) return null;
      outcome = await patchWorkbook(bytes, read.tabs, rest, read.parts, new Map(), opts.zipChunkBytes, true);
    } catch (err) {
      if (err instanceof RangeError) return null; // rows too many for one string: the whole write decides
      throw err;
    }
    if (outcome.kind !== 'patched') return null;
    warnOverlong(changes);
    await saveBytes(outcome.bytes);
    writeChunkRecords(opts.path, outcome.chunkRecords);
    lastRead = undefined;
    return {
      updatedRows: 0,
      appendedRows: firstReport.appendedRows + outcome.report.appendedRows,
      skipped: [...firstReport.skipped, ...outcome.report.skipped],
      lockedRows: outcome.report.lockedRows,
    };
  }

  return {
    label,

    async read(readOpts?: ReadOptions): Promise<Snapshot> {
      await ensureLock();
      // The fast path reads the grids straight from the file; write() loads ExcelJS's model when it needs it.
      // It gives up (null) on a missing tab or header, so a tab to create always goes through load() below.
      const version = await fileVersion(opts.path, label);
      const bytes = version ? await readFile(opts.path).catch(() => null) : null;
      const only = readOpts?.only;
      // A narrow Audit (readOpts.auditColumns) is still one a write can be planned from: the patcher takes only
      // the Audit's headers and row count from it (and its Credit IDs, which are always read).
      const read = bytes ? await readPlainWorkbookParts(bytes, only, readOpts) : null;
      const plain = read?.tabs;
      if (plain && bytes) {
        workbook = undefined;
        created = [];
        const rows = plain.credits.rows.length;
        if (rows >= PROGRESS_EVERY_ROWS)
          progress(`read ${label}: ${rows.toLocaleString('en-US')} credit rows`);
        // Some tabs left out: nothing a write could be planned from, so nothing is kept for one.
        loadedVersion = only ? null : version;
        readBytes = only ? undefined : { bytes, parts: read.parts };
        lastRead = only ? undefined : plain;
        readSizes = version ? { version, sizes: read.sizes } : undefined;
        measured = read.measured;
        return { tabs: plain, created };
      }
      workbook = await load();
      const tabs = {} as Record<TabId, Grid>;
      for (const tab of TAB_ORDER) tabs[tab] = readGrid(sheet(workbook, tab), TABS[tab].columns);
      const rows = tabs.credits.rows.length;
      if (rows >= PROGRESS_EVERY_ROWS) progress(`read ${label}: ${rows.toLocaleString('en-US')} credit rows`);
      lastRead = tabs;
      return { tabs, created };
    },

    async write(changes: ChangeSet): Promise<WriteReport> {
      await stopPoint(); // after Ctrl-C, not even the plan is built: the workbook stays as it is (interrupt.ts)
      await ensureLock();
      const current = await fileVersion(opts.path, label);
      // A few rows on a plain workbook: patch the zip (workbook-patch.ts) instead of rebuilding it in ExcelJS.
      if (!workbook && current && opts.patch !== false) {
        await refuseIfOpenInExcel(opts.path, label);
        // What read() parsed, when the file is still that version; otherwise (a second write, or someone
        // saved the file meanwhile) the file as it is now, so their edits are kept and compared against.
        const fresh = lastRead && readBytes && sameVersion(current, loadedVersion);
        const bytes = fresh ? readBytes!.bytes : await readFileBytes(opts.path, label);
        const read = fresh
          ? { tabs: lastRead!, parts: readBytes!.parts }
          : await readPlainWorkbookParts(bytes);
        readBytes = undefined;
        const outcome = read
          ? await patchWorkbook(
              bytes,
              read.tabs,
              changes,
              read.parts,
              readChunkRecords(opts.path),
              opts.zipChunkBytes,
            )
          : { kind: 'fallback' as const, reason: 'the file holds cells only ExcelJS reads' };
        if (outcome.kind === 'unchanged') return outcome.report;
        if (outcome.kind === 'patched') {
          warnOverlong(changes);
          await saveBytes(outcome.bytes);
          writeChunkRecords(opts.path, outcome.chunkRecords);
          lastRead = undefined; // the grids read are out of date now; the next write re-reads them from the file
          return outcome.report;
        }
        progress(`writing the whole of ${label} (${outcome.reason})`);
      }
      if (opts.patch !== false && changes.appends.length >= (opts.firstLoadSplit ?? FIRST_LOAD_SPLIT)) {
        // The patcher holds about half what ExcelJS's model does per cell (250,000 new credits, 7.3 M cells, took
        // 4.4 GiB with the default 4 GiB heap, measured): refused up front past twice ExcelJS's limit.
        refuseIfTooBig(label, lastRead, changes, PATCHED_SHARE * (opts.maxCells ?? cellsThatFit()));
        const loaded = await firstLoadPatched(changes, current);
        if (loaded) return loaded;
      }
      refuseIfTooBig(label, lastRead, changes, opts.maxCells ?? cellsThatFit());
      if (!workbook || !sameVersion(current, loadedVersion)) {
        if (workbook) progress(`${label} changed since it was read; reloading it so those edits are kept`);
        workbook = await load();
      }
      await refuseIfOpenInExcel(opts.path, label);
      const wb = workbook;
      const report = applyChanges(wb, changes);
      if (changes.remove)
        removeRows(sheet(wb, 'credits'), sheet(wb, 'audit'), sheet(wb, 'ledger'), changes.remove);
      const summaryChanged = changes.summary ? await renderWorkbookSummary(wb, changes.summary) : false;
      if (isEmptyChangeSet(changes) && !summaryChanged) return { ...report, lockedRows: 0 };
      warnOverlong(changes);

      const credits = sheet(wb, 'credits');
      const lastRow = lastUsedRow(credits);
      if (lastRow - 1 >= PROGRESS_EVERY_ROWS)
        progress(`writing ${label}: ${(lastRow - 1).toLocaleString('en-US')} rows`);
      const lockedRows = await formatTabs(wb, lastRow);

      await saveBytes(new Uint8Array(await wb.xlsx.writeBuffer()));
      removeChunkRecords(opts.path); // ExcelJS wrote every part anew: no map describes them
      return { ...report, lockedRows };
    },

    async gridSize(): Promise<TabSize[]> {
      if (workbook) return workbookTabSizes(workbook);
      // The file read() parsed, still unchanged (nothing written since): its sizes were measured then.
      const unchanged = readSizes && sameVersion(await fileVersion(opts.path, label), readSizes.version);
      return (
        (unchanged ? readSizes!.sizes() : null) ??
        (await plainTabSizes(opts.path, measured)) ??
        workbookTabSizes(await load())
      );
    },

    async close(): Promise<void> {
      workbook = undefined;
      lastRead = undefined;
      readBytes = undefined;
      readSizes = undefined;
      measured = undefined;
      loadedVersion = null;
      const held = lock;
      lock = null;
      await held?.release();
    },
  };
}

/** Every tab formatted and protected as a whole write leaves it; the locked Credits rows. */
async function formatTabs(
  wb: ExcelJS.Workbook,
  creditsLastRow = lastUsedRow(sheet(wb, 'credits')),
): Promise<number> {
  const lockedRows = await formatCreditsTab(sheet(wb, 'credits'), creditsLastRow);
  await formatAuditTab(sheet(wb, 'audit'), lastUsedRow(sheet(wb, 'audit')));
  for (const tab of ['accounts', 'rules', 'config'] as const) formatStaffTab(sheet(wb, tab), tab);
  await formatLedgerTab(sheet(wb, 'ledger'));
  return lockedRows;
}

function sheet(wb: ExcelJS.Workbook, tab: TabId): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(TABS[tab].name);
  if (!ws) throw new Error(`the ${TABS[tab].name} tab is missing after ensureLayout`); // a bug if reached
  return ws;
}

/**
 * Applies updates (by Key, only the named fields), appends and audit rows. Everything is checked before the
 * first cell changes, so a bad change set leaves the workbook as it was.
 */
function applyChanges(wb: ExcelJS.Workbook, changes: ChangeSet): Omit<WriteReport, 'lockedRows'> {
  const credits = sheet(wb, 'credits');
  const headers = readHeaderIndex(credits);
  const keyCol = columnOf(credits, headers, 'Key');
  let lastRow = lastUsedRow(credits);
  applyRowRepairs(credits, headers, changes.rowRepairs ?? [], lastRow);
  const rowOfKey = indexKeys(credits, keyCol, lastRow);
  const creditCol = (field: CreditField) => columnOf(credits, headers, creditHeader(field));
  const kindOf = new Map(CREDIT_COLUMNS.map((c) => [c.field, c.kind]));

  const cellAt = (r: number, field: CreditField) =>
    cellFromExcel(credits.getRow(r).getCell(creditCol(field)).value, kindOf.get(field));
  // The write contract (core/write-contract.ts): by Key, compare-and-set, a row deleted meanwhile skipped.
  const skipped: SkippedChange[] = [];
  const updates = changes.updates.filter((u) => {
    const r = rowOfKey.get(u.key);
    if (r === undefined) {
      skipped.push(skippedAsGone(u.key, u.creditId ?? ''));
      return false;
    }
    const conflict = conflictOf(u, (f: GuardedField) => cellAt(r, f));
    if (!conflict) return true;
    skipped.push(
      skippedAsChanged(u.key, u.creditId || text(cellAt(r, 'creditId')), conflict, cellAt(r, 'status')),
    );
    return false;
  });
  const appendedKeys = new Set<string>();
  const appends = changes.appends.filter((record) => {
    const key = text(record.key);
    if (!key || appendedKeys.has(key)) {
      throw new CreditDeskError(
        'BAD_SHEET',
        key ? `The change set adds Key ${key} twice.` : 'A new credit row has no Key.',
        'Nothing was written. This is a bug in the merge; report it with the command you ran.',
      );
    }
    appendedKeys.add(key);
    if (!rowOfKey.has(key)) return true;
    // Someone (Excel, or a run without the lock) added it since the read: theirs is kept, never doubled.
    skipped.push(skippedAsAdded(key, text(record.creditId), rowOfKey.get(key)!));
    return false;
  });
  const skippedIds = new Set(skipped.map((s) => s.creditId).filter(Boolean));

  for (const update of updates) {
    const row = credits.getRow(rowOfKey.get(update.key)!);
    for (const [field, value] of Object.entries(update.fields) as [CreditField, Cell][]) {
      row.getCell(creditCol(field)).value = excelValueFor(value, kindOf.get(field));
    }
  }
  for (const record of appends) {
    const row = credits.getRow(++lastRow);
    for (const spec of CREDIT_COLUMNS) {
      const value = excelValueFor(record[spec.field], spec.kind);
      if (value !== null) row.getCell(creditCol(spec.field)).value = value;
    }
  }
  const skippedKeys = new Set(skipped.map((s) => s.key));
  applyLedgerChanges(sheet(wb, 'ledger'), withoutKeys(changes.ledger, skippedKeys));
  const audit = auditWithout(changes.audit, skippedIds);
  if (audit.length) appendRecords(sheet(wb, 'audit'), 'audit', audit);
  for (const [tab, grid] of Object.entries(changes.replaceTabs ?? {}) as [TabId, Grid][])
    replaceTab(sheet(wb, tab), tab, grid);

  return {
    updatedRows: new Set(updates.map((u) => u.key)).size,
    appendedRows: appends.length,
    skipped,
  };
}

function appendRecords(ws: ExcelJS.Worksheet, tab: TabId, records: Record<string, Cell>[]): void {
  const headers = readHeaderIndex(ws);
  let last = lastUsedRow(ws);
  for (const record of records) {
    const row = ws.getRow(++last);
    for (const spec of TABS[tab].columns) {
      const value = excelValueFor((record as Record<string, Cell>)[spec.field], spec.kind);
      if (value !== null) row.getCell(columnOf(ws, headers, spec.header)).value = value;
    }
  }
}

/** The tab's rows become the grid's (the tab is owned by this run); contract headers the grid lacks are added at the end. */
function replaceTab(ws: ExcelJS.Worksheet, tab: TabId, grid: Grid): void {
  // Row by row from the last: ExcelJS 4.4's spliceRows(1, rowCount) removes nothing (it only moves the rows after
  // the cut, and there are none), which left the old tab under the new rows — a removed account or a cleared
  // Customer ID kept (test/sync-service/sinks/workbook/workbook-sink.test.ts). Splicing the last row does remove it.
  for (let r = ws.rowCount; r >= 1; r--) ws.spliceRows(r, 1);
  const given = grid.headers.map((h) => text(h));
  const missing = TABS[tab].columns
    .map((c) => c.header)
    .filter((h) => !given.some((g) => headerKey(g) === headerKey(h)));
  const headers = [...given, ...missing];
  headers.forEach((h, i) => {
    ws.getRow(1).getCell(i + 1).value = excelValueFor(h, 'text');
  });
  writeGridRows(ws, headers, TABS[tab].columns, grid);
}

async function fileVersion(path: string, label: string): Promise<FileVersion | null> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileAccessError(label, 'read', err);
  }
}

function sameVersion(a: FileVersion | null, b: FileVersion | null): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

async function readFileBytes(path: string, label: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fileAccessError(label, 'read', err);
  }
}

async function refuseIfOpenInExcel(path: string, label: string): Promise<void> {
  const lockFile = `~$${basename(path)}`;
  try {
    await stat(join(dirname(path), lockFile));
  } catch {
    return;
  }
  throw openInExcel(label, lockFile);
}

function isFileSystemError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
