/**
 * Formatting and protection of the workbook's tabs, recomputed over the whole tab on every save so the file
 * always matches the Status column: PROCESSING / PROCESSED rows are locked, every other row (and the empty
 * rows below, through the column styles) stays editable.
 *
 * ExcelJS shares one style object between every cell loaded with the same style id, so a cell's style is
 * never mutated here: each cell gets a derived style object (memoised, so the file still holds few styles).
 */
import type { Cell as ExcelCell, Column, DataValidation, Style, Worksheet } from 'exceljs';
import { isLocked, isStatus } from '../../../core/status';
import { TABS, type ColumnSpec, type TabId } from '../../../core/sheet-contract';
import { cellChoices, cellFormat, columnLetter as letterOf, TAB_TRAITS } from '../../../core/sheet-layout';
import { text } from '../../../core/table';
import { cellFromExcel } from '../../xlsx/workbook-cells';
import { readHeaderIndex, type HeaderIndex } from './workbook-layout';

/**
 * Sheet protection guards against accidental edits; it is not security (anyone can open the zip). So no
 * password: the desk lead can still unprotect a tab in Excel (Review → Unprotect Sheet) to repair a mistake,
 * no secret sits in this repository, and the next save protects it again. Without a password ExcelJS also
 * skips the slow spin-count hashing.
 */
const PROTECTION_PASSWORD = '';

const CREDITS_PROTECTION = {
  selectLockedCells: true,
  selectUnlockedCells: true,
  formatColumns: true,
  sort: true,
  autoFilter: true,
};

const AUDIT_PROTECTION = {
  selectLockedCells: true,
  selectUnlockedCells: true,
  formatColumns: true,
  sort: true,
  autoFilter: true,
};

/** Empty columns right of the table that stay unlocked, so staff can add a column of their own. */
const SPARE_COLUMNS = 10;

type StylePatch = Partial<Style>;

const EMPTY_STYLE: Partial<Style> = Object.freeze({}) as Partial<Style>;
const derivedStyles = new WeakMap<object, Map<string, Partial<Style>>>();
/** Style object → the first equal one seen. Cells created in memory each get their own `{}`, loaded cells share. */
const canonicalStyles = new WeakMap<object, Partial<Style>>();
const stylesByContent = new Map<string, WeakRef<Partial<Style>>>();

function canonical(style: Partial<Style>): Partial<Style> {
  let found = canonicalStyles.get(style);
  if (!found) {
    const content = JSON.stringify(style);
    found = stylesByContent.get(content)?.deref();
    if (!found) stylesByContent.set(content, new WeakRef((found = style)));
    canonicalStyles.set(style, found);
  }
  return found;
}

/** `base` with `patch` on top, the same object for equal bases and the same patch. */
function deriveStyle(base: Partial<Style> | undefined, patchKey: string, patch: StylePatch): Partial<Style> {
  const from = base ? canonical(base) : EMPTY_STYLE;
  let byPatch = derivedStyles.get(from);
  if (!byPatch) derivedStyles.set(from, (byPatch = new Map()));
  let style = byPatch.get(patchKey);
  if (!style) {
    byPatch.set(patchKey, (style = { ...from, ...patch }));
    canonicalStyles.set(style, style);
  }
  return style;
}

function restyle(target: ExcelCell | Column, patchKey: string, patch: StylePatch): void {
  const next = deriveStyle(target.style, patchKey, patch);
  if (next !== target.style) target.style = next as Style;
}

const LOCKED: StylePatch = { protection: { locked: true } };
const UNLOCKED: StylePatch = { protection: { locked: false } };

function memo<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = compute(key)));
    return value;
  };
}

/** Header bold and frozen, contract widths on columns that have none yet (a width staff chose is kept). */
function formatHeader(ws: Worksheet, tab: TabId, headers: HeaderIndex, width: number): void {
  const header = ws.getRow(1);
  for (let c = 1; c <= width; c++) {
    const cell = header.getCell(c);
    // Header cells stay locked (the default) on protected tabs: renaming one would break the column lookup.
    restyle(cell, 'header', { font: { ...(cell.style?.font ?? {}), bold: true } });
  }
  const existing = ws.views?.[0];
  const xSplit = existing && existing.state === 'frozen' ? (existing.xSplit ?? 0) : 0;
  ws.views = [{ state: 'frozen', xSplit, ySplit: TAB_TRAITS[tab].frozenRows }];
  for (const spec of TABS[tab].columns as readonly ColumnSpec[]) {
    const col = headers.get(spec.header.toLowerCase());
    if (col === undefined) continue;
    const column = ws.getColumn(col);
    if (column.width === undefined && spec.width) column.width = spec.width;
  }
}

/** The widest row of a tab (header and data rows). */
function usedWidth(ws: Worksheet, lastRow: number): number {
  let width = 0;
  for (let r = 1; r <= lastRow; r++) {
    const row = ws.findRow(r);
    if (row) width = Math.max(width, row.cellCount);
  }
  return width;
}

/**
 * Formats the Credits tab and protects it. Returns how many rows are locked (PROCESSING / PROCESSED).
 */
