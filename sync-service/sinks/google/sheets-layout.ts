/**
 * What the spreadsheet must look like before a sync can read it, as one list of batchUpdate requests: missing
 * tabs with their header rows, missing headers appended at the END of an existing header row (staff columns
 * never move), a frozen header row, a basic filter on Credits when there is none (never with sort specs,
 * which would reorder rows), the Status dropdown, money number formats and the hidden Key column.
 *
 * Pure: it takes what spreadsheets.get and values.batchGet returned and gives back requests and grids.
 * Formats, validation and hiding are applied only to columns this plan creates, so a second run sends
 * nothing and staff's own formatting is never overwritten.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import {
  cellFormat,
  indexKeys,
  planHeaders,
  TAB_ORDER,
  TAB_TRAITS,
  type CellFormat,
  type ColumnSetup,
} from '../../../core/sheet-layout';
import { TABS, type TabId } from '../../../core/sheet-contract';
import { configSeed } from '../../../core/desk-id';
import { newDeskId } from '../../new-desk-id';
import { text, type Cell, type Grid } from '../../../core/table';
import { pushAll } from '../../../core/arrays';

export const TAB_IDS = TAB_ORDER;
const MIN_ROWS = 1000;

export interface TabInfo {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
}

export interface LayoutPlan {
  requests: sheets_v4.Schema$Request[];
  tabs: Record<TabId, Grid>;
  info: Record<TabId, TabInfo>;
}

/** The tabs of the spreadsheet by title, as spreadsheets.get returned them. */
export function existingTabs(ss: sheets_v4.Schema$Spreadsheet): Map<string, sheets_v4.Schema$Sheet> {
  return new Map((ss.sheets ?? []).map((s) => [s.properties?.title ?? '', s]));
}

export function gridFromValues(values: readonly (readonly unknown[])[] | null | undefined): Grid {
  const rows = (values ?? []).map((r) => r.map((c) => (c === undefined ? null : (c as Cell))));
  const headers = (rows[0] ?? []).map((h) => text(h));
  return { headers, rows: rows.slice(1) };
}

function stringCell(v: string): sheets_v4.Schema$CellData {
  return { userEnteredValue: { stringValue: v } };
}

/** A core cell format as a Sheets NumberFormat (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#NumberFormat). */
export function sheetsNumberFormat(format: CellFormat): sheets_v4.Schema$NumberFormat {
  if (format.type === 'money') return { type: 'NUMBER', pattern: format.pattern };
  if (format.type === 'date') return { type: 'DATE', pattern: format.pattern };
  return { type: 'TEXT' };
}

function columnRange(sheetId: number, col: number): sheets_v4.Schema$GridRange {
  return { sheetId, startRowIndex: 1, startColumnIndex: col, endColumnIndex: col + 1 };
}

/** The requests that give a column the core's set-up (format, dropdown, hidden) when the sync creates it. */
function columnRequests(setup: ColumnSetup, sheetId: number): sheets_v4.Schema$Request[] {
  const { col, format, choices, hidden } = setup;
  const out: sheets_v4.Schema$Request[] = [];
  if (choices) {
    out.push({
      setDataValidation: {
        range: columnRange(sheetId, col),
        rule: {
          condition: { type: 'ONE_OF_LIST', values: choices.map((s) => ({ userEnteredValue: s })) },
          strict: true,
          showCustomUi: true,
        },
      },
    });
  }
  if (format) {
    out.push({
      repeatCell: {
        range: columnRange(sheetId, col),
        cell: { userEnteredFormat: { numberFormat: sheetsNumberFormat(format) } },
        fields: 'userEnteredFormat.numberFormat',
      },
    });
  }
  if (hidden) {
    out.push({
      updateDimensionProperties: {
        range: { sheetId, dimension: 'COLUMNS', startIndex: col, endIndex: col + 1 },
        properties: { hiddenByUser: true },
        fields: 'hiddenByUser',
      },
    });
  }
  return out;
}

/**
 * Money cells of new rows whose currency has other minor units than the column's default (JPY: none, KWD:
 * three), as repeatCell requests over runs of consecutive rows: the workbook formats each row by its currency,
 * and the same credit must look the same in both sinks. Usually none (USD months), so no request at all.
 * `currencies[i]` is the currency of data row `firstRow + i` (0-based data rows).
 */
