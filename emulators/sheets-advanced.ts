/**
 * The Sheets advanced service (`Sheets.Spreadsheets…` in Apps Script: the Sheets API v4 called from a script)
 * over the same in-memory spreadsheet as the SpreadsheetApp fake, so a test sees one sheet through both.
 * Only what the add-on calls: spreadsheets.get (time zone, protected ranges, basic filter, row metadata,
 * developer metadata), spreadsheets.batchUpdate (protections, developer metadata), values.batchGet and
 * values.batchUpdate.
 *
 * Behaviours, from the Sheets API v4 reference:
 * - spreadsheets.batchUpdate is atomic: "The requests will be applied in the order they are specified. If any
 *   request is not valid, no requests will be applied" (spreadsheets.batchUpdate reference,
 *   https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate). values.batchUpdate
 *   only "Sets values in one or more ranges of a spreadsheet": nothing says it is atomic, so it is modelled the
 *   stricter way — its ranges are written in order and a refused one stops the request with the earlier ones
 *   already written. A range the caller cannot edit is refused with 403 PERMISSION_DENIED ("You are trying to
 *   edit a protected cell or object…"), in either call; the spreadsheet's owner is never refused.
 * - Payload: "we recommend a 2 MB maximum payload" (https://developers.google.com/sheets/api/limits). What
 *   happens above it is not documented; modelled the stricter way: a request body over 2,000,000 bytes of
 *   JSON (UTF-8) is refused with 413.
 * - Quotas: "If you exceed a quota, you'll get a 429: Too many requests HTTP status code response"; the fix is
 *   "truncated exponential backoff" (same page). `failNext(n)` makes the next n calls fail that way (the
 *   per-minute quota is 60 requests per user per project: a test cannot wait a minute), as Apps Script
 *   reports it: a GoogleJsonResponseException whose `details.code` is 429.
 * - valueInputOption RAW: "the values the user has entered will not be parsed and will be stored as-is"
 *   (a leading "=" stays text); USER_ENTERED parses as typing (see parseTyped).
 * - A range beyond the grid is refused: "Range exceeds grid limits" (400); values.update does not add rows.
 * - ProtectedRange.requestingUserCanEdit: "True if the user who requested this protected range can edit the
 *   protected area" (read-only); editors are only returned to users who can edit.
 * - RowMetadata (DimensionProperties): hiddenByFilter and hiddenByUser per row, for `sheets.data.rowMetadata`.
 * - values.batchGet (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGet):
 *   one ValueRange per requested range, in order; "empty trailing rows and columns are omitted"
 *   (ValueRange reference). ValueRenderOption FORMATTED_VALUE (default) gives the displayed text, as
 *   getDisplayValues does; UNFORMATTED_VALUE gives numbers, booleans and text as stored, and a date/time as
 *   its serial number ("days since December 30th 1899", in the spreadsheet's time zone) when
 *   dateTimeRenderOption is SERIAL_NUMBER (the default), or as its formatted text when FORMATTED_STRING
 *   (DateTimeRenderOption reference). A range may be a bare sheet name ("all cells in the sheet": A1 notation).
 * - spreadsheets.get properties.timeZone: "The time zone of the spreadsheet, in CLDR format" (SpreadsheetProperties).
 * - Sheet.basicFilter (BasicFilter): range plus filterSpecs[] of { columnIndex (0-based), filterCriteria:
 *   { hiddenValues, condition: { type: ConditionType, values: [{ userEnteredValue }] } } } — the API's
 *   ConditionType names (TEXT_EQ, NUMBER_GREATER, BLANK, CUSTOM_FORMULA …), not SpreadsheetApp's.
 */
import { serialIn } from '../core/sheet-dates';
import type { FakeSheet, FakeSpreadsheet } from './spreadsheet-app';
import { applyRequest, widest } from './sheets-model';
import { ApiError } from './sheets-state';
import { BooleanCriteria, parseA1, parseTyped, type FakeFilter } from './spreadsheet-app';

