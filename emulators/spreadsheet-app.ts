/**
 * An in-memory stand-in for the parts of SpreadsheetApp the add-on uses: Spreadsheet, Sheet, Range,
 * RangeList, Filter, FilterCriteria, Protection and notes, with the real method names and semantics:
 * 1-based rows and columns, getValues returns a fresh 2-D array (Date objects for date cells), a string
 * starting with "=" becomes a formula and one starting with "'" stays literal text, filters hide rows by
 * criteria, protections refuse writes by users who are not editors, notes live per cell.
 *
 * Every object handed to a caller is wrapped by a CallLog, so each method call is counted.
 *
 * The spreadsheet lives in a SpreadsheetState (sheets-model.ts), the same store the local Sheets v4 server
 * serves: a FakeSpreadsheet made with a store (shared-spreadsheet.ts) is a second front of the server's
 * spreadsheet; one made without has a store of its own. Cells, tabs, grid sizes, protected ranges and
 * developer metadata are the store's; notes, number formats, hand-hidden rows and the filter are this front's.
 *
 * Behaviours modelled after Google's documentation (each cited where it is implemented): the spreadsheet's
 * owner bypasses protections; protected ranges move with row inserts and deletes; a write by a user who is
 * not an editor of a protected range throws; strings given to setValue(s) are parsed as a person typing them
 * would be, unless the cell is formatted as plain text ("@"); FilterCriteria value lists are arrays (empty
 * when unset, and getVisibleValues is for pivot filters, so always empty on a basic filter); spreadsheet-level
 * developer metadata; the Session email may be blank while protections still know who is acting.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { CallLog } from './call-log';
import { addSheet, newSpreadsheet, shiftDimension } from './sheets-model';
import type { SheetState, SpreadsheetState, Stored } from './sheets-state';

export type Value = string | number | boolean | Date;

function copyValue(v: Value | undefined): Value {
  if (v === undefined) return '';
  return isDate(v) ? new Date(v.getTime()) : v;
}

function isBlank(v: Stored | undefined): boolean {
  return v === undefined || v === null || v === '';
}

// -------------------------------------------------------------------------------------------------------
// Typing

/**
 * What a cell holds after a person types `text` into it, which is also what Range.setValue/setValues do with
 * a string (Range.setValue(s) reference: a string value is read the way typed input is — the behaviour
 * users of "0012" and "2026-01" run into; Sheets API ValueInputOption USER_ENTERED: "The values will be
 * parsed as if the user typed them into the UI"): numbers lose leading zeros
 * ("0012" → 12), thousands separators and percentages become numbers ("5%" → 0.05), TRUE/FALSE become
 * booleans, dates ("2026-01", "2026-01-15", ISO timestamps) become Dates. A leading apostrophe keeps the rest as
 * text, and a cell formatted as plain text ("@") keeps whatever is typed. Where unsure which inputs Sheets
 * parses (ISO timestamps, "2026-01"), this models the stricter behaviour: parsed.
 */
export function parseTyped(text: string): Value {
  const t = text.trim();
  if (t === '') return '';
  if (/^(true|false)$/i.test(t)) return t.toUpperCase() === 'TRUE';
  const num = /^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?(e[+-]?\d+)?(%)?$/i.exec(t);
  if (num && /\d/.test(t)) {
    const n = Number(t.replace(/[,%]/g, ''));
    if (Number.isFinite(n)) return num[5] ? n / 100 : n;
  }
  const ym = /^(\d{4})-(\d{1,2})$/.exec(t);
  if (ym && Number(ym[2]) >= 1 && Number(ym[2]) <= 12)
    return new Date(Date.UTC(Number(ym[1]), Number(ym[2]) - 1, 1));
  const ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (ymd) {
    const d = new Date(Date.UTC(Number(ymd[1]), Number(ymd[2]) - 1, Number(ymd[3])));
    if (d.getUTCDate() === Number(ymd[3])) return d;
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    const d = new Date(t);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return text;
}

// -------------------------------------------------------------------------------------------------------
// A1 notation

export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** "B3", "A1:C10", "A:C" (whole columns), "2:5" (whole rows) → row, col, numRows, numCols. */
export function parseA1(a1: string, maxRows: number, maxCols: number): [number, number, number, number] {
  const cell = /^([A-Z]*)(\d*)$/i;
  const [from, to = from] = a1.replace(/\$/g, '').split(':');
  const a = cell.exec(from);
  const b = cell.exec(to);
  if (!a || !b || (!a[1] && !a[2])) throw new Error(`Range not found: ${a1}`);
  const r1 = a[2] ? Number(a[2]) : 1;
  const c1 = a[1] ? columnNumber(a[1]) : 1;
  const r2 = b[2] ? Number(b[2]) : maxRows;
  const c2 = b[1] ? columnNumber(b[1]) : maxCols;
  return [Math.min(r1, r2), Math.min(c1, c2), Math.abs(r2 - r1) + 1, Math.abs(c2 - c1) + 1];
}

// -------------------------------------------------------------------------------------------------------
// Filter criteria

export const BooleanCriteria = {
  CELL_EMPTY: 'CELL_EMPTY',
  CELL_NOT_EMPTY: 'CELL_NOT_EMPTY',
  TEXT_CONTAINS: 'TEXT_CONTAINS',
  TEXT_DOES_NOT_CONTAIN: 'TEXT_DOES_NOT_CONTAIN',
  TEXT_EQUAL_TO: 'TEXT_EQUAL_TO',
  TEXT_NOT_EQUAL_TO: 'TEXT_NOT_EQUAL_TO',
  TEXT_STARTS_WITH: 'TEXT_STARTS_WITH',
  TEXT_ENDS_WITH: 'TEXT_ENDS_WITH',
  NUMBER_EQUAL_TO: 'NUMBER_EQUAL_TO',
  NUMBER_NOT_EQUAL_TO: 'NUMBER_NOT_EQUAL_TO',
  NUMBER_GREATER_THAN: 'NUMBER_GREATER_THAN',
  NUMBER_GREATER_THAN_OR_EQUAL_TO: 'NUMBER_GREATER_THAN_OR_EQUAL_TO',
  NUMBER_LESS_THAN: 'NUMBER_LESS_THAN',
  NUMBER_LESS_THAN_OR_EQUAL_TO: 'NUMBER_LESS_THAN_OR_EQUAL_TO',
  NUMBER_BETWEEN: 'NUMBER_BETWEEN',
  NUMBER_NOT_BETWEEN: 'NUMBER_NOT_BETWEEN',
  CUSTOM_FORMULA: 'CUSTOM_FORMULA',
} as const;
export type CriteriaType = keyof typeof BooleanCriteria;

export class FakeFilterCriteria {
  constructor(
    readonly _hidden: string[] | null,
    readonly _visible: string[] | null,
    readonly _type: CriteriaType | null,
    readonly _args: Value[],
  ) {}
  /** FilterCriteria.getHiddenValues(): String[] — an array, empty when no value is hidden (reference: FilterCriteria). */
  getHiddenValues(): string[] {
    return this._hidden ? [...this._hidden] : [];
  }
  /**
   * FilterCriteria.getVisibleValues(): "Returns the values that the pivot table filter shows." On a basic
   * filter's criteria we return [] (the stricter reading: the add-on must not take [] as "nothing shown").
   * Visible values set through the builder still filter (the fake's `_visible`), as in a pivot table.
   */
  getVisibleValues(): string[] {
    return [];
  }
  getCriteriaType(): CriteriaType | null {
    return this._type;
  }
  getCriteriaValues(): Value[] {
    return this._args.map(copyValue);
  }
  copy(): FakeFilterCriteriaBuilder {
    const b = new FakeFilterCriteriaBuilder();
    b._hidden = this._hidden;
    b._visible = this._visible;
    b._type = this._type;
    b._args = this._args;
    return b;
  }

  /**
   * The condition's values with formulas evaluated on `sheet`. ConditionValue.userEnteredValue: "The value the
   * condition is based on. The value is parsed as if the user typed into a cell. Formulas are supported (and
   * must begin with an = or a '+')" (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/other#ConditionValue).
   * A CUSTOM_FORMULA's own formula is not a value. The emulator evaluates a reference to one cell (=$Z$1, +B2,
   * ='Other tab'!A1) and refuses any other formula loudly rather than compare it as text.
   */
  _resolvedArgs(sheet: FakeSheet): Value[] {
    if (this._type === 'CUSTOM_FORMULA') return this._args;
    return this._args.map((a) => {
      if (typeof a !== 'string' || !/^[=+]/.test(a)) return a;
      const m = /^[=+](?:'((?:[^']|'')+)'!|([A-Za-z0-9_]+)!)?\$?([A-Za-z]{1,3})\$?(\d+)$/.exec(a.trim());
      if (!m)
        throw new Error(
          `The emulator cannot evaluate the filter condition formula ${a} (only a reference to one cell).`,
        );
      const name = m[1]?.replace(/''/g, "'") ?? m[2];
      const target = name ? sheet._parent._sheets.find((x) => x._name === name) : sheet;
      if (!target) throw new Error(`The filter condition formula ${a} names no tab of this spreadsheet.`);
      const col = m[3]
        .toUpperCase()
        .split('')
        .reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
      return target._get(Number(m[4]), col) ?? '';
    });
  }

  /** Whether a cell passes; this is the fake's own reading of Sheets' filter semantics (text is case-insensitive). */
  _admits(value: Value, display: string, args: Value[] = this._args): boolean {
    if (this._hidden && this._hidden.includes(display)) return false;
    if (this._visible && !this._visible.includes(display)) return false;
    if (!this._type) return true;
    const t = display.toLowerCase();
    const a = String(args[0] ?? '').toLowerCase();
    const n = typeof value === 'number' ? value : Number.NaN;
    const [x, y] = args.map(Number);
    switch (this._type) {
      case 'CELL_EMPTY':
        return display === '';
      case 'CELL_NOT_EMPTY':
        return display !== '';
      case 'TEXT_CONTAINS':
        return t.includes(a);
      case 'TEXT_DOES_NOT_CONTAIN':
        return !t.includes(a);
      case 'TEXT_EQUAL_TO':
        return t === a;
      case 'TEXT_NOT_EQUAL_TO':
        return t !== a;
      case 'TEXT_STARTS_WITH':
        return t.startsWith(a);
      case 'TEXT_ENDS_WITH':
        return t.endsWith(a);
      case 'NUMBER_EQUAL_TO':
        return n === x;
      case 'NUMBER_NOT_EQUAL_TO':
        return n !== x;
      case 'NUMBER_GREATER_THAN':
        return n > x;
      case 'NUMBER_GREATER_THAN_OR_EQUAL_TO':
        return n >= x;
      case 'NUMBER_LESS_THAN':
        return n < x;
      case 'NUMBER_LESS_THAN_OR_EQUAL_TO':
        return n <= x;
      case 'NUMBER_BETWEEN':
        return n >= Math.min(x, y) && n <= Math.max(x, y);
      case 'NUMBER_NOT_BETWEEN':
        return !(n >= Math.min(x, y) && n <= Math.max(x, y));
      case 'CUSTOM_FORMULA':
        // The fake cannot evaluate formulas; a test sets FakeFilterCriteria.formulaHides to decide.
        return !(FakeFilterCriteria.formulaHides?.(value) ?? false);
    }
  }

  /** How a CUSTOM_FORMULA criterion decides in the fake (tests set it). */
  static formulaHides: ((value: Value) => boolean) | null = null;
}

