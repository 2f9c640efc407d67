import { buildMenu } from '../../addon/server/menu';
import { handleEdit } from '../../addon/server/on-edit';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import type { FakeSheet } from '../../emulators/spreadsheet-app';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const col = (header: string) => CREDIT_COLUMNS.findIndex((c) => c.header === header) + 1;
const ALLOCATION = col('Allocation');
const STATUS = col('Status');
const NOTES = col('Notes');
const AMOUNT = col('Amount');

/** Does what a person typing or pasting does: changes the cells (no trigger), then Apps Script fires onEdit. */
function userEdits(sheet: FakeSheet, row: number, column: number, values: unknown[][]): void {
  const oldValue = values.length === 1 && values[0].length === 1 ? sheet._get(row, column) : undefined;
  values.forEach((line, r) => line.forEach((v, c) => sheet._set(row + r, column + c, v)));
  const range = sheet._range(row, column, values.length, values[0].length);
  const single = values.length === 1 && values[0].length === 1;
  handleEdit({
    range,
    source: sheet._parent._wrapped(),
    oldValue: single && oldValue !== '' ? String(oldValue) : undefined,
    value: single ? values[0][0] : undefined,
    authMode: 'LIMITED',
  } as never);
}

const lockedCredit = {
  status: 'PROCESSED' as const,
  allocation: 'customer 100%',
  distributorKeeps: 0,
  ruleId: 'default',
  usageFileId: 'UF-2026-11-0001-0001',
  notes: 'collected',
};

describe('onEdit: the Allocation column', () => {
  test('a valid allocation assigns the credit by hand', () => {
    desk = setUpDesk(makeCredits(2));
    userEdits(desk.credits, 2, ALLOCATION, [['customer 60% , reseller 40%']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'ASSIGNED',
      Allocation: 'customer 60%, reseller 40%',
      'Distributor Keeps': 0,
      Rule: 'manual',
    });
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    const audit = auditRows(desk);
    expect(audit.find((a) => a.Field === 'status')).toMatchObject({
      Action: 'assign',
      Who: 'ana@distributor.example',
      Before: 'PENDING_ASSIGN',
      After: 'ASSIGNED',
    });
  });

  test('an invalid allocation gets a note saying what is wrong; the status stays', () => {
    desk = setUpDesk(makeCredits(1));
    userEdits(desk.credits, 2, ALLOCATION, [['customer 70%, reseller 40%']]);
    expect(desk.credits._notes.get(`2:${ALLOCATION}`)).toMatch(/Not applied: .*over 100%/);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Rule: '',
    });
    // Fixing it clears the note.
    userEdits(desk.credits, 2, ALLOCATION, [['customer 70%']]);
    expect(desk.credits._notes.has(`2:${ALLOCATION}`)).toBe(false);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'ASSIGNED' });
  });

  test('clearing the allocation of an ASSIGNED credit makes it PENDING_ASSIGN again', () => {
    desk = setUpDesk(
      makeCredits(1, () => ({
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        distributorKeeps: 0,
        ruleId: 'R1',
      })),
    );
    userEdits(desk.credits, 2, ALLOCATION, [['']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Allocation: '',
      Rule: '',
      'Distributor Keeps': '',
    });
    expect(auditRows(desk).find((a) => a.Field === 'allocation')).toMatchObject({
      Action: 'unassign',
      Before: 'customer 100%',
      After: '',
    });
  });

  test('a paste of allocations over several rows handles each row, in one write per block', () => {
    desk = setUpDesk(makeCredits(3));
    desk.fake.log.reset();
    userEdits(desk.credits, 2, ALLOCATION, [['customer 100%'], ['bogus 5%'], ['reseller 50%']]);
    const rows = creditsById(desk);
    expect(rows.get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'ASSIGNED', Rule: 'manual' });
    expect(rows.get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    expect(rows.get('AWSC-202610-0000-0002')).toMatchObject({
      Status: 'ASSIGNED',
      'Distributor Keeps': 50.01,
    });
    expect(desk.credits._notes.get(`3:${ALLOCATION}`)).toMatch(/"bogus" is not a role/);
    expect(desk.fake.log.count('Range.setNotes')).toBe(1);
  });

  test('without a known user the Audit says "unknown user"', () => {
    desk = setUpDesk(makeCredits(1), { user: '' });
    userEdits(desk.credits, 2, ALLOCATION, [['customer 100%']]);
    expect(new Set(auditRows(desk).map((a) => a.Who))).toEqual(new Set(['unknown user']));
  });
});

