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
import { CreditDeskError } from '../../core/errors';
import { CONFIG_DEFAULTS, TABS, type TabId } from '../../core/sheet-contract';
import { STATUSES } from '../../core/status';
import { text, type Cell, type Grid } from '../../core/table';

export const TAB_IDS = Object.keys(TABS) as TabId[];
export const MONEY_FORMAT = { type: 'NUMBER', pattern: '#,##0.00' };
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

/** Rows of the Key column that share a key, as "rows 5 and 9". Throws BAD_SHEET naming them. */
export function assertUniqueKeys(grid: Grid, keyCol: number, tabName: string): Map<string, number> {
  const seen = new Map<string, number>();
  const dupes = new Map<string, number[]>();
  grid.rows.forEach((row, i) => {
    const key = text(row[keyCol]);
    if (!key) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else dupes.set(key, [...(dupes.get(key) ?? [first + 2]), i + 2]);
  });
  if (dupes.size) {
    const list = [...dupes].slice(0, 10).map(([k, rows]) => `"${k}" in rows ${rows.join(', ')}`);
    throw new CreditDeskError(
      'BAD_SHEET',
      `The ${tabName} tab has ${dupes.size} duplicated Key${dupes.size > 1 ? 's' : ''}: ${list.join('; ')}${dupes.size > 10 ? '; …' : ''}.`,
      'A copied or pasted row duplicated a credit. Delete the extra copy (keep the row with the staff edits you want) and run again.',
    );
  }
  return seen;
}

function columnRange(sheetId: number, col: number): sheets_v4.Schema$GridRange {
  return { sheetId, startRowIndex: 1, startColumnIndex: col, endColumnIndex: col + 1 };
}

/** Formatting a contract column gets when the sync creates it. */
function columnSetup(tab: TabId, header: string, sheetId: number, col: number): sheets_v4.Schema$Request[] {
  if (tab !== 'credits') return [];
  const spec = TABS.credits.columns.find((c) => c.header === header);
  if (!spec) return [];
  const out: sheets_v4.Schema$Request[] = [];
  if (spec.kind === 'status') {
    out.push({
      setDataValidation: {
        range: columnRange(sheetId, col),
        rule: {
          condition: { type: 'ONE_OF_LIST', values: STATUSES.map((s) => ({ userEnteredValue: s })) },
          strict: true,
          showCustomUi: true,
        },
      },
    });
  }
  if (spec.kind === 'money') {
    out.push({
      repeatCell: {
        range: columnRange(sheetId, col),
        cell: { userEnteredFormat: { numberFormat: MONEY_FORMAT } },
        fields: 'userEnteredFormat.numberFormat',
      },
    });
  }
  if (spec.hidden) {
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
    const headers = columns.map((c) => c.header);
    const existing = byTitle.get(name);
    if (!existing) {
      const sheetId = newSheetId(taken);
      taken.add(sheetId);
      const seed = tab === 'config' ? CONFIG_DEFAULTS.map((d) => [d.setting, d.value, d.notes]) : [];
      const rowCount = Math.max(MIN_ROWS, seed.length + 1);
      requests.push({
        addSheet: {
          properties: {
            sheetId,
            title: name,
            index: index++,
            gridProperties: { rowCount, columnCount: headers.length, frozenRowCount: 1 },
            // The Ledger is the usage process's record, not a tab to work in (the write protects it too).
            ...(tab === 'ledger' ? { hidden: true } : {}),
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
      headers.forEach((h, col) => requests.push(...columnSetup(tab, h, sheetId, col)));
      if (tab === 'credits')
        requests.push({ setBasicFilter: { filter: { range: { sheetId, startRowIndex: 0 } } } });
      tabs[tab] = { headers: [...headers], rows: seed.map((r) => [...r]) };
      info[tab] = { sheetId, title: name, rowCount, columnCount: headers.length };
      continue;
    }

    const props = existing.properties ?? {};
    const sheetId = props.sheetId ?? 0;
    const gp = props.gridProperties ?? {};
    const grid = values[tab] ?? { headers: [], rows: [] };
    const present = new Set(grid.headers.map((h) => h.toLowerCase()));
    const missing = headers.filter((h) => !present.has(h.toLowerCase()));
    const hasData = grid.rows.some((r) => r.some((c) => c !== null && c !== ''));
    if (tab === 'credits' && hasData && missing.includes('Key')) {
      throw new CreditDeskError(
        'BAD_SHEET',
        'The Credits tab has rows but no "Key" column, so its rows cannot be matched to credits.',
        'The Key column is hidden at the right of Credits: unhide columns and restore the header "Key" (or undo its deletion from File → Version history). Do not type new keys.',
      );
    }
    if (tab === 'credits' && !missing.includes('Key')) {
      assertUniqueKeys(
        grid,
        grid.headers.findIndex((h) => h.toLowerCase() === 'key'),
        name,
      );
    }
    let columnCount = gp.columnCount ?? 26;
    const at = grid.headers.length;
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
          rows: [{ values: missing.map(stringCell) }],
          fields: 'userEnteredValue',
        },
      });
      missing.forEach((h, i) => requests.push(...columnSetup(tab, h, sheetId, at + i)));
    }
    if ((gp.frozenRowCount ?? 0) < 1) {
      requests.push({
        updateSheetProperties: {
          properties: { sheetId, gridProperties: { frozenRowCount: 1 } },
          fields: 'gridProperties.frozenRowCount',
        },
      });
    }
    if (tab === 'credits' && !existing.basicFilter) {
      requests.push({ setBasicFilter: { filter: { range: { sheetId, startRowIndex: 0 } } } });
    }
    tabs[tab] = { headers: [...grid.headers, ...missing], rows: grid.rows };
    info[tab] = { sheetId, title: name, rowCount: gp.rowCount ?? 1000, columnCount };
  }
  return { requests, tabs, info };
}