export class FakeFilterCriteriaBuilder {
  _hidden: string[] | null = null;
  _visible: string[] | null = null;
  _type: CriteriaType | null = null;
  _args: Value[] = [];
  constructor(private readonly log?: CallLog) {}
  private when(type: CriteriaType, ...args: Value[]): this {
    this._type = type;
    this._args = args;
    return this;
  }
  setHiddenValues(values: string[]): this {
    this._hidden = [...values];
    return this;
  }
  setVisibleValues(values: string[]): this {
    this._visible = [...values];
    return this;
  }
  whenCellEmpty(): this {
    return this.when('CELL_EMPTY');
  }
  whenCellNotEmpty(): this {
    return this.when('CELL_NOT_EMPTY');
  }
  whenTextContains(text: string): this {
    return this.when('TEXT_CONTAINS', text);
  }
  whenTextDoesNotContain(text: string): this {
    return this.when('TEXT_DOES_NOT_CONTAIN', text);
  }
  whenTextEqualTo(text: string): this {
    return this.when('TEXT_EQUAL_TO', text);
  }
  whenTextStartsWith(text: string): this {
    return this.when('TEXT_STARTS_WITH', text);
  }
  whenTextEndsWith(text: string): this {
    return this.when('TEXT_ENDS_WITH', text);
  }
  whenNumberGreaterThan(n: number): this {
    return this.when('NUMBER_GREATER_THAN', n);
  }
  whenNumberGreaterThanOrEqualTo(n: number): this {
    return this.when('NUMBER_GREATER_THAN_OR_EQUAL_TO', n);
  }
  whenNumberLessThan(n: number): this {
    return this.when('NUMBER_LESS_THAN', n);
  }
  whenNumberLessThanOrEqualTo(n: number): this {
    return this.when('NUMBER_LESS_THAN_OR_EQUAL_TO', n);
  }
  whenNumberEqualTo(n: number): this {
    return this.when('NUMBER_EQUAL_TO', n);
  }
  whenNumberBetween(a: number, b: number): this {
    return this.when('NUMBER_BETWEEN', a, b);
  }
  whenFormulaSatisfied(formula: string): this {
    return this.when('CUSTOM_FORMULA', formula);
  }
  build(): FakeFilterCriteria {
    const c = new FakeFilterCriteria(this._hidden, this._visible, this._type, this._args);
    return this.log ? this.log.wrap(c, 'FilterCriteria') : c;
  }
}

export class FakeFilter {
  readonly _criteria = new Map<number, FakeFilterCriteria>();
  constructor(
    readonly _sheet: FakeSheet,
    readonly _area: { row: number; col: number; numRows: number; numCols: number },
  ) {}
  getRange(): FakeRange {
    const a = this._area;
    return this._sheet._range(a.row, a.col, a.numRows, a.numCols);
  }
  getColumnFilterCriteria(col: number): FakeFilterCriteria | null {
    const c = this._criteria.get(col);
    return c ? this._sheet._log.wrap(c, 'FilterCriteria') : null;
  }
  setColumnFilterCriteria(col: number, criteria: FakeFilterCriteria | null): this {
    if (col < this._area.col || col >= this._area.col + this._area.numCols) {
      throw new Error(`The column ${col} is outside the filter range.`);
    }
    if (criteria) this._criteria.set(col, criteria);
    else this._criteria.delete(col);
    return this;
  }
  removeColumnFilterCriteria(col: number): this {
    this._criteria.delete(col);
    return this;
  }
  remove(): void {
    this._sheet._filter = null;
  }
  /** Rows below the filter's header row that some column's criteria hide. */
  _hides(row: number): boolean {
    const a = this._area;
    if (row <= a.row || row >= a.row + a.numRows) return false;
    for (const [col, c] of this._criteria) {
      const v = this._sheet._get(row, col);
      if (!c._admits(v ?? '', this._sheet._display(v), c._resolvedArgs(this._sheet))) return true;
    }
    return false;
  }
}