/**
 * SpreadsheetApp BooleanCriteria → Sheets API ConditionType (BooleanCondition reference:
 * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/other#ConditionType).
 */
const CONDITION_TYPES: Record<keyof typeof BooleanCriteria, string> = {
  CELL_EMPTY: 'BLANK',
  CELL_NOT_EMPTY: 'NOT_BLANK',
  TEXT_CONTAINS: 'TEXT_CONTAINS',
  TEXT_DOES_NOT_CONTAIN: 'TEXT_NOT_CONTAINS',
  TEXT_EQUAL_TO: 'TEXT_EQ',
  TEXT_NOT_EQUAL_TO: 'TEXT_NOT_EQ',
  TEXT_STARTS_WITH: 'TEXT_STARTS_WITH',
  TEXT_ENDS_WITH: 'TEXT_ENDS_WITH',
  NUMBER_EQUAL_TO: 'NUMBER_EQ',
  NUMBER_NOT_EQUAL_TO: 'NUMBER_NOT_EQ',
  NUMBER_GREATER_THAN: 'NUMBER_GREATER',
  NUMBER_GREATER_THAN_OR_EQUAL_TO: 'NUMBER_GREATER_THAN_EQ',
  NUMBER_LESS_THAN: 'NUMBER_LESS',
  NUMBER_LESS_THAN_OR_EQUAL_TO: 'NUMBER_LESS_THAN_EQ',
  NUMBER_BETWEEN: 'NUMBER_BETWEEN',
  NUMBER_NOT_BETWEEN: 'NUMBER_NOT_BETWEEN',
  CUSTOM_FORMULA: 'CUSTOM_FORMULA',
};

/** The fake's basic filter as the API's BasicFilter resource. */
function basicFilterResource(sheetId: number, f: FakeFilter) {
  const a = f._area;
  return {
    range: {
      sheetId,
      startRowIndex: a.row - 1,
      endRowIndex: a.row - 1 + a.numRows,
      startColumnIndex: a.col - 1,
      endColumnIndex: a.col - 1 + a.numCols,
    },
    filterSpecs: [...f._criteria]
      .sort(([x], [y]) => x - y)
      .map(([col, c]) => ({
        columnIndex: col - 1,
        filterCriteria: {
          ...(c._hidden ? { hiddenValues: [...c._hidden] } : {}),
          ...(c._visible ? { visibleValues: [...c._visible] } : {}),
          ...(c._type
            ? {
                condition: {
                  type: CONDITION_TYPES[c._type],
                  ...(c._args.length
                    ? { values: c._args.map((v) => ({ userEnteredValue: String(v) })) }
                    : {}),
                },
              }
            : {}),
        },
      })),
  };
}

export class SheetsApiError extends Error {
  /** As Apps Script's GoogleJsonResponseException carries it. */
  readonly details: { code: number; message: string };
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`API call to sheets.spreadsheets failed with error: ${message}`);
    this.details = { code, message };
  }
}

/** The recommended maximum request payload (Sheets API limits page), enforced by this emulator. */
export const MAX_PAYLOAD_BYTES = 2_000_000;

/** A JSON body's size in UTF-8 bytes. */
export function payloadBytes(body: unknown): number {
  return Buffer.byteLength(JSON.stringify(body) ?? '', 'utf8');
}

function checkPayload(body: unknown, seen: number[], replaying: boolean): void {
  const bytes = payloadBytes(body);
  if (!replaying) seen.push(bytes);
  if (bytes > MAX_PAYLOAD_BYTES)
    throw new SheetsApiError(
      413,
      `Request payload of ${bytes} bytes is over the recommended ${MAX_PAYLOAD_BYTES} (https://developers.google.com/sheets/api/limits): split it.`,
    );
}

interface ValueRange {
  range: string;
  values: unknown[][];
}

