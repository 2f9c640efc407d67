/** Check sheet: collected credits put back from the Ledger by Credit ID, whatever happened to the rows. */
import { checkSheet } from '../../addon/server/check-sheet';
import { creditIdCandidate } from '../../core/ids';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import type { Credit } from '../../core/credit';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const col = (header: string) => CREDIT_COLUMNS.findIndex((c) => c.header === header) + 1;
const collected = (i: number): Partial<Credit> => ({
  status: 'PROCESSED',
  allocation: 'customer 100%',
  distributorKeeps: 0,
  ruleId: 'default',
  usageFileId: 'UF-2026-11-0001-0001',
  usageRecordId: `UR-${i}`,
});

describe('Check sheet', () => {
  test('after a sort and hand edits (no onEdit fired), collected rows are repaired by Credit ID, only differing cells', () => {
    desk = setUpDesk(
      makeCredits(4, (i) => (i % 2 === 0 ? collected(i) : {})),
      { user: 'owner@example.com' },
    );
    desk.credits._sort(2, col('Amount'), true); // 0003, 0002, 0001, 0000
    // The owner (protections don't stop them) retypes a collected allocation and status.
    desk.credits._set(3, col('Allocation'), 'reseller 100%'); // row 3 now holds 0002
    desk.credits._set(5, col('Status'), 'ASSIGNED'); // row 5 holds 0000
    desk.fake.log.reset();
    const result = checkSheet();
    expect(result.repaired.sort()).toEqual(['AWSC-202610-0000-0000', 'AWSC-202610-0000-0002']);
    const rows = creditsById(desk);
    expect(rows.get('AWSC-202610-0000-0002')).toMatchObject({
      Allocation: 'customer 100%',
      Status: 'PROCESSED',
    });
    expect(rows.get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PROCESSED',
      'Usage Record ID': 'UR-0',
    });
    // Pending credits in between are untouched.
    expect(rows.get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'PENDING_ASSIGN', Allocation: '' });
    expect(auditRows(desk).map((a) => [a['Credit ID'], a.Field, a.After])).toEqual(
      expect.arrayContaining([
        ['AWSC-202610-0000-0002', 'allocation', 'customer 100%'],
        ['AWSC-202610-0000-0000', 'status', 'PROCESSED'],
      ]),
    );
    expect(auditRows(desk)).toHaveLength(2);
    // One atomic spreadsheets.batchUpdate for the cells and their Audit rows (api-batch.ts).
    expect(desk.fake.log.count('Sheets.Spreadsheets.batchUpdate')).toBe(1);
    expect(desk.fake.log.count('Sheets.Spreadsheets.Values.batchUpdate')).toBe(0);
    // A second check finds nothing to do.
    expect(checkSheet().message).toMatch(/All 2 collected credits are as the Ledger records them/);
  });

  test("a Ledger row whose Key was typed over repairs its credit's row, but never gives it that Key", () => {
    // Credit IDs issued to their Keys, as the sync issues them.
    const issued = (i: number) => creditIdCandidate(`k-${i}`, '2026-10', 0);
    desk = setUpDesk(
      makeCredits(3, (i) => ({ creditId: issued(i), ...(i === 0 ? collected(i) : {}) })),
      { user: 'owner@example.com' },
    );
    // The owner types credit 1's Key over credit 0's Ledger row, and retypes credit 0's allocation.
    const ledger = desk.ss._sheet('Ledger');
    const head = ledger._rows[0].map(String);
    const at = ledger._rows.findIndex((r) => r[head.indexOf('Credit ID')] === issued(0));
    ledger._set(at + 1, head.indexOf('Key') + 1, 'k-1');
    desk.credits._set(2, col('Allocation'), 'reseller 100%');
    checkSheet();
    // Before: credit 0's row took the typed Key (credit 1's), one Key on two rows.
    expect(creditsById(desk).get(issued(0))).toMatchObject({ Key: 'k-0', Allocation: 'customer 100%' });
    expect(creditsById(desk).get(issued(1))).toMatchObject({ Key: 'k-1', Status: 'PENDING_ASSIGN' });
  });

  test('a status set to PROCESSED by hand (not in the Ledger) is put back to what its allocation says', () => {
    desk = setUpDesk(
      makeCredits(2, (i) =>
        i === 1 ? { status: 'ASSIGNED', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'R1' } : {},
      ),
      { user: 'owner@example.com' },
    );
    desk.credits._set(2, col('Status'), 'PROCESSED');
    desk.credits._set(3, col('Status'), 'PROCESSING');
    const result = checkSheet();
    expect(result.unlockedByHand).toEqual(['AWSC-202610-0000-0000', 'AWSC-202610-0000-0001']);
    const rows = creditsById(desk);
    expect(rows.get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    expect(rows.get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'ASSIGNED' });
  });

  test('a deleted collected row and a duplicated one are reported, not invented', () => {
    desk = setUpDesk(
      makeCredits(3, (i) => (i < 2 ? collected(i) : {})),
      { user: 'owner@example.com' },
    );
    desk.credits.deleteRow(2); // 0000 gone
    // 0001's Credit ID pasted over the pending row 0002 (its Key stays).
    desk.credits._set(3, col('Credit ID'), 'AWSC-202610-0000-0001');
    const result = checkSheet();
    expect(result.missing).toEqual(['AWSC-202610-0000-0000']);
    expect(result.duplicated).toEqual(['AWSC-202610-0000-0001']);
    expect(result.message).toMatch(/missing from Credits .*next sync puts it back/);
    expect(creditsById(desk).size).toBe(1);
  });

  test('without a Ledger tab it says so', () => {
    desk = setUpDesk(makeCredits(1), { ledger: false });
    expect(() => checkSheet()).toThrow(/no "Ledger" tab/);
  });
});
