/**
 * The in-memory SpreadsheetApp and Sheets advanced service behave as Google documents them. Each test names
 * the behaviour and the reference it follows (the emulator's code cites it too).
 */
import { ExecutionKilled } from '../../emulators/call-log';
import { createSheetsAdvancedService } from '../../emulators/sheets-advanced';
import { FakeFilterCriteriaBuilder, FakeSpreadsheet, parseTyped } from '../../emulators/spreadsheet-app';
import { withDocumentLock } from '../../addon/services/lock';
import { currentUserEmail } from '../../addon/services/session';
import { installFakeAppsScript } from '../fakes/apps-script';

const PROTECTED = /You are trying to edit a protected cell/;

function sheetWith(rows = 10) {
  const ss = new FakeSpreadsheet();
  const sheet = ss._addSheet(
    'Data',
    Array.from({ length: rows }, (_x, i) => [`r${i + 1}`, i + 1]),
  );
  return { ss, sheet };
}

/** A protection only `editor` may edit (the acting user is not an editor). */
function protect(ss: FakeSpreadsheet, row: number, numRows: number, editor = 'sync@svc.example') {
  const sheet = ss._sheet('Data');
  const p = sheet.getRange(row, 1, numRows, 2).protect();
  p._editors = [editor];
  return p;
}

describe('protections (Protection reference; Sheets help "Protect, hide, and edit sheets")', () => {
  test('a user who is not an editor gets an exception on write; the owner is never stopped', () => {
    const { ss, sheet } = sheetWith();
    const p = protect(ss, 3, 1);
    ss._activeUser = 'staff@example.com';
    expect(() => sheet.getRange(3, 1).setValue('x')).toThrow(PROTECTED);
    expect(p.canEdit()).toBe(false);
    sheet.getRange(4, 1).setValue('ok'); // outside the range
    ss._activeUser = ss._owner;
    expect(p.canEdit()).toBe(true);
    sheet.getRange(3, 1).setValue('owner');
    expect(sheet._get(3, 1)).toBe('owner');
  });

  test('protected ranges move with inserted and deleted rows, and vanish with their rows', () => {
    const { ss, sheet } = sheetWith();
    ss._activeUser = ss._owner;
    const p = protect(ss, 5, 2); // rows 5-6
    sheet.insertRowsBefore(2, 3);
    expect([p._area!.row, p._area!.numRows]).toEqual([8, 2]);
    expect(sheet._get(8, 1)).toBe('r5'); // the protected cells are the same cells
    sheet.insertRowsBefore(9, 1); // inside: the range grows
    expect([p._area!.row, p._area!.numRows]).toEqual([8, 3]);
    sheet.deleteRow(2);
    expect([p._area!.row, p._area!.numRows]).toEqual([7, 3]);
    sheet.deleteRows(7, 3);
    expect(sheet._protections).toHaveLength(0);
  });

  test('a non-editor cannot delete a protected row', () => {
    const { ss, sheet } = sheetWith();
    protect(ss, 3, 1);
    ss._activeUser = 'staff@example.com';
    expect(() => sheet.deleteRow(3)).toThrow(PROTECTED);
    expect(sheet._get(3, 1)).toBe('r3');
  });
});

describe('setValue(s) parse strings like typing (USER_ENTERED: "parsed as if the user typed them")', () => {
  test.each([
    ['0012', 12],
    ['5%', 0.05],
    ['1,234.5', 1234.5],
    ['TRUE', true],
    ['false', false],
    ['customer 60%', 'customer 60%'],
    ['AWSC-202610-0001-0002', 'AWSC-202610-0001-0002'],
  ])('%s', (typed, stored) => {
    expect(parseTyped(typed)).toEqual(stored);
  });

  test('dates become Dates; getValues returns Dates and numbers', () => {
    const { sheet } = sheetWith(1);
    sheet.getRange(1, 1, 1, 2).setValues([['2026-01', '2026-01-15']]);
    const [[a, b]] = sheet.getRange(1, 1, 1, 2).getValues();
    expect(a).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(b).toEqual(new Date('2026-01-15T00:00:00Z'));
    expect(typeof sheet.getRange(1, 2).getValue()).toBe('object');
  });

  test('an apostrophe or a plain-text format ("@") keeps the text; getValues doesn\'t return the apostrophe', () => {
    const { sheet } = sheetWith(2);
    sheet.getRange(1, 1).setValue("'0012");
    sheet.getRange(2, 1).setNumberFormat('@').setValue('0012');
    expect(sheet.getRange(1, 1, 2, 1).getValues()).toEqual([['0012'], ['0012']]);
  });
});