describe('onEdit: PROCESSING/PROCESSED rows are put back', () => {
  test('a single-cell edit is reverted from e.oldValue, even without a mirror', () => {
    desk = setUpDesk(makeCredits(2, (i) => (i === 1 ? lockedCredit : {})));
    userEdits(desk.credits, 3, AMOUNT, [[1]]);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Amount: 100.01 });
    expect(auditRows(desk)).toEqual([
      expect.objectContaining({ Action: 'revert', Field: 'Amount', Before: '1', After: '100.01' }),
    ]);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/Row 3 is PROCESSING\/PROCESSED/);
  });

  test('changing a locked status by hand is reverted', () => {
    desk = setUpDesk(makeCredits(1, () => lockedCredit));
    userEdits(desk.credits, 2, STATUS, [['ASSIGNED']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'PROCESSED' });
  });

  test('a paste over several rows restores the locked rows from the mirror and keeps the others', () => {
    desk = setUpDesk(makeCredits(4, (i) => (i === 1 || i === 2 ? lockedCredit : {})));
    buildMenu({ authMode: 'LIMITED' }); // onOpen writes the mirror
    expect(desk.ss._sheet('_locked').isSheetHidden()).toBe(true);
    userEdits(desk.credits, 2, STATUS, [
      ['PENDING_ASSIGN'],
      ['PENDING_ASSIGN'],
      ['PENDING_ASSIGN'],
      ['PENDING_ASSIGN'],
    ]);
    userEdits(desk.credits, 2, NOTES, [['a'], ['b'], ['c'], ['d']]);
    const rows = creditsById(desk);
    expect(
      ['0000', '0001', '0002', '0003'].map((n) => [
        rows.get(`AWSC-202610-0000-${n}`)!.Status,
        rows.get(`AWSC-202610-0000-${n}`)!.Notes,
      ]),
    ).toEqual([
      ['PENDING_ASSIGN', 'a'],
      ['PROCESSED', 'collected'],
      ['PROCESSED', 'collected'],
      ['PENDING_ASSIGN', 'd'],
    ]);
    expect(
      auditRows(desk)
        .filter((a) => a.Action === 'revert')
        .map((a) => a.Field),
    ).toEqual(['Status', 'Status', 'Notes', 'Notes']);
  });

  test('a paste that overwrote whole rows (Key included) is restored by row number', () => {
    desk = setUpDesk(makeCredits(2, (i) => (i === 0 ? lockedCredit : {})));
    buildMenu({ authMode: 'LIMITED' });
    const original = desk.credits._rows[1].map((v) => (v instanceof Date ? v.getTime() : v));
    userEdits(desk.credits, 2, 1, [Array(CREDIT_COLUMNS.length).fill('x')]);
    expect(desk.credits._rows[1].map((v) => (v instanceof Date ? v.getTime() : v))).toEqual(original);
  });

  test('without a mirror a multi-cell edit on a locked row cannot be restored: the user is told to undo', () => {
    desk = setUpDesk(makeCredits(2, (i) => (i === 0 ? lockedCredit : {})));
    userEdits(desk.credits, 2, NOTES, [['a'], ['b']]);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/Row 2 is locked; press Undo/);
  });

  test('edits on other tabs are ignored', () => {
    desk = setUpDesk(makeCredits(1));
    desk.fake.log.reset();
    userEdits(desk.ss._sheet('Rules'), 2, 1, [['R5']]);
    expect(desk.fake.log.dataCalls()).toBe(0);
  });
});
