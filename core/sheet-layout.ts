/**
 * What the Credit Desk tabs look like, planned once for both sinks: the tab order, which tabs are hidden or
 * filtered, the number format of each contract column (money with the currency's own decimals, dates, text
 * that a person's typing must not turn into a number), the Status dropdown, the hidden Key column, where a
 * missing header goes, and the one check that a tab lists each credit once.
 *
 * Pure. The Google Sheets sink (sync-service/sinks/google/sheets-layout.ts) and the .xlsx sink
 * (sync-service/sinks/workbook/workbook-layout.ts, workbook-format.ts) translate it into their own calls, so the same
 * credit is shown the same way in both, and a sheet problem gets the same message whichever sink found it.
 */
import { CreditDeskError } from './errors';
import { minorDigits } from './money';
import { TABS, type ColumnSpec, type TabId } from './sheet-contract';
import { STATUSES } from './status';
import { headerKey, text, type Cell } from './table';

/** The order tabs are created in (and read in). */
export const TAB_ORDER: readonly TabId[] = ['credits', 'accounts', 'rules', 'config', 'audit', 'ledger'];

export interface TabTraits {
  /** Rows kept in view while scrolling: the header. */
  frozenRows: number;
  /** Hidden from the tab bar: the Ledger is the usage process's record, not a tab to work in. */
  hidden: boolean;
  /** A filter on the header row, so staff can filter and sort without building one. */
  filter: boolean;
}

export const TAB_TRAITS: Readonly<Record<TabId, TabTraits>> = {
  credits: { frozenRows: 1, hidden: false, filter: true },
  accounts: { frozenRows: 1, hidden: false, filter: false },
  rules: { frozenRows: 1, hidden: false, filter: false },
  config: { frozenRows: 1, hidden: false, filter: false },
  audit: { frozenRows: 1, hidden: false, filter: true },
  ledger: { frozenRows: 1, hidden: true, filter: false },
};

/** How a cell's value is shown. Patterns are the spreadsheet number-format language both Excel and Sheets read. */
export type CellFormat =
  | { type: 'money'; pattern: string }
  | { type: 'date'; pattern: string }
  /** Plain text: what a person types stays as typed ("0012", "2026-01"), never parsed into a number or date. */
  | { type: 'text'; pattern: '@' };

export const DATE_PATTERN = 'yyyy-mm-dd';

/**
 * '#,##0.00' for USD, '#,##0' for JPY, '#,##0.000' for KWD: the currency's own minor units (ISO 4217), two
 * when the currency cannot be read (the domain reports that when it reads the row).
 */
export function moneyPattern(currency: string): string {
  let digits = 2;
  try {
    digits = minorDigits(currency || 'USD');
  } catch {
    // an unreadable currency is flagged for review elsewhere; show it like most currencies
  }
  return digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`;
}

/** The money pattern a column starts with, before any row says its currency. */
export const DEFAULT_MONEY_PATTERN = moneyPattern('USD');

/**
 * The format of a contract column's data cells; `currency` picks the money pattern of one row (a column-wide
 * format, which knows no row's currency, takes the default). Null: the spreadsheet's automatic format.
 */
export function cellFormat(spec: ColumnSpec, currency?: string): CellFormat | null {
  if (spec.kind === 'money')
    return {
      type: 'money',
      pattern: currency === undefined ? DEFAULT_MONEY_PATTERN : moneyPattern(currency),
    };
  if (spec.kind === 'date') return { type: 'date', pattern: DATE_PATTERN };
  if (spec.format === 'text') return { type: 'text', pattern: '@' };
  return null;
}

/** The values a column's cells are limited to (a dropdown), or null. */
export function cellChoices(spec: ColumnSpec): readonly string[] | null {
  return spec.kind === 'status' ? STATUSES : null;
}

/** Everything a sink sets up on a contract column it creates. */
export interface ColumnSetup {
  /** 0-based column. */
  col: number;
  spec: ColumnSpec;
  format: CellFormat | null;
  choices: readonly string[] | null;
  hidden: boolean;
}

export interface HeaderPlan {
  /** The header row after the plan: what was there, then the missing contract headers. */
  headers: string[];
  /** Contract columns to create, at 0-based columns `at`, `at + 1`, …: after the last header, never between. */
  missing: ColumnSetup[];
  at: number;
}

/**
 * Which contract headers a tab lacks and where they go. `existing`: the tab's header row (null when the tab
 * does not exist yet); `hasRows`: whether it holds data. A Credits tab with rows but no Key cannot be matched
 * to credits: that is an error a person must fix, never a column to add.
 */
export function planHeaders(tab: TabId, existing: readonly Cell[] | null, hasRows: boolean): HeaderPlan {
  const columns: readonly ColumnSpec[] = TABS[tab].columns;
  const present = (existing ?? []).map(headerKey);
  let at = present.length;
  while (at > 0 && !present[at - 1]) at--; // trailing blank header cells are free
  const have = new Set(present.filter(Boolean));
  const missingSpecs = columns.filter((c) => !have.has(headerKey(c.header)));
  if (tab === 'credits' && hasRows && missingSpecs.some((c) => c.field === 'key')) {
    throw new CreditDeskError(
      'BAD_SHEET',
      'The Credits tab has rows but no "Key" column, so its rows cannot be matched to credits.',
      'The Key column is hidden at the right of Credits: unhide all columns and restore the header "Key" (or undo ' +
        'its deletion: File → Version history in Google Sheets, the .bak copy beside a workbook). Do not type new keys.',
    );
  }
  const lost = hasRows ? missingSpecs.filter((c) => !c.addable) : [];
  if (lost.length) throw missingColumnsError(tab, lost, existing ?? []);
  const headers = [...(existing ?? []).slice(0, at).map((h) => text(h))];
  const missing = missingSpecs.map((spec, i) => {
    headers.push(spec.header);
    return columnSetup(spec, at + i, tab);
  });
  return { headers, missing, at };
}

/**
 * A tab with rows lacks contract headers whose blank would decide something (ColumnSpec.addable): nothing is
 * added and nothing is written. The message names each missing header and, when row 1 has a header that looks
 * like it (a rename: "Allocation (typed)"), that one.
 */
function missingColumnsError(
  tab: TabId,
  lost: readonly ColumnSpec[],
  existing: readonly Cell[],
): CreditDeskError {
  const { name } = TABS[tab];
  const known = new Set(TABS[tab].columns.map((c) => headerKey(c.header)));
  const strays = existing.map((h) => text(h)).filter((h) => h && !known.has(headerKey(h)));
  const fixes = lost.map((c) => {
    const like = strays.find((h) => looksLike(h, c.header));
    return like ? `rename "${like}" back to "${c.header}"` : `restore the header "${c.header}"`;
  });
  const list = lost.map((c) => `"${c.header}"`).join(', ');
  return new CreditDeskError(
    'BAD_SHEET',
    `The ${name} tab has rows but no ${list} column${lost.length > 1 ? 's' : ''} (renamed or deleted), so what its rows hold there cannot be read. Nothing was changed: adding ${lost.length > 1 ? 'them' : 'it'} back empty would read every row's value as blank.`,
    `In row 1 of ${name}, ${fixes.join('; ')} (or undo the change: File → Version history in Google Sheets, the .bak copy beside a workbook), then run the command again.`,
  );
}

