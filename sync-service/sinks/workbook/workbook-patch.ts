/**
 * The patching writer: a change set that edits or adds rows (a sync's new credits and changed amounts, assign,
 * unassign, apply-rules, usage collect and close, the Audit and Ledger rows they append, the Summary they
 * redraw) is written by editing only the sheet parts it changes inside the .xlsx zip; every other part is
 * copied byte for byte, still compressed. `assign` on a 50,000-credit workbook then costs a second or two
 * instead of the ~40 s of rebuilding the whole file in ExcelJS.
 *
 * It writes what the full writer (workbook.ts over ExcelJS) would: the same values, the style id of the
 * cell's format with the lock its row's Status calls for (workbook-format.ts), new Credits rows styled cell by
 * cell from their column's style, number format and lock, new text as shared strings where ExcelJS needs them
 * (it decodes `_xHHHH_` escapes only there, so CR and control characters round-trip exactly as through the
 * full writer), rows appended after the last one with `<dimension>`, the auto-filter and the Status dropdown
 * following. test/sync-service/sinks/workbook/workbook-patch.property.test.ts checks it against the full writer.
 *
 * Any number of rows can be edited: marking every 4th of 50,000 credits PROCESSED with its Ledger row (22,400
 * rows) took 4.8 s patched against 27 s for the full write (measured). Whenever the change or the file is not
 * what it expects — the first credits of a tab, repairs, removals, a replaced tab it cannot rewrite in place
 * (workbook-replace-tab.ts), a tab without its protection
 * or validation (someone unprotected it in Excel), rows below the last one, a row wider than the header — it
 * returns a reason instead, and the caller writes the whole workbook with ExcelJS.
 */
import { isLocked, isStatus } from '../../../core/status';
import { TABS, type CellKind, type ColumnSpec, type TabId } from '../../../core/sheet-contract';
import { cellFormat, columnLetter as letterOf, columnNumber } from '../../../core/sheet-layout';
import { headerKey, text, type Cell, type Grid } from '../../../core/table';
import type { SummaryLayout } from '../../../core/summary-layout';
import {
  auditWithout,
  conflictOf,
  isEmptyChangeSet,
  withoutKeys,
  type ChangeSet,
  type GuardedField,
  type SkippedChange,
  type WriteReport,
} from '../../../core/sheet-changes';
import { encodeXlsxText, excelValueFor } from '../../xlsx/workbook-cells';
import { skippedAsAdded, skippedAsChanged, skippedAsGone } from '../../../core/write-contract';
import { ledgerUpdatesNameIds, placeLedgerChanges, type LedgerFields } from '../../../core/ledger-placement';
import { ARCHIVED_STATUS } from '../../../core/archived-ledger';
import { sharedStrings, sheetPartPaths } from './workbook-read';
import { StylesEditor, withLock, withNumFmt } from './workbook-styles';
import { patchSummary } from './workbook-summary-patch';
import { replaceTabRows, type StaffTab } from './workbook-replace-tab';
import { mapFor, recordOf, type ChunkRecord } from './workbook-chunk-maps';
import {
  entryBytes,
  entryText,
  newEntry,
  pieceBytes,
  readZip,
  zipPieces,
  ZipShapeError,
  type XmlPiece,
} from '../../xlsx/workbook-zip';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const excelUtils = require('exceljs/lib/utils/utils') as { dateToExcel(d: Date, date1904: boolean): number };
// ExcelJS's own map of built-in number formats, so a new cell's format gets the id the full write gives it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NumFmtXform = require('exceljs/lib/xlsx/xform/style/numfmt-xform') as {
  getDefaultFmtId(code: string): number | undefined;
};

export type PatchOutcome =
  | {
      kind: 'patched';
      bytes: Buffer[];
      report: WriteReport;
      /** The chunk maps of the new file's entries, for the next patch (workbook-chunk-maps.ts). */
      chunkRecords: Map<string, ChunkRecord>;
    }
  | { kind: 'unchanged'; report: WriteReport }
  | { kind: 'fallback'; reason: string };

class CannotPatch extends Error {}
const cannot = (why: string): never => {
  throw new CannotPatch(why);
};

/** What ExcelJS writes for a Date cell with no number format of its own. */
const DATE_XF = '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>';
const PROTECTED = '<sheetProtection sheet="1" formatColumns="0" sort="0" autoFilter="0"/>';

export async function patchWorkbook(
  file: Buffer,
  tabs: Record<TabId, Grid>,
  changes: ChangeSet,
  inflated: ReadonlyMap<string, Buffer> = new Map(),
  chunkRecords: ReadonlyMap<string, ChunkRecord> = new Map(),
  chunkBytes?: number,
  /** New Credits rows' text as shared strings: a first load only (see appendCredits). */
  sharedText = false,
): Promise<PatchOutcome> {
  try {
    return await patch(file, tabs, changes, inflated, chunkRecords, chunkBytes, sharedText);
  } catch (err) {
    if (err instanceof CannotPatch || err instanceof ZipShapeError)
      return { kind: 'fallback', reason: err.message };
    throw err;
  }
}