// -------------------------------------------------------------------------------------------------------
// Protections

type ProtectedRange = sheets_v4.Schema$ProtectedRange;
export interface Area {
  row: number;
  col: number;
  numRows: number;
  numCols: number;
}

/**
 * A Protection is a view over one ProtectedRange of the shared store (sheets-model.ts), so a range the sync
 * protects through the Sheets API is the same object a person meets here, and the other way round. It finds its
 * ProtectedRange by protectedRangeId ("stable for the protection's life"): an atomic API batch replaces the
 * stored objects, never the ids.
 */
export class FakeProtection {
  private cached: { list: ProtectedRange[]; length: number; pr: ProtectedRange } | null = null;
  constructor(
    readonly _sheet: FakeSheet,
    readonly _id: number,
    pr?: ProtectedRange,
  ) {
    if (pr)
      this.cached = { list: _sheet._state.protectedRanges, length: _sheet._state.protectedRanges.length, pr };
  }
  /**
   * A new protection of `area` (null: the whole sheet) by `creator`, added to the store. As in Sheets, the
   * creating user is an editor and cannot be removed (Protection.removeEditor: "the owner and the current user
   * cannot be removed").
   */
  static _create(sheet: FakeSheet, area: Area | null, creator: string): FakeProtection {
    const st = sheet._state;
    const id = sheet._parent._state().nextId++;
    const range: sheets_v4.Schema$GridRange = { sheetId: st.properties.sheetId };
    if (area) {
      range.startRowIndex = area.row - 1;
      range.endRowIndex = area.row - 1 + area.numRows;
      range.startColumnIndex = area.col - 1;
      range.endColumnIndex = area.col - 1 + area.numCols;
    }
    const pr: ProtectedRange = {
      protectedRangeId: id,
      range,
      description: '',
      warningOnly: false,
      requestingUserCanEdit: true,
      editors: { users: [creator] },
    };
    st.protectedRanges.push(pr);
    return new FakeProtection(sheet, id, pr);
  }
  get _pr(): ProtectedRange {
    const list = this._sheet._state.protectedRanges;
    const c = this.cached;
    if (c && c.list === list && c.length === list.length) return c.pr;
    const pr = list.find((x) => x.protectedRangeId === this._id);
    if (!pr) throw new Error('This protection has been removed.');
    this.cached = { list, length: list.length, pr };
    return pr;
  }
  get _description(): string {
    return this._pr.description ?? '';
  }
  set _description(d: string) {
    this._pr.description = d;
  }
  get _warningOnly(): boolean {
    return this._pr.warningOnly === true;
  }
  set _warningOnly(w: boolean) {
    this._pr.warningOnly = w;
  }
  /** ProtectedRange.editors.users, live: changing it changes the store. */
  get _editors(): string[] {
    const pr = this._pr;
    pr.editors ??= {};
    return (pr.editors.users ??= []);
  }
  set _editors(users: string[]) {
    this._pr.editors = { ...this._pr.editors, users: [...users] };
  }
  /** The protected rectangle, 1-based (null: the whole sheet — a GridRange with only a sheetId). */
  get _area(): Area | null {
    const r = this._pr.range ?? {};
    if (
      r.startRowIndex == null &&
      r.endRowIndex == null &&
      r.startColumnIndex == null &&
      r.endColumnIndex == null
    )
      return null;
    const gp = this._sheet._state.properties.gridProperties;
    const row = (r.startRowIndex ?? 0) + 1;
    const col = (r.startColumnIndex ?? 0) + 1;
    return {
      row,
      col,
      numRows: (r.endRowIndex ?? gp.rowCount) - row + 1,
      numCols: (r.endColumnIndex ?? gp.columnCount) - col + 1,
    };
  }
  getProtectionType(): 'RANGE' | 'SHEET' {
    return this._area ? 'RANGE' : 'SHEET';
  }
  getRange(): FakeRange {
    const a = this._area ?? { row: 1, col: 1, numRows: this._sheet._maxRows, numCols: this._sheet._maxCols };
    return this._sheet._range(a.row, a.col, a.numRows, a.numCols);
  }
  setDescription(d: string): this {
    this._description = d;
    return this;
  }
  getDescription(): string {
    return this._description;
  }
  setWarningOnly(w: boolean): this {
    this._warningOnly = w;
    return this;
  }
  isWarningOnly(): boolean {
    return this._warningOnly;
  }
  addEditor(email: string): this {
    if (!this._editors.includes(email)) this._editors.push(email);
    return this;
  }
  removeEditors(emails: string[]): this {
    this._editors = this._editors.filter((e, i) => i === 0 || !emails.includes(e));
    return this;
  }
  getEditors(): { getEmail(): string }[] {
    return this._editors.map((e) => ({ getEmail: () => e }));
  }
  /** Protection.canEdit(): whether the user has permission to edit — always true for the owner. */
  canEdit(): boolean {
    const user = this._sheet._parent._user();
    return user === this._sheet._parent._owner || this._editors.includes(user);
  }
  remove(): void {
    const st = this._sheet._state;
    st.protectedRanges = st.protectedRanges.filter((x) => x.protectedRangeId !== this._id);
  }
  _covers(row: number, col: number, numRows: number, numCols: number): boolean {
    const a = this._area;
    if (!a) return true;
    return (
      row < a.row + a.numRows && a.row < row + numRows && col < a.col + a.numCols && a.col < col + numCols
    );
  }
}

// -------------------------------------------------------------------------------------------------------
// Range and RangeList

