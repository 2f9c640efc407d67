/**
 * The Google Sheets sink honours Sink.read's narrow-Audit contract (sink.ts `auditColumns`) as the workbook sink
 * does (test/sync-service/sinks/workbook/workbook-read-narrow.property.test.ts): a narrow read is the full read
 * with the left-out Audit cells blank — every row still there (including trailing rows whose only value is in a
 * column left out), the asked columns and Credit ID and Action in every row, the rows of AUDIT_WHOLE_ROWS and
 * `auditDetail` whole (a Ledger row rebuilt from the Audit takes its dates from a collect or close row's When and
 * After), every other tab as the full read gives it — but for the `collect` and `close` rows of a Credit ID the
 * Ledger tab holds (a keyed PROCESSING or PROCESSED row), which come narrow: their trace only rebuilds a lost
 * Ledger row (sink.ts TRACE_ROWS, docs/decisions/0022). Through the local Sheets v4 server.
 */
import fc from 'fast-check';
import type { AuditAction } from '../../../../core/audit';
import { AUDIT_COLUMNS, headersOf, type AuditField } from '../../../../core/sheet-contract';
import { TAB_ORDER } from '../../../../core/sheet-layout';
import { headerKey } from '../../../../core/table';
import {
  auditRowArb as auditRowArbOf,
  heldIds,
  ledgerRowArb,
  mustBeWhole,
} from '../../../helpers/narrow-read';
import type { Stored } from '../../../../emulators/sheets-state';
import { makeSink, SHEET_ID, startServer, tab } from './sheets-helpers';

const FIELDS = AUDIT_COLUMNS.map((c) => c.field);
const LEDGER_HEADERS = headersOf('ledger');
// Printable text without spaces, as this test has always drawn it.
const auditRowArb = auditRowArbOf((c) => c > ' ');

describe('the narrow Audit read on the Google Sheet', () => {
  it('is the full read with the left-out Audit cells blank, rows and other tabs unchanged', async () => {
    const server = await startServer();
    try {
      await makeSink(server, { readOnly: false }).read(); // the tabs, their headers
      await fc.assert(
        fc.asyncProperty(
          fc.array(auditRowArb, { minLength: 1, maxLength: 12 }),
          fc.subarray(['when', 'who', 'field', 'before', 'after'] as AuditField[]),
          fc.subarray(['sync-add', 'assign', 'edit'] as AuditAction[]),
          fc.constantFrom(null, 'when', 'who', 'after'),
          fc.nat(3),
          fc.array(ledgerRowArb, { maxLength: 3 }),
          fc.boolean(),
          async (written, asked, detail, trailingOnlyIn, spareRows, ledgerRows, detailCollect) => {
            if (detailCollect) detail = [...detail, 'collect'];
            const ledger = tab(server.state.sheet(SHEET_ID), 'Ledger');
            const cellOf = (r: (typeof ledgerRows)[number], h: string) =>
              h === 'Key' ? r.key : h === 'Status' ? r.status : h === 'Credit ID' ? r.creditId : '';
            ledger.cells = [
              LEDGER_HEADERS,
              ...ledgerRows.map((r) => LEDGER_HEADERS.map((h) => cellOf(r, h) || null)),
            ];
            ledger.properties.gridProperties.rowCount = ledger.cells.length + 2;
            const held = heldIds(ledgerRows);
            // As the sink and staff leave it: the contract header, the rows, optionally a last row whose only
            // value is in one column (typed under the log), and a grid a few rows taller than the data.
            const headers = headersOf('audit');
            const blank = Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<AuditField, string>;
            const last = trailingOnlyIn ? [{ ...blank, [trailingOnlyIn]: 'someone' }] : [];
            const audit = tab(server.state.sheet(SHEET_ID), 'Audit');
            const cells: Stored[][] = [
              headers,
              ...[...written, ...last].map((r) =>
                headers.map((h) => {
                  const v =
                    r[
                      FIELDS.find(
                        (f) => headerKey(h) === headerKey(AUDIT_COLUMNS.find((c) => c.field === f)!.header),
                      )!
                    ];
                  return v === '' ? null : v;
                }),
              ),
            ];
            audit.cells = cells;
            audit.properties.gridProperties.rowCount = cells.length + spareRows;

            const full = (await makeSink(server, { readOnly: true }).read()).tabs;
            const narrow = (
              await makeSink(server, { readOnly: true }).read({ auditColumns: asked, auditDetail: detail })
            ).tabs;
            for (const t of TAB_ORDER) if (t !== 'audit') expect(narrow[t]).toEqual(full[t]);
            expect(narrow.audit.headers).toEqual(full.audit.headers);
            // every row, the trailing one too (the full read ends at the last row with a value anywhere)
            expect(full.audit.rows).toHaveLength(written.length + last.length);
            expect(narrow.audit.rows).toHaveLength(full.audit.rows.length);
            const at = (f: AuditField) =>
              full.audit.headers.findIndex(
                (h) => headerKey(h) === headerKey(AUDIT_COLUMNS.find((c) => c.field === f)!.header),
              );
            const kept = new Set<AuditField>([...asked, 'creditId', 'action']);
            const empty = (v: unknown) => v === null || v === undefined || v === '';
            full.audit.rows.forEach((row, i) => {
              const got = narrow.audit.rows[i];
              if (mustBeWhole(String(row[at('action')]), String(row[at('creditId')]), detail, held)) {
                for (const f of FIELDS)
                  expect(empty(got[at(f)]) ? '' : got[at(f)]).toEqual(empty(row[at(f)]) ? '' : row[at(f)]);
                return;
              }
              for (const f of FIELDS) {
                const v = got[at(f)];
                if (kept.has(f)) expect(empty(v) ? '' : v).toEqual(empty(row[at(f)]) ? '' : row[at(f)]);
                else expect(empty(v)).toBe(true);
              }
            });
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await server.close();
    }
  }, 180_000);
});