async function patch(
  file: Buffer,
  tabs: Record<TabId, Grid>,
  changes: ChangeSet,
  inflated: ReadonlyMap<string, Buffer>,
  chunkRecords: ReadonlyMap<string, ChunkRecord>,
  chunkBytes: number | undefined,
  sharedText: boolean,
): Promise<PatchOutcome> {
  if (changes.rowRepairs?.length) cannot('Credits rows to repair');
  // Rows are removed by `archive` alone, whose change set holds nothing else but the Ledger's packed rows and the
  // Summary; rows removed under other edits would move those edits' rows.
  if (changes.remove && (changes.updates.length || changes.appends.length || changes.audit.length))
    cannot('rows to remove alongside other changes');

  const plan = planCredits(tabs.credits, changes);
  const entries = readZip(file);
  const byName = new Map(entries.map((e) => [e.name.replace(/^\//, ''), e]));
  const part = (name: string) => byName.get(name) ?? cannot(`no ${name}`);
  // The sheet parts as XML bytes: the ones the read inflated are reused, and they are edited as bytes, never
  // decoded whole (decoding and re-encoding 40 MB of Credits XML would cost more than the edit). Each is kept: its
  // chunks that no edit touches are copied compressed (newEntry), found as views into these very bytes.
  const xmlOf = new Map<string, Buffer>();
  const bytesOf = (name: string) => {
    let xml = xmlOf.get(name) ?? inflated.get(name);
    if (!xml) xml = entryBytes(part(name));
    xmlOf.set(name, xml);
    return xml;
  };
  const workbookXml = entryText(part('xl/workbook.xml'));
  const paths = sheetPartPaths(workbookXml, entryText(part('xl/_rels/workbook.xml.rels')));
  const pathOf = (name: string) => paths.get(name) ?? cannot(`no ${name} tab`);
  const date1904 = /<(?:\w+:)?workbookPr\b[^>]*\sdate1904="(1|true)"/.test(workbookXml);
  if (!/<sheet\b[^>]*name="Ledger"[^>]*state="hidden"/.test(workbookXml))
    cannot('the Ledger tab is not hidden');

  const styles = new StylesEditor(entryText(part('xl/styles.xml')));
  const strings = new SharedStrings(() =>
    byName.has('xl/sharedStrings.xml') ? bytesOf('xl/sharedStrings.xml') : cannot('no sharedStrings.xml'),
  );
  const cells = new CellWriter(styles, strings, date1904);
  // The cells of edited rows, as editRows' rows travel (their bytes, latin1): one writer for every tab.
  const editedCells = bytesWriter(cells);
  const replaced = new Map<string, XmlPiece[]>();

  // --- Credits: the updated cells, and the row's lock from its Status; then the new rows ------------------
  if (plan.updates.length || plan.appends.length) {
    const path = pathOf(TABS.credits.name);
    const xml = bytesOf(path);
    expectCreditsShape(xml, tabs.credits);
    // A style's locked and unlocked variants, found once per style: per cell, rewriting the xf's XML and looking
    // it up among the styles was a tenth of a whole-month collect (1.1 M cells at 50,000 credits).
    const lockedVariant = new Map<number, number>();
    const variantOf = (s: number, locked: boolean): number => {
      const at = s * 2 + (locked ? 1 : 0);
      let id = lockedVariant.get(at);
      if (id === undefined) {
        const xf = styles.xf(s) ?? cannot(`style ${s} is not in styles.xml`);
        lockedVariant.set(at, (id = styles.xfId(withLock(xf, locked))));
      }
      return id;
    };
    const styleAs = (locked: boolean) => (s: number | undefined, col: number) =>
      s === undefined ? cannot(`a Credits cell without a style (column ${col})`) : variantOf(s, locked);
    const [lockedStyle, unlockedStyle] = [styleAs(true), styleAs(false)];
    const edits = new Map<number, RowEdit>();
    for (const u of plan.updates)
      edits.set(u.sheetRow, {
        r: u.sheetRow,
        changes: u.cells,
        styleFor: u.locked ? lockedStyle : unlockedStyle,
        writer: editedCells,
      });
    const edited = editRows(xml, edits);
    if (!plan.appends.length) replaced.set(path, edited);
    else
      replaced.set(
        path,
        appendCredits(pieceBytes(edited), tabs.credits, plan.appends, styles, cells, sharedText),
      );
  }

  // --- Ledger: updates by Key, then appends ---------------------------------------------------------------
  const skippedKeys = new Set(plan.skipped.map((s) => s.key));
  const ledger = withoutKeys(changes.ledger, skippedKeys);
  let ledgerAppended = 0; // new Ledger rows, below which rows are not looked for when removing
  if (ledger && (ledger.appends.length || ledger.updates.length)) {
    const path = pathOf(TABS.ledger.name);
    const xml = bytesOf(path);
    if (!tail(xml).includes('<sheetProtection sheet="1"/>')) cannot('the Ledger tab is not protected');
    const grid = tabs.ledger;
    const colOf = columnsOf(grid, 'ledger');
    const keyAt = colOf.get('key')! - 1;
    const statusAt = colOf.get('status')! - 1;
    const idAt = ledgerUpdatesNameIds(ledger) ? colOf.get('creditId')! - 1 : -1;
    const placed = placeLedgerChanges(
      grid.rows.length,
      (i) => ({
        key: text(grid.rows[i][keyAt]),
        status: text(grid.rows[i][statusAt]),
        ...(idAt >= 0 ? { creditId: text(grid.rows[i][idAt]) } : {}),
      }),
      ledger,
    );
    const kinds = kindsOf('ledger');
    const rowCells = (fields: LedgerFields) => cellsOfRecord(fields, colOf, kinds);
    const edits = new Map<number, ReturnType<typeof rowCells>>();
    for (const [i, fields] of placed.edits) edits.set(i + 2, rowCells(fields));
    const appended = placed.appended;
    ledgerAppended = appended.length;
    const rowEdits = new Map<number, RowEdit>();
    for (const [r, list] of edits)
      rowEdits.set(r, { r, changes: list, styleFor: sameStyle, writer: editedCells });
    const edited = editRows(xml, rowEdits);
    // Only updates (a close): the edited pieces as they are, not copied into one buffer first.
    if (!appended.length) replaced.set(path, edited);
    else replaced.set(path, appendRows(pieceBytes(edited), grid.rows.length + 1, appended, rowCells, cells));
  }

  // --- Audit: rows appended -------------------------------------------------------------------------------
  const skippedIds = new Set(plan.skipped.map((s) => s.creditId).filter(Boolean));
  const audit = auditWithout(changes.audit, skippedIds);
  if (audit.length) {
    const path = pathOf(TABS.audit.name);
    const xml = bytesOf(path);
    if (!tail(xml).includes(PROTECTED)) cannot('the Audit tab is not protected as the sink leaves it');
    const colOf = columnsOf(tabs.audit, 'audit');
    const kinds = kindsOf('audit');
    const rowCells = (record: (typeof audit)[number]) => cellsOfRecord(record, colOf, kinds);
    replaced.set(path, appendRows(xml, tabs.audit.rows.length + 1, audit, rowCells, cells));
  }

  // --- Staff tabs replaced whole (a sync's Config, Accounts/Rules from --accounts/--rules): workbook-replace-tab.ts
  const replacedTabs = Object.entries(changes.replaceTabs ?? {}) as [StaffTab, Grid][];
  for (const [tab, grid] of replacedTabs) {
    const path = pathOf(TABS[tab].name);
    const rels = byName.has(path.replace(/([^/]+)$/, '_rels/$1.rels'));
    const out = replaceTabRows(bytesOf(path), tab, grid, tabs[tab].headers, styles, cells, rels);
    if ('reason' in out) cannot(out.reason);
    else replaced.set(path, out.pieces);
  }

  // --- Rows removed (archive): Credits by Key, Audit by Credit ID, full Ledger rows by Key -------------------
  let removedRows = 0;
  let removedLocked = 0; // the report counts the locked Credits rows left
  if (changes.remove) {
    const drop = changes.remove;
    const keys = new Set(drop.keys);
    const auditIds = new Set(drop.auditCreditIds);
    const ledgerKeys = new Set(drop.ledgerKeys ?? []);
    const creditsCol = columnsOf(tabs.credits, 'credits');
    const ledgerCol = columnsOf(tabs.ledger, 'ledger');
    const auditCol = columnsOf(tabs.audit, 'audit');
    const rowsWhere = (grid: Grid, test: (row: readonly Cell[]) => boolean) => {
      const out = new Set<number>();
      grid.rows.forEach((row, i) => test(row) && out.add(i + 2));
      return out;
    };
    const cellOf = (row: readonly Cell[], col: number | undefined) => text(row[col! - 1]);
    const plans: [TabId, Set<number>][] = [
      ['credits', rowsWhere(tabs.credits, (r) => keys.has(cellOf(r, creditsCol.get('key'))))],
      ['audit', rowsWhere(tabs.audit, (r) => auditIds.has(cellOf(r, auditCol.get('creditId'))))],
      // A packed row of archived credits always stays (as in workbook-remove.ts), the ones just appended too.
      [
        'ledger',
        rowsWhere(
          tabs.ledger,
          (r) =>
            ledgerKeys.has(cellOf(r, ledgerCol.get('key'))) &&
            cellOf(r, ledgerCol.get('status')) !== ARCHIVED_STATUS,
        ),
      ],
    ];
    for (const [tab, rows] of plans) {
      if (!rows.size) continue;
      const path = pathOf(TABS[tab].name);
      const current = replaced.get(path);
      const xml = current ? pieceBytes(current) : bytesOf(path);
      if (tab === 'credits') expectCreditsShape(xml, tabs.credits);
      const lastRow = tabs[tab].rows.length + 1 + (tab === 'ledger' ? ledgerAppended : 0);
      replaced.set(path, removeRows(xml, rows, lastRow, tab === 'credits'));
      removedRows += rows.size;
      if (tab === 'credits')
        for (const r of rows)
          if (lockedStatus(cellOf(tabs.credits.rows[r - 2], creditsCol.get('status')))) removedLocked++;
    }
  }

  // --- Summary: redrawn when its figures changed ----------------------------------------------------------
  let summaryChanged = false;
  if (changes.summary) {
    const path = pathOf('Summary');
    if (byName.has(path.replace(/([^/]+)$/, '_rels/$1.rels'))) cannot('the Summary tab has relationships');
    const current = bytesOf(path).toString('utf8'); // small
    const drawn = await patchSummary(current, changes.summary as SummaryLayout, styles, strings);
    if (drawn !== null) {
      replaced.set(path, [Buffer.from(drawn, 'utf8')]);
      summaryChanged = true;
    }
  }

  const report: WriteReport = {
    updatedRows: new Set(plan.updates.map((u) => u.key)).size,
    appendedRows: plan.appends.length,
    lockedRows:
      plan.lockedRows + plan.appends.filter((a) => lockedStatus(text(a.status))).length - removedLocked,
    skipped: plan.skipped,
  };
  // Nothing to write: as the full writer, which reports no locked rows for a change set with no row in it.
  if (!replaced.size)
    return { kind: 'unchanged', report: isEmptyChangeSet(changes) ? { ...report, lockedRows: 0 } : report };
  if (
    !summaryChanged &&
    !replacedTabs.length &&
    !plan.updates.length &&
    !plan.appends.length &&
    !audit.length &&
    !ledger?.appends.length &&
    !ledger?.updates.length &&
    !removedRows
  )
    return { kind: 'unchanged', report };

  if (strings.changed) replaced.set('xl/sharedStrings.xml', strings.toXml());
  if (styles.changed) replaced.set('xl/styles.xml', [Buffer.from(styles.toXml(), 'utf8')]);
  const records = new Map<string, ChunkRecord>();
  const out = await Promise.all(
    entries.map(async (e) => {
      const name = e.name.replace(/^\//, '');
      const content = replaced.get(name);
      if (content === undefined) {
        // Copied as they are: still described by their record, if it is theirs (not one left from another version).
        const kept = chunkRecords.get(e.name);
        if (kept && mapFor(kept, e)) records.set(e.name, kept);
        return e;
      }
      const xml = xmlOf.get(name);
      const map = xml && mapFor(chunkRecords.get(e.name), e);
      const reuse = map ? { xml, raw: e.raw, map } : undefined;
      const written = await newEntry(e.name, content, { like: e, reuse, chunkBytes });
      records.set(e.name, recordOf(written));
      return written;
    }),
  );
  return { kind: 'patched', bytes: zipPieces(out), report, chunkRecords: records };
}

// --- the Credits plan (what applyChanges in workbook.ts decides, on the grid that was read) ----------------

interface CreditEdit {
  key: string;
  sheetRow: number;
  locked: boolean;
  cells: { col: number; value: ReturnType<typeof excelValueFor> }[];
}

function planCredits(
  grid: Grid,
  changes: ChangeSet,
): {
  updates: CreditEdit[];
  appends: ChangeSet['appends'];
  skipped: SkippedChange[];
  lockedRows: number;
} {
  const colOf = columnsOf(grid, 'credits');
  const at = (field: string) => colOf.get(field)! - 1;
  // One pass over the rows: the row of each Key the change names (the last, as a map of every Key would give), and
  // the locked rows as read. A map of all 240,000 Keys and a copy of every Status were 0.3 s of a one-credit
  // `assign` on a year's sheet (profiled); a change names a handful of Keys.
  const named = new Set<string>();
  for (const u of changes.updates) named.add(u.key);
  for (const record of changes.appends) named.add(text(record.key));
  const rowOfKey = new Map<string, number>();
  const keyAt = at('key');
  const statusAt = at('status');
  let lockedBefore = 0;
  for (let i = 0; i < grid.rows.length; i++) {
    const r = grid.rows[i];
    const k = text(r[keyAt]);
    if (k && named.has(k)) rowOfKey.set(k, i);
    if (lockedStatus(text(r[statusAt]))) lockedBefore++;
  }
  const kinds = kindsOf('credits');
  const skipped: SkippedChange[] = [];
  // The Status of the rows the updates change, as they leave them.
  const statusNow = new Map<number, string>();
  const byRow = new Map<number, CreditEdit>();
  // The write contract (core/write-contract.ts), as applyChanges in workbook.ts keeps it.
  for (const u of changes.updates) {
    const i = rowOfKey.get(u.key);
    if (i === undefined) {
      skipped.push(skippedAsGone(u.key, u.creditId ?? ''));
      continue;
    }
    const row = grid.rows[i];
    const conflict = conflictOf(u, (f: GuardedField) => row[at(f)]);
    if (conflict) {
      skipped.push(
        skippedAsChanged(u.key, u.creditId || text(row[at('creditId')]), conflict, row[at('status')]),
      );
      continue;
    }
    if ('currency' in u.fields && text(u.fields.currency) !== text(row[at('currency')]))
      cannot('a Currency changes (its money formats with it)');
    if ('status' in u.fields) statusNow.set(i, text(u.fields.status));
    const edit = byRow.get(i) ?? { key: u.key, sheetRow: i + 2, locked: false, cells: [] };
    // In column order as they come (editRow's order; the entries of 90,000 updates were a tenth of what
    // apply-rules' write allocated).
    const fields = u.fields as Record<string, Parameters<typeof excelValueFor>[0]>;
    for (const f in fields)
      addInColumnOrder(edit.cells, colOf.get(f)!, excelValueFor(fields[f], kinds.get(f)));
    byRow.set(i, edit);
  }
  byRow.forEach((e, i) => (e.locked = lockedStatus(statusNow.get(i) ?? text(grid.rows[i][statusAt]))));
  let lockedRows = lockedBefore;
  statusNow.forEach((status, i) => {
    lockedRows += Number(lockedStatus(status)) - Number(lockedStatus(text(grid.rows[i][statusAt])));
  });
  // As applyChanges: a new credit without a Key or added twice is the full writer's error to raise; one whose Key
  // someone else added since the read (Excel, or a run without the lock) is skipped: theirs is kept, never doubled.
  const appendedKeys = new Set<string>();
  const appends = changes.appends.filter((record) => {
    const key = text(record.key);
    if (!key || appendedKeys.has(key)) cannot('a new credit without a Key, or added twice');
    appendedKeys.add(key);
    if (!rowOfKey.has(key)) return true;
    skipped.push(skippedAsAdded(key, text(record.creditId), rowOfKey.get(key)! + 2));
    return false;
  });
  return { updates: [...byRow.values()], appends, skipped, lockedRows };
}

/** A cell added to a row's edit in column order; a column already there takes the later value, as in a map. */
function addInColumnOrder(cells: CreditEdit['cells'], col: number, value: Value): void {
  let at = cells.length;
  while (at > 0 && cells[at - 1].col > col) at--;
  if (at > 0 && cells[at - 1].col === col) cells[at - 1] = { col, value };
  else cells.splice(at, 0, { col, value });
}

function lockedStatus(status: string): boolean {
  return isStatus(status) && isLocked(status);
}

// --- new Credits rows (a sync's new credits) ------------------------------------------------------------

/**
 * New Credits rows after the last one, styled as formatCreditsTab styles every row on a full write: each cell
 * of the row's width gets its column's style with the lock its Status calls for and its number format (money
 * in the row's currency, IDs as text, dates), empty cells style-only; the Status dropdown and the filter are
 * extended over them.
 */
function appendCredits(
  xml: Buffer,
  grid: Grid,
  appends: readonly Record<string, Cell | undefined>[],
  styles: StylesEditor,
  writer: CellWriter,
  // A first load's text as shared strings: inline, every later command made a string per cell (assign on such a
  // month 2.7 s instead of 1.75 s). Only then: archive removes rows but never entries from the shared-strings
  // table, so a table a sync added to every month would grow all year.
  sharedText: boolean,
): XmlPiece[] {
  const colOf = columnsOf(grid, 'credits');
  const kinds = kindsOf('credits');
  const lastRow = grid.rows.length + 1;
  if (lastRow < 2) cannot("a Credits tab without rows (its dropdown is the full writer's to add)");
  const before = head(xml);
  // The full writer styles every row to the widest one (header included); the patcher edits no old row, so
  // a row wider than the header (staff typed right of the table) is the full writer's to restyle.
  const width = Math.max(lastCellColumn(xml, 1), grid.headers.length);
  if (lastRow > 1 && lastCellColumn(xml, lastRow) > width) cannot('a Credits row wider than the header');
  const specAt = new Map<number, ColumnSpec>();
  for (const c of TABS.credits.columns as readonly ColumnSpec[]) specAt.set(colOf.get(c.field)!, c);
  const columnStyle = columnStyles(before);
  const styleIds = new Map<string, number>();
  const styleOf = (col: number, locked: boolean, currency: string): number => {
    const key = `${col}|${locked ? 'L' : 'U'}|${currency}`;
    let id = styleIds.get(key);
    if (id === undefined) {
      const spec = specAt.get(col);
      const pattern = spec
        ? cellFormat(spec, spec.kind === 'money' ? currency : undefined)?.pattern
        : undefined;
      let xf = styles.xf(columnStyle.get(col) ?? 0) ?? cannot(`column ${col}'s style is not in styles.xml`);
      if (pattern) xf = withNumFmt(xf, styles.numFmtId(pattern, NumFmtXform.getDefaultFmtId(pattern)));
      styleIds.set(key, (id = styles.xfId(withLock(xf, locked))));
    }
    return id;
  };
  const rowCells = (record: (typeof appends)[number]) => {
    const locked = lockedStatus(text(record.status));
    const currency = text(record.currency);
    const valueAt = new Map<number, Value>();
    for (const [f, v] of Object.entries(record)) {
      const col = colOf.get(f);
      if (col !== undefined) valueAt.set(col, excelValueFor(v, kinds.get(f)));
    }
    return Array.from({ length: width }, (_, i) => ({
      col: i + 1,
      value: valueAt.get(i + 1) ?? null,
      s: styleOf(i + 1, locked, currency),
    }));
  };
  // The Status dropdown covers every data row (expectCreditsShape checked it covers the old ones).
  const letter = columnLetter(colOf.get('status')!);
  return appendRows(xml, lastRow, appends, rowCells, writer, sharedText, (after) =>
    after.replace(
      `sqref="${letter}2:${letter}${lastRow}"`,
      `sqref="${letter}2:${letter}${lastRow + appends.length}"`,
    ),
  );
}

/** The column of the last cell in row r (0 when the row is not there). */
function lastCellColumn(xml: Buffer, r: number): number {
  const at = rowAt(xml, r, 0);
  if (!at) return 0;
  const row = xml.toString('utf8', at.start, at.end);
  const last = [...row.matchAll(/<c\b[^>]*?\sr="([A-Z]+)\d+"/g)].pop();
  return last ? columnNumber(last[1]) : 0;
}

/** Where row r's element starts and ends (after `</row>`, or after `/>`), searching from `from`; or null. */
function rowAt(xml: Buffer, r: number, from: number): { start: number; end: number } | null {
  const needle = `<row r="${r}"`;
  let at = xml.indexOf(needle, from);
  while (at !== -1 && ![32, 47, 62].includes(xml[at + needle.length])) at = xml.indexOf(needle, at + 1);
  if (at === -1) return null;
  const gt = xml.indexOf('>', at);
  return { start: at, end: xml[gt - 1] === 47 /* / */ ? gt + 1 : xml.indexOf('</row>', at) + 6 };
}

/** Column number → its style id, from <cols> (the column styles a new cell starts from, as in ExcelJS). */
function columnStyles(before: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of before.matchAll(/<col\b[^>]*\/>/g)) {
    const min = Number(/\smin="(\d+)"/.exec(m[0])?.[1] ?? NaN);
    const max = Number(/\smax="(\d+)"/.exec(m[0])?.[1] ?? NaN);
    const style = /\sstyle="(\d+)"/.exec(m[0])?.[1];
    if (style === undefined || !(min <= max)) continue;
    for (let c = min; c <= max; c++) out.set(c, Number(style));
  }
  return out;
}

function columnsOf(grid: Grid, tab: TabId): Map<string, number> {
  const out = new Map<string, number>();
  const at = new Map(grid.headers.map((h, i) => [headerKey(h), i] as const));
  for (const c of TABS[tab].columns) {
    const i = at.get(headerKey(c.header));
    if (i === undefined) cannot(`no ${c.header} column in ${TABS[tab].name}`);
    out.set(c.field, i! + 1);
  }
  return out;
}

function kindsOf(tab: TabId): Map<string, CellKind> {
  return new Map(
    (TABS[tab].columns as readonly { field: string; kind: CellKind }[]).map((c) => [c.field, c.kind]),
  );
}

/** The Credits tab as formatCreditsTab leaves it: protected, filtered and with the Status dropdown over every row. */
function expectCreditsShape(bytes: Buffer, grid: Grid): void {
  const xml = head(bytes) + tail(bytes);
  const last = grid.rows.length + 1;
  const statusCol = grid.headers.findIndex((h) => headerKey(h) === headerKey('Status')) + 1;
  const letter = columnLetter(statusCol);
  if (!xml.includes(PROTECTED)) cannot('the Credits tab is not protected as the sink leaves it');
  if (!new RegExp(`<autoFilter ref="A1:[A-Z]+${last}"/>`).test(xml))
    cannot('the Credits filter does not cover the rows');
  if (last >= 2 && !xml.includes(`sqref="${letter}2:${letter}${last}"`))
    cannot('the Status dropdown does not cover the rows');
  if (!/<dataValidations count="1">/.test(xml) && last >= 2) cannot('the Credits tab has other validations');
  if (!/<pane\b[^>]*ySplit="1"[^>]*state="frozen"/.test(xml)) cannot('the Credits header is not frozen');
}

// --- XML editing -------------------------------------------------------------------------------------------

type Value = ReturnType<typeof excelValueFor>;

/**
 * Shared strings, for the text that needs them. New text is written inline (<is><t>), which leaves the 15 MB
 * sharedStrings.xml of a big workbook untouched; but ExcelJS decodes `_xHHHH_` escapes only in shared strings,
 * so text that needs escaping (CR, control characters, a literal `_x0041_`) is appended here, exactly as the
 * full writer would write it. The file is only looked at when such text, or the Summary's comparison, needs it.
 */
/**
 * Text an inline <t> holds as it is: printable ASCII but `&`, `<`, `>` (markup) and `_` (OOXML's `_xHHHH_`
 * escapes), not starting or ending with a space (kept only with xml:space). Empty text is not plain: ExcelJS's rule
 * for it is the general way's.
 */
function isPlainText(s: string): boolean {
  const n = s.length;
  if (n === 0 || s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === 38 /* & */ || c === 60 /* < */ || c === 62 /* > */ || c === 95 /* _ */)
      return false;
  }
  return true;
}

class SharedStrings {
  private xml: Buffer | undefined;
  private readonly offsets: number[] = [];
  private readonly added: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly load: () => Buffer) {}

  private get bytes(): Buffer {
    if (!this.xml) {
      const xml = (this.xml = this.load());
      for (let p = xml.indexOf('<si'); p !== -1; p = xml.indexOf('<si', p + 3)) {
        const c = xml[p + 3];
        if (c === 62 /* > */ || c === 47 /* / */ || c === 32) this.offsets.push(p);
      }
    }
    return this.xml;
  }

  get changed(): boolean {
    return this.added.length > 0;
  }

  /**
   * The cell type and body for a text: inline, unless ExcelJS needs it shared (escapes) or `shared` asks for it
   * (new Credits rows: every later command reads them, and a shared string is an index into one table where an
   * inline one is a string made per cell; the table's unchanged chunks are copied, workbook-chunk-maps.ts).
   */
  cell(open: string, s: string, shared = false): string {
    // Most cells: printable ASCII with no markup, underscore or edge space — as it is, without the four regular
    // expressions below (a whole-month collect writes about a million text cells).
    if (!shared && isPlainText(s)) return `${open} t="inlineStr"><is><t>${s}</t></is></c>`;
    const encoded = encodeXlsxText(s);
    if (encoded === s && !shared) {
      // ExcelJS's rule for keeping the spaces (text-xform.js).
      const space = /^\s|\n|\s$/.test(s) ? ' xml:space="preserve"' : '';
      return `${open} t="inlineStr"><is><t${space}>${escapeText(s)}</t></is></c>`;
    }
    return `${open} t="s"><v>${this.id(s)}</v></c>`;
  }

  private id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.base + this.added.length;
      this.added.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  private get base(): number {
    return this.bytes && this.offsets.length;
  }

  /** The text of string i as ExcelJS reads it (null: rich text); only the few the Summary compares are parsed. */
  text(i: number): string | null {
    const xml = this.bytes;
    if (i >= this.base) return this.added[i - this.base] ?? null;
    const at = this.offsets[i];
    const gt = xml.indexOf('>', at);
    const end = xml[gt - 1] === 47 /* / */ ? gt + 1 : xml.indexOf('</si>', at) + 5;
    return sharedStrings(xml.toString('utf8', at, end))[0] ?? null;
  }

  toXml(): Buffer[] {
    const items = this.added.map((s) => {
      const t = escapeText(encodeXlsxText(s));
      return /^\s|\n|\s$/.test(t) ? `<si><t xml:space="preserve">${t}</t></si>` : `<si><t>${t}</t></si>`;
    });
    const xml = this.bytes;
    const end = xml.lastIndexOf('</sst>');
    const open = xml.indexOf('>', xml.indexOf('<sst'));
    if (end === -1 || open === -1) cannot('sharedStrings.xml has no <sst>');
    const head = xml
      .toString('utf8', 0, open)
      .replace(
        /(<sst\b[^>]*?)\scount="(\d+)"/,
        (_m, a: string, n: string) => `${a} count="${Number(n) + items.length}"`,
      )
      .replace(
        /(<sst\b[^>]*?)\suniqueCount="(\d+)"/,
        (_m, a: string) => `${a} uniqueCount="${this.base + items.length}"`,
      );
    return [
      Buffer.from(head, 'utf8'),
      xml.subarray(open, end),
      Buffer.from(`${items.join('')}</sst>`, 'utf8'),
    ];
  }
}

class CellWriter {
  private dateXf: number | undefined;
  constructor(
    private readonly styles: StylesEditor,
    readonly strings: SharedStrings,
    private readonly date1904: boolean,
  ) {}

  /**
   * The <c> element for a value, with style `s` (a Date with no style gets ExcelJS's default date format); text
   * as a shared string when `sharedText`.
   */
  cell(ref: string, value: Value, s: number | undefined, sharedText = false): string {
    if (value instanceof Date) {
      const style = s ?? (this.dateXf ??= this.styles.xfId(DATE_XF));
      return `<c r="${ref}" s="${style}"><v>${excelUtils.dateToExcel(value, this.date1904)}</v></c>`;
    }
    const st = s === undefined ? '' : ` s="${s}"`;
    if (value === null || value === undefined) return st ? `<c r="${ref}"${st}/>` : '';
    if (typeof value === 'number') return `<c r="${ref}"${st}><v>${value}</v></c>`;
    if (typeof value === 'boolean') return `<c r="${ref}"${st} t="b"><v>${value ? 1 : 0}</v></c>`;
    if (typeof value === 'string') return this.strings.cell(`<c r="${ref}"${st}`, value, sharedText);
    return cannot('a value the patcher does not write');
  }
}

/**
 * Where the value of the first attribute ` name="…"` of the tag xml[from, to) whose value is of the kind asked
 * (a cell reference, or digits) starts (its closing quote is the next `"`), or -1: what the regular expression
 * `^<c\b[^>]*?\sname="(…)"` finds, without a regular expression, a copy of the cell or an array for the answer
 * (two a cell, millions in a whole-month collect). `to` is the tag's `>`; the name must follow white space.
 */
function attrStart(xml: string, from: number, to: number, name: 'r' | 's', kind: 'ref' | 'digits'): number {
  const lead = name === 'r' ? 'r="' : 's="';
  for (let i = xml.indexOf(lead, from); i !== -1 && i < to; i = xml.indexOf(lead, i + 1)) {
    if (!isSpace(xml.charCodeAt(i - 1))) continue;
    const start = i + 3;
    const end = xml.indexOf('"', start);
    if (end === -1 || end >= to) continue;
    if (kind === 'ref' ? refAt(xml, start, end) : digitsAt(xml, start, end)) return start;
  }
  return -1;
}

/** attrStart's answer with its end (the closing quote's index), or -1. */
function attrValue(
  xml: string,
  from: number,
  to: number,
  name: 'r' | 's',
  kind: 'ref' | 'digits',
): [number, number] | -1 {
  const start = attrStart(xml, from, to, name, kind);
  return start === -1 ? -1 : [start, xml.indexOf('"', start)];
}

const sameStyle = (s: number | undefined) => s;

/** What `\s` matches: tab, line feed, vertical tab, form feed, carriage return, space, and Unicode's spaces. */
const isSpace = (code: number) =>
  code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(String.fromCharCode(code)));

const isDigit = (code: number) => code >= 48 && code <= 57;

/** xml[start, end) is one or more digits. */
function digitsAt(xml: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) if (!isDigit(xml.charCodeAt(i))) return false;
  return true;
}

