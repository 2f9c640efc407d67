/**
 * The Ledger's packed list of archived credits (core/archived-ledger.ts): written in rows of at most
 * ARCHIVED_PER_ROW credits that fit a spreadsheet cell, read back exactly, never listed twice, and invisible to
 * the readers of collected credits (a packed row is no collected credit, even when it lists a single key).
 */
import {
  ARCHIVED_PER_ROW,
  archivedLedgerRows,
  emptyArchivedSet,
  readArchivedLedger,
  type ArchivedCredit,
} from '../../core/archived-ledger';
import { creditKey } from '../../core/ids';
import { ledgerCells, ledgerIds, readLedger } from '../../core/ledger';
import { ledgerEntry } from '../helpers/domain';
import { headersOf, type LedgerField } from '../../core/sheet-contract';
import { indexColumns, recordToRow, type Cell, type Grid } from '../../core/table';

const HEADERS = headersOf('ledger');
const IDX = indexColumns<LedgerField>('ledger', HEADERS);
const grid = (rows: Record<LedgerField, Cell>[]): Grid => ({
  headers: [...HEADERS],
  rows: rows.map((r) => recordToRow(r, IDX, HEADERS.length)),
});

function archivedCredit(i: number): ArchivedCredit {
  const key = creditKey({
    period: '2026-08',
    payerAccountId: '111111111111',
    accountId: '222222222222',
    service: 'AmazonEC2',
    currency: 'USD',
    description: `Credit ${i}`,
  });
  const d = String(i).padStart(8, '0');
  return {
    key,
    creditId: `AWSC-202608-${d.slice(0, 4)}-${d.slice(4)}`,
    usageFileId: `UF-2026-09-0000-000${i % 3}`,
  };
}

const entry = ledgerEntry({
  key: 'k1-live',
  creditId: 'AWSC-202610-1111-2222',
  description: 'Live one',
  amount: 1005,
  status: 'PROCESSED',
  usageFileId: 'UF-2026-11-1234-5678',
  usageRecordId: 'UR-2026-11-1234-5678-00001',
  processingDate: '2026-11-20',
  collectedAt: '2026-11-20T10:00:00.000Z',
  closedAt: '2026-11-21T10:00:00.000Z',
});

describe('archived credits in the Ledger', () => {
  test('packed in rows that fit a cell, read back exactly, beside the live entries', () => {
    const n = ARCHIVED_PER_ROW * 2 + 7;
    const credits = Array.from({ length: n }, (_, i) => archivedCredit(i));
    const packed = archivedLedgerRows(credits, emptyArchivedSet(), 'test');
    expect(packed).toHaveLength(3);
    for (const r of packed) {
      expect(String(r.key).length).toBeLessThanOrEqual(32_767); // Excel's limit per cell (Google's is 50,000)
      expect(String(r.creditId).length).toBeLessThanOrEqual(32_767);
    }
    const g = grid([ledgerCells(entry), ...packed]);
    const read = readArchivedLedger(g);
    expect(read.keys).toEqual(new Set(credits.map((c) => c.key)));
    expect(read.creditIds).toEqual(new Set(credits.map((c) => c.creditId)));
    expect(read.usageFileIds).toEqual(new Set(credits.map((c) => c.usageFileId)));
    // The collected credits' reader sees only the live entry; the IDs taken include the archived ones.
    expect(readLedger(g)).toEqual([entry]);
    const ids = ledgerIds(g);
    expect(new Set(ids.creditIds)).toEqual(new Set([entry.creditId, ...credits.map((c) => c.creditId)]));
    expect(ids.usageFileIds).toContain('UF-2026-09-0000-0002');
  });

  test('credits already listed are not listed again; a single-key packed row is still no collected credit', () => {
    const [a, b] = [archivedCredit(1), archivedCredit(2)];
    const first = archivedLedgerRows([a], emptyArchivedSet(), 'test');
    expect(first).toHaveLength(1);
    expect(first[0].key).toBe(a.key);
    const g = grid(first);
    expect(readLedger(g)).toEqual([]);
    const listed = readArchivedLedger(g);
    expect(archivedLedgerRows([a], listed, 'test')).toEqual([]);
    const again = archivedLedgerRows([a, b, b], listed, 'test');
    expect(again).toHaveLength(1);
    expect(again[0].key).toBe(b.key);
  });
});

describe('a year of archived credits', () => {
  // The year bench stopped in its tenth month (140,000 archived credits) with "Maximum call stack size
  // exceeded": ledgerIds added the packed IDs with push(...ids), past what one call's arguments take.
  test('ledgerIds lists 250,000 archived credits (more than a call can take as arguments)', () => {
    const n = 250_000;
    const base = archivedCredit(0);
    const credits = Array.from({ length: n }, (_, i) => ({
      ...base,
      key: `k1-${String(i).padStart(32, '0')}`,
      creditId: `AWSC-202608-${String(i)
        .padStart(8, '0')
        .replace(/(\d{4})(\d{4})/, '$1-$2')}`,
    }));
    const g = grid([ledgerCells(entry), ...archivedLedgerRows(credits, emptyArchivedSet(), 'test')]);
    const ids = ledgerIds(g);
    expect(ids.creditIds).toHaveLength(n + 1);
    expect(ids.creditIds[0]).toBe(entry.creditId);
    const listed = new Set(ids.creditIds);
    expect(credits.filter((c) => !listed.has(c.creditId))).toEqual([]); // (a Set toEqual is slow at this size)
  });
});