describe('filter criteria (FilterCriteria reference)', () => {
  test('getHiddenValues/getVisibleValues return arrays; visible values are for pivot filters: [] on a basic filter', () => {
    const { sheet } = sheetWith(4);
    const filter = sheet.getRange(1, 1, 4, 2).createFilter();
    filter.setColumnFilterCriteria(1, new FakeFilterCriteriaBuilder().setHiddenValues(['r2']).build());
    filter.setColumnFilterCriteria(2, new FakeFilterCriteriaBuilder().whenNumberGreaterThan(1).build());
    const c1 = filter.getColumnFilterCriteria(1)!;
    const c2 = filter.getColumnFilterCriteria(2)!;
    expect(c1.getHiddenValues()).toEqual(['r2']);
    expect(c1.getVisibleValues()).toEqual([]);
    expect(c2.getHiddenValues()).toEqual([]);
    expect([2, 3, 4].map((r) => sheet.isRowHiddenByFilter(r))).toEqual([true, false, false]);
  });
});

describe('onEdit fires for a person changing values only (Simple triggers reference)', () => {
  test('typing fires it with oldValue for a single cell; inserting and deleting rows do not', () => {
    const { ss, sheet } = sheetWith(5);
    const events: Record<string, unknown>[] = [];
    ss._onEdit = (e) => events.push(e as Record<string, unknown>);
    sheet.insertRowsBefore(2, 1);
    sheet.deleteRow(2);
    expect(events).toHaveLength(0);
    sheet._sort(1, 2, true);
    events.length = 0; // a sort fires (next test)
    sheet._typeByHand(2, 2, [['7']]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ oldValue: '4', value: '7', authMode: 'LIMITED' });
    sheet._typeByHand(2, 1, [['a'], ['b']]);
    expect(events[1].oldValue).toBeUndefined();
  });

  test('moving or sorting rows with data fires it for the rows, as a range with no values (stricter where silent)', () => {
    const { ss, sheet } = sheetWith(5);
    const events: { range: { getRow(): number; getNumRows(): number }; value?: unknown }[] = [];
    ss._onEdit = (e) => events.push(e as never);
    sheet._moveRowsByHand(1, 2, 5); // r1, r2 to before r5
    expect(sheet.getRange(1, 1, 5, 1).getValues().flat()).toEqual(['r3', 'r4', 'r1', 'r2', 'r5']);
    expect([events[0].range.getRow(), events[0].range.getNumRows(), 'value' in events[0]]).toEqual([
      3,
      2,
      false,
    ]);
    sheet._sort(2, 2);
    expect(events).toHaveLength(2);
    expect([events[1].range.getRow(), events[1].range.getNumRows()]).toEqual([2, 4]);
  });

  test('a paste gives neither oldValue nor value, even on one cell (Edit event reference; stricter where silent)', () => {
    const { ss, sheet } = sheetWith(5);
    const events: Record<string, unknown>[] = [];
    ss._onEdit = (e) => events.push(e as Record<string, unknown>);
    sheet._pasteByHand(2, 2, [['7']]);
    expect(sheet.getRange(2, 2).getValue()).toBe(7);
    expect(events).toHaveLength(1);
    expect('oldValue' in events[0] || 'value' in events[0]).toBe(false);
  });

  test('a person cannot type into a cell protected against them (no event either)', () => {
    const { ss, sheet } = sheetWith(5);
    protect(ss, 2, 1);
    const events: unknown[] = [];
    ss._onEdit = (e) => events.push(e);
    expect(() => sheet._typeByHand(2, 1, [['x']])).toThrow(PROTECTED);
    expect(events).toHaveLength(0);
  });
});

describe('an execution killed at its runtime limit (quotas page: 6 min, 30 s for a simple trigger)', () => {
  test('the call at the limit and every later one, finally included, do nothing; the next execution runs', () => {
    const ss = new FakeSpreadsheet();
    const fake = installFakeAppsScript(ss);
    try {
      ss._addSheet('Data', [['a']]);
      const app = fake.globals.SpreadsheetApp as GoogleAppsScript.Spreadsheet.SpreadsheetApp;
      const script = () => {
        const doc = app.getActiveSpreadsheet();
        doc.addDeveloperMetadata('marker', 'x');
        try {
          doc.getSheetByName('Data')!.getRange(1, 1).setValue('b');
        } finally {
          doc.getDeveloperMetadata().forEach((m) => m.remove());
        }
      };
      fake.log.killExecutionAt((call) => call === 'Range.setValue');
      expect(script).toThrow(ExecutionKilled);
      fake.log.nextExecution();
      expect(ss._metadata.map((m) => m.key)).toEqual(['marker']);
      expect(ss._sheet('Data').getRange(1, 1).getValue()).toBe('a');
      script();
      expect(ss._metadata).toEqual([]);
    } finally {
      fake.uninstall();
    }
  });
});