export async function formatCreditsTab(ws: Worksheet, lastRow: number): Promise<number> {
  const headers = readHeaderIndex(ws);
  const col = (header: string) => headers.get(header.toLowerCase());
  const statusCol = col('Status');
  const currencyCol = col('Currency');
  // The core's plan of each contract column (sheet-layout.ts): its format, dropdown and visibility.
  const specs: { spec: ColumnSpec; col: number }[] = [];
  for (const spec of TABS.credits.columns as readonly ColumnSpec[]) {
    const c = col(spec.header);
    if (c !== undefined) specs.push({ spec, col: c });
  }
  const moneyCols = specs.filter((x) => x.spec.kind === 'money').map((x) => x.col);
  const fixedFormats = new Map(
    specs.flatMap(({ spec, col: c }) => {
      const format = spec.kind === 'money' ? null : cellFormat(spec);
      return format ? [[c, format.pattern] as const] : [];
    }),
  );
  const width = Math.max(usedWidth(ws, lastRow), headers.size);

  formatHeader(ws, 'credits', headers, width);
  for (let c = 1; c <= width; c++) restyle(ws.getRow(1).getCell(c), 'locked', LOCKED);
  for (let c = 1; c <= width + SPARE_COLUMNS; c++) restyle(ws.getColumn(c), 'unlocked', UNLOCKED);
  for (const { spec, col: c } of specs) if (spec.hidden) ws.getColumn(c).hidden = true;

  // One patch object per (lock, number format), built once: this loop touches every cell of 100,000 rows.
  const patchFor = memo((key: string) => {
    const [lock, numFmt] = key.split('|');
    return {
      key,
      patch: numFmt ? { ...(lock === 'L' ? LOCKED : UNLOCKED), numFmt } : lock === 'L' ? LOCKED : UNLOCKED,
    };
  });
  const moneySpec = specs.find((x) => x.spec.kind === 'money')?.spec;
  const formatOfCurrency = memo((currency) => (moneySpec ? cellFormat(moneySpec, currency)!.pattern : ''));
  const fixedFormat = (c: number) => fixedFormats.get(c) ?? '';

  let locked = 0;
  for (let r = 2; r <= lastRow; r++) {
    const row = ws.getRow(r);
    const status = statusCol === undefined ? '' : text(cellFromExcel(row.findCell(statusCol)?.value));
    const isRowLocked = isStatus(status) && isLocked(status);
    if (isRowLocked) locked++;
    const currency =
      currencyCol === undefined ? 'USD' : text(cellFromExcel(row.findCell(currencyCol)?.value));
    const lock = isRowLocked ? 'L' : 'U';
    for (let c = 1; c <= width; c++) {
      const numFmt = moneyCols.includes(c) ? formatOfCurrency(currency) : fixedFormat(c);
      const { key, patch } = patchFor(`${lock}|${numFmt}`);
      restyle(row.getCell(c), key, patch);
    }
  }

  for (const { spec, col: c } of specs) {
    const choices = cellChoices(spec);
    if (choices) setDropdown(ws, spec.header, choices, letterOf(c - 1), lastRow);
  }
  if (TAB_TRAITS.credits.filter)
    ws.autoFilter = `A1:${letterOf(Math.max(width, 1) - 1)}${Math.max(lastRow, 1)}`;
  await ws.protect(PROTECTION_PASSWORD, { ...CREDITS_PROTECTION });
  return locked;
}

/** ExcelJS keeps a sheet's validations by address (a cell, or a range we add); its typings omit the collection. */
interface DataValidationCollection {
  model: Record<string, DataValidation | undefined>;
  add(address: string, validation: DataValidation): void;
}

function dataValidationsOf(ws: Worksheet): DataValidationCollection {
  return (ws as unknown as { dataValidations: DataValidationCollection }).dataValidations;
}

const CELL_OR_RANGE = /^\$?([A-Z]+)\$?\d+(?::\$?([A-Z]+)\$?\d+)?$/;

/** One list validation over a column's cells in every data row, replacing whatever the column had. */
function setDropdown(
  ws: Worksheet,
  header: string,
  choices: readonly string[],
  letter: string,
  lastRow: number,
): void {
  const validations = dataValidationsOf(ws);
  const model = validations.model;
  for (const address of Object.keys(model)) {
    const m = CELL_OR_RANGE.exec(address);
    // Deleted, not set to undefined: ExcelJS would render an undefined entry as an empty validation.
    if (m && m[1] === letter && (m[2] === undefined || m[2] === letter)) delete model[address];
  }
  if (lastRow < 2) return;
  validations.add(`${letter}2:${letter}${lastRow}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${choices.join(',')}"`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: header,
    error: `Pick one of ${choices.join(', ')}.`,
  });
}

/** Audit is append-only by the program: every cell locked, the sheet protected, filtering still allowed. */
export async function formatAuditTab(ws: Worksheet, lastRow: number): Promise<void> {
  const headers = readHeaderIndex(ws);
  const width = Math.max(usedWidth(ws, lastRow), headers.size);
  formatHeader(ws, 'audit', headers, width);
  if (TAB_TRAITS.audit.filter)
    ws.autoFilter = `A1:${letterOf(Math.max(width, 1) - 1)}${Math.max(lastRow, 1)}`;
  await ws.protect(PROTECTION_PASSWORD, { ...AUDIT_PROTECTION });
}

/**
 * The Ledger is the usage process's record (core/ledger.ts): hidden, every cell locked, the sheet protected, so
 * nobody edits it by accident (a desk lead can still unhide and unprotect it on purpose, in Excel).
 */
export async function formatLedgerTab(ws: Worksheet): Promise<void> {
  const headers = readHeaderIndex(ws);
  formatHeader(ws, 'ledger', headers, headers.size);
  if (TAB_TRAITS.ledger.hidden) ws.state = 'hidden';
  await ws.protect(PROTECTION_PASSWORD, { selectLockedCells: true, selectUnlockedCells: true });
}

/** Accounts, Rules, Config: staff own them, so only a bold frozen header and widths; no protection. */
export function formatStaffTab(ws: Worksheet, tab: TabId): void {
  const headers = readHeaderIndex(ws);
  formatHeader(ws, tab, headers, Math.max(usedWidth(ws, 1), headers.size));
}