/** xml[start, end) is a cell reference: capital letters, then digits. */
function refAt(xml: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && xml.charCodeAt(i) >= 65 && xml.charCodeAt(i) <= 90) i++;
  return i > start && digitsAt(xml, i, end);
}

/** A cell of a row being edited: where it is in the row's XML, its open tag's end, its style attribute. */
interface RowCell {
  col: number;
  start: number;
  end: number;
  /** The index of the open tag's `/>` or `>`: where a style attribute is added. */
  headEnd: number;
  /** The style's digits [start, end), or -1. */
  style: [number, number] | -1;
}

/**
 * The row with these cells written; other cells kept as they are, in column order. `styleFor` gets each cell's
 * style now (undefined: no cell there, or one without a style) and gives the one it is to have.
 *
 * One forward scan of the row with indexOf, no regular expression per cell and no copy of a cell that keeps its
 * text: a whole-month collect or close edits every collected row (45,000 at 50,000 credits, each with some 25
 * cells, every one restyled as its lock follows Status), and the regular expressions per cell were most of it.
 */
export function editRow(
  rowXml: string,
  r: number,
  changes: { col: number; value: Value }[],
  styleFor: (style: number | undefined, col: number) => number | undefined,
  writer: Pick<CellWriter, 'cell'>,
): string {
  const out: string[] = [];
  editRowInto(out, rowXml, { r, changes, styleFor, writer });
  return out.join('');
}

