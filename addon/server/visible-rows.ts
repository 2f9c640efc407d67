/**
 * Which rows a sheet's basic filter shows, decided from the filter's criteria and the cells already read.
 * Apps Script has no batch "hidden rows" call: isRowHiddenByFilter is one call per row. Evaluating the
 * common criteria here keeps a download at a constant number of calls; anything this module does not
 * understand (dates, custom formulas) is reported as unsupported and the caller falls back to asking the
 * sheet row by row.
 *
 * Semantics follow Sheets: hidden/visible values compare the DISPLAYED text; text conditions ignore case;
 * number conditions admit only number cells; a row is shown when every filtered column admits it.
 */

export interface ColumnCriteria {
  /** 1-based sheet column. */
  col: number;
  hiddenValues: string[] | null;
  visibleValues: string[] | null;
  /** A SpreadsheetApp.BooleanCriteria name, or null for value-only criteria. */
  type: string | null;
  args: unknown[];
}

export interface FilterSpec {
  /** The filter's range: its first row is the header row, never hidden. */
  row: number;
  numRows: number;
  columns: ColumnCriteria[];
}

const TEXT_TESTS: Record<string, (cell: string, arg: string) => boolean> = {
  TEXT_CONTAINS: (c, a) => c.includes(a),
  TEXT_DOES_NOT_CONTAIN: (c, a) => !c.includes(a),
  TEXT_EQUAL_TO: (c, a) => c === a,
  TEXT_NOT_EQUAL_TO: (c, a) => c !== a,
  TEXT_STARTS_WITH: (c, a) => c.startsWith(a),
  TEXT_ENDS_WITH: (c, a) => c.endsWith(a),
};

const NUMBER_TESTS: Record<string, (n: number, a: number, b: number) => boolean> = {
  NUMBER_EQUAL_TO: (n, a) => n === a,
  NUMBER_NOT_EQUAL_TO: (n, a) => n !== a,
  NUMBER_GREATER_THAN: (n, a) => n > a,
  NUMBER_GREATER_THAN_OR_EQUAL_TO: (n, a) => n >= a,
  NUMBER_LESS_THAN: (n, a) => n < a,
  NUMBER_LESS_THAN_OR_EQUAL_TO: (n, a) => n <= a,
  NUMBER_BETWEEN: (n, a, b) => n >= Math.min(a, b) && n <= Math.max(a, b),
  NUMBER_NOT_BETWEEN: (n, a, b) => n < Math.min(a, b) || n > Math.max(a, b),
};

export function isSupported(c: ColumnCriteria): boolean {
  return (
    c.type === null ||
    c.type === 'CELL_EMPTY' ||
    c.type === 'CELL_NOT_EMPTY' ||
    c.type in TEXT_TESTS ||
    (c.type in NUMBER_TESTS && c.args.every((a) => a !== '' && Number.isFinite(Number(a))))
  );
}

function admits(c: ColumnCriteria, value: unknown, display: string): boolean {
  if (c.hiddenValues && c.hiddenValues.includes(display)) return false;
  if (c.visibleValues && !c.visibleValues.includes(display)) return false;
  if (c.type === null) return true;
  if (c.type === 'CELL_EMPTY') return display === '';
  if (c.type === 'CELL_NOT_EMPTY') return display !== '';
  const text = TEXT_TESTS[c.type];
  if (text) return text(display.toLowerCase(), String(c.args[0] ?? '').toLowerCase());
  const num = NUMBER_TESTS[c.type];
  if (num) return typeof value === 'number' && num(value, Number(c.args[0]), Number(c.args[1]));
  throw new Error(`unsupported filter criteria ${c.type}`);
}

/**
 * For each sheet row 1..values.length, whether the filter shows it (values/display are the whole tab from
 * row 1). Null when some column's criteria are not supported: ask the sheet instead.
 */
export function shownRows(
  spec: FilterSpec | null,
  values: unknown[][],
  display: string[][],
): boolean[] | null {
  const shown = values.map(() => true);
  if (!spec) return shown;
  if (!spec.columns.every(isSupported)) return null;
  const last = spec.row + spec.numRows - 1;
  for (let r = spec.row + 1; r <= Math.min(last, values.length); r++) {
    shown[r - 1] = spec.columns.every((c) =>
      admits(c, values[r - 1][c.col - 1], display[r - 1]?.[c.col - 1] ?? ''),
    );
  }
  return shown;
}

/** A short description of the filter for a file name: "Status=ASSIGNED", "Amount>100", "Service~EC2". */
export function describeFilter(spec: FilterSpec | null, headers: unknown[]): string {
  if (!spec) return '';
  const symbols: Record<string, string> = {
    TEXT_CONTAINS: '~',
    TEXT_EQUAL_TO: '=',
    TEXT_STARTS_WITH: '^',
    NUMBER_EQUAL_TO: '=',
    NUMBER_GREATER_THAN: '>',
    NUMBER_GREATER_THAN_OR_EQUAL_TO: '>=',
    NUMBER_LESS_THAN: '<',
    NUMBER_LESS_THAN_OR_EQUAL_TO: '<=',
  };
  return spec.columns
    .map((c) => {
      const name = String(headers[c.col - 1] ?? `column ${c.col}`);
      if (c.visibleValues) return `${name}=${c.visibleValues.join('+')}`;
      if (c.type && symbols[c.type]) return `${name}${symbols[c.type]}${String(c.args[0] ?? '')}`;
      if (c.hiddenValues) return `${name} without ${c.hiddenValues.join('+')}`;
      return `${name} filtered`;
    })
    .join(', ');
}