describe('the Sheets advanced service over the same store (Sheets API v4 reference)', () => {
  test('values.batchUpdate RAW stores text as-is (no formula, no parsing); not atomic: a refused range stops it', () => {
    const { ss, sheet } = sheetWith(5);
    const api = createSheetsAdvancedService(ss);
    api.Spreadsheets.Values.batchUpdate(
      { valueInputOption: 'RAW', data: [{ range: "'Data'!A1:B1", values: [['=1+1', '0012']] }] },
      ss.getId(),
    );
    expect(sheet.getRange(1, 1, 1, 2).getValues()).toEqual([['=1+1', '0012']]);
    expect(sheet.getRange(1, 1).getFormulas()).toEqual([['']]);
    protect(ss, 4, 1);
    expect(() =>
      api.Spreadsheets.Values.batchUpdate(
        {
          valueInputOption: 'RAW',
          data: [
            { range: "'Data'!A2", values: [['changed']] },
            { range: "'Data'!A4", values: [['changed']] },
          ],
        },
        ss.getId(),
      ),
    ).toThrow(PROTECTED);
    // values.batchUpdate is not documented as atomic: modelled the stricter way, the range before stays written.
    expect(sheet._get(2, 1)).toBe('changed');
  });

  test('a range beyond the grid is refused (values writes do not add rows)', () => {
    const { ss } = sheetWith(5);
    const api = createSheetsAdvancedService(ss);
    const max = ss._sheet('Data')._maxRows;
    expect(() =>
      api.Spreadsheets.Values.batchUpdate(
        { valueInputOption: 'RAW', data: [{ range: `'Data'!A${max + 1}`, values: [['x']] }] },
        ss.getId(),
      ),
    ).toThrow(/exceeds grid limits/);
  });

  test('protectedRanges carry requestingUserCanEdit; rowMetadata says hiddenByFilter and hiddenByUser', () => {
    const { ss, sheet } = sheetWith(5);
    protect(ss, 2, 1);
    sheet.hideRows(4);
    const api = createSheetsAdvancedService(ss);
    const res = api.Spreadsheets.get(ss.getId(), { fields: 'sheets(protectedRanges,data.rowMetadata)' });
    const data = res.sheets.find((s) => s.properties.title === 'Data')!;
    expect(data.protectedRanges[0]).toMatchObject({
      requestingUserCanEdit: false,
      range: { startRowIndex: 1, endRowIndex: 2 },
    });
    expect(data.data![0].rowMetadata[3]).toMatchObject({ hiddenByUser: true });
    ss._activeUser = ss._owner;
    expect(api.Spreadsheets.get(ss.getId()).sheets[0].protectedRanges[0].requestingUserCanEdit).toBe(true);
  });
});

describe('spreadsheet developer metadata, the user, the document lock', () => {
  test('metadata is added, found by key, and removed', () => {
    const { ss } = sheetWith(1);
    ss.addDeveloperMetadata('k', 'v1').addDeveloperMetadata('other', 'x');
    const found = ss.createDeveloperMetadataFinder().withKey('k').find();
    expect(found.map((m) => [m.getKey(), m.getValue()])).toEqual([['k', 'v1']]);
    found[0].remove();
    expect(ss.createDeveloperMetadataFinder().withKey('k').find()).toEqual([]);
  });

  test('the email can be blank while Sheets still knows who acts (Session.getActiveUser: blank when policy hides it)', () => {
    const { ss, sheet } = sheetWith(3);
    protect(ss, 2, 1);
    const fake = installFakeAppsScript(ss, { userEmail: 'staff@example.com', emailHidden: true });
    try {
      expect(currentUserEmail()).toBe('unknown user');
      expect(() => sheet.getRange(2, 1).setValue('x')).toThrow(PROTECTED);
    } finally {
      fake.uninstall();
    }
  });

  test('a contended document lock makes an action give up with a clear message', () => {
    const { ss } = sheetWith(1);
    const fake = installFakeAppsScript(ss);
    try {
      fake.lock.heldElsewhere = true;
      expect(() => withDocumentLock(() => 1)).toThrow(/Someone else is changing this spreadsheet/);
      fake.lock.heldElsewhere = false;
      expect(withDocumentLock(() => 1)).toBe(1);
    } finally {
      fake.uninstall();
    }
  });
});
