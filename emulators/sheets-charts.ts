/**
 * Embedded charts for the local Sheets server, shaped after the API reference (spreadsheets/charts,
 * AddChartRequest, UpdateChartSpecRequest, DeleteEmbeddedObjectRequest): the model calls this for those three
 * request kinds and shows each sheet's charts in spreadsheets.get, as `sheets[].charts`.
 *
 * What is checked is what the API refuses: a request with no spec or no position, a spec with no or several
 * chart types, an unknown basic chart type, a source range or anchor on a sheet that does not exist, a chartId
 * that already exists on add (IDs are unique across the spreadsheet's embedded objects), and an unknown ID on
 * update or delete. Charts are stored, never drawn.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { ApiError, type SheetState, type SpreadsheetState } from './sheets-state';

type Chart = sheets_v4.Schema$EmbeddedChart;

/**
 * Charts live on the sheet object itself (an optional field the model does not declare), so they survive the
 * server's structuredClone of the state around each atomic batchUpdate.
 */
type WithCharts = SheetState & { charts?: Chart[] };

const CHART_KINDS = [
  'basicChart',
  'pieChart',
  'bubbleChart',
  'candlestickChart',
  'orgChart',
  'histogramChart',
  'waterfallChart',
  'treemapChart',
  'scorecardChart',
] as const;
const BASIC_TYPES = ['BAR', 'LINE', 'AREA', 'COLUMN', 'SCATTER', 'COMBO', 'STEPPED_AREA'];

function chartsOfSheet(sheet: SheetState): Chart[] {
  return ((sheet as WithCharts).charts ??= []);
}

function sheetExists(ss: SpreadsheetState, sheetId: number | null | undefined): boolean {
  return ss.sheets.some((s) => s.properties.sheetId === (sheetId ?? 0));
}

function findChart(ss: SpreadsheetState, chartId: number | null | undefined) {
  for (const sheet of ss.sheets) {
    const list = chartsOfSheet(sheet);
    const i = list.findIndex((c) => c.chartId === chartId);
    if (i >= 0) return { sheet, list, i };
  }
  return null;
}

function checkSpec(ss: SpreadsheetState, spec: sheets_v4.Schema$ChartSpec | undefined, where: string): void {
  if (!spec) throw new ApiError(400, `Invalid requests[0].${where}: spec is required`);
  const kinds = CHART_KINDS.filter((k) => spec[k] != null);
  if (kinds.length !== 1)
    throw new ApiError(400, `Invalid requests[0].${where}: a chart spec must set exactly one chart type`);
  const basic = spec.basicChart;
  if (basic) {
    if (!BASIC_TYPES.includes(basic.chartType ?? ''))
      throw new ApiError(
        400,
        `Invalid requests[0].${where}: unknown basicChart.chartType ${basic.chartType}`,
      );
    const sources = [
      ...(basic.domains ?? []).flatMap((d) => d.domain?.sourceRange?.sources ?? []),
      ...(basic.series ?? []).flatMap((s) => s.series?.sourceRange?.sources ?? []),
    ];
    for (const r of sources) {
      if (!sheetExists(ss, r.sheetId))
        throw new ApiError(400, `Invalid requests[0].${where}: no grid with id: ${r.sheetId ?? 0}`);
    }
    // A bar chart's values run along the bottom axis: Google refuses series aimed at the left one.
    for (const s of basic.series ?? []) {
      if (basic.chartType === 'BAR' && s.targetAxis === 'LEFT_AXIS')
        throw new ApiError(400, `Invalid requests[0].${where}: a BAR chart's series must target BOTTOM_AXIS`);
    }
  }
}

/** The reply to an addChart / updateChartSpec / deleteEmbeddedObject request, or undefined for other kinds. */
export function applyChartRequest(
  ss: SpreadsheetState,
  req: sheets_v4.Schema$Request,
): sheets_v4.Schema$Response | undefined {
  if (req.addChart) {
    const chart = structuredClone(req.addChart.chart ?? {});
    checkSpec(ss, chart.spec, 'addChart.chart');
    const anchor = chart.position?.overlayPosition?.anchorCell;
    const sheetId = anchor ? anchor.sheetId : chart.position?.sheetId;
    if (sheetId == null || !sheetExists(ss, sheetId))
      throw new ApiError(400, 'Invalid requests[0].addChart: chart.position must name an existing sheet');
    if (chart.chartId != null && findChart(ss, chart.chartId))
      throw new ApiError(
        400,
        `Invalid requests[0].addChart: An object with id ${chart.chartId} already exists`,
      );
    chart.chartId ??= ss.nextId++;
    chartsOfSheet(ss.sheets.find((s) => s.properties.sheetId === sheetId)!).push(chart);
    return { addChart: { chart: structuredClone(chart) } };
  }
  if (req.updateChartSpec) {
    const u = req.updateChartSpec;
    const found = findChart(ss, u.chartId);
    if (!found)
      throw new ApiError(400, `Invalid requests[0].updateChartSpec: No chart with id: ${u.chartId}`);
    checkSpec(ss, u.spec, 'updateChartSpec');
    found.list[found.i] = { ...found.list[found.i], spec: structuredClone(u.spec) };
    return {};
  }
  if (req.deleteEmbeddedObject) {
    const id = req.deleteEmbeddedObject.objectId;
    const found = findChart(ss, id);
    if (!found) throw new ApiError(400, `Invalid requests[0].deleteEmbeddedObject: No object with id: ${id}`);
    found.list.splice(found.i, 1);
    return {};
  }
  return undefined;
}

/** `charts` of a sheet as spreadsheets.get returns it (omitted when there are none, like Google). */
export function chartsResource(sheet: SheetState): { charts?: Chart[] } {
  const list = (sheet as WithCharts).charts;
  return list?.length ? { charts: structuredClone(list) } : {};
}
