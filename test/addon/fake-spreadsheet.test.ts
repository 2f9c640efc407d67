/** The in-memory SpreadsheetApp behaves like the real one where the add-on depends on it. */
import { createFakeAppsScript } from '../fakes/apps-script';
import { FakeSpreadsheet } from '../../emulators/spreadsheet-app';

function setUp() {
  const ss = new FakeSpreadsheet();
  ss._addSheet('T', [
    ['h1', 'h2'],
    ['a', 1],
    ['b', 2],
  ]);
  const fake = createFakeAppsScript(ss, { userEmail: 'me@example.com' });
  const app = fake.globals.SpreadsheetApp as typeof SpreadsheetApp;
  const sheet = app.getActiveSpreadsheet().getSheetByName('T')!;
  return { ss, fake, app, sheet };
}

test('1-based ranges, fresh arrays, dates copied, shape checked', () => {
  const { sheet } = setUp();
  const values = sheet.getRange(2, 1, 2, 2).getValues();
  expect(values).toEqual([
    ['a', 1],
    ['b', 2],
  ]);
  values[0][0] = 'changed';
  expect(sheet.getRange('A2').getValue()).toBe('a');
  const d = new Date('2026-01-01T00:00:00Z');
  sheet.getRange('C2').setValue(d as never);
  const back = sheet.getRange('C2').getValue() as Date;
  expect(back).toEqual(d);
  expect(back).not.toBe(d);
  expect(() => sheet.getRange(1, 1, 2, 2).setValues([['x']])).toThrow(/number of rows/);
  expect(sheet.getDataRange().getA1Notation()).toBe('A1:C3');
});

test('"=" makes a formula, a leading apostrophe keeps text', () => {
  const { sheet } = setUp();
  sheet.getRange('A2:B2').setValues([['=1+1', "'=1+1"]]);
  expect(sheet.getRange('A2:B2').getFormulas()).toEqual([['=1+1', '']]);
  expect(sheet.getRange('B2').getValue()).toBe('=1+1');
});

test('protections refuse writes from users who are not editors', () => {
  const { ss, sheet } = setUp();
  const p = sheet.getRange('A3:B3').protect();
  expect(p.canEdit()).toBe(true); // the creator stays an editor
  ss._sheet('T')._protections[0]._editors = ['owner@example.com'];
  expect(() =>
    sheet.getRange('A2:B3').setValues([
      ['x', 1],
      ['y', 2],
    ]),
  ).toThrow(/protected cell/);
  expect(() => sheet.getRange('A2').setValue('x')).not.toThrow();
});

test('filters hide rows by criteria; notes follow inserted rows; calls are counted', () => {
  const { fake, app, sheet } = setUp();
  const filter = sheet.getDataRange().createFilter();
  filter.setColumnFilterCriteria(2, app.newFilterCriteria().whenNumberGreaterThan(1).build());
  expect([sheet.isRowHiddenByFilter(2), sheet.isRowHiddenByFilter(3)]).toEqual([true, false]);
  sheet.getRange('A3').setNote('hi');
  sheet.insertRowsBefore(2, 1);
  expect(sheet.getRange('A4').getNote()).toBe('hi');
  fake.log.reset();
  sheet.getRange('A1').getValues();
  expect(fake.log.snapshot()).toEqual({ 'Range.getValues': 1, 'Sheet.getRange': 1 });
});
