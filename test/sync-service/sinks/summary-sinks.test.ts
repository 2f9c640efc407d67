/**
 * The Summary tab in both sinks: the Google Sheet gets the tables, a protection and two native charts that are
 * updated in place on the next run (never piled up), at no extra request; the workbook gets the same tables
 * with data bars, protected, and a run whose summary did not change does not rewrite the file.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSummary } from '../../../core/summary';
import {
  summaryGrid,
  summaryLayout,
  SUMMARY_CHART_RESELLERS,
  SUMMARY_CHART_STATUS,
} from '../../../core/summary-layout';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { applyChartRequest, chartsResource } from '../../../emulators/sheets-charts';
import { newSpreadsheet } from '../../../emulators/sheets-model';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { credit as domainCredit, directory } from '../../helpers/domain';
import {
  changesFor,
  creditRow,
  makeSink,
  SHEET_ID,
  startServer,
  tab,
  IDENTITY,
} from './google/sheets-helpers';
import { changes, loadWorkbook, protectionOf } from './workbook/workbook-helpers';
import { withTempDir } from '../../helpers/fixtures-io';

const dir = directory([{ accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1' }]);

function layoutOf(n: number, status: 'ASSIGNED' | 'PENDING_ASSIGN' = 'ASSIGNED') {
  const credits = Array.from({ length: n }, (_, i) =>
    domainCredit({
      key: `k${i}`,
      amount: 1000 + i,
      status,
      allocation: status === 'ASSIGNED' ? 'customer 60%, reseller 40%' : '',
    }),
  );
  return summaryLayout(buildSummary(credits, { directory: dir, currentPeriod: '2026-11' }));
}

describe('Summary tab in a Google Sheet', () => {
  let server: SheetsServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());
  const ss = () => server.state.sheet(SHEET_ID);

  test('tables, protection and two charts; the next run updates the same charts with no extra request', async () => {
    const sink = makeSink(server);
    const snap = await sink.read();
    const rows = [creditRow(1), creditRow(2)];
    server.stats.reset();
    await sink.write({ ...changesFor(snap, rows), summary: layoutOf(3) });
    const withSummary = server.stats.count();

    const summary = tab(ss(), 'Summary');
    const grid = summaryGrid(layoutOf(3));
    expect(summary.cells[0][0]).toBe(grid[0][0]);
    const periods = layoutOf(3).tables.find((t) => t.id === 'periods')!;
    expect(summary.cells[periods.top + 1].slice(0, 3)).toEqual(['Period', 'Currency', 'Status']);
    // The Total row of 2026-10 USD: 3 credits, 30.03 (1000 + 1001 + 1002 cents).
    const total = summary.cells.find((r) => r[2] === 'Total')!;
    expect(total.slice(0, 5)).toEqual(['2026-10', 'USD', 'Total', 3, 30.03]);
    const prot = summary.protectedRanges.find((p) => p.description === 'credit-desk:summary')!;
    expect(prot.editors?.users).toEqual([IDENTITY]);
    expect(prot.range).toEqual({ sheetId: summary.properties.sheetId });

    const charts = chartsResource(summary).charts!;
    expect(charts.map((c) => c.spec?.title)).toEqual([SUMMARY_CHART_STATUS, SUMMARY_CHART_RESELLERS]);
    const status = charts[0].spec!.basicChart!;
    expect(status.chartType).toBe('COLUMN');
    expect(status.stackedType).toBe('STACKED');
    expect(status.series).toHaveLength(4); // one per status
    const chartTable = layoutOf(3).tables.find((t) => t.id === 'chart-status')!;
    expect(status.domains![0].domain!.sourceRange!.sources![0]).toEqual({
      sheetId: summary.properties.sheetId,
      startRowIndex: chartTable.top + 1,
      endRowIndex: chartTable.top + 3,
      startColumnIndex: chartTable.left,
      endColumnIndex: chartTable.left + 1,
    });
    // spreadsheets.get shows the charts, as the API does.
    const ids = charts.map((c) => c.chartId);

    // Second run: more credits, a longer summary. Same charts (same IDs), new ranges; no chart added.
    const snap2 = await sink.read();
    server.stats.reset();
    await sink.write({
      ...changesFor(snap2, [creditRow(1), creditRow(2), creditRow(3)]),
      summary: layoutOf(40),
    });
    const after = chartsResource(tab(ss(), 'Summary')).charts!;
    expect(after.map((c) => c.chartId)).toEqual(ids);
    expect(tab(ss(), 'Summary').protectedRanges).toHaveLength(1);
    expect(server.stats.count()).toBe(withSummary);

    // Fewer rows than before: the leftovers of the longer summary are cleared.
    await sink.write({ updates: [], appends: [], audit: [], summary: layoutOf(1, 'PENDING_ASSIGN') });
    const cells = tab(ss(), 'Summary')
      .cells.flat()
      .filter((v) => v !== null && v !== undefined);
    const want = summaryGrid(layoutOf(1, 'PENDING_ASSIGN'))
      .flat()
      .filter((v) => v !== null);
    expect(cells).toHaveLength(want.length);
  });

  test('the summary costs the same requests whatever the number of credits', async () => {
    const counts: number[] = [];
    for (const n of [5, 500]) {
      server.close();
      server = await startServer();
      const sink = makeSink(server);
      const snap = await sink.read();
      const rows = Array.from({ length: n }, (_, i) => creditRow(i));
      await sink.write(changesFor(snap, rows));
      server.stats.reset();
      await sink.write({ updates: [], appends: [], audit: [], summary: layoutOf(n) });
      counts.push(server.stats.count());
    }
    expect(counts[0]).toBe(counts[1]);
  });
});

describe('Summary tab in the workbook', () => {
  test('same tables with data bars, protected; an unchanged summary does not rewrite the file', () =>
    withTempDir(async (d) => {
      const path = join(d, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ summary: layoutOf(3) }));
      const wb = await loadWorkbook(path);
      const ws = wb.getWorksheet('Summary')!;
      const total = [] as unknown[];
      ws.eachRow((row) => {
        if (row.getCell(3).value === 'Total') total.push(...(row.values as unknown[]).slice(1, 6));
      });
      expect(total).toEqual(['2026-10', 'USD', 'Total', 3, 30.03]);
      const bars = (ws as unknown as { conditionalFormattings: { rules: { type: string }[] }[] })
        .conditionalFormattings;
      expect(bars.some((c) => c.rules.some((r) => r.type === 'dataBar'))).toBe(true);
      expect(protectionOf(ws)).not.toBeNull();

      const before = await stat(path);
      await sink.read();
      await sink.write(changes({ summary: layoutOf(3) }));
      expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
      await sink.write(changes({ summary: layoutOf(4) }));
      expect((await stat(path)).mtimeMs).not.toBe(before.mtimeMs);
    }));
});

describe('local Sheets server: charts, shaped after the API reference', () => {
  const spec = (sheetId: number, chartType = 'COLUMN', targetAxis = 'LEFT_AXIS') => ({
    title: 'T',
    basicChart: {
      chartType,
      domains: [{ domain: { sourceRange: { sources: [{ sheetId, startRowIndex: 0, endRowIndex: 2 }] } } }],
      series: [
        { series: { sourceRange: { sources: [{ sheetId, startRowIndex: 0, endRowIndex: 2 }] } }, targetAxis },
      ],
    },
  });
  test('refuses what the API refuses', () => {
    const ss = newSpreadsheet('x', ['A']);
    const sheetId = ss.sheets[0].properties.sheetId;
    const position = { overlayPosition: { anchorCell: { sheetId, rowIndex: 0, columnIndex: 0 } } };
    const added = applyChartRequest(ss, {
      addChart: { chart: { chartId: 7, spec: spec(sheetId), position } },
    });
    expect(added?.addChart?.chart?.chartId).toBe(7);
    expect(() =>
      applyChartRequest(ss, { addChart: { chart: { chartId: 7, spec: spec(sheetId), position } } }),
    ).toThrow(/already exists/);
    expect(() => applyChartRequest(ss, { addChart: { chart: { spec: spec(sheetId) } } })).toThrow(/position/);
    expect(() =>
      applyChartRequest(ss, { addChart: { chart: { spec: spec(sheetId, 'BAR', 'LEFT_AXIS'), position } } }),
    ).toThrow(/BOTTOM_AXIS/);
    expect(() => applyChartRequest(ss, { addChart: { chart: { spec: spec(999), position } } })).toThrow(
      /no grid/,
    );
    expect(() => applyChartRequest(ss, { updateChartSpec: { chartId: 8, spec: spec(sheetId) } })).toThrow(
      /No chart/,
    );
    expect(() =>
      applyChartRequest(ss, { addChart: { chart: { spec: { title: 'no type' }, position } } }),
    ).toThrow(/exactly one chart type/);
    applyChartRequest(ss, { deleteEmbeddedObject: { objectId: 7 } });
    expect(chartsResource(ss.sheets[0])).toEqual({});
  });
});
