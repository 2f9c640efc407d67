/**
 * A month in one spreadsheet, over the emulator's one store with two fronts: the "sync" and the "usage
 * process" act as the sync's service account through the Sheets API front (values.batchUpdate, protected
 * ranges, developer metadata); the add-on and the people act through SpreadsheetApp, and their typing fires
 * onEdit. Then: nothing lost, nothing processed by hand, collected credits as the Ledger records them.
 *
 * What this does NOT run: the real sync CLI against the local Sheets v4 HTTP server (that store is the other
 * emulator, sheets-model.ts); the sync's steps here write what the sync writes, by hand.
 */
import { assignCredit } from '../../addon/server/assign';
import { checkSheet } from '../../addon/server/check-sheet';
import { handleEdit } from '../../addon/server/on-edit';
import { applyRules, previewRules } from '../../addon/server/rules';
import { SYNC_LOCK_KEY } from '../../core/locks';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import { createSheetsAdvancedService } from '../../emulators/sheets-advanced';
import { LEDGER_HEADERS } from '../fakes/workbook';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const SYNC = 'sync@project.iam.gserviceaccount.com';
const ANA = 'ana@distributor.example';
const OWNER = 'owner@example.com';
const col = (h: string) => CREDIT_COLUMNS.findIndex((c) => c.header === h) + 1;
const letter = (c: number) => String.fromCharCode(64 + c);

/** Acts as `who` for the duration of `work` (the emulator's acting user: protections and Session). */
function as<T>(d: Desk, who: string, work: () => T): T {
  const before = d.ss._activeUser;
  d.ss._activeUser = who;
  try {
    return work();
  } finally {
    d.ss._activeUser = before;
  }
}

/**
 * The usage process, as the sync's account through the Sheets API: every ASSIGNED credit → PROCESSING with a
 * usage file and record, a Ledger row each, and a protected range per row only the sync may edit.
 */
function usageCollect(d: Desk, usageFileId: string): string[] {
  return as(d, SYNC, () => {
    const api = createSheetsAdvancedService(d.ss).Spreadsheets;
    const rows = d.credits._rows;
    const data: { range: string; values: unknown[][] }[] = [];
    const ledger: unknown[][] = [];
    const protect: number[] = [];
    const collected: string[] = [];
    rows.forEach((r, i) => {
      if (i === 0 || r[col('Status') - 1] !== 'ASSIGNED') return;
      const row = i + 1;
      const id = String(r[col('Credit ID') - 1]);
      const record = `UR-${collected.length + 1}`;
      collected.push(id);
      data.push({
        range: `'Credits'!${letter(col('Status'))}${row}`,
        values: [['PROCESSING']],
      });
      data.push({
        range: `'Credits'!${letter(col('Usage File ID'))}${row}:${letter(col('Usage Record ID'))}${row}`,
        values: [[usageFileId, record]],
      });
      const byHeader = new Map(rows[0].map((h, c) => [String(h), r[c]]));
      ledger.push(
        LEDGER_HEADERS.map((h) =>
          h === 'Status'
            ? 'PROCESSING'
            : h === 'Usage File ID'
              ? usageFileId
              : h === 'Usage Record ID'
                ? record
                : h === 'Collected At'
                  ? '2026-11-03T10:00:00.000Z'
                  : (byHeader.get(h) ?? ''),
        ),
      );
      protect.push(row);
    });
    const ledgerSheet = d.ss._sheet('Ledger');
    const first = ledgerSheet.getLastRow() + 1;
    data.push({
      range: `'Ledger'!A${first}:${letter(LEDGER_HEADERS.length)}${first + ledger.length - 1}`,
      values: ledger,
    });
    api.Values.batchUpdate({ valueInputOption: 'RAW', data: data as never }, d.ss.getId());
    api.batchUpdate(
      {
        requests: protect.map((row) => ({
          addProtectedRange: {
            protectedRange: {
              range: { sheetId: d.credits._id, startRowIndex: row - 1, endRowIndex: row },
              description: 'credit-desk:locked',
              editors: { users: [SYNC] },
            },
          },
        })),
      },
      d.ss.getId(),
    );
    return collected;
  });
}

function person(d: Desk, who: string, row: number, column: number, values: unknown[][]): void {
  as(d, who, () => {
    d.ss._onEdit = (e) => handleEdit(e as never);
    d.credits._typeByHand(row, column, values);
  });
}

function rowOf(d: Desk, creditId: string): number {
  return d.credits._rows.findIndex((r) => r[0] === creditId) + 1;
}