/** What editRow is asked to do to row `r`. */
interface RowEdit {
  r: number;
  changes: { col: number; value: Value }[];
  styleFor: (style: number | undefined, col: number) => number | undefined;
  writer: Pick<CellWriter, 'cell'>;
}

/** editRow, its pieces pushed onto `out` (editRows joins a few MB of rows at once). */
function editRowInto(out: string[], rowXml: string, edit: RowEdit): void {
  const mark = out.length;
  if (editRowInOrder(out, rowXml, edit)) return;
  out.length = mark; // what the usual way pushed before it gave up
  out.push(editRowAnyOrder(rowXml, edit));
}

/**
 * editRow for the usual row — its cells in column order, each column once — written as it is scanned, with no
 * object per cell: a whole-month collect, close or apply-rules edits 45,000 to 90,000 rows of some 25 cells, and
 * the objects of the general way were much of the collector's work. What stays is pushed as runs of the row's
 * text (one slice for the cells between two changes; in a restyled cell, the text around its style's digits), not
 * cell by cell and summed: the slices and sums were a third of what apply-rules' write allocated (profiled). A
 * changed column the row does not have yet (a Ledger row's Closed At) is written in its place as the scan passes
 * it. False for any other row (editRowAnyOrder writes it), or for anything the general way refuses, which it
 * then refuses; what it pushed by then is the caller's to drop.
 */
