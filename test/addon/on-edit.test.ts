import { buildMenu } from '../../addon/server/menu';
import { handleEdit } from '../../addon/server/on-edit';
import { ADDON_WRITE_KEY, SYNC_LOCK_KEY } from '../../core/locks';
import { creditIdCandidate } from '../../core/ids';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import type { FakeSheet } from '../../emulators/spreadsheet-app';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const col = (header: string) => CREDIT_COLUMNS.findIndex((c) => c.header === header) + 1;
const ALLOCATION = col('Allocation');
const STATUS = col('Status');
const AMOUNT = col('Amount');

/** A person types or pastes: the emulator checks protections, parses like typing, and fires onEdit. */
function userEdits(sheet: FakeSheet, row: number, column: number, values: unknown[][]): void {
  sheet._parent._onEdit = (e) => handleEdit(e as never);
  sheet._typeByHand(row, column, values);
}

/** A person pastes (Ctrl+V): onEdit gets no oldValue and no value, even for one cell. */
function userPastes(sheet: FakeSheet, row: number, column: number, values: unknown[][]): void {
  sheet._parent._onEdit = (e) => handleEdit(e as never);
  sheet._pasteByHand(row, column, values);
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

describe('onEdit: the Status column keeps the lifecycle', () => {
  test('PROCESSED typed into a pending row is put back, with a note and an Audit row', () => {
    desk = setUpDesk(makeCredits(1));
    userEdits(desk.credits, 2, STATUS, [['PROCESSED']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    expect(desk.credits._notes.get(`2:${STATUS}`)).toMatch(/Only the usage process/);
    expect(auditRows(desk)).toEqual([
      expect.objectContaining({
        Action: 'revert',
        Field: 'status',
        Before: 'PROCESSED',
        After: 'PENDING_ASSIGN',
      }),
    ]);
  });

  test('ASSIGNED without an allocation is put back; with one it assigns the credit', () => {
    desk = setUpDesk(makeCredits(2));
    userEdits(desk.credits, 2, STATUS, [['ASSIGNED']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    expect(desk.credits._notes.get(`2:${STATUS}`)).toMatch(/Type an allocation/);
    // An allocation left in a pending row (it was refused earlier), then the status picked from the dropdown.
    desk.credits._set(3, ALLOCATION, 'customer 100%');
    userEdits(desk.credits, 3, STATUS, [['ASSIGNED']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({
      Status: 'ASSIGNED',
      Rule: 'manual',
      'Distributor Keeps': 0,
    });
    expect(
      auditRows(desk)
        .filter((a) => a.Action === 'assign')
        .map((a) => a.Field),
    ).toContain('status');
  });

  test('PENDING_ASSIGN typed on an ASSIGNED row unassigns it (allocation cleared, audited)', () => {
    desk = setUpDesk(
      makeCredits(1, () => ({
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        distributorKeeps: 0,
        ruleId: 'R1',
      })),
    );
    userEdits(desk.credits, 2, STATUS, [['PENDING_ASSIGN']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Allocation: '',
      Rule: '',
    });
    expect(auditRows(desk).find((a) => a.Field === 'allocation')).toMatchObject({ Action: 'unassign' });
  });

  test('a pasted column of statuses: each row judged on its own, nothing processed by hand', () => {
    desk = setUpDesk(
      makeCredits(3, (i) =>
        i === 1 ? { status: 'ASSIGNED', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'R1' } : {},
      ),
    );
    userEdits(desk.credits, 2, STATUS, [['PROCESSING'], ['PROCESSED'], ['nonsense']]);
    const rows = creditsById(desk);
    expect(['0000', '0001', '0002'].map((n) => rows.get(`AWSC-202610-0000-${n}`)!.Status)).toEqual([
      'PENDING_ASSIGN',
      'ASSIGNED',
      'PENDING_ASSIGN',
    ]);
    expect(auditRows(desk).filter((a) => a.Action === 'revert')).toHaveLength(3);
  });
});

describe('onEdit: PROCESSING/PROCESSED rows are put back from the Ledger', () => {
  test('a single-cell edit is reverted from e.oldValue, even without a Ledger', () => {
    desk = setUpDesk(
      makeCredits(2, (i) => (i === 1 ? lockedCredit : {})),
      { ledger: false },
    );
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

  test('a paste over several rows restores the collected rows, writing only the cells that differ', () => {
    desk = setUpDesk(makeCredits(4, (i) => (i === 1 || i === 2 ? lockedCredit : {})));
    desk.fake.log.reset();
    // Status and Allocation pasted over four rows; on row 3 the pasted Allocation equals the Ledger's.
    userEdits(desk.credits, 2, STATUS, [
      ['PENDING_ASSIGN', ''],
      ['PENDING_ASSIGN', 'customer 100%'],
      ['PENDING_ASSIGN', 'reseller 1%'],
      ['PENDING_ASSIGN', ''],
    ]);
    const rows = creditsById(desk);
    expect(
      ['0000', '0001', '0002', '0003'].map((n) => [
        rows.get(`AWSC-202610-0000-${n}`)!.Status,
        rows.get(`AWSC-202610-0000-${n}`)!.Allocation,
      ]),
    ).toEqual([
      ['PENDING_ASSIGN', ''],
      ['PROCESSED', 'customer 100%'],
      ['PROCESSED', 'customer 100%'],
      ['PENDING_ASSIGN', ''],
    ]);
    // Row 3: Status only; row 4: Status and Allocation.
    expect(
      auditRows(desk)
        .filter((a) => a.Action === 'revert')
        .map((a) => [a['Credit ID'], a.Field]),
    ).toEqual([
      ['AWSC-202610-0000-0001', 'Status'],
      ['AWSC-202610-0000-0002', 'Status'],
      ['AWSC-202610-0000-0002', 'Allocation'],
    ]);
  });

  test('after a sort, a paste over whole rows never copies a collected credit onto another one', () => {
    desk = setUpDesk(makeCredits(3, (i) => (i === 0 ? lockedCredit : {})));
    // The person sorts by Amount, descending: no onEdit fires; the collected credit moves to row 4.
    desk.credits._sort(2, AMOUNT, true);
    expect(desk.credits._get(4, 1)).toBe('AWSC-202610-0000-0000');
    userEdits(desk.credits, 2, 1, [Array(CREDIT_COLUMNS.length).fill('x')]);
    const ids = desk.credits._rows.slice(1).map((r) => r[0]);
    expect(ids.filter((id) => id === 'AWSC-202610-0000-0000')).toHaveLength(1);
    expect(desk.credits._get(4, STATUS)).toBe('PROCESSED');
  });

  test('a paste over a collected row’s assignment and usage cells is restored from the Ledger, by Credit ID', () => {
    desk = setUpDesk(makeCredits(2, (i) => (i === 0 ? lockedCredit : {})));
    // Only part of the row: Status .. Usage File ID, and Credit ID stays: found by Credit ID.
    userEdits(desk.credits, 2, STATUS, [['x', 'x', 'x', 'x', 'x']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PROCESSED',
      Allocation: 'customer 100%',
      'Distributor Keeps': 0,
      Rule: 'default',
      'Usage File ID': 'UF-2026-11-0001-0001',
    });
  });

  test('without a Ledger a multi-cell edit on a locked row cannot be restored: the user is told what to do', () => {
    desk = setUpDesk(
      makeCredits(2, (i) => (i === 0 ? lockedCredit : {})),
      { ledger: false },
    );
    userEdits(desk.credits, 2, AMOUNT, [[1], [2]]);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/Row 2 is locked; press Undo .* Check sheet/);
  });

  test('a cell that cannot be written (protected against this person) does not stop the other rows', () => {
    desk = setUpDesk(makeCredits(3));
    const p = desk.credits.getRange(3, STATUS, 1, 1).protect();
    (p as unknown as { _editors: string[] })._editors = ['boss@distributor.example'];
    userEdits(desk.credits, 2, ALLOCATION, [['customer 100%'], ['customer 100%'], ['customer 100%']]);
    const rows = creditsById(desk);
    expect(['0000', '0001', '0002'].map((n) => rows.get(`AWSC-202610-0000-${n}`)!.Status)).toEqual([
      'ASSIGNED',
      'PENDING_ASSIGN',
      'ASSIGNED',
    ]);
    expect(auditRows(desk).some((a) => a['Credit ID'] === 'AWSC-202610-0000-0001')).toBe(false);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/AWSC-202610-0000-0001/);
  });

  test('edits on other tabs are ignored; AuthMode NONE does nothing', () => {
    desk = setUpDesk(makeCredits(1));
    desk.fake.log.reset();
    userEdits(desk.ss._sheet('Rules'), 2, 1, [['R5']]);
    expect(desk.fake.log.dataCalls()).toBe(0);
    handleEdit({
      range: desk.credits._range(2, ALLOCATION, 1, 1),
      source: desk.ss._wrapped(),
      authMode: 'NONE',
    } as never);
    expect(desk.fake.log.dataCalls()).toBe(0);
  });

  test('onOpen builds the menu and reads nothing', () => {
    desk = setUpDesk(makeCredits(3));
    desk.fake.log.reset();
    buildMenu({ authMode: 'LIMITED' });
    expect(desk.fake.log.dataCalls()).toBe(0);
    expect(desk.fake.log.count((n) => n.startsWith('Sheet.') || n.startsWith('Spreadsheet.'))).toBe(0);
  });
});

describe('onEdit and a Ledger row whose Key was typed over (decision 0031)', () => {
  // Credit IDs issued to their Keys, as the sync issues them (the other tests' fixture IDs are made up).
  const issued = (i: number) => ({ creditId: creditIdCandidate(`k-${i}`, '2026-10', 0) });
  const pending = { status: 'ASSIGNED' as const, allocation: 'customer 100%', distributorKeeps: 0 };
  function typedOver(): { c0: string; c1: string } {
    desk = setUpDesk(makeCredits(3, (i) => ({ ...issued(i), ...(i === 0 ? lockedCredit : pending) })));
    const [c0, c1] = [issued(0).creditId, issued(1).creditId];
    // The owner unhides the Ledger and types credit 1's Key over credit 0's row.
    const ledger = desk.ss._sheet('Ledger');
    const head = ledger._rows[0].map(String);
    const row = ledger._rows.findIndex((r) => r[head.indexOf('Credit ID')] === c0);
    ledger._set(row + 1, head.indexOf('Key') + 1, 'k-1');
    return { c0, c1 };
  }
  const wholeRow = (r: number) => [desk.credits._rows[r - 1].slice(0, CREDIT_COLUMNS.length)];

  test("a whole row pasted over the Key's own credit is not made the other credit's", () => {
    const { c0, c1 } = typedOver();
    userPastes(desk.credits, 3, 1, wholeRow(3)); // credit 1's row, pasted back as it is
    // Before: restored from the typed row, credit 1's row became a locked copy of credit 0.
    expect(creditsById(desk).get(c1)).toMatchObject({ Key: 'k-1', Status: 'ASSIGNED' });
    expect([...creditsById(desk).keys()].filter((id) => id === c0)).toHaveLength(1);
  });

  test("the typed row's own credit is not given the Key typed over it", () => {
    const { c0 } = typedOver();
    userPastes(desk.credits, 2, 1, wholeRow(2)); // credit 0's row, pasted back as it is
    // Before: restored from its Ledger row found by Credit ID, it took that row's Key (credit 1's).
    expect(creditsById(desk).get(c0)).toMatchObject({ Key: 'k-0', Status: 'PROCESSED' });
  });

  test("a paste over the typed row's own credit, its Key cell too, does not give it the Key typed over", () => {
    const { c0 } = typedOver();
    const row = wholeRow(2)[0];
    userPastes(desk.credits, 2, col('Status'), [row.slice(col('Status') - 1).map(() => 'x')]);
    // Before: its Key unknown (pasted over), found by Credit ID, every cell put back, the typed Key among them.
    expect(creditsById(desk).get(c0)?.Key).not.toBe('k-1');
  });

  test("a locked row's Credit ID typed over is still put back from its Ledger row, found by Key", () => {
    desk = setUpDesk(makeCredits(2, (i) => ({ ...issued(i), ...(i === 0 ? lockedCredit : pending) })));
    userEdits(desk.credits, 2, col('Credit ID'), [['AWSC-202610-9999-9999']]);
    expect(desk.credits._get(2, col('Credit ID'))).toBe(issued(0).creditId);
  });
});

describe('onEdit: a paste into one cell is not a typed edit (no oldValue, no value)', () => {
  test('PENDING_ASSIGN pasted on an ASSIGNED credit unassigns it whole, audited', () => {
    desk = setUpDesk(
      makeCredits(1, () => ({
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        distributorKeeps: 0,
        ruleId: 'R1',
      })),
    );
    userPastes(desk.credits, 2, STATUS, [['PENDING_ASSIGN']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Allocation: '',
      Rule: '',
      'Distributor Keeps': '',
    });
    expect(auditRows(desk).find((a) => a.Field === 'allocation')).toMatchObject({
      Action: 'unassign',
      Before: 'customer 100%',
    });
  });

  test('a paste on a PROCESSED row without a Ledger entry keeps the pasted value, is audited, and the person is told', () => {
    desk = setUpDesk(
      makeCredits(2, (i) => (i === 1 ? lockedCredit : {})),
      { ledger: false },
    );
    userPastes(desk.credits, 3, AMOUNT, [[1]]);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Amount: 1 });
    expect(auditRows(desk)).toEqual([
      expect.objectContaining({
        Action: 'edit',
        'Credit ID': 'AWSC-202610-0000-0001',
        Field: 'Amount',
        After: '1',
      }),
    ]);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/Row 3 is locked; press Undo .* Check sheet/);
  });

  test('a paste on a PROCESSED row with a Ledger entry is put back from the Ledger', () => {
    desk = setUpDesk(makeCredits(2, (i) => (i === 1 ? lockedCredit : {})));
    userPastes(desk.credits, 3, AMOUNT, [[1]]);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Amount: 100.01 });
  });
});

describe('onEdit while the sync holds its lock', () => {
  function syncRunning(d: Desk): void {
    d.ss._putMetadata(
      SYNC_LOCK_KEY,
      JSON.stringify({
        owner: 'credit-desk sync (alice)',
        since: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    );
  }

  test('writes nothing: the edit stays as typed for the sync to keep or repair, and the person is told', () => {
    desk = setUpDesk(makeCredits(2));
    syncRunning(desk);
    const auditBefore = auditRows(desk).length;
    userEdits(desk.credits, 2, STATUS, [['PROCESSED']]);
    userEdits(desk.credits, 3, ALLOCATION, [['customer 100%']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'PROCESSED' });
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Allocation: 'customer 100%',
      Rule: '',
    });
    expect(desk.credits._notes.size).toBe(0);
    expect(auditRows(desk)).toHaveLength(auditBefore);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/sync is writing this sheet right now/);
    // onEdit's own write marker is gone again.
    expect(desk.ss._metadata.filter((m) => m.key === ADDON_WRITE_KEY)).toEqual([]);
  });

  test('once the lock is gone, the allocation typed again is applied as usual', () => {
    desk = setUpDesk(makeCredits(1));
    syncRunning(desk);
    userEdits(desk.credits, 2, ALLOCATION, [['customer 100%']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    for (const m of desk.ss._metadata) desk.ss._dropMetadata(m.id);
    userEdits(desk.credits, 2, ALLOCATION, [['customer 100%']]);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'ASSIGNED',
      Rule: 'manual',
    });
  });
});