export class FakeRange {
  constructor(
    readonly _sheet: FakeSheet,
    readonly _row: number,
    readonly _col: number,
    readonly _numRows: number,
    readonly _numCols: number,
  ) {
    if (_row < 1 || _col < 1 || _numRows < 1 || _numCols < 1) {
      throw new Error(`The coordinates of the range are outside the dimensions of the sheet.`);
    }
  }
  private grid<T>(cell: (r: number, c: number) => T): T[][] {
    const out: T[][] = [];
    for (let r = 0; r < this._numRows; r++) {
      const line: T[] = [];
      for (let c = 0; c < this._numCols; c++) line.push(cell(this._row + r, this._col + c));
      out.push(line);
    }
    return out;
  }
  private checkShape(values: unknown[][], what: string): void {
    if (!Array.isArray(values) || values.length !== this._numRows) {
      throw new Error(
        `The number of rows in the ${what} does not match the number of rows in the range. The ${what} has ${values?.length} but the range has ${this._numRows}.`,
      );
    }
    for (const line of values) {
      if (!Array.isArray(line) || line.length !== this._numCols) {
        throw new Error(
          `The number of columns in the ${what} does not match the number of columns in the range. The ${what} has ${line?.length} but the range has ${this._numCols}.`,
        );
      }
    }
  }
  getRow(): number {
    return this._row;
  }
  getColumn(): number {
    return this._col;
  }
  getNumRows(): number {
    return this._numRows;
  }
  getNumColumns(): number {
    return this._numCols;
  }
  getLastRow(): number {
    return this._row + this._numRows - 1;
  }
  getLastColumn(): number {
    return this._col + this._numCols - 1;
  }
  getSheet(): FakeSheet {
    return this._sheet._wrapped();
  }
  getA1Notation(): string {
    const start = `${columnLetter(this._col)}${this._row}`;
    if (this._numRows === 1 && this._numCols === 1) return start;
    return `${start}:${columnLetter(this.getLastColumn())}${this.getLastRow()}`;
  }
  getValues(): Value[][] {
    return this.grid((r, c) => copyValue(this._sheet._get(r, c)));
  }
  getDisplayValues(): string[][] {
    return this.grid((r, c) => this._sheet._display(this._sheet._get(r, c)));
  }
  getFormulas(): string[][] {
    return this.grid((r, c) => {
      const v = this._sheet._rows[r - 1]?.[c - 1];
      return isFormula(v) ? v.f : '';
    });
  }
  getValue(): Value {
    return copyValue(this._sheet._get(this._row, this._col));
  }
  setValues(values: unknown[][]): this {
    this.checkShape(values, 'data');
    this._sheet._checkEditable(this._row, this._col, this._numRows, this._numCols);
    values.forEach((line, r) => line.forEach((v, c) => this._sheet._type(this._row + r, this._col + c, v)));
    return this;
  }
  setValue(value: unknown): this {
    this._sheet._checkEditable(this._row, this._col, this._numRows, this._numCols);
    for (let r = 0; r < this._numRows; r++)
      for (let c = 0; c < this._numCols; c++) this._sheet._type(this._row + r, this._col + c, value);
    return this;
  }
  /** Range.setNumberFormat("@") makes cells plain text: what is typed or set afterwards stays a string. */
  setNumberFormat(format: string): this {
    for (let r = 0; r < this._numRows; r++)
      for (let c = 0; c < this._numCols; c++)
        this._sheet._formats.set(`${this._row + r}:${this._col + c}`, format);
    return this;
  }
  getNumberFormats(): string[][] {
    return this.grid((r, c) => this._sheet._formats.get(`${r}:${c}`) ?? 'General');
  }
  clearContent(): this {
    return this.setValue('');
  }
  getNote(): string {
    return this._sheet._notes.get(`${this._row}:${this._col}`) ?? '';
  }
  getNotes(): string[][] {
    return this.grid((r, c) => this._sheet._notes.get(`${r}:${c}`) ?? '');
  }
  setNote(note: string | null): this {
    for (let r = 0; r < this._numRows; r++)
      for (let c = 0; c < this._numCols; c++) this._sheet._setNote(this._row + r, this._col + c, note);
    return this;
  }
  setNotes(notes: (string | null)[][]): this {
    this.checkShape(notes, 'notes');
    notes.forEach((line, r) => line.forEach((n, c) => this._sheet._setNote(this._row + r, this._col + c, n)));
    return this;
  }
  clearNote(): this {
    return this.setNote(null);
  }
  activate(): this {
    this._sheet._parent._setSelection(this._sheet, [this]);
    return this;
  }
  createFilter(): FakeFilter {
    if (this._sheet._filter)
      throw new Error("You can't create a filter in a sheet that already has a filter.");
    this._sheet._filter = new FakeFilter(this._sheet, {
      row: this._row,
      col: this._col,
      numRows: this._numRows,
      numCols: this._numCols,
    });
    return this._sheet._log.wrap(this._sheet._filter, 'Filter');
  }
  getFilter(): FakeFilter | null {
    return this._sheet.getFilter();
  }
  protect(): FakeProtection {
    const p = FakeProtection._create(
      this._sheet,
      { row: this._row, col: this._col, numRows: this._numRows, numCols: this._numCols },
      this._sheet._parent._user(),
    );
    return this._sheet._log.wrap(p, 'Protection');
  }
}

export class FakeRangeList {
  constructor(private readonly ranges: FakeRange[]) {}
  getRanges(): FakeRange[] {
    return [...this.ranges];
  }
}

// -------------------------------------------------------------------------------------------------------
// Sheet

/**
 * A tab, as a view over its SheetState in the shared store: cells, grid size, title, hidden flag and protected
 * ranges are the store's, so the Sheets API front (sheets-server.ts) and this one see and change the same sheet.
 * Cell notes, number formats, rows hidden by hand and the basic filter are kept by this front only (the HTTP
 * front neither reads nor writes them: a simplification the sync does not meet, as it uses none of them on
 * Credits); they move with this front's own row inserts, deletes and sorts.
 */
export class FakeSheet {
  readonly _notes = new Map<string, string>();
  /** Number formats by "row:col" ("@" = plain text). */
  readonly _formats = new Map<string, string>();
  readonly _userHidden = new Set<number>();
  _filter: FakeFilter | null = null;
  /** Filter views (titles) and slicers a person made: not readable through SpreadsheetApp's Sheet. */
  _filterViews: string[] = [];
  _slicers = 0;
  private cache: { sheets: SheetState[]; sheet: SheetState } | null = null;

  constructor(
    readonly _parent: FakeSpreadsheet,
    readonly _id: number,
  ) {}

  /** This tab's state in the store (found by sheetId: an atomic API batch replaces the objects, not the ids). */
  get _state(): SheetState {
    const ss = this._parent._state();
    // Keyed by the sheets array, not the state: the bundle's landed view is swapped in place (see _landedView).
    if (this.cache && this.cache.sheets === ss.sheets) return this.cache.sheet;
    const sheet = ss.sheets.find((x) => x.properties.sheetId === this._id);
    if (!sheet) throw new Error('This sheet has been deleted.');
    this.cache = { sheets: ss.sheets, sheet };
    return sheet;
  }
  get _name(): string {
    return this._state.properties.title;
  }
  set _name(title: string) {
    this._state.properties.title = title;
  }
  /** The stored cells, row by row (null or '' empty, { f } a formula, Date a date). */
  get _rows(): Stored[][] {
    return this._state.cells;
  }
  set _rows(rows: Stored[][]) {
    this._state.cells = rows;
  }
  get _maxRows(): number {
    return this._state.properties.gridProperties.rowCount;
  }
  set _maxRows(n: number) {
    this._state.properties.gridProperties.rowCount = n;
  }
  get _maxCols(): number {
    return this._state.properties.gridProperties.columnCount;
  }
  set _maxCols(n: number) {
    this._state.properties.gridProperties.columnCount = n;
  }
  /** SheetProperties.hidden, as the sync sets it on the Ledger through the API. */
  get _hidden(): boolean {
    return (this._state.properties as { hidden?: boolean }).hidden === true;
  }
  set _hidden(h: boolean) {
    (this._state.properties as { hidden?: boolean }).hidden = h;
  }
  /** The protections of this tab: views over the store's protected ranges. */
  get _protections(): FakeProtection[] {
    return this._state.protectedRanges.map((pr) => new FakeProtection(this, pr.protectedRangeId ?? -1, pr));
  }
  /** Formulas by "row:col" (a snapshot; the cells hold them as { f }). */
  get _formulas(): Map<string, string> {
    const out = new Map<string, string>();
    this._rows.forEach((line, r) =>
      (line ?? []).forEach((v, c) => {
        if (isFormula(v)) out.set(`${r + 1}:${c + 1}`, v.f);
      }),
    );
    return out;
  }