function editRowInOrder(out: string[], rowXml: string, { r, changes, styleFor, writer }: RowEdit): boolean {
  // `^<row\b[^>]*?(\/?)>`, without the match array: the open tag ends at its first `>`.
  if (!rowXml.startsWith('<row') || isWordChar(rowXml.charCodeAt(4))) return false;
  const openEnd = rowXml.indexOf('>', 4) + 1;
  if (openEnd === 0 || rowXml.charCodeAt(openEnd - 2) === 47 /* / */) return false;
  const bodyEnd = rowXml.lastIndexOf('</row>');
  const todo = inColumnOrder(changes);
  let next = 0; // the first change not written yet
  let kept = 0; // rowXml[kept, …) stays and is not pushed yet
  const keep = (to: number) => {
    if (to > kept) out.push(rowXml.slice(kept, to));
  };
  let lastCol = 0;
  for (let p = openEnd; p < bodyEnd;) {
    const lt = rowXml.indexOf('<', p);
    if (lt !== p || rowXml.charCodeAt(lt + 1) !== 99 /* c */ || !isSpace(rowXml.charCodeAt(lt + 2)))
      return false;
    const gt = rowXml.indexOf('>', lt);
    if (gt === -1 || gt >= bodyEnd) return false;
    const selfClosing = rowXml.charCodeAt(gt - 1) === 47; /* / */
    let end = gt + 1;
    if (!selfClosing) {
      const close = rowXml.indexOf('</c>', gt);
      if (close === -1 || close + 4 > bodyEnd) return false;
      end = close + 4;
    }
    const ref = attrStart(rowXml, lt + 2, gt, 'r', 'ref');
    if (ref === -1) return false;
    let digits = ref;
    while (!isDigit(rowXml.charCodeAt(digits))) digits++;
    const col = columnNumber(rowXml.slice(ref, digits));
    let rowNumber = 0;
    for (let i = digits, refEnd = rowXml.indexOf('"', ref); i < refEnd; i++)
      rowNumber = rowNumber * 10 + rowXml.charCodeAt(i) - 48;
    if (rowNumber !== r || col <= lastCol) return false;
    lastCol = col;
    if (next < todo.length && todo[next].col < col) {
      keep(lt);
      kept = lt;
      next = newCells(out, todo, next, col, r, styleFor, writer);
    }
    const style = attrStart(rowXml, lt + 2, gt, 's', 'digits');
    const styleEnd = style === -1 ? -1 : rowXml.indexOf('"', style);
    const was = style === -1 ? undefined : digitsValue(rowXml, style, styleEnd);
    const s = styleFor(was, col);
    if (next < todo.length && todo[next].col === col) {
      keep(lt);
      out.push(writer.cell(`${columnLetter(col)}${r}`, todo[next++].value, s));
      kept = end;
    } else if (s === was) {
      // the cell stays as it is, in the run being kept
    } else if (style === -1) {
      const at = selfClosing ? gt - 1 : gt; // no style yet: one added at the end of the open tag
      keep(at);
      out.push(styleAttribute(s!));
      kept = at;
    } else {
      // The attribute with the white space before it replaced (one space, as the general way writes it), or
      // taken out when the cell is to have no style.
      keep(style - 4);
      if (s !== undefined) out.push(styleAttribute(s));
      kept = styleEnd + 1;
    }
    p = end;
  }
  keep(Math.max(bodyEnd, openEnd));
  newCells(out, todo, next, Infinity, r, styleFor, writer);
  out.push('</row>');
  return true;
}

