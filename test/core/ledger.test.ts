/**
 * core/ledger.ts collectionsHeld: which collections the Ledger tab holds, so a narrow read may leave their Audit
 * trace narrow (decision 0022). Lenient where readLedger refuses, and never counting a row readLedger would not
 * give as collected.
 */
import fc from 'fast-check';
import { collectionsHeld, readLedger } from '../../core/ledger';
import { headersOf } from '../../core/sheet-contract';
import type { Cell, Grid } from '../../core/table';

const HEADERS = headersOf('ledger');

function ledger(rows: { key: string; status: string; creditId: string }[]): Grid {
  return {
    headers: HEADERS,
    rows: rows.map((r) =>
      HEADERS.map((h): Cell => {
        if (h === 'Key') return r.key;
        if (h === 'Status') return r.status;
        if (h === 'Credit ID') return r.creditId;
        if (h === 'Amount') return 10;
        if (h === 'Currency') return 'USD';
        return '';
      }),
    ),
  };
}

describe('collectionsHeld', () => {
  it('holds the Credit ID of a keyed PROCESSING or PROCESSED row, not of a reopened, archived or keyless one', () => {
    const held = collectionsHeld(
      ledger([
        { key: 'k1', status: 'PROCESSING', creditId: 'CR-1' },
        { key: 'k2', status: 'PROCESSED', creditId: 'CR-2' },
        { key: 'k3', status: 'REOPENED', creditId: 'CR-3' },
        { key: 'k4', status: 'ARCHIVED', creditId: 'CR-4' },
        { key: '', status: 'PROCESSED', creditId: 'CR-5' },
        { key: 'k6', status: 'PROCESSED', creditId: '' },
      ]),
    );
    expect([...held].sort()).toEqual(['CR-1', 'CR-2']);
  });

  it('a Ledger tab missing a header holds nothing (every trace read whole) where readLedger refuses it', () => {
    const grid = ledger([{ key: 'k1', status: 'PROCESSED', creditId: 'CR-1' }]);
    const broken = { ...grid, headers: grid.headers.map((h) => (h === 'Status' ? 'State' : h)) };
    expect(collectionsHeld(broken).size).toBe(0);
    expect(() => readLedger(broken)).toThrow(/Ledger tab is missing the column "Status"/);
  });

  it('every Credit ID it holds is one readLedger gives as collected', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.constantFrom('k1', 'k2', ''),
            status: fc.constantFrom('PROCESSING', 'PROCESSED', 'REOPENED'),
            creditId: fc.constantFrom('CR-1', 'CR-2', ''),
          }),
          { maxLength: 6 },
        ),
        (rows) => {
          const grid = ledger(rows);
          const collected = new Set(readLedger(grid).map((e) => e.creditId));
          for (const id of collectionsHeld(grid)) expect(collected.has(id)).toBe(true);
        },
      ),
    );
  });
});