  get _log(): CallLog {
    return this._parent._log;
  }
  _wrapped(): FakeSheet {
    return this._log.wrap(this, 'Sheet');
  }
  _range(row: number, col: number, numRows: number, numCols: number): FakeRange {
    return this._log.wrap(new FakeRange(this, row, col, numRows, numCols), 'Range');
  }
  /** A cell's value as getValues gives it: empty is undefined or ''; a formula's value is '' (never computed). */
  _get(row: number, col: number): Value | undefined {
    const v = this._rows[row - 1]?.[col - 1];
    if (v === null) return '';
    if (isFormula(v)) return '';
    return v;
  }
  _set(row: number, col: number, raw: unknown): void {
    let v: Stored;
    if (raw === null || raw === undefined) v = '';
    else if (isDate(raw)) v = new Date(raw.getTime());
    else if (typeof raw === 'string' && raw.startsWith("'"))
      v = raw.slice(1); // forced text
    else if (typeof raw === 'string' && raw.length > 1 && raw.startsWith('=')) {
      // A formula: stored as the Sheets API front stores USER_ENTERED "=…" ({ f }); never computed, so the
      // cell reads as '' and getFormulas reports it.
      v = { f: raw };
    } else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') v = raw;
    else throw new Error(`Cannot store a ${typeof raw} in a cell.`);
    while (this._rows.length < row) this._rows.push([]);
    const line = this._rows[row - 1];
    while (line.length < col) line.push('');
    line[col - 1] = v;
    this._maxRows = Math.max(this._maxRows, row);
    this._maxCols = Math.max(this._maxCols, col);
  }
  /** A value as SpreadsheetApp's setValue(s) stores it: strings are parsed like typing unless the cell is text ("@"). */
  _type(row: number, col: number, raw: unknown): void {
    if (typeof raw === 'string' && !raw.startsWith("'") && !raw.startsWith('=')) {
      if (this._formats.get(`${row}:${col}`) !== '@') {
        this._set(row, col, parseTyped(raw));
        return;
      }
      this._set(row, col, raw);
      return;
    }
    this._set(row, col, raw);
  }
  /**
   * A person typing `values` at (row, col): refused like Sheets refuses it when a protection stops them, parsed
   * like typing, then onEdit fires with the documented event object, AuthMode LIMITED for a simple trigger.
   * Edit event reference (https://developers.google.com/apps-script/guides/triggers/events#edit): `oldValue`
   * is "Cell value prior to the edit, if any. Only available if the edited range is a single cell. Will be
   * undefined if the cell had no previous content"; `value` is "New cell value after the edit. Only available
   * if the edited range is a single cell." So a range of several cells gives neither.
   */
  _typeByHand(row: number, col: number, values: unknown[][]): void {
    this._byHand(row, col, values, 'typed');
  }
  /**
   * A person pasting `values` at (row, col) (Ctrl+V). The event reference above is silent on pastes; observed
   * behaviour ("When an user copied and pasted from other cell, e.oldValue and e.value of onEdit(e) are not
   * shown anything", tanaikech's onEdit event notes, cited in /work/shared/reference/apps-script-review.md §1)
   * is the stricter case, modelled here: no `oldValue` and no `value`, even when the paste covers one cell.
   */
  _pasteByHand(row: number, col: number, values: unknown[][]): void {
    this._byHand(row, col, values, 'pasted');
  }
  private _byHand(row: number, col: number, values: unknown[][], how: 'typed' | 'pasted'): void {
    const numCols = values.reduce((n, l) => Math.max(n, l.length), 0);
    this._checkEditable(row, col, values.length, numCols);
    const single = how === 'typed' && values.length === 1 && values[0].length === 1;
    const old = single ? this._get(row, col) : undefined;
    values.forEach((line, r) => line.forEach((v, c) => this._type(row + r, col + c, v)));
    this._fireEdit(row, col, values.length, numCols, single ? { old } : null);
  }
  /** Fires the installed onEdit for a range; `single` gives the one cell's old value (typed edits only). */
  private _fireEdit(
    row: number,
    col: number,
    numRows: number,
    numCols: number,
    single: { old: Value | undefined } | null,
  ): void {
    const handler = this._parent._onEdit;
    if (!handler) return;
    const e: Record<string, unknown> = {
      range: this._range(row, col, numRows, numCols),
      source: this._parent._wrapped(),
      authMode: 'LIMITED',
      user: { getEmail: () => (this._parent._emailHidden ? '' : this._parent._activeUser) },
    };
    if (single) {
      // Empty cells have no oldValue; values are given as text.
      if (single.old !== undefined && single.old !== '') e.oldValue = this._display(single.old);
      e.value = this._display(this._get(row, col));
    }
    try {
      handler(e);
    } finally {
      this._parent._land(); // the trigger's execution is over: its bundled operations land
    }
  }
  /**
   * A person dragging `count` rows from `from` to before row `before` (rows with data). The simple-triggers
   * page says only "onEdit(e) runs when a user changes a value in a spreadsheet"
   * (https://developers.google.com/apps-script/guides/triggers#onedite); it is silent on moves and sorts, and a
   * third-party test reports that moving rows with data fires onEdit (theappsscriptlab, "onEdit vs onChange",
   * /work/shared/reference/apps-script-review.md §9). Modelled the stricter way: it fires, for the moved rows
   * at their new place, as a range edit (no value, no oldValue). Protections stay on their row positions.
   */
  _moveRowsByHand(from: number, count: number, before: number): void {
    const last = Math.max(from + count, before) - 1;
    const first = Math.min(from, before);
    this._checkEditable(first, 1, last - first + 1, this._maxCols);
    const idx = Array.from({ length: last - first + 1 }, (_x, i) => first + i);
    const moved = idx.filter((r) => r >= from && r < from + count);
    const rest = idx.filter((r) => r < from || r >= from + count);
    const at = rest.filter((r) => r < before).length;
    const order = [...rest.slice(0, at), ...moved, ...rest.slice(at)]; // order[i]: the old row now at first + i
    this._reorder(first, order);
    this._fireEdit(first + at, 1, count, Math.max(1, this.getLastColumn()), null);
  }
  /** Rows first… take the contents (cells, notes, formats) of the old rows `order` lists. */
  private _reorder(first: number, order: number[]): void {
    const rows = order.map((r) => this._rows[r - 1]);
    for (let i = 0; i < rows.length; i++) this._rows[first - 1 + i] = rows[i];
    const to = new Map(order.map((r, i) => [r, first + i]));
    for (const map of [this._notes, this._formats]) {
      const entries = [...map].map(([k, v]) => {
        const [r, c] = k.split(':').map(Number);
        return [`${to.get(r) ?? r}:${c}`, v] as [string, string];
      });
      map.clear();
      for (const [k, v] of entries) map.set(k, v);
    }
  }
  _setNote(row: number, col: number, note: string | null): void {
    if (note === null || note === '') this._notes.delete(`${row}:${col}`);
    else this._notes.set(`${row}:${col}`, String(note));
  }
  _display(v: Value | undefined): string {
    if (v === undefined || v === '') return '';
    if (isDate(v)) return v.toISOString().slice(0, 10);
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    return String(v);
  }
  _checkEditable(row: number, col: number, numRows: number, numCols: number): void {
    const user = this._parent._user();
    // "The spreadsheet owner is always able to edit protected ranges and sheets" (Protection.canEdit
    // reference; removeEditor: "Neither the owner of the spreadsheet nor the current user can be removed"):
    // never stopped.
    if (user === this._parent._owner) return;
    for (const p of this._protections) {
      if (!p._warningOnly && !p._editors.includes(user) && p._covers(row, col, numRows, numCols)) {
        throw new Error(
          'You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.',
        );
      }
    }
  }