function locate(
  ss: FakeSpreadsheet,
  a1: string,
): { sheet: FakeSheet; rect: [number, number, number, number] } {
  const m = /^'?((?:[^']|'')+?)'?!(.+)$/.exec(a1);
  if (!m) throw new SheetsApiError(400, `Unable to parse range: ${a1}`);
  const sheet = ss._sheets.find((s) => s._name === m[1].replace(/''/g, "'"));
  if (!sheet) throw new SheetsApiError(400, `Unable to parse range: ${a1}`);
  const rect = parseA1(m[2], sheet._maxRows, sheet._maxCols);
  return { sheet, rect };
}

/**
 * Whether the acting user may write a rectangle: the same rule as SpreadsheetApp (FakeSheet._checkEditable),
 * indexed by row once per request so a sheet with tens of thousands of protected rows stays fast.
 */
function editChecker(sheet: FakeSheet): (r: number, c: number, nr: number, nc: number) => boolean {
  const ss = sheet._parent;
  const user = ss._user();
  if (user === ss._owner) return () => true;
  const blocking = sheet._protections.filter((p) => !p._warningOnly && !p._editors.includes(user));
  if (blocking.some((p) => !p._area)) return () => false; // a protected sheet
  const byRow = new Map<number, { col: number; numCols: number }[]>();
  for (const p of blocking) {
    const a = p._area as { row: number; col: number; numRows: number; numCols: number };
    for (let r = a.row; r < a.row + a.numRows; r++) {
      const list = byRow.get(r) ?? [];
      list.push({ col: a.col, numCols: a.numCols });
      byRow.set(r, list);
    }
  }
  return (r, c, nr, nc) => {
    for (let row = r; row < r + nr; row++)
      for (const a of byRow.get(row) ?? []) if (c < a.col + a.numCols && a.col < c + nc) return false;
    return true;
  };
}

/** The sheet title of an A1 range ("'My tab'!A1:B2", "Credits"). */
function rangeSheet(range: string): string {
  const bang = range.lastIndexOf('!');
  const t = bang >= 0 ? range.slice(0, bang) : range;
  return t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : t;
}