export function moneyFormatRequests(
  sheetId: number,
  moneyCols: readonly number[],
  firstRow: number,
  currencies: readonly string[],
): sheets_v4.Schema$Request[] {
  const spec = TABS.credits.columns.find((c) => c.kind === 'money')!;
  const defaultPattern = cellFormat(spec)!.pattern;
  const out: sheets_v4.Schema$Request[] = [];
  let i = 0;
  while (i < currencies.length) {
    const format = cellFormat(spec, currencies[i])!;
    let j = i + 1;
    while (j < currencies.length && currencies[j] === currencies[i]) j++;
    if (format.pattern !== defaultPattern) {
      for (const col of moneyCols) {
        out.push({
          repeatCell: {
            range: {
              sheetId,
              startRowIndex: firstRow + i + 1,
              endRowIndex: firstRow + j + 1,
              startColumnIndex: col,
              endColumnIndex: col + 1,
            },
            cell: { userEnteredFormat: { numberFormat: sheetsNumberFormat(format) } },
            fields: 'userEnteredFormat.numberFormat',
          },
        });
      }
    }
    i = j;
  }
  return out;
}

/**
 * Plans the layout. `values` holds the full grid of each existing contract tab (by tab id).
 * `newSheetId` picks ids for new tabs so later requests in the same batch can refer to them.
 */
export function planLayout(
  ss: sheets_v4.Schema$Spreadsheet,
  values: Partial<Record<TabId, Grid>>,
  newSheetId: (taken: Set<number>) => number,
): LayoutPlan {
  const byTitle = existingTabs(ss);
  const taken = new Set((ss.sheets ?? []).map((s) => s.properties?.sheetId ?? 0));
  const requests: sheets_v4.Schema$Request[] = [];
  const tabs = {} as Record<TabId, Grid>;
  const info = {} as Record<TabId, TabInfo>;
  let index = (ss.sheets ?? []).length;

  for (const tab of TAB_IDS) {
    const { name, columns } = TABS[tab];
    const traits = TAB_TRAITS[tab];
    const headers = columns.map((c) => c.header);
    const existing = byTitle.get(name);
    if (!existing) {
      const sheetId = newSheetId(taken);
      taken.add(sheetId);
      const seed = tab === 'config' ? configSeed(newDeskId()) : [];
      const rowCount = Math.max(MIN_ROWS, seed.length + 1);
      requests.push({
        addSheet: {
          properties: {
            sheetId,
            title: name,
            index: index++,
            gridProperties: { rowCount, columnCount: headers.length, frozenRowCount: traits.frozenRows },
            ...(traits.hidden ? { hidden: true } : {}),
          },
        },
      });
      requests.push({
        updateCells: {
          start: { sheetId, rowIndex: 0, columnIndex: 0 },
          rows: [headers, ...seed].map((r) => ({ values: r.map(stringCell) })),
          fields: 'userEnteredValue',
        },
      });
      for (const setup of planHeaders(tab, null, false).missing)
        pushAll(requests, columnRequests(setup, sheetId));
      if (traits.filter)
        requests.push({ setBasicFilter: { filter: { range: { sheetId, startRowIndex: 0 } } } });
      tabs[tab] = { headers: [...headers], rows: seed.map((r) => [...r]) };
      info[tab] = { sheetId, title: name, rowCount, columnCount: headers.length };
      continue;
    }

    const props = existing.properties ?? {};
    const sheetId = props.sheetId ?? 0;
    const gp = props.gridProperties ?? {};
    const grid = values[tab] ?? { headers: [], rows: [] };
    const hasData = grid.rows.some((r) => r.some((c) => c !== null && c !== ''));
    const headerPlan = planHeaders(tab, grid.headers, hasData);
    if (tab === 'credits') {
      const keyCol = headerPlan.headers.findIndex((h) => h.toLowerCase() === 'key');
      if (keyCol < grid.headers.length)
        indexKeys(
          grid.rows.map((r) => r[keyCol]),
          name,
        );
    }
    let columnCount = gp.columnCount ?? 26;
    const { missing, at } = headerPlan;
    if (missing.length) {
      if (at + missing.length > columnCount) {
        requests.push({
          appendDimension: { sheetId, dimension: 'COLUMNS', length: at + missing.length - columnCount },
        });
        columnCount = at + missing.length;
      }
      requests.push({
        updateCells: {
          start: { sheetId, rowIndex: 0, columnIndex: at },
          rows: [{ values: missing.map((m) => stringCell(m.spec.header)) }],
          fields: 'userEnteredValue',
        },
      });
      for (const setup of missing) pushAll(requests, columnRequests(setup, sheetId));
    }
    if ((gp.frozenRowCount ?? 0) < traits.frozenRows) {
      requests.push({
        updateSheetProperties: {
          properties: { sheetId, gridProperties: { frozenRowCount: traits.frozenRows } },
          fields: 'gridProperties.frozenRowCount',
        },
      });
    }
    if (traits.filter && !existing.basicFilter) {
      requests.push({ setBasicFilter: { filter: { range: { sheetId, startRowIndex: 0 } } } });
    }
    tabs[tab] = { headers: headerPlan.headers, rows: grid.rows };
    info[tab] = { sheetId, title: name, rowCount: gp.rowCount ?? 1000, columnCount };
  }
  return { requests, tabs, info };
}