  getName(): string {
    return this._name;
  }
  setName(name: string): this {
    this._name = name;
    return this;
  }
  getSheetId(): number {
    return this._id;
  }
  getParent(): FakeSpreadsheet {
    return this._parent._wrapped();
  }
  getLastRow(): number {
    for (let r = this._rows.length; r > 0; r--)
      if ((this._rows[r - 1] ?? []).some((v) => !isBlank(v))) return r;
    return 0;
  }
  getLastColumn(): number {
    let last = 0;
    for (const line of this._rows)
      for (let c = (line ?? []).length; c > last; c--) if (!isBlank(line[c - 1])) last = c;
    return last;
  }
  getMaxRows(): number {
    return this._maxRows;
  }
  getMaxColumns(): number {
    return this._maxCols;
  }
  getDataRange(): FakeRange {
    return this._range(1, 1, Math.max(1, this.getLastRow()), Math.max(1, this.getLastColumn()));
  }
  getRange(a: number | string, col?: number, numRows = 1, numCols = 1): FakeRange {
    if (typeof a === 'string') return this._range(...parseA1(a, this._maxRows, this._maxCols));
    if (col === undefined) throw new Error('getRange(row) needs a column.');
    return this._range(a, col, numRows, numCols);
  }
  getRangeList(a1s: string[]): FakeRangeList {
    return this._log.wrap(new FakeRangeList(a1s.map((a) => this.getRange(a))), 'RangeList');
  }
  appendRow(values: unknown[]): this {
    const row = this.getLastRow() + 1;
    this._checkEditable(row, 1, 1, values.length);
    values.forEach((v, c) => this._type(row, c + 1, v));
    return this;
  }
  /**
   * Inserts `howMany` blank rows before `before`. The store moves cells and everything anchored to them —
   * protected ranges included ("ranges … are adjusted" when rows are inserted: Sheets API insertDimension /
   * ProtectedRange, sheets-model.ts shiftDimension) — and this front moves its notes and formats.
   */
  insertRowsBefore(before: number, howMany: number): this {
    shiftDimension(this._state, 'ROWS', before - 1, howMany);
    this.shiftKeyed(before, howMany);
    return this;
  }
  /** Deletes `howMany` rows from `row` (Sheet.deleteRows); everything below moves up. */
  deleteRows(row: number, howMany: number): this {
    for (let i = 0; i < howMany; i++) this.deleteRow(row);
    return this;
  }
  /** Sheet.insertRowsAfter(afterPosition, howMany). */
  insertRowsAfter(after: number, howMany: number): this {
    return this.insertRowsBefore(after + 1, howMany);
  }
  insertRows(before: number, howMany = 1): this {
    return this.insertRowsBefore(before, howMany);
  }
  deleteRow(row: number): this {
    // Deleting a row removes its protected cells: a non-editor is refused as for a write.
    this._checkEditable(row, 1, 1, this._maxCols);
    for (const map of [this._notes, this._formats])
      map.forEach((_v, k) => Number(k.split(':')[0]) === row && map.delete(k));
    // A protected range whose rows are all deleted is gone; one that spanned the row shrinks (shiftDimension).
    shiftDimension(this._state, 'ROWS', row - 1, -1);
    this.shiftKeyed(row + 1, -1);
    return this;
  }
  /**
   * This front's row-anchored state moves with inserted and deleted rows: notes, formats, hand-hidden rows and
   * the filter's area (the store moves cells and protected ranges). `from` is the first row that moves; `by`
   * rows (negative: up).
   */
  private shiftKeyed(from: number, by: number): void {
    for (const map of [this._notes, this._formats]) {
      const moved = [...map].map(([k, v]) => {
        const [r, c] = k.split(':').map(Number);
        return [r >= from ? `${r + by}:${c}` : k, v] as [string, string];
      });
      map.clear();
      for (const [k, v] of moved) map.set(k, v);
    }
    const hidden = [...this._userHidden].filter((r) => !(by < 0 && r === from + by));
    this._userHidden.clear();
    for (const r of hidden) this._userHidden.add(r >= from ? r + by : r);
    const at = by > 0 ? from : from + by;
    if (this._filter) {
      const a = this._filter._area;
      if (at < a.row) a.row += by;
      else if (at < a.row + a.numRows) a.numRows = Math.max(1, a.numRows + by);
    }
  }
  /**
   * A person sorting rows from `from` down by a column (Data › Sort range). Cell contents, notes and formats move
   * with their rows; protections stay on their row positions (a protected range is a GridRange, not a set of
   * cells). Whether a sort fires onEdit is not documented (see _moveRowsByHand); modelled the stricter way: it
   * fires, for the sorted rows, as a range edit with no value and no oldValue.
   */
  _sort(from: number, col: number, descending = false): void {
    // Sorting rewrites every cell it moves: a person who may not edit some protected row in it is refused
    // ("You are trying to edit a protected cell"), the owner never is.
    this._checkEditable(from, 1, Math.max(1, this._rows.length - from + 1), this._maxCols);
    const body = this._rows.slice(from - 1);
    const key = (r: Stored[]) => sortKey(r?.[col - 1]);
    const order = body.map((r, i) => ({ r, i }));
    order.sort((x, y) => {
      const a = key(x.r) ?? '';
      const b = key(y.r) ?? '';
      const c = a < b ? -1 : a > b ? 1 : x.i - y.i;
      return descending ? -c : c;
    });
    // In place, not splice(…, ...rows): a sheet's rows can outnumber a call's arguments. A for loop, not forEach,
    // so a hole in the rows is written back as one (undefined), as the spread did.
    for (let i = 0; i < order.length; i++) this._rows[from - 1 + i] = order[i]?.r;
    for (const map of [this._notes, this._formats]) {
      const moved = [...map].map(([k, v]) => {
        const [r, c] = k.split(':').map(Number);
        if (r < from) return [k, v] as [string, string];
        const to = order.findIndex((o) => o.i === r - from) + from;
        return [`${to}:${c}`, v] as [string, string];
      });
      map.clear();
      for (const [k, v] of moved) map.set(k, v);
    }
    if (order.length) this._fireEdit(from, 1, order.length, Math.max(1, this.getLastColumn()), null);
  }
  hideRows(row: number, howMany = 1): void {
    for (let r = row; r < row + howMany; r++) this._userHidden.add(r);
  }
  showRows(row: number, howMany = 1): void {
    for (let r = row; r < row + howMany; r++) this._userHidden.delete(r);
  }
  isRowHiddenByUser(row: number): boolean {
    return this._userHidden.has(row);
  }
  isRowHiddenByFilter(row: number): boolean {
    return this._filter ? this._filter._hides(row) : false;
  }
  getFilter(): FakeFilter | null {
    return this._filter ? this._log.wrap(this._filter, 'Filter') : null;
  }
  hideSheet(): this {
    this._hidden = true;
    return this;
  }
  showSheet(): this {
    this._hidden = false;
    return this;
  }
  isSheetHidden(): boolean {
    return this._hidden;
  }
  clear(): this {
    this._rows = [];
    this._notes.clear();
    return this;
  }
  clearContents(): this {
    this._rows = [];
    return this;
  }
  setFrozenRows(_n: number): void {}
  activate(): FakeSheet {
    this._parent._setSelection(this, [new FakeRange(this, 1, 1, 1, 1)]);
    return this._wrapped();
  }
  protect(): FakeProtection {
    let p = this._protections.find((x) => x._area === null);
    if (!p) p = FakeProtection._create(this, null, this._parent._user());
    return this._log.wrap(p, 'Protection');
  }
  getProtections(type: 'RANGE' | 'SHEET'): FakeProtection[] {
    return this._protections
      .filter((p) => p.getProtectionType() === String(type))
      .map((p) => this._log.wrap(p, 'Protection'));
  }
}

// -------------------------------------------------------------------------------------------------------
// Spreadsheet

