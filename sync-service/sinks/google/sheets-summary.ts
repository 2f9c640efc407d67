/**
 * The Summary tab of a Google Sheet, as requests for the batchUpdate that already ends every write (the one
 * that sets protections and releases the lock): so the Summary and its charts cost no extra request, and the
 * number of subrequests is a constant (tab, size, one updateCells, one protection, two charts) whatever the
 * number of credits.
 *
 * Idempotent: the tab is created once (with an ID we pick, so the same batch can address it), its cells are
 * rewritten whole by one updateCells over the full grid (blank CellData clears what a longer summary left),
 * its protection is added once, and each chart is found by its title and updated in place
 * (UpdateChartSpecRequest) rather than added again; a chart of ours seen twice is deleted.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { toSheetNumber } from '../../../core/money';
import { moneyPattern } from '../../../core/sheet-layout';
import { SUMMARY_TAB } from '../../../core/sheet-contract';
import {
  isMoneyCell,
  summaryGrid,
  type ChartPlan,
  type SummaryCell,
  type SummaryLayout,
} from '../../../core/summary-layout';

export const SUMMARY_PROTECTION_TAG = 'credit-desk:summary';

type Request = sheets_v4.Schema$Request;

function cellData(c: SummaryCell, bold: boolean): sheets_v4.Schema$CellData {
  if (c === null) return {};
  if (isMoneyCell(c)) {
    return {
      userEnteredValue: { numberValue: toSheetNumber(c.money, c.currency) },
      userEnteredFormat: { numberFormat: { type: 'NUMBER', pattern: moneyPattern(c.currency) } },
    };
  }
  return {
    userEnteredValue: typeof c === 'number' ? { numberValue: c } : { stringValue: c },
    ...(bold ? { userEnteredFormat: { textFormat: { bold: true } } } : {}),
  };
}

function chartSpec(layout: SummaryLayout, plan: ChartPlan, sheetId: number): sheets_v4.Schema$ChartSpec {
  const t = layout.tables.find((x) => x.id === plan.table)!;
  // The header row and at least one data row, so the range is valid even for an empty table.
  const startRowIndex = t.top + 1;
  const endRowIndex = t.top + 2 + Math.max(t.rows.length, 1);
  const column = (c: number): sheets_v4.Schema$ChartData => ({
    sourceRange: {
      sources: [
        { sheetId, startRowIndex, endRowIndex, startColumnIndex: t.left + c, endColumnIndex: t.left + c + 1 },
      ],
    },
  });
  const valueAxis = plan.type === 'BAR' ? 'BOTTOM_AXIS' : 'LEFT_AXIS';
  return {
    title: plan.title,
    subtitle: plan.subtitle,
    basicChart: {
      chartType: plan.type,
      stackedType: plan.stacked ? 'STACKED' : 'NOT_STACKED',
      legendPosition: t.headers.length > 2 ? 'BOTTOM_LEGEND' : 'NO_LEGEND',
      headerCount: 1,
      axis: [
        { position: plan.type === 'BAR' ? 'LEFT_AXIS' : 'BOTTOM_AXIS', title: t.headers[0] },
        { position: valueAxis, title: `Amount (${plan.subtitle})` },
      ],
      domains: [{ domain: column(0) }],
      series: t.headers.slice(1).map((_, i) => ({ series: column(i + 1), targetAxis: valueAxis })),
    },
  };
}

export interface SummaryPlanOptions {
  editor: string;
  /** A sheet ID for a new Summary tab (the caller checks it is free). */
  newSheetId: () => number;
}

/** The subrequests that make the spreadsheet's Summary tab show `layout`. */
export function planSummaryRequests(
  ss: sheets_v4.Schema$Spreadsheet,
  layout: SummaryLayout,
  opts: SummaryPlanOptions,
): Request[] {
  const requests: Request[] = [];
  const existing = (ss.sheets ?? []).find((s) => s.properties?.title === SUMMARY_TAB.name);
  let sheetId: number;
  let rows = 0;
  let cols = 0;
  if (existing) {
    sheetId = existing.properties!.sheetId ?? 0;
    rows = existing.properties?.gridProperties?.rowCount ?? 0;
    cols = existing.properties?.gridProperties?.columnCount ?? 0;
  } else {
    sheetId = opts.newSheetId();
    requests.push({
      addSheet: {
        properties: {
          sheetId,
          title: SUMMARY_TAB.name,
          gridProperties: { rowCount: layout.rowCount, columnCount: layout.colCount, frozenRowCount: 1 },
        },
      },
    });
    rows = layout.rowCount;
    cols = layout.colCount;
  }
  if (rows < layout.rowCount || cols < layout.colCount) {
    rows = Math.max(rows, layout.rowCount);
    cols = Math.max(cols, layout.colCount);
    requests.push({
      updateSheetProperties: {
        properties: { sheetId, gridProperties: { rowCount: rows, columnCount: cols } },
        fields: 'gridProperties.rowCount,gridProperties.columnCount',
      },
    });
  }

  const grid = summaryGrid(layout);
  const boldRows = new Set<number>([0, ...layout.tables.flatMap((t) => [t.top, t.top + 1])]);
  requests.push({
    updateCells: {
      range: { sheetId, startRowIndex: 0, endRowIndex: rows, startColumnIndex: 0, endColumnIndex: cols },
      rows: Array.from({ length: rows }, (_, r) => ({
        values: Array.from({ length: cols }, (_, c) => cellData(grid[r]?.[c] ?? null, boldRows.has(r))),
      })),
      fields: 'userEnteredValue,userEnteredFormat',
    },
  });

  const protectedAlready = (existing?.protectedRanges ?? []).some(
    (p) => p.description === SUMMARY_PROTECTION_TAG,
  );
  if (!protectedAlready) {
    requests.push({
      addProtectedRange: {
        protectedRange: {
          range: { sheetId },
          description: SUMMARY_PROTECTION_TAG,
          warningOnly: false,
          editors: { users: [opts.editor] },
        },
      },
    });
  }

  const charts = existing?.charts ?? [];
  const seen = new Set<string>();
  for (const c of charts) {
    const title = c.spec?.title ?? '';
    const ours = layout.charts.some((p) => p.title === title);
    // Ours seen twice (a lost reply retried), or a chart nobody plans any more: removed, the tab is the sync's.
    if (!ours || seen.has(title)) requests.push({ deleteEmbeddedObject: { objectId: c.chartId } });
    seen.add(title);
  }
  for (const plan of layout.charts) {
    const spec = chartSpec(layout, plan, sheetId);
    const found = charts.find((c) => c.spec?.title === plan.title);
    if (found) requests.push({ updateChartSpec: { chartId: found.chartId, spec } });
    else
      requests.push({
        addChart: {
          chart: {
            spec,
            position: {
              overlayPosition: {
                anchorCell: { sheetId, rowIndex: plan.anchor.row, columnIndex: plan.anchor.col },
                widthPixels: 560,
                heightPixels: 340,
              },
            },
          },
        },
      });
  }
  return requests;
}