/** The changes in column order, the last one for a column standing (as in a map); the array itself when it is. */
function inColumnOrder<C extends { col: number }>(changes: C[]): C[] {
  for (let i = 1; i < changes.length; i++)
    if (changes[i].col <= changes[i - 1].col) {
      const byCol = [...changes].sort((a, b) => a.col - b.col);
      return byCol.filter((c, j) => j + 1 === byCol.length || byCol[j + 1].col !== c.col);
    }
  return changes;
}

/** The cells of changed columns from `next` before `col` that the row does not have, pushed; the next change. */
function newCells(
  out: string[],
  todo: readonly { col: number; value: Value }[],
  next: number,
  col: number,
  r: number,
  styleFor: RowEdit['styleFor'],
  writer: Pick<CellWriter, 'cell'>,
): number {
  for (; next < todo.length && todo[next].col < col; next++)
    out.push(
      writer.cell(
        `${columnLetter(todo[next].col)}${r}`,
        todo[next].value,
        styleFor(undefined, todo[next].col),
      ),
    );
  return next;
}

/** A cell's style attribute, ` s="…"`, made once per style. */
const styleAttributes: string[] = [];
const styleAttribute = (s: number) => (styleAttributes[s] ??= ` s="${s}"`);

/** The number xml[start, end) spells, its digits checked by digitsAt. */
function digitsValue(xml: string, start: number, end: number): number {
  if (end - start > 15) return Number(xml.slice(start, end)); // past what adding up digits keeps exact
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + xml.charCodeAt(i) - 48;
  return v;
}

/** What `\w` matches: a letter, a digit or `_` (ASCII). */
const isWordChar = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