export interface Toast {
  message: string;
  title: string;
}

/**
 * The store a FakeSpreadsheet is a front of: its own (a spreadsheet nobody else sees), or the Sheets v4
 * server's (`state()` returns the server's current SpreadsheetState for the id, which an atomic API batch
 * replaces as a whole).
 */
export type Store = () => SpreadsheetState;

export class FakeSpreadsheet {
  readonly _log: CallLog;
  readonly _toasts: Toast[] = [];
  _timeZone = 'Etc/UTC';
  readonly _state: Store;
  private readonly views = new Map<number, FakeSheet>();
  private active: { sheet: FakeSheet; ranges: FakeRange[] } | null = null;
  /** Who is acting: the protections check it; the Session fake reads it. */
  _activeUser = 'staff@example.com';
  /** The spreadsheet's owner: bypasses every protection. */
  _owner = 'owner@example.com';
  /**
   * Session.getActiveUser().getEmail() returns '' in many contexts ("If the security policies do not allow
   * access to the user's identity, User.getEmail() returns a blank string", Session reference) even though
   * Sheets still enforces protections against that user: this hides the email without changing who acts.
   */
  _emailHidden = false;
  /**
   * The add-on's onEdit, when a test installs it. Fired by `_typeByHand` and `_pasteByHand` only: "the onEdit(e) trigger runs
   * automatically when a user changes the value of any cell" (Simple triggers reference) — not for changes
   * made by scripts or API requests, and not for sorting or inserting/deleting rows (those are structure
   * changes, onChange's business).
   */
  _onEdit: ((e: unknown) => void) | null = null;

  /**
   * The spreadsheet as the Sheets API sees it while SpreadsheetApp operations are pending, or null when none
   * are. SpreadsheetApp reference, flush(): "Applies all pending Spreadsheet changes. Spreadsheet operations are
   * sometimes bundled together to improve performance, such as when doing multiple calls to Range.setValue().
   * However, sometimes you may want to make sure that all pending changes are made right away"
   * (https://developers.google.com/apps-script/reference/spreadsheet/spreadsheet-app#flush). Google does not
   * say which operations are bundled or when a bundle lands other than flush() and the end of the execution;
   * modelled the stricter way: EVERY SpreadsheetApp write (value, structure, developer metadata) stays out of
   * the Sheets API's view (the advanced service, same execution) until flush() or the execution's end — even
   * across SpreadsheetApp reads, which see their own pending writes. (Google's 2010 post "Optimizing
   * Spreadsheet Operations" says a read commits the write cache; that is not in the current reference.) An
   * execution here is one synchronous run of the script: it ends when control returns to the event loop
   * (Apps Script runs a script synchronously), when the emulator ends a trigger it fired, or when a test says
   * so (CallLog.nextExecution, or CallLog.reset before the execution it measures). The sync's HTTP
   * front therefore never sees a pending bundle: its requests are served between executions.
   */
  private landed: SpreadsheetState | null = null;
  /** True while a Sheets API write is applied a second time, to the live view (not a new request). */
  _replaying = false;

  constructor(
    log = new CallLog(),
    readonly _name = 'Credit Desk',
    store?: Store,
  ) {
    this._log = log;
    const own = store ? null : newSpreadsheet('fake-spreadsheet-id', []);
    this._state = store ?? (() => own!);
    log.around ??= (name, invoke) => this._route(name, invoke);
    log.onExecutionEnd(() => this._land());
  }

  /** Every counted call: SpreadsheetApp writes start (or join) a bundle, Sheets API calls see only what landed. */
  private _route(name: string, invoke: () => unknown): unknown {
    const dot = name.lastIndexOf('.');
    const cls = name.slice(0, dot);
    const method = name.slice(dot + 1);
    if (cls.startsWith('Sheets.')) return this._landedView(method === 'batchUpdate', invoke);
    if (name === 'SpreadsheetApp.flush') {
      this._land();
      return invoke();
    }
    if (BUNDLED_CLASSES.has(cls) && BUNDLED_WRITE.test(method)) this._bundle();
    return invoke();
  }
  /** A SpreadsheetApp write is about to run: the landed view is kept as it is now, until the bundle lands. */
  _bundle(): void {
    if (this.landed) return;
    this.landed = structuredClone(this._state());
    queueMicrotask(() => this._land()); // the end of this execution
  }
  /** flush(), or the end of the execution: every pending operation is now what everyone sees. */
  _land(): void {
    this.landed = null;
  }
  /** Whether SpreadsheetApp operations are pending (not yet visible to the Sheets API). */
  _pending(): boolean {
    return this.landed !== null;
  }
  /**
   * Runs a Sheets API call on the landed view (swapped into the store object in place, so every front's lookup
   * finds it). A write is then applied to the live view too, as the pending operations land on top of it;
   * its reply is the landed view's.
   */
  private _landedView(write: boolean, invoke: () => unknown): unknown {
    const landed = this.landed;
    if (!landed) return invoke();
    const store = this._state();
    const live = { ...store };
    Object.assign(store, landed);
    let out: unknown;
    try {
      out = invoke();
    } finally {
      this.landed = { ...store };
      Object.assign(store, live);
    }
    if (write) {
      this._replaying = true;
      try {
        invoke();
      } catch {
        // Refused on the live view only (e.g. a range a pending insert moved): the landed reply stands.
      } finally {
        this._replaying = false;
      }
    }
    return out;
  }

  /** The tabs in the store, in tab order, each as this front's FakeSheet (one per sheetId). */
  get _sheets(): FakeSheet[] {
    return [...this._state().sheets]
      .sort((a, b) => a.properties.index - b.properties.index)
      .map((st) => {
        let view = this.views.get(st.properties.sheetId);
        if (!view) this.views.set(st.properties.sheetId, (view = new FakeSheet(this, st.properties.sheetId)));
        return view;
      });
  }
  /**
   * Spreadsheet-level developer metadata as {id, key, value} (a snapshot): it lives in the store, so what the
   * sync writes through the Sheets API (its lock) is what DeveloperMetadataFinder finds here.
   */
  get _metadata(): { id: number; key: string; value: string }[] {
    return this._allMetadata().map((m) => ({
      id: m.metadataId ?? -1,
      key: m.metadataKey ?? '',
      value: m.metadataValue ?? '',
    }));
  }
  /**
   * PROJECT-visible spreadsheet-level metadata this front's script made. DeveloperMetadataVisibility reference:
   * PROJECT "Project-visible metadata is only visible to and accessible by the developer project that created
   * the metadata" (https://developers.google.com/apps-script/reference/spreadsheet/developer-metadata-visibility),
   * so it is kept here — seen by this script's SpreadsheetApp and Sheets advanced service — and never in the
   * store the sync's HTTP front serves (the sync is another project).
   */
  readonly _projectMetadata: sheets_v4.Schema$DeveloperMetadata[] = [];
  /** Spreadsheet-level metadata this script can see: the document's and its own project's. */
  _allMetadata(): sheets_v4.Schema$DeveloperMetadata[] {
    return [...this._state().developerMetadata, ...this._projectMetadata];
  }
  /** Test helper: spreadsheet-level metadata as another client (the sync) would write it; returns its id. */
  _putMetadata(key: string, value: string, visibility: 'DOCUMENT' | 'PROJECT' = 'DOCUMENT'): number {
    const st = this._state();
    const id = st.nextId++;
    (visibility === 'PROJECT' ? this._projectMetadata : st.developerMetadata).push({
      metadataId: id,
      metadataKey: key,
      metadataValue: value,
      location: { spreadsheet: true, locationType: 'SPREADSHEET' },
      visibility,
    });
    return id;
  }
  /** Test helper: removes spreadsheet-level metadata by id. */
  _dropMetadata(id: number): void {
    const st = this._state();
    st.developerMetadata = st.developerMetadata.filter((m) => m.metadataId !== id);
    const i = this._projectMetadata.findIndex((m) => m.metadataId === id);
    if (i >= 0) this._projectMetadata.splice(i, 1);
  }