test('sync → add-on → usage collect → people sort, delete, paste, retype → Check sheet → add-on: the lifecycle holds', () => {
  desk = setUpDesk(makeCredits(8), { user: ANA });

  // The add-on: Ana previews the rules for every pending credit, a teammate assigns one by hand meanwhile,
  // then Ana applies the preview.
  const preview = previewRules('pending', false);
  expect(preview.credits).toBe(8);
  assignCredit('AWSC-202610-0000-0007', 'reseller 100%');
  const applied = applyRules('pending', false, preview.token);
  expect(applied.applied).toBe(7);
  expect(applied.changed?.map((c) => c.creditId)).toEqual(['AWSC-202610-0000-0007']);
  expect(creditsById(desk).get('AWSC-202610-0000-0007')).toMatchObject({ Allocation: 'reseller 100%' });

  // Ana unassigns two, so they stay out of the usage run.
  as(desk, ANA, () => {
    person(desk, ANA, rowOf(desk, 'AWSC-202610-0000-0002'), col('Allocation'), [['']]);
    person(desk, ANA, rowOf(desk, 'AWSC-202610-0000-0005'), col('Status'), [['PENDING_ASSIGN']]);
  });
  expect(creditsById(desk).get('AWSC-202610-0000-0005')).toMatchObject({
    Status: 'PENDING_ASSIGN',
    Allocation: '',
  });

  // The usage process collects every ASSIGNED credit, holding the sync's lock; an add-on write meanwhile is refused.
  const lockId = desk.ss._putMetadata(
    SYNC_LOCK_KEY,
    JSON.stringify({
      owner: 'usage process',
      since: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    }),
  );
  expect(() => assignCredit('AWSC-202610-0000-0002', 'customer 100%')).toThrow(/sync is writing/);
  const collected = usageCollect(desk, 'UF-2026-11-0001-0001');
  desk.ss._dropMetadata(lockId);
  expect(collected).toHaveLength(6);
  const pending = ['AWSC-202610-0000-0002', 'AWSC-202610-0000-0005'];

  // Ana (not an editor of the protected rows) cannot type into a collected row, nor sort over it.
  const lockedRow = rowOf(desk, collected[0]);
  expect(() => person(desk, ANA, lockedRow, col('Allocation'), [['customer 1%']])).toThrow(/protected cell/);
  expect(() => as(desk, ANA, () => desk.credits._sort(2, col('Amount'), true))).toThrow(/protected cell/);
  // She pastes statuses over the two pending rows: PROCESSED by hand is put back.
  const p1 = rowOf(desk, pending[0]);
  person(desk, ANA, p1, col('Status'), [['PROCESSED']]);
  expect(creditsById(desk).get(pending[0])).toMatchObject({ Status: 'PENDING_ASSIGN' });

  // The owner (protections don't stop owners) sorts, retypes a collected status, pastes over two rows, and
  // deletes a collected row.
  as(desk, OWNER, () => desk.credits._sort(2, col('Amount'), true)); // no onEdit
  person(desk, OWNER, rowOf(desk, collected[1]), col('Status'), [['ASSIGNED']]);
  expect(creditsById(desk).get(collected[1])).toMatchObject({ Status: 'PROCESSING' }); // put back at once
  const r = rowOf(desk, collected[2]);
  person(desk, OWNER, r, col('Status'), [
    ['PENDING_ASSIGN', 'customer 5%'],
    ['PENDING_ASSIGN', 'customer 5%'],
  ]);
  as(desk, OWNER, () => desk.credits.deleteRow(rowOf(desk, collected[3])));
  // And a hand edit onEdit cannot see: the owner's script-free change of a collected allocation through the API.
  as(desk, OWNER, () =>
    createSheetsAdvancedService(desk.ss).Spreadsheets.Values.batchUpdate(
      {
        valueInputOption: 'RAW',
        data: [
          {
            range: `'Credits'!${letter(col('Allocation'))}${rowOf(desk, collected[4])}`,
            values: [['customer 1%']],
          },
        ],
      },
      desk.ss.getId(),
    ),
  );

  // The add-on: Check sheet puts back what onEdit could not.
  const check = as(desk, OWNER, () => checkSheet());
  expect(check.repaired).toContain(collected[4]);
  expect(check.missing).toEqual([collected[3]]);

  // Then the rules for what is pending (the owner's paste may have assigned one by hand); collected credits are
  // left alone.
  const stillPending = [...creditsById(desk).values()].filter((c) => c.Status === 'PENDING_ASSIGN').length;
  expect(stillPending).toBeGreaterThan(0);
  const again = previewRules('pending', false);
  const result = applyRules('pending', false, again.token);

  // Nothing processed by hand: every PROCESSING/PROCESSED credit on Credits is in the Ledger, as it records it.
  const ledger = new Map(
    desk.ss
      ._sheet('Ledger')
      ._rows.slice(1)
      .map((l) => [String(l[1]), l]),
  );
  const rows = creditsById(desk);
  for (const [id, row] of rows) {
    if (row.Status === 'PROCESSING' || row.Status === 'PROCESSED') {
      expect(ledger.has(id)).toBe(true);
      const l = ledger.get(id)!;
      expect([row.Allocation, row['Usage File ID'], row['Usage Record ID']]).toEqual([
        l[LEDGER_HEADERS.indexOf('Allocation')],
        l[LEDGER_HEADERS.indexOf('Usage File ID')],
        l[LEDGER_HEADERS.indexOf('Usage Record ID')],
      ]);
    }
  }
  // Nothing lost: every collected credit is still collected (or reported missing, for the sync to restore), and
  // the pending ones were assigned by the rules.
  for (const id of collected.filter((c) => c !== collected[3]))
    expect(rows.get(id)!.Status).toBe('PROCESSING');
  for (const id of pending) expect(rows.get(id)).toMatchObject({ Status: 'ASSIGNED' });
  expect(result.applied).toBe(stillPending);
  // The protections the usage process made are all still there (the deleted row's went with it), and nothing
  // Ana did changed a collected credit.
  expect(desk.credits._protections.filter((p) => p._description === 'credit-desk:locked')).toHaveLength(5);
  expect(
    auditRows(desk).filter(
      (a) =>
        a.Who === ANA &&
        collected.includes(String(a['Credit ID'])) &&
        a.Action !== 'rule-applied' &&
        a.Action !== 'assign',
    ),
  ).toEqual([]);
});