/** editRow for any row: its cells gathered first, then written in column order. */
function editRowAnyOrder(rowXml: string, { r, changes, styleFor, writer }: RowEdit): string {
  const open = /^<row\b[^>]*?(\/?)>/.exec(rowXml) ?? cannot(`row ${r} is not a row`);
  const bodyEnd = open[1] ? open[0].length : rowXml.lastIndexOf('</row>');
  const cells: RowCell[] = [];
  let sorted = true;
  for (let p = open[0].length; p < bodyEnd;) {
    const lt = rowXml.indexOf('<', p);
    const gapEnd = lt === -1 || lt >= bodyEnd ? bodyEnd : lt;
    if (gapEnd > p && rowXml.slice(p, gapEnd).trim()) cannot(`row ${r} holds more than cells`);
    if (gapEnd === bodyEnd) break;
    // `<c` then a non-word character, as the element name `c` and nothing longer (`<col`, `<cx`).
    if (rowXml.charCodeAt(lt + 1) !== 99 /* c */ || /\w/.test(rowXml[lt + 2] ?? ''))
      cannot(`row ${r} holds more than cells`);
    const gt = rowXml.indexOf('>', lt);
    if (gt === -1 || gt >= bodyEnd) cannot(`row ${r} holds more than cells`);
    const selfClosing = rowXml.charCodeAt(gt - 1) === 47; /* / */
    let end: number;
    if (selfClosing) end = gt + 1;
    else {
      const close = rowXml.indexOf('</c>', gt);
      if (close === -1 || close + 4 > bodyEnd) cannot(`row ${r} holds more than cells`);
      end = close + 4;
    }
    const ref = attrValue(rowXml, lt + 2, gt, 'r', 'ref');
    if (ref === -1) cannot(`a cell without a reference in row ${r}`);
    const [refStart, refEnd] = ref as [number, number];
    let digits = refStart;
    while (!isDigit(rowXml.charCodeAt(digits))) digits++;
    const col = columnNumber(rowXml.slice(refStart, digits));
    let row = 0;
    for (let i = digits; i < refEnd; i++) row = row * 10 + rowXml.charCodeAt(i) - 48;
    if (row !== r) cannot(`cell ${rowXml.slice(refStart, refEnd)} in row ${r}`);
    const cell: RowCell = {
      col,
      start: lt,
      end,
      headEnd: selfClosing ? gt - 1 : gt,
      style: attrValue(rowXml, lt + 2, gt, 's', 'digits'),
    };
    let seen = cells.length - 1;
    while (seen >= 0 && cells[seen].col !== col) seen--;
    if (seen !== -1)
      cells[seen] = cell; // the same column twice: the last one stands, as it would in a map
    else {
      if (cells.length && col < cells[cells.length - 1].col) sorted = false;
      cells.push(cell);
    }
    p = end;
  }
  // The whole row is restyled (lock follows Status), the changed cells get their new values.
  const cols: (RowCell | number)[] = [...cells];
  for (const c of changes) {
    if (cols.some((x) => (typeof x === 'number' ? x : x.col) === c.col)) continue;
    const last = cols[cols.length - 1];
    if (cols.length && c.col < (typeof last === 'number' ? last : last.col)) sorted = false;
    cols.push(c.col); // a cell the row does not have yet
  }
  const out: [number, string][] = [];
  for (const x of cols) {
    const col = typeof x === 'number' ? x : x.col;
    const old = typeof x === 'number' ? undefined : x;
    const was = old && old.style !== -1 ? Number(rowXml.slice(old.style[0], old.style[1])) : undefined;
    const s = styleFor(was, col);
    let change: { col: number; value: Value } | undefined;
    for (let j = changes.length - 1; j >= 0; j--)
      if (changes[j].col === col) {
        change = changes[j]; // the last value for a column wins, as in a map
        break;
      }
    let xml: string;
    if (change) xml = writer.cell(`${columnLetter(col)}${r}`, change.value, s);
    else if (!old) xml = '';
    else if (s === was) xml = rowXml.slice(old.start, old.end);
    else if (old.style === -1)
      // No style yet: one added at the end of the open tag.
      xml = `${rowXml.slice(old.start, old.headEnd)} s="${s}"${rowXml.slice(old.headEnd, old.end)}`;
    else {
      // The style attribute with the white space before it, replaced (or taken out when the cell is to have none).
      const [from, to] = [old.style[0] - 4, old.style[1] + 1];
      xml = `${rowXml.slice(old.start, from)}${s === undefined ? '' : ` s="${s}"`}${rowXml.slice(to, old.end)}`;
    }
    out.push([col, xml]);
  }
  if (!sorted) out.sort((a, b) => a[0] - b[0]);
  const head = open[1] ? open[0].replace(/\/>$/, '>') : open[0];
  let row = head;
  for (const [, xml] of out) row += xml;
  return `${row}</row>`;
}

/**
 * One forward pass over <sheetData>: each edited row's XML replaced; rows must be in ascending order. Edited rows
 * next to each other (a collect or close edits nearly every row) are encoded together a few MB at a time, with
 * the few bytes between them: a buffer per row was a fifth of a whole-month close's patch.
 *
 * The rows travel as their bytes, one character each (latin1), not decoded from UTF-8 and encoded again: an edit
 * copies the cells it keeps as they are and reads only their ASCII structure, so nothing needs the text, and a
 * whole-month collect or close passes nearly every byte of the tab through here. An edit gives its new cells the
 * same way (`bytesWriter`).
 */
function editRows(xml: Buffer, edits: ReadonlyMap<number, RowEdit>): XmlPiece[] {
  if (!edits.size) return [xml];
  const wanted = [...edits.keys()].sort((a, b) => a - b);
  const out: XmlPiece[] = [];
  // Joined when flushed, not added up with +=: the sum is a tree of every row's pieces, held until deflated.
  let batch: string[] = [];
  let batchLength = 0;
  const flush = () => {
    if (batch.length) out.push({ latin1: batch.join('') }); // a string until deflated: see XmlPiece
    batch = [];
    batchLength = 0;
  };
  let from = 0;
  let p = xml.indexOf('<sheetData');
  for (const r of wanted) {
    const { start, end } = rowAt(xml, r, p) ?? cannot(`row ${r} is not where the patcher looks for it`);
    if (start - from > NEAR_BYTES) {
      flush();
      out.push(xml.subarray(from, start));
    } else if (start > from) batch.push(xml.toString('latin1', from, start));
    editRowInto(batch, xml.toString('latin1', start, end), edits.get(r)!);
    batchLength += end - from; // about what the rows come to: they change little in length
    if (batchLength >= APPEND_BATCH_CHARS) flush();
    from = p = end;
  }
  flush();
  out.push(xml.subarray(from));
  return out;
}

/** A cell writer for editRows' rows: the cell's UTF-8 bytes one character each (latin1), as the rows travel there. */
function bytesWriter(writer: Pick<CellWriter, 'cell'>): Pick<CellWriter, 'cell'> {
  return {
    cell: (ref, value, s, sharedText) => {
      const xml = writer.cell(ref, value, s, sharedText);
      // Only a text can bring other than ASCII (the rest of a cell is its reference, style and numbers); testing
      // the cell's XML made a flat copy of every new cell.
      return typeof value === 'string' && NON_ASCII.test(value)
        ? Buffer.from(xml, 'utf8').toString('latin1')
        : xml;
    },
  };
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Text as its UTF-8 bytes one character each, encoded through one scratch buffer, in strings under a MB: one
 * byte per character in V8's heap (text with one character past U+00FF, a description in Japanese, is two per
 * character for the whole batch), no buffer per batch, and no string Node makes external (it does above about
 * 1 MB): both are external memory until a collection finds them dead (see XmlPiece).
 */
function latin1Encoder(): (text: string, into: XmlPiece[]) => void {
  let scratch = Buffer.alloc(0);
  return (text, into) => {
    if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(text.length * 3);
    const n = scratch.write(text, 0, 'utf8');
    for (let at = 0; at < n; at += LATIN1_PIECE)
      into.push({ latin1: scratch.toString('latin1', at, Math.min(n, at + LATIN1_PIECE)) });
  };
}

/** Below the size from which Node makes a string from bytes an external one (EXTERN_APEX, 0xFBEE9 bytes). */
const LATIN1_PIECE = 512 * 1024;

/** Unchanged bytes between two edited rows taken into the text around them rather than kept as a view. */
const NEAR_BYTES = 512;

/** The part before <sheetData> (dimension, views, columns): small. */
function head(xml: Buffer): string {
  const at = xml.indexOf('<sheetData');
  return xml.toString('utf8', 0, at === -1 ? xml.length : at);
}

/** The part after </sheetData> (protection, filter, validations): small. */
function tail(xml: Buffer): string {
  const at = xml.lastIndexOf('</sheetData>');
  return at === -1 ? '' : xml.toString('utf8', at);
}

/**
 * Where <sheetData> starts and where it closes, after checking that its last row is `lastRow` (the last one
 * holding a value): rows below it (style-only rows Excel leaves) are the full writer's.
 */
function sheetDataOf(xml: Buffer, lastRow: number): { start: number; end: number } {
  const start = xml.indexOf('<sheetData');
  const end = xml.lastIndexOf('</sheetData>');
  if (start === -1 || end === -1) cannot('a tab without rows');
  const lastRowAt = xml.lastIndexOf('<row ', end);
  const lastInFile =
    lastRowAt < start
      ? 0
      : Number(/^<row\b[^>]*?\sr="(\d+)"/.exec(xml.toString('utf8', lastRowAt, lastRowAt + 200))?.[1] ?? 0);
  if (lastInFile !== lastRow) cannot(`rows below the last one holding a value (row ${lastInFile})`);
  return { start, end };
}

