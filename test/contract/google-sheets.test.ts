/**
 * The Google Sheets sink (sync-service/sinks/google/google-sheets.ts) keeps the write contract, through the local Sheets
 * v4 server. A person's edits are made in the server's grid directly: the Sheets UI is not a client of ours.
 */
import { CREDIT_COLUMNS, TABS, type CreditField } from '../../core/sheet-contract';
import { text, type Cell } from '../../core/table';
import type { SheetsServer } from '../../emulators/sheets-server';
import type { Sink } from '../../sync-service/sinks/sink';
import { makeSink, SHEET_ID, startServer, tab } from '../sync-service/sinks/google/sheets-helpers';
import { describeWriterContract, type AuditRow, type Row, type WriterUnderTest } from './writer-contract';

/** A tab's rows with a Credit ID, as field → cell, from the server's grid. */
function rowsOf(server: SheetsServer, name: 'credits' | 'audit'): Record<string, Cell>[] {
  const cells = tab(server.state.sheet(SHEET_ID), TABS[name].name).cells;
  const headers = (cells[0] ?? []).map((h) => text(h as Cell));
  const cols = TABS[name].columns.map((c) => [c.field, headers.indexOf(c.header)] as const);
  return cells
    .slice(1)
    .map((r) => Object.fromEntries(cols.map(([f, i]) => [f, (r[i] ?? '') as Cell])))
    .filter((r) => text(r.creditId));
}

async function googleWriter(): Promise<WriterUnderTest> {
  const server = await startServer();
  let sink: Sink | null = null;
  return {
    async seed(rows) {
      const s = makeSink(server);
      await s.read();
      await s.write({ updates: [], appends: rows, audit: [] });
      await s.close();
    },
    async read() {
      await sink?.close();
      sink = makeSink(server);
      await sink.read();
    },
    byHand(edit) {
      const t = tab(server.state.sheet(SHEET_ID), TABS.credits.name);
      const headers = (t.cells[0] ?? []).map((h) => text(h as Cell));
      const at = new Map<CreditField, number>(
        CREDIT_COLUMNS.map((c) => [c.field, headers.indexOf(c.header)]),
      );
      const now = rowsOf(server, 'credits') as Row[];
      const after = edit(now);
      const grid = t.properties.gridProperties;
      grid.rowCount = Math.max(grid.rowCount, after.length + 1);
      const rows = after.map((rec) => {
        const line: (Cell | string)[] = Array.from({ length: headers.length }, () => null);
        for (const [f, i] of at) line[i] = rec[f] === '' ? null : rec[f];
        return line;
      });
      // Rows deleted: the ones below move up, the grid keeps its size.
      t.cells = [t.cells[0], ...rows, ...now.slice(after.length).map(() => [])];
      return Promise.resolve();
    },
    async write(changes) {
      const report = await sink!.write(changes);
      return {
        written: report.updatedRows + report.appendedRows,
        skipped: report.skipped.map(({ key, why }) => ({ key, why })),
      };
    },
    credits: () => Promise.resolve(rowsOf(server, 'credits') as Row[]),
    audit: () => Promise.resolve(rowsOf(server, 'audit') as AuditRow[]),
    async close() {
      await sink?.close();
      await server.close();
    },
  };
}

describeWriterContract('the Google Sheets sink', googleWriter, { appends: true });