  _wrapped(): FakeSpreadsheet {
    return this._log.wrap(this, 'Spreadsheet');
  }
  _user(): string {
    return this._activeUser;
  }
  _sheet(name: string): FakeSheet {
    const s = this._sheets.find((x) => x._name === name);
    if (!s) throw new Error(`no sheet ${name}`);
    return s;
  }
  /** Test helper: a new tab holding `rows` from A1 (raw, uncounted). */
  _addSheet(name: string, rows: unknown[][] = []): FakeSheet {
    const st = addSheet(this._state(), { title: name });
    const sheet = new FakeSheet(this, st.properties.sheetId);
    this.views.set(st.properties.sheetId, sheet);
    rows.forEach((line, r) => line.forEach((v, c) => sheet._set(r + 1, c + 1, v)));
    return sheet;
  }
  _setSelection(sheet: FakeSheet, ranges: FakeRange[]): void {
    this.active = { sheet, ranges };
  }
  /** Test helper: select A1 ranges on a tab (several = a multi-range selection). */
  _select(sheetName: string, ...a1s: string[]): void {
    const sheet = this._sheet(sheetName);
    this._setSelection(
      sheet,
      a1s.map((a) => new FakeRange(sheet, ...parseA1(a, sheet._maxRows, sheet._maxCols))),
    );
  }

  getName(): string {
    return this._name;
  }
  getId(): string {
    return this._state().spreadsheetId;
  }
  /**
   * Spreadsheet.addDeveloperMetadata(key[, value][, visibility]): spreadsheet-level. The reference does not say
   * which visibility the overloads without one give; modelled the stricter way: PROJECT (only this script sees
   * it — not the sync), so a marker other programs must see has to say DOCUMENT.
   */
  addDeveloperMetadata(key: string, value?: string, visibility?: string): this {
    const isVisibility = (v: unknown): v is 'DOCUMENT' | 'PROJECT' => v === 'DOCUMENT' || v === 'PROJECT';
    const [val, vis] =
      visibility === undefined && isVisibility(value) ? [undefined, value] : [value, visibility];
    if (vis !== undefined && !isVisibility(vis))
      throw new Error(
        `Invalid argument: visibility (${String(vis)}): use SpreadsheetApp.DeveloperMetadataVisibility.`,
      );
    this._putMetadata(String(key), val === undefined ? '' : String(val), vis ?? 'PROJECT');
    return this;
  }
  getDeveloperMetadata(): FakeDeveloperMetadata[] {
    return this._metadata.map((m) =>
      this._log.wrap(new FakeDeveloperMetadata(this, m.id), 'DeveloperMetadata'),
    );
  }
  createDeveloperMetadataFinder(): FakeDeveloperMetadataFinder {
    return this._log.wrap(new FakeDeveloperMetadataFinder(this), 'DeveloperMetadataFinder');
  }
  getSpreadsheetTimeZone(): string {
    return this._timeZone;
  }
  getSheets(): FakeSheet[] {
    return this._sheets.map((s) => s._wrapped());
  }
  getSheetByName(name: string): FakeSheet | null {
    const s = this._sheets.find((x) => x._name === name);
    return s ? s._wrapped() : null;
  }
  insertSheet(name: string): FakeSheet {
    if (this._sheets.some((s) => s._name === name)) {
      throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    return this._addSheet(name)._wrapped();
  }
  getActiveSheet(): FakeSheet {
    const sheet = this.active?.sheet ?? this._sheets[0];
    return sheet._wrapped();
  }
  getActiveRange(): FakeRange | null {
    const r = this.active?.ranges[this.active.ranges.length - 1];
    return r ? this._log.wrap(r, 'Range') : null;
  }
  getActiveRangeList(): FakeRangeList | null {
    if (!this.active) return null;
    return this._log.wrap(
      new FakeRangeList(this.active.ranges.map((r) => this._log.wrap(r, 'Range'))),
      'RangeList',
    );
  }
  getRange(a1: string): FakeRange {
    const m = /^'?([^'!]+)'?!(.+)$/.exec(a1);
    if (!m) throw new Error(`Range not found: ${a1}`);
    return this._sheet(m[1]).getRange(m[2]);
  }
  toast(message: string, title = '', _timeoutSeconds?: number): void {
    this._toasts.push({ message: String(message), title: String(title) });
  }
  getProtections(type: 'RANGE' | 'SHEET'): FakeProtection[] {
    return this._sheets.flatMap((s) => s.getProtections(type));
  }
}

/**
 * The SpreadsheetApp writes that are bundled (see FakeSpreadsheet.landed): cell contents, rows and tabs, and
 * developer metadata — what the add-on writes. Protections and filters are a person's, made in their own
 * session (landed long before an add-on execution), so they are applied at once here.
 */
const BUNDLED_CLASSES = new Set(['Spreadsheet', 'Sheet', 'Range', 'RangeList', 'DeveloperMetadata']);
const BUNDLED_WRITE =
  /^(setValue|setValues|setNote|setNotes|setFormula|clear|insert|delete|addDeveloperMetadata|remove$|appendRow|sort)/;

/** One spreadsheet-level DeveloperMetadata of the store, found by its metadataId. */
export class FakeDeveloperMetadata {
  constructor(
    private readonly ss: FakeSpreadsheet,
    private readonly id: number,
  ) {}
  private get m(): sheets_v4.Schema$DeveloperMetadata {
    const m = this.ss._allMetadata().find((x) => x.metadataId === this.id);
    if (!m) throw new Error('This developer metadata has been removed.');
    return m;
  }
  getId(): number {
    return this.id;
  }
  getKey(): string {
    return this.m.metadataKey ?? '';
  }
  getValue(): string {
    return this.m.metadataValue ?? '';
  }
  setValue(value: string): this {
    this.m.metadataValue = String(value);
    return this;
  }
  remove(): void {
    this.ss._dropMetadata(this.id);
  }
}

/** Spreadsheet.createDeveloperMetadataFinder(): withKey(k).find() — spreadsheet-level metadata only here. */
export class FakeDeveloperMetadataFinder {
  private key: string | null = null;
  constructor(private readonly ss: FakeSpreadsheet) {}
  withKey(key: string): this {
    this.key = String(key);
    return this;
  }
  find(): FakeDeveloperMetadata[] {
    return this.ss._metadata
      .filter((m) => this.key === null || m.key === this.key)
      .map((m) => this.ss._log.wrap(new FakeDeveloperMetadata(this.ss, m.id), 'DeveloperMetadata'));
  }
}

/** What a sort compares for a stored cell: the value (dates by time); empty cells and formulas as ''. */
function sortKey(v: Stored | undefined): string | number {
  if (v === undefined || v === null) return '';
  if (isDate(v)) return v.getTime();
  if (isFormula(v)) return '';
  if (typeof v === 'boolean') return String(v);
  return v;
}

function isFormula(v: unknown): v is { f: string } {
  return v !== null && typeof v === 'object' && !isDate(v) && typeof (v as { f?: unknown }).f === 'string';
}

/** Realm-safe (the add-on bundle runs in a vm context with its own Date). */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}