/**
 * Rows appended after `lastRow` (the last row holding a value), with <dimension> and the filter following, and
 * what follows </sheetData> as `editTail` makes it.
 */
function appendRows<R>(
  xml: Buffer,
  lastRow: number,
  rows: readonly R[],
  // Made row by row as the row is written: made all first, 365,000 rows' cells (a 150,000-credit collect's
  // Ledger and Audit rows) were held at once.
  cellsOf: (row: R) => { col: number; value: Value; s?: number }[],
  writer: CellWriter,
  sharedText = false,
  editTail: (after: string) => string = (after) => after,
): XmlPiece[] {
  if (!rows.length) return [xml];
  const { start, end } = sheetDataOf(xml, lastRow);
  let r = lastRow;
  let width = 0;
  // Joined a few MB at a time: one string of every new row (135,000 Audit rows of a whole-month collect) cost
  // more than linear time to build. Kept as text until deflated (XmlPiece): encoded here, they were external
  // memory held until the whole workbook was written.
  const added: XmlPiece[] = [];
  const latin1Of = latin1Encoder();
  let batch: string[] = [];
  let batchLength = 0;
  for (const record of rows) {
    const cells = cellsOf(record);
    r++;
    let inOrder = true;
    for (let i = 1; i < cells.length && inOrder; i++) inOrder = cells[i - 1].col <= cells[i].col;
    const sorted = inOrder ? cells : [...cells].sort((a, b) => a.col - b.col);
    // Each piece onto the batch, not summed into a row first (a cons string per cell, then the row's).
    const rowNumber = String(r);
    batch.push(`<row r="${rowNumber}">`);
    for (const c of sorted) {
      if (c.value !== null) width = Math.max(width, c.col);
      const cell = writer.cell(columnLetter(c.col) + rowNumber, c.value, c.s, sharedText);
      batch.push(cell);
      batchLength += cell.length;
    }
    batch.push('</row>');
    if (batchLength >= APPEND_BATCH_CHARS) {
      latin1Of(batch.join(''), added);
      batch = [];
      batchLength = 0;
    }
  }
  const before = head(xml).replace(
    /<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)\d+)?"\/>/,
    (_m, c1: string, r1: string, c2?: string) =>
      `<dimension ref="${c1}${r1}:${columnLetter(Math.max(columnNumber(c2 ?? c1), width))}${r}"/>`,
  );
  const after = tail(xml).replace(
    /<autoFilter ref="([A-Z]+\d+):([A-Z]+)\d+"\/>/,
    (_m, from: string, col: string) => `<autoFilter ref="${from}:${col}${r}"/>`,
  );
  latin1Of(batch.join(''), added);
  return [before, xml.subarray(start, end), ...added, editTail(after)];
}

/**
 * A record's fields as the cells appendRows and editRow take, in the record's order: a loop, not
 * Object.entries().map(), whose pair per field was two million arrays for a whole-month collect's new rows.
 */
function cellsOfRecord(
  record: Partial<Record<string, Cell>>,
  colOf: ReadonlyMap<string, number>,
  kinds: ReadonlyMap<string, CellKind>,
): { col: number; value: Value }[] {
  const out: { col: number; value: Value }[] = [];
  for (const f in record) out.push({ col: colOf.get(f)!, value: excelValueFor(record[f]!, kinds.get(f)) });
  return out;
}

/** How much new row XML appendRows encodes at once. */
const APPEND_BATCH_CHARS = 4 * 1024 * 1024;

/**
 * Rows removed from a sheet part, and every row below moved up: its r and each cell's reference renumbered, in
 * one forward pass (rows above the first removed one are copied as they are). <dimension>, the filter and, on
 * the Credits tab, the Status dropdown end at the new last row. A tab left without data rows is the full
 * writer's (the dropdown and filter of an empty tab are its to shape).
 */
function removeRows(xml: Buffer, drop: ReadonlySet<number>, lastRow: number, credits: boolean): Buffer[] {
  const { start, end } = sheetDataOf(xml, lastRow);
  let first = Infinity; // no Math.min(...rows): 150,000 arguments overflow the stack
  let dropped = 0;
  for (const r of drop)
    if (r >= 2 && r <= lastRow) {
      dropped++;
      if (r < first) first = r;
    }
  const newLast = lastRow - dropped;
  if (newLast < 2) cannot('every data row removed');
  const firstAt = rowAt(xml, first, start) ?? cannot(`row ${first} is not where the patcher looks for it`);
  const out: Buffer[] = [xml.subarray(start, firstAt.start)];
  let moved: string[] = [];
  let movedBytes = 0;
  const flush = () => {
    if (moved.length) out.push(Buffer.from(moved.join(''), 'latin1'));
    moved = [];
    movedBytes = 0;
  };
  let shift = 0;
  let p = firstAt.start;
  while (p < end) {
    const at = xml.indexOf('<row', p);
    if (at === -1 || at >= end) break;
    if (at > p) moved.push(xml.toString('latin1', p, at)); // whitespace between rows, kept
    const gt = xml.indexOf('>', at);
    const rowEnd = xml[gt - 1] === 47 /* / */ ? gt + 1 : xml.indexOf('</row>', gt) + 6;
    // Latin-1 keeps every byte as it is (UTF-8 text included); only the ASCII references are rewritten.
    const row = xml.toString('latin1', at, rowEnd);
    const r = Number(/^<row\b[^>]*?\sr="(\d+)"/.exec(row)?.[1] ?? cannot('a row without r'));
    if (drop.has(r)) shift++;
    else if (!shift) moved.push(row);
    else {
      const to = r - shift;
      moved.push(
        row
          .replace(/^(<row\b[^>]*?\sr=")\d+"/, `$1${to}"`)
          .replace(/(<c\b[^>]*?\sr="[A-Z]+)(\d+)"/g, (_m, ref: string, n: string) => {
            if (Number(n) !== r) cannot(`cell ${ref.slice(ref.lastIndexOf('"') + 1)}${n} in row ${r}`);
            return `${ref}${to}"`;
          }),
      );
    }
    movedBytes += rowEnd - at;
    if (movedBytes >= 4 * 1024 * 1024) flush();
    p = rowEnd;
  }
  flush();
  // Every row meant to go was there (a blank row has no element to remove): else the references would be off.
  if (lastRow - shift !== newLast) cannot('a row to remove is not in the part');
  const before = head(xml).replace(
    /<dimension ref="([A-Z]+\d+):([A-Z]+)\d+"\/>/,
    (_m, from: string, col: string) => `<dimension ref="${from}:${col}${newLast}"/>`,
  );
  out.unshift(Buffer.from(before, 'utf8'));
  let after = xml
    .toString('utf8', end)
    .replace(
      /<autoFilter ref="([A-Z]+\d+):([A-Z]+)\d+"\/>/,
      (_m, from: string, col: string) => `<autoFilter ref="${from}:${col}${newLast}"/>`,
    );
  if (credits)
    after = after.replace(/sqref="([A-Z]+)2:([A-Z]+)(\d+)"/, (m, c1: string, c2: string, n: string) =>
      Number(n) === lastRow ? `sqref="${c1}2:${c2}${newLast}"` : m,
    );
  out.push(xml.subarray(p, end), Buffer.from(after, 'utf8'));
  return out;
}

/** Text as XML character data: most texts hold none of `&<>`, and are returned as they are after one test. */
function escapeText(s: string): string {
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 1-based, like the XML's references; each column's letters made once (every cell of every row written asks). */
const letters: string[] = [];
const columnLetter = (col: number) => (letters[col] ??= letterOf(col - 1));
