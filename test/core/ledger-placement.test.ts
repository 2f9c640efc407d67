/**
 * Where Ledger changes land (core/ledger-placement.ts), the one rule every writer follows: against a naive
 * reference that writes row by row into a copy of the tab, and on the cases that once split the writers (a packed
 * ARCHIVED row listing a single key that is also a live credit's key).
 */
import fc from 'fast-check';
import { ARCHIVED_STATUS } from '../../core/archived-ledger';
import { placeLedgerChanges, type LedgerFields, type LedgerRowSeen } from '../../core/ledger-placement';
import type { LedgerField } from '../../core/sheet-contract';
import type { LedgerChanges } from '../../core/sheet-changes';
import type { Cell } from '../../core/table';

const full = (f: LedgerFields) => f as Record<LedgerField, Cell>;

/** The tab after the writes, done the slow obvious way: scan for the row each time, write field by field. */
function reference(seen: readonly LedgerRowSeen[], changes: LedgerChanges): LedgerFields[] {
  const rows: LedgerFields[] = seen.map((r) => ({ key: r.key, status: r.status, creditId: r.creditId }));
  const archivedAsRead = seen.map((r) => r.status === ARCHIVED_STATUS);
  const firstLive = (key: string, creditId?: string) =>
    rows.findIndex(
      (r, i) =>
        key !== '' &&
        r.key === key &&
        (creditId === undefined || seen[i]?.creditId === creditId) &&
        !(archivedAsRead[i] ?? r.status === ARCHIVED_STATUS),
    );
  for (const u of changes.updates) {
    const i = firstLive(u.key, u.creditId);
    if (i < 0) throw new Error('lost');
    Object.assign(rows[i], u.fields);
  }
  for (const a of changes.appends) {
    const i = a.status === ARCHIVED_STATUS ? -1 : firstLive(String(a.key));
    if (i >= 0) Object.assign(rows[i], a);
    else rows.push({ ...a });
  }
  return rows;
}

function applied(seen: readonly LedgerRowSeen[], changes: LedgerChanges): LedgerFields[] {
  const placed = placeLedgerChanges(seen.length, (i) => seen[i], changes);
  const rows: LedgerFields[] = seen.map((r) => ({ key: r.key, status: r.status, creditId: r.creditId }));
  for (const [i, fields] of placed.edits) Object.assign(rows[i], fields);
  return [...rows, ...placed.appended];
}

const keyArb = fc.constantFrom('', 'k1', 'k2', 'k3', 'k4');
const statusArb = fc.constantFrom('PROCESSING', 'PROCESSED', ARCHIVED_STATUS);
const idArb = fc.constantFrom('AWSC-1', 'AWSC-2');
const rowArb = fc.record({ key: keyArb, status: statusArb, creditId: idArb });
const changesArb = fc.record({
  updates: fc.array(
    fc.record(
      {
        key: keyArb,
        // Named by Credit ID too (a Key two rows hold: core/ledger-key-check.ts), or by Key alone.
        creditId: idArb,
        fields: fc.record({ closedAt: fc.constantFrom('2024-07-01', '2024-08-01') }),
      },
      { requiredKeys: ['key', 'fields'] },
    ),
    { maxLength: 4 },
  ),
  appends: fc.array(
    fc.record({ key: keyArb, status: statusArb, usageFileId: fc.constantFrom('UF-1', 'UF-2') }).map(full),
    { maxLength: 4 },
  ),
});

describe('placing Ledger changes', () => {
  it('writes what the row-by-row reference writes, or refuses when it would lose an update', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 8 }), changesArb, (seen, changes) => {
        let expected: LedgerFields[] | 'lost';
        try {
          expected = reference(seen, changes);
        } catch {
          expected = 'lost';
        }
        if (expected === 'lost') expect(() => applied(seen, changes)).toThrow(/no row for/);
        else expect(applied(seen, changes)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('never writes to a packed row of archived credits, even one listing a single key', () => {
    const seen = [
      { key: 'k1', status: ARCHIVED_STATUS },
      { key: 'k1', status: 'PROCESSING' },
    ];
    const placed = placeLedgerChanges(2, (i) => seen[i], {
      updates: [{ key: 'k1', fields: { status: 'PROCESSED' } }],
      appends: [],
    });
    expect([...placed.edits.keys()]).toEqual([1]);
    expect(() =>
      placeLedgerChanges(1, (i) => seen[i], {
        updates: [{ key: 'k1', fields: { status: 'PROCESSED' } }],
        appends: [],
      }),
    ).toThrow('The Ledger tab has no row for 1 collected credit(s) (Key k1); nothing was written.');
  });

  it('a packed row appended for a live key is a new row; a live append for a known key rewrites its row', () => {
    const seen = [{ key: 'k1', status: 'PROCESSING' }];
    const packed = full({ key: 'k1', status: ARCHIVED_STATUS, creditId: 'AWSC-1' });
    const again = full({ key: 'k1', status: 'PROCESSED', usageFileId: 'UF-9' });
    const placed = placeLedgerChanges(1, (i) => seen[i], { updates: [], appends: [packed, again] });
    expect(placed.appended).toEqual([packed]);
    expect(placed.edits.get(0)).toEqual(again);
  });

  it('an update naming a Credit ID lands on the row holding its Key and that ID, not the first with the Key', () => {
    const seen = [
      { key: 'k1', status: 'PROCESSED', creditId: 'AWSC-1' },
      { key: 'k1', status: 'PROCESSING', creditId: 'AWSC-2' },
    ];
    const placed = placeLedgerChanges(2, (i) => seen[i], {
      updates: [{ key: 'k1', creditId: 'AWSC-2', fields: { key: 'k2' } }],
      appends: [],
    });
    expect([...placed.edits]).toEqual([[1, { key: 'k2' }]]);
    expect(() =>
      placeLedgerChanges(2, (i) => seen[i], {
        updates: [{ key: 'k1', creditId: 'AWSC-3', fields: { key: 'k2' } }],
        appends: [],
      }),
    ).toThrow(/no row for 1 collected credit/);
  });

  it('two appends of one new key make one row, the later fields winning', () => {
    const placed = placeLedgerChanges(0, () => ({ key: '', status: '' }), {
      updates: [],
      appends: [full({ key: 'k9', status: 'PROCESSING' }), full({ key: 'k9', status: 'PROCESSED' })],
    });
    expect(placed.appended).toEqual([{ key: 'k9', status: 'PROCESSED' }]);
  });
});
