/**
 * A narrow read of the Audit (Sink.read's `auditColumns`, workbook-read.ts over workbook-sheet-scan.ts) is the
 * full read with the left-out cells blank: every row still there, the asked columns and Credit ID and Action in
 * every row, the rows of AUDIT_WHOLE_ROWS and `auditDetail` whole, and every other tab as the full read gives
 * it — on Audit rows written both ways the sink writes them (shared strings by the whole write, inline strings
 * by the patcher), including trailing rows whose only value is in a column left out. The collect and close rows
 * of a collection the Ledger tab holds may come narrow (sink.ts TRACE_ROWS), unless `auditDetail` names them.
 */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditAction } from '../../../../core/audit';
import {
  AUDIT_COLUMNS,
  LEDGER_COLUMNS,
  type AuditField,
  type LedgerField,
} from '../../../../core/sheet-contract';
import { TAB_ORDER } from '../../../../core/sheet-layout';
import { headerKey, type Cell } from '../../../../core/table';
import {
  auditRowArb as auditRowArbOf,
  heldIds,
  ledgerRowArb,
  mustBeWhole,
} from '../../../helpers/narrow-read';
import { createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import { readPlainWorkbookParts } from '../../../../sync-service/sinks/workbook/workbook-read';
import { changes, credit, loadWorkbook } from './workbook-helpers';
import { withTempDir } from '../../../helpers/fixtures-io';

const FIELDS = AUDIT_COLUMNS.map((c) => c.field);
// Any printable character, spaces too (a workbook keeps them as typed).
const auditRowArb = auditRowArbOf((c) => c >= ' ');

type AuditRecord = Record<AuditField, Cell>;

const ledgerCells = (r: { key: string; status: string; creditId: string }) =>
  ({
    ...Object.fromEntries(LEDGER_COLUMNS.map((c) => [c.field, ''])),
    key: r.key,
    status: r.status,
    creditId: r.creditId,
  }) as Record<LedgerField, Cell>;

describe('the narrow Audit read', () => {
  it('reads a whole row that ends at its Action (no Credit ID, nothing after) whole: its When and Who', async () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      const row = (who: string): AuditRecord => ({
        when: '2026-11-01T10:00:00.000Z',
        who,
        action: 'drift',
        creditId: '',
        field: '',
        before: '',
        after: '',
      });
      await sink.write(changes({ appends: [credit(1)], audit: [row('whole write')] }));
      await sink.write(
        changes({ updates: [{ key: 'k1', fields: { notes: 'x' } }], audit: [row('patched')] }),
      );
      await sink.close();
      const bytes = await readFile(path);
      const full = (await readPlainWorkbookParts(bytes))!.tabs.audit;
      const narrow = (await readPlainWorkbookParts(bytes, undefined, { auditColumns: [] }))!.tabs.audit;
      expect(full.rows).toHaveLength(2);
      expect(narrow.rows).toEqual(full.rows);
    }));

  it('is the full read with the left-out Audit cells blank, rows and other tabs unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(auditRowArb, { minLength: 1, maxLength: 8 }),
        fc.array(auditRowArb, { maxLength: 8 }),
        fc.subarray(['when', 'who', 'field', 'before', 'after'] as AuditField[]),
        fc.subarray(['sync-add', 'assign', 'edit'] as AuditAction[]),
        fc.constantFrom(null, 'who', 'after'),
        fc.boolean(),
        fc.array(ledgerRowArb, { maxLength: 3 }),
        fc.boolean(),
        async (
          whole,
          patched,
          asked,
          detail,
          trailingOnlyIn,
          trailingInWholeWrite,
          ledgerRows,
          detailTrace,
        ) =>
          withTempDir(async (dir) => {
            const path = join(dir, 'credits.xlsx');
            const sink = createWorkbookSink({ path });
            await sink.read();
            // Optionally a last row whose only value is in Who or After (before Action, or past every column
            // read), written by either writer (the whole write styles its blank cells): the grid must still
            // reach it.
            const blank = { when: '', who: '', action: '', creditId: '', field: '', before: '', after: '' };
            const last: AuditRecord[] = trailingOnlyIn ? [{ ...blank, [trailingOnlyIn]: 'someone' }] : [];
            const [first, second] = trailingInWholeWrite ? [last, []] : [[], last];
            await sink.write(
              changes({
                appends: [credit(1), credit(2)],
                audit: [...whole, ...first],
                ledger: { appends: ledgerRows.map(ledgerCells), updates: [] },
              }),
            );
            // A second write, patched: its Audit rows are inline strings.
            await sink.write(
              changes({
                updates: [{ key: 'k1', fields: { notes: 'x' } }],
                audit: trailingInWholeWrite ? patched : [...patched, ...second],
              }),
            );
            await sink.close();
            if (trailingInWholeWrite) {
              // As Excel leaves a row someone formatted: a style-only Credit ID cell (a column read) before the
              // value in After; the row is past every row above, and the grid must still reach it.
              const wb = await loadWorkbook(path);
              const ws = wb.getWorksheet('Audit')!;
              const row = ws.getRow(ws.rowCount + 1);
              row.getCell(4).style = { font: { bold: true } };
              row.getCell(7).value = 'typed';
              await wb.xlsx.writeFile(path);
            }

            const bytes = await readFile(path);
            const fullRead = (await readPlainWorkbookParts(bytes))!;
            const auditDetail: AuditAction[] = detailTrace ? [...detail, 'collect'] : detail;
            const narrowRead = (await readPlainWorkbookParts(bytes, undefined, {
              auditColumns: asked,
              auditDetail,
            }))!;
            // Held, in the Ledger tab as written (the writer keeps one row per Key).
            const ledgerAt = (h: string) => fullRead.tabs.ledger.headers.indexOf(h);
            const held = heldIds(
              fullRead.tabs.ledger.rows.map((r) => ({
                key: r[ledgerAt('Key')],
                status: r[ledgerAt('Status')],
                creditId: r[ledgerAt('Credit ID')],
              })),
            );
            const full = fullRead.tabs;
            const narrow = narrowRead.tabs;
            for (const tab of TAB_ORDER) if (tab !== 'audit') expect(narrow[tab]).toEqual(full[tab]);
            expect(narrow.audit.headers).toEqual(full.audit.headers);
            expect(narrow.audit.rows.length).toBe(full.audit.rows.length);
            const at = (f: AuditField) =>
              full.audit.headers.findIndex(
                (h) => headerKey(h) === headerKey(AUDIT_COLUMNS.find((c) => c.field === f)!.header),
              );
            const kept = new Set<AuditField>([...asked, 'creditId', 'action']);
            full.audit.rows.forEach((row, i) => {
              const got = narrow.audit.rows[i];
              if (mustBeWhole(String(row[at('action')]), String(row[at('creditId')]), auditDetail, held))
                return expect(got).toEqual(row);
              for (const f of FIELDS) {
                const v = got[at(f)];
                if (kept.has(f)) expect(v).toEqual(row[at(f)]);
                else expect(v === null || v === undefined || v === '').toBe(true);
              }
            });
          }),
      ),
      { numRuns: 60 },
    );
  }, 180_000);
});
