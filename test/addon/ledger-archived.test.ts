/**
 * The add-on reads the Ledger to repair collected rows; the packed rows of archived credits
 * (core/archived-ledger.ts) are no collected credit and must not show up as one (Check sheet would report
 * them as deleted rows).
 */
import { archivedLedgerRows, emptyArchivedSet } from '../../core/archived-ledger';
import { headersOf, type LedgerField } from '../../core/sheet-contract';
import { indexColumns, recordToRow } from '../../core/table';
import { parseLedger } from '../../addon/server/ledger';

test('parseLedger skips the packed rows of archived credits', () => {
  const headers = headersOf('ledger');
  const idx = indexColumns<LedgerField>('ledger', headers);
  const live = recordToRow<LedgerField>(
    { key: 'k1-live', creditId: 'AWSC-202610-1111-2222', status: 'PROCESSED' },
    idx,
    headers.length,
  );
  const packed = archivedLedgerRows(
    [{ key: 'k1-old', creditId: 'AWSC-202601-0000-0001', usageFileId: 'UF-2026-02-0000-0001' }],
    emptyArchivedSet(),
    'test',
  ).map((r) => recordToRow(r, idx, headers.length));
  const ledger = parseLedger([[...headers], live, ...packed], 'UTC');
  expect(ledger.size).toBe(1);
  expect([...ledger.byKey.keys()]).toEqual(['k1-live']);
  expect(ledger.byId.has('AWSC-202601-0000-0001')).toBe(false);
});

test('parseLedger skips a REOPENED row: Connect rejected that collection, the credit is ASSIGNED again', () => {
  const headers = headersOf('ledger');
  const idx = indexColumns<LedgerField>('ledger', headers);
  const row = (key: string, creditId: string, status: string) =>
    recordToRow<LedgerField>(
      { key, creditId, status, connectNote: 'rejected: wrong contract' },
      idx,
      headers.length,
    );
  const ledger = parseLedger(
    [
      [...headers],
      row('k1', 'AWSC-202610-1111-2222', 'PROCESSING'),
      row('k2', 'AWSC-202610-3333-4444', 'REOPENED'),
    ],
    'UTC',
  );
  expect([...ledger.byKey.keys()]).toEqual(['k1']);
  expect(ledger.byId.has('AWSC-202610-3333-4444')).toBe(false);
  // The Ledger's own note is no Credits column the add-on would compare.
  expect(ledger.byKey.get('k1')!.cells.has('connect note')).toBe(false);
});