export function createSheetsAdvancedService(ss: FakeSpreadsheet) {
  const log = ss._log;
  let failures = 0;
  /** The size of every write request's body, in order (tests and the bench hold them under the limit). */
  const payloads: number[] = [];
  /** Every call first meets the injected quota failures (failNext). */
  const quota = () => {
    if (failures <= 0 || ss._replaying) return;
    failures--;
    throw new SheetsApiError(
      429,
      "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com'.",
    );
  };
  const Values = log.wrap(
    {
      batchGet(
        spreadsheetId: string,
        optional: { ranges?: string[]; valueRenderOption?: string; dateTimeRenderOption?: string } = {},
      ): {
        spreadsheetId: string;
        valueRanges: { range: string; majorDimension: 'ROWS'; values?: unknown[][] }[];
      } {
        quota();
        if (spreadsheetId !== ss.getId()) throw new SheetsApiError(404, 'Requested entity was not found.');
        const render = optional.valueRenderOption ?? 'FORMATTED_VALUE';
        const dates = optional.dateTimeRenderOption ?? 'SERIAL_NUMBER';
        if (!['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'].includes(render))
          throw new SheetsApiError(400, `Invalid valueRenderOption: '${render}'`);
        const valueRanges = (optional.ranges ?? []).map((range) => {
          const bang = range.lastIndexOf('!');
          const { sheet, rect } =
            bang >= 0
              ? locate(ss, range)
              : (() => {
                  const sheet = ss._sheets.find((s) => s._name === rangeSheet(range));
                  if (!sheet) throw new SheetsApiError(400, `Unable to parse range: ${range}`);
                  return {
                    sheet,
                    rect: [1, 1, sheet._maxRows, sheet._maxCols] as [number, number, number, number],
                  };
                })();
          const [r1, c1, nr, nc] = rect;
          const out: unknown[][] = [];
          for (let r = r1; r < r1 + nr && r <= sheet._rows.length; r++) {
            const line: unknown[] = [];
            let last = -1;
            for (let c = c1; c < c1 + nc && c <= (sheet._rows[r - 1]?.length ?? 0); c++) {
              const raw = sheet._rows[r - 1][c - 1];
              const v = sheet._get(r, c);
              let cell: unknown;
              if (render === 'FORMULA' && raw !== null && typeof raw === 'object' && 'f' in raw) cell = raw.f;
              else if (render === 'FORMATTED_VALUE') cell = sheet._display(v);
              else if (v instanceof Date || Object.prototype.toString.call(v) === '[object Date]')
                cell = dates === 'FORMATTED_STRING' ? sheet._display(v) : serialIn(v as Date, ss._timeZone);
              else cell = v ?? '';
              line.push(cell);
              if (cell !== '') last = line.length - 1;
            }
            out.push(line.slice(0, last + 1));
          }
          while (out.length && out[out.length - 1].length === 0) out.pop();
          return { range, majorDimension: 'ROWS' as const, ...(out.length ? { values: out } : {}) };
        });
        return { spreadsheetId, valueRanges };
      },
      batchUpdate(
        resource: { valueInputOption?: string; data?: ValueRange[] },
        spreadsheetId: string,
      ): { totalUpdatedCells: number } {
        quota();
        checkPayload(resource, payloads, ss._replaying);
        if (spreadsheetId !== ss.getId()) throw new SheetsApiError(404, 'Requested entity was not found.');
        const option = resource.valueInputOption;
        if (option !== 'RAW' && option !== 'USER_ENTERED')
          throw new SheetsApiError(400, "Invalid valueInputOption: ''");
        const plan = (resource.data ?? []).map((d) => ({ ...locate(ss, d.range), values: d.values ?? [] }));
        // Not documented as atomic (see the header): each range is checked, then written, in order; a refused
        // one stops the request and the ranges before it stay written.
        let cells = 0;
        const checkers = new Map<FakeSheet, ReturnType<typeof editChecker>>();
        const userCanEdit = (sheet: FakeSheet, r: number, c: number, nr: number, nc: number) => {
          let check = checkers.get(sheet);
          if (!check) checkers.set(sheet, (check = editChecker(sheet)));
          return check(r, c, nr, nc);
        };
        for (const p of plan) {
          const [r, c, nr, nc] = p.rect;
          if (p.values.length > nr || p.values.some((line) => line.length > nc))
            throw new SheetsApiError(
              400,
              `Requested writing within range [${p.sheet._name}], but tried writing to more cells.`,
            );
          if (r + p.values.length - 1 > p.sheet._maxRows)
            throw new SheetsApiError(
              400,
              `Range ('${p.sheet._name}'!row ${r + p.values.length - 1}) exceeds grid limits. Max rows: ${p.sheet._maxRows}`,
            );
          if (!userCanEdit(p.sheet, r, c, Math.max(1, p.values.length), nc))
            throw new SheetsApiError(
              403,
              'You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.',
            );
          p.values.forEach((line, i) =>
            line.forEach((v, j) => {
              if (v === null || v === undefined) return; // null leaves the cell as it is (ValueRange reference)
              let stored: unknown = v;
              if (typeof v === 'string') stored = option === 'RAW' ? v : parseTyped(v);
              // RAW text is stored as text: prefix it the way the fake's raw store keeps literal strings.
              if (option === 'RAW' && typeof v === 'string' && (v.startsWith("'") || v.startsWith('=')))
                stored = `'${v}`;
              p.sheet._set(r + i, c + j, stored);
              cells++;
            }),
          );
        }
        return { totalUpdatedCells: cells };
      },
    },
    'Sheets.Spreadsheets.Values',
  );
  const Spreadsheets = log.wrap(
    {
      Values,
      /**
       * spreadsheets.batchUpdate, the requests the sync uses on protections: addProtectedRange (editors: the
       * requesting user stays one — "the user who created the range" can't be removed) and
       * deleteProtectedRange; developer metadata; and the add-on's writes: updateCells (CellData.userEnteredValue:
       * an ExtendedValue's stringValue is text, never parsed) and appendDimension (rows added at the end of a
       * sheet, for Audit). Atomic like every batchUpdate: checked whole (payload, protections, grid) first.
       */
      batchUpdate(
        resource: {
          requests?: {
            addProtectedRange?: {
              protectedRange: {
                range: {
                  sheetId: number;
                  startRowIndex?: number;
                  endRowIndex?: number;
                  startColumnIndex?: number;
                  endColumnIndex?: number;
                };
                description?: string;
                editors?: { users?: string[] };
                warningOnly?: boolean;
              };
            };
            deleteProtectedRange?: { protectedRangeId: number };
            // CreateDeveloperMetadataRequest / DeleteDeveloperMetadataRequest (dataFilter.developerMetadataLookup):
            // the same model the Sheets v4 server applies (sheets-model.ts cites the reference).
            createDeveloperMetadata?: {
              developerMetadata: {
                metadataKey: string;
                metadataValue?: string;
                location?: { spreadsheet?: boolean };
                visibility?: string;
              };
            };
            deleteDeveloperMetadata?: {
              dataFilter: { developerMetadataLookup: { metadataKey?: string; metadataValue?: string } };
            };
            updateCells?: {
              start?: { sheetId?: number; rowIndex?: number; columnIndex?: number };
              rows?: { values?: { userEnteredValue?: Record<string, unknown> }[] }[];
              fields?: string;
            };
            appendDimension?: { sheetId?: number; dimension?: string; length?: number };
          }[];
        },
        spreadsheetId: string,
      ): { replies: unknown[] } {
        quota();
        checkPayload(resource, payloads, ss._replaying);
        if (spreadsheetId !== ss.getId()) throw new SheetsApiError(404, 'Requested entity was not found.');
        const requests = structuredClone(resource.requests ?? []);
        const checkers = new Map<FakeSheet, ReturnType<typeof editChecker>>();
        for (const req of requests) {
          if (
            !req.addProtectedRange &&
            !req.deleteProtectedRange &&
            !req.createDeveloperMetadata &&
            !req.deleteDeveloperMetadata &&
            !req.updateCells &&
            !req.appendDimension
          )
            throw new SheetsApiError(400, 'Unsupported request in this emulator.');
          const u = req.updateCells;
          if (u) {
            // Only userEnteredValue is modelled: another field would be silently dropped here.
            if (u.fields !== 'userEnteredValue')
              throw new SheetsApiError(
                400,
                `updateCells.fields '${u.fields ?? ''}' is not modelled: use userEnteredValue.`,
              );
            const sheet = ss._sheets.find((x) => x._id === u.start?.sheetId);
            if (!sheet) throw new SheetsApiError(400, `No grid with id: ${u.start?.sheetId}`);
            const rows = u.rows ?? [];
            const width = widest(
              rows.map((r) => r.values ?? []),
              1,
            );
            let check = checkers.get(sheet);
            if (!check) checkers.set(sheet, (check = editChecker(sheet)));
            if (
              !check(
                (u.start?.rowIndex ?? 0) + 1,
                (u.start?.columnIndex ?? 0) + 1,
                Math.max(1, rows.length),
                width,
              )
            )
              throw new SheetsApiError(
                403,
                'You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.',
              );
          }
          // The requesting user is always an editor of a range it protects (it "can't be removed"): added
          // here, as Sheets does, so the fake's creator rule holds for API-made protections too.
          const pr = req.addProtectedRange?.protectedRange;
          if (pr) {
            const users = (pr.editors ??= {}).users ?? [];
            pr.editors.users = users.includes(ss._user()) ? users : [ss._user(), ...users];
          }
        }
        // The same requests the Sheets v4 server applies, on the same store: validated on a copy first, as
        // a batch is atomic.
        const state = ss._state();
        const trial = structuredClone({ ...state, sheets: state.sheets.map((x) => ({ ...x, cells: [] })) });
        try {
          for (const req of requests) applyRequest(trial, req as never);
        } catch (e) {
          if (e instanceof ApiError) throw new SheetsApiError(e.code, e.message);
          throw e;
        }
        const replies = requests.map((req) => applyRequest(state, req as never));
        // This script's own PROJECT-visible metadata (kept by its front, not the store) matches lookups too.
        for (const req of requests) {
          const l = req.deleteDeveloperMetadata?.dataFilter.developerMetadataLookup;
          if (!l) continue;
          const own = ss._projectMetadata;
          for (let i = own.length - 1; i >= 0; i--) {
            const m = own[i];
            if (
              (l.metadataKey === undefined || m.metadataKey === l.metadataKey) &&
              (l.metadataValue === undefined || m.metadataValue === l.metadataValue)
            )
              own.splice(i, 1);
          }
        }
        return { replies };
      },
      get(spreadsheetId: string, optional: { fields?: string; ranges?: string[] } = {}) {
        quota();
        if (spreadsheetId !== ss.getId()) throw new SheetsApiError(404, 'Requested entity was not found.');
        const fields = optional.fields ?? '';
        const wantRows = /rowMetadata/.test(fields);
        return {
          spreadsheetId,
          properties: { title: ss.getName(), timeZone: ss._timeZone },
          // Spreadsheet.developerMetadata: "The developer metadata associated with a spreadsheet" — the
          // spreadsheet-level entries (sheet- and row-level ones are under sheets[]).
          // With the PROJECT-visible entries this script's project made (spreadsheet-app.ts _projectMetadata).
          developerMetadata: structuredClone(ss._allMetadata()),
          sheets: ss._sheets
            .filter((s) => !optional.ranges || optional.ranges.some((r) => rangeSheet(r) === s._name))
            .map((s) => ({
              properties: {
                sheetId: s._id,
                title: s._name,
                gridProperties: { rowCount: s._maxRows, columnCount: s._maxCols },
              },
              ...(s._filter ? { basicFilter: basicFilterResource(s._id, s._filter) } : {}),
              // FilterView / Slicer: readable through the API (SpreadsheetApp cannot say which one a person has open).
              filterViews: s._filterViews.map((title, i) => ({ filterViewId: i + 1, title })),
              slicers: Array.from({ length: s._slicers }, (_x, i) => ({ slicerId: i + 1 })),
              protectedRanges: s._protections.map((p) => ({
                protectedRangeId: p._id,
                description: p._description,
                warningOnly: p._warningOnly,
                requestingUserCanEdit: p.canEdit(),
                range: p._area
                  ? {
                      sheetId: s._id,
                      startRowIndex: p._area.row - 1,
                      endRowIndex: p._area.row - 1 + p._area.numRows,
                      startColumnIndex: p._area.col - 1,
                      endColumnIndex: p._area.col - 1 + p._area.numCols,
                    }
                  : { sheetId: s._id },
              })),
              ...(wantRows
                ? {
                    data: [
                      {
                        rowMetadata: Array.from({ length: Math.max(s._rows.length, 1) }, (_x, i) => ({
                          pixelSize: 21,
                          ...(s.isRowHiddenByUser(i + 1) ? { hiddenByUser: true } : {}),
                          ...(s.isRowHiddenByFilter(i + 1) ? { hiddenByFilter: true } : {}),
                        })),
                      },
                    ],
                  }
                : {}),
            })),
        };
      },
    },
    'Sheets.Spreadsheets',
  );
  return {
    Spreadsheets,
    /** Test helper: the next `n` calls fail with 429 (see the header: Sheets API limits). */
    _failNext(n: number): void {
      failures = n;
    },
    /** Test helper: the body sizes (bytes) of the write requests so far. */
    _payloads(): number[] {
      return [...payloads];
    },
  };
}
