/**
 * The workbook sink wrapped for the write contract's suite (writer-contract.ts), as the whole-file writer
 * (ExcelJS) or the patcher (workbook-patch.ts). A person's edits are made as Excel makes them: the file is
 * loaded, changed and saved whole (rows deleted, not blanked), with no lock of ours.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDIT_COLUMNS, type AuditField, type CreditField } from '../../core/sheet-contract';
import { indexColumns, text, type Cell, type Grid } from '../../core/table';
import { createWorkbookSink } from '../../sync-service/sinks/workbook/workbook';
import type { Sink } from '../../sync-service/sinks/sink';
import { col, creditsSheet, loadWorkbook } from '../sync-service/sinks/workbook/workbook-helpers';
import type { AuditRow, Row, WriterUnderTest } from './writer-contract';

/** A tab's rows with a value in their first contract column, as field → cell. */
function recordsOf<F extends string>(tab: 'credits' | 'audit', grid: Grid, first: F): Record<F, Cell>[] {
  const idx = indexColumns<F>(tab, grid.headers);
  return grid.rows
    .filter((r) => text(r[idx[first]]))
    .map(
      (r) => Object.fromEntries(Object.entries(idx).map(([f, i]) => [f, r[i as number]])) as Record<F, Cell>,
    );
}

export async function workbookWriter(mode: 'whole' | 'patch'): Promise<WriterUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'write-contract-'));
  const path = join(dir, 'credits.xlsx');
  let sink: Sink | null = null;
  let wroteWhole: string | null = null;
  const read = async () => (await createWorkbookSink({ path }).read()).tabs;
  return {
    async seed(rows) {
      const s = createWorkbookSink({ path });
      await s.read();
      await s.write({ updates: [], appends: rows, audit: [] });
      await s.close();
    },
    async read() {
      await sink?.close();
      sink = createWorkbookSink({
        path,
        patch: mode === 'patch',
        onProgress: (m) => {
          if (m.startsWith('writing the whole of')) wroteWhole = m;
        },
      });
      await sink.read();
    },
    async byHand(edit) {
      const wb = await loadWorkbook(path);
      const ws = creditsSheet(wb);
      const cols = CREDIT_COLUMNS.map((c) => [c.field, col(ws, c.header)] as const);
      const now: Row[] = [];
      for (let r = 2; r <= ws.rowCount; r++) {
        const row = ws.getRow(r);
        const rec = Object.fromEntries(cols.map(([f, c]) => [f, (row.getCell(c).value ?? '') as Cell]));
        if (text(rec.key)) now.push(rec as Row);
      }
      const after = edit(now);
      if (after.length < now.length) ws.spliceRows(after.length + 2, now.length - after.length);
      after.forEach((rec, i) => {
        const row = ws.getRow(i + 2);
        for (const [f, c] of cols) row.getCell(c).value = rec[f] === '' ? null : (rec[f] as never);
      });
      // Excel moves the filter's and the Status dropdown's last row with rows deleted or inserted within them.
      const last = after.length + 1;
      const filter = ws.autoFilter as string | undefined;
      if (filter) ws.autoFilter = filter.replace(/\d+$/, String(last));
      // ExcelJS reads a range's validation as one per cell: each column's is put back as one range, as Excel keeps it.
      const rules = (ws as unknown as { dataValidations: { model: Record<string, unknown> } }).dataValidations
        .model;
      const byColumn = new Map<string, unknown>();
      for (const ref of Object.keys(rules)) {
        const m = /^([A-Z]+)\d+(?::[A-Z]+\d+)?$/.exec(ref);
        if (!m) continue;
        if (!byColumn.has(m[1])) byColumn.set(m[1], rules[ref]);
        delete rules[ref];
      }
      for (const [letter, rule] of byColumn) rules[`${letter}2:${letter}${last}`] = rule;
      await wb.xlsx.writeFile(path);
    },
    async write(changes) {
      wroteWhole = null;
      const report = await sink!.write(changes);
      // The patcher's case must be the patcher's: a fallback to the whole write would test the other writer.
      if (mode === 'patch' && wroteWhole) throw new Error(`the patcher was not used: ${wroteWhole}`);
      return {
        written: report.updatedRows + report.appendedRows,
        skipped: report.skipped.map(({ key, why }) => ({ key, why })),
      };
    },
    credits: async () => recordsOf<CreditField>('credits', (await read()).credits, 'creditId'),
    audit: async () => recordsOf<AuditField>('audit', (await read()).audit, 'creditId') as AuditRow[],
    async close() {
      await sink?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
