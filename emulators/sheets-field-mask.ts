/**
 * Field masks as Google reads them, for the local Sheets server. Two kinds:
 *
 * - Update masks (`fields` of updateSheetProperties, updateProtectedRange, repeatCell, …): a FieldMask, "a
 *   comma-separated list of fully qualified names of fields" (https://protobuf.dev/reference/protobuf/google.protobuf/#field-mask,
 *   linked from https://developers.google.com/sheets/api/guides/field-masks). Google accepts `/` between a field
 *   and its sub-field as well as `.` (gspread sends "gridProperties/rowCount": recorded in
 *   ../shared/reference/sheets-recordings/WorksheetTest.test_resize.json) and refuses a path naming no field of
 *   the message with 400. Unknown paths were accepted silently before, which hid a typo in a mask until Google.
 * - Partial responses (`fields` query parameter of spreadsheets.get: "sheets(properties(sheetId,title))",
 *   "sheets/properties/title", "sheets.properties.tabColorStyle" (recorded in
 *   ../shared/reference/sheets-recordings/WorksheetTest.test_clear_tab_color.json); https://developers.google.com/sheets/api/guides/field-masks#read_response_field_masks):
 *   only the named fields come back.
 */
import { ApiError } from './sheets-state';

/** The fields of a message: each either a leaf (true), or a message of its own, or '*' for any sub-path. */
export interface Schema {
  [field: string]: true | '*' | Schema;
}

/** The mask's paths in dotted form, checked against `schema`; "*" stands for every field the patch sets. */
export function checkedMask(fields: string, schema: Schema, where: string): string[] | '*' {
  if (!fields) throw new ApiError(400, `${where}: At least one field must be specified.`);
  if (fields.trim() === '*') return '*';
  return fields.split(',').map((raw) => {
    const path = raw.trim().replace(/\//g, '.');
    let node: true | '*' | Schema = schema;
    for (const part of path.split('.')) {
      if (node === '*') break;
      const next: true | '*' | Schema | undefined = node === true ? undefined : node[part];
      if (next === undefined) {
        throw new ApiError(
          400,
          `${where}: Invalid field mask path "${raw.trim()}": "${part}" is not a field here. Name fields as in the API reference, e.g. ${Object.keys(schema).slice(0, 3).join(', ')}.`,
        );
      }
      node = next;
    }
    return path;
  });
}

const COLOR: Schema = { red: true, green: true, blue: true, alpha: true };
const COLOR_STYLE: Schema = { rgbColor: COLOR, themeColor: true };

/** SheetProperties: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#SheetProperties */
export const SHEET_PROPERTIES: Schema = {
  sheetId: true,
  title: true,
  index: true,
  sheetType: true,
  gridProperties: {
    rowCount: true,
    columnCount: true,
    frozenRowCount: true,
    frozenColumnCount: true,
    hideGridlines: true,
    rowGroupControlAfter: true,
    columnGroupControlAfter: true,
  },
  hidden: true,
  tabColor: COLOR,
  tabColorStyle: COLOR_STYLE,
  rightToLeft: true,
  dataSourceSheetProperties: '*',
};

/** SpreadsheetProperties: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets#SpreadsheetProperties */
export const SPREADSHEET_PROPERTIES: Schema = {
  title: true,
  locale: true,
  autoRecalc: true,
  timeZone: true,
  defaultFormat: '*',
  iterativeCalculationSettings: '*',
  spreadsheetTheme: '*',
  importFunctionsExternalUrlAccessAllowed: true,
};

/** ProtectedRange: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#ProtectedRange */
export const PROTECTED_RANGE: Schema = {
  protectedRangeId: true,
  range: '*',
  namedRangeId: true,
  tableId: true,
  description: true,
  warningOnly: true,
  requestingUserCanEdit: true,
  unprotectedRanges: '*',
  editors: { users: true, groups: true, domainUsersCanEdit: true },
};

/** DeveloperMetadata: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.developerMetadata */
export const DEVELOPER_METADATA: Schema = {
  metadataId: true,
  metadataKey: true,
  metadataValue: true,
  location: '*',
  visibility: true,
};

/** DimensionProperties: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#DimensionProperties */
export const DIMENSION_PROPERTIES: Schema = {
  hiddenByFilter: true,
  hiddenByUser: true,
  pixelSize: true,
  developerMetadata: '*',
  dataSourceColumnReference: '*',
};

/** CellData: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#CellData */
export const CELL_DATA: Schema = {
  userEnteredValue: '*',
  effectiveValue: '*',
  formattedValue: true,
  userEnteredFormat: '*',
  effectiveFormat: '*',
  hyperlink: true,
  note: true,
  textFormatRuns: '*',
  dataValidation: '*',
  pivotTable: '*',
  dataSourceTable: '*',
  dataSourceFormula: '*',
  chipRuns: '*',
};

interface Selector {
  [field: string]: Selector | null;
}

/** Parses a partial-response mask ("a,b(c,d/e),f/g") into a tree; null means "the whole field". */
function parseSelector(fields: string): Selector {
  let i = 0;
  const list = (): Selector => {
    const out: Selector = {};
    for (;;) {
      const m = /^\s*([A-Za-z_*][A-Za-z0-9_]*)/.exec(fields.slice(i));
      if (!m) throw new ApiError(400, `Invalid field selection "${fields}" at "${fields.slice(i)}".`);
      i += m[0].length;
      let sub: Selector | null = null;
      if (fields[i] === '/' || fields[i] === '.') {
        i++;
        sub = path();
      } else if (fields[i] === '(') {
        i++;
        sub = list();
        if (fields[i] !== ')') throw new ApiError(400, `Invalid field selection "${fields}": missing ")".`);
        i++;
      }
      out[m[1]] = merge(out[m[1]], sub);
      while (fields[i] === ' ') i++;
      if (fields[i] !== ',') return out;
      i++;
    }
  };
  // After "a/": one field, itself maybe followed by "/…" or "(…)".
  const path = (): Selector => {
    const m = /^([A-Za-z_*][A-Za-z0-9_]*)/.exec(fields.slice(i));
    if (!m) throw new ApiError(400, `Invalid field selection "${fields}".`);
    i += m[0].length;
    let sub: Selector | null = null;
    if (fields[i] === '/' || fields[i] === '.') {
      i++;
      sub = path();
    } else if (fields[i] === '(') {
      i++;
      sub = list();
      i++;
    }
    return { [m[1]]: sub };
  };
  const merge = (a: Selector | null | undefined, b: Selector | null): Selector | null => {
    if (a === undefined) return b;
    if (a === null || b === null) return null;
    return { ...a, ...b };
  };
  const tree = list();
  if (i !== fields.length) throw new ApiError(400, `Invalid field selection "${fields}".`);
  return tree;
}

/** Keeps only the selected fields of a response (lists are selected element by element). */
export function selectFields<T>(value: T, fields: string | null): T {
  if (!fields) return value;
  const pick = (v: unknown, sel: Selector | null): unknown => {
    if (sel === null || sel['*'] === null) return v;
    if (Array.isArray(v)) return v.map((x) => pick(x, sel));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(sel)) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = pick(x, sub);
    }
    return out;
  };
  return pick(value, parseSelector(fields)) as T;
}