/** A header a person probably renamed from `header`: one contains the other, or they differ by a typo or two. */
function looksLike(found: string, header: string): boolean {
  const a = headerKey(found)
    .replace(/[^a-z0-9%]+/g, ' ')
    .trim();
  const b = headerKey(header)
    .replace(/[^a-z0-9%]+/g, ' ')
    .trim();
  if (!a || !b) return false;
  if (a.includes(b) || (b.includes(a) && a.length >= 3)) return true;
  return editDistance(a, b) <= Math.min(2, Math.floor(b.length / 4));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

export function columnSetup(spec: ColumnSpec, col: number, tab: TabId): ColumnSetup {
  // Only Credits columns get formats and a dropdown: the other tabs are staff's or append-only records.
  const credits = tab === 'credits';
  return {
    col,
    spec,
    format: credits ? cellFormat(spec) : null,
    choices: credits ? cellChoices(spec) : null,
    hidden: credits && Boolean(spec.hidden),
  };
}

/**
 * Key → position in `keys` (the Key cells of a tab's data rows, in sheet order: position i is sheet row
 * i + 2). A key listed twice is a copied or pasted row: an error that names every such row, because which
 * copy holds the staff edits to keep is a person's choice.
 */
export function indexKeys(keys: ArrayLike<Cell | undefined>, tabName: string): Map<string, number> {
  const first = new Map<string, number>();
  const repeats = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const key = text(keys[i] ?? null);
    if (!key) continue;
    const at = first.get(key);
    if (at === undefined) first.set(key, i);
    else repeats.set(key, [...(repeats.get(key) ?? [at + 2]), i + 2]);
  }
  if (repeats.size) throw duplicateKeysError(tabName, repeats);
  return first;
}

/** The error for keys listed more than once; `repeats`: key → every sheet row holding it. */
export function duplicateKeysError(tabName: string, repeats: Map<string, number[]>): CreditDeskError {
  const listed = [...repeats].slice(0, 5).map(([key, rows]) => `rows ${rows.join(' and ')} (Key ${key})`);
  const more = repeats.size > 5 ? ` and ${repeats.size - 5} more` : '';
  return new CreditDeskError(
    'BAD_SHEET',
    `The ${tabName} tab holds the same credit more than once: ${listed.join('; ')}${more}.`,
    'A copied or pasted row duplicated a credit. Delete the extra copy (keep the row with the staff edits you want), then run again.',
  );
}

/**
 * The 1-based column of a cell reference's letters ("A1" → 1, "AB7" → 28); reading stops at the first character
 * that is not a capital letter, so a whole reference can be passed.
 */
export function columnNumber(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n;
}

/** 'A' for column 0, 'Z' for 25, 'AA' for 26: spreadsheet column letters of a 0-based column. */
export function columnLetter(col: number): string {
  let s = '';
  for (let n = col + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
