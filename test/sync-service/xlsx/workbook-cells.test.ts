import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { cellFromExcel, encodeXlsxText, excelValueFor } from '../../../sync-service/xlsx/workbook-cells';

describe('cellFromExcel', () => {
  it('keeps numbers, strings and booleans; empties become ""', () => {
    expect([
      cellFromExcel(12.5),
      cellFromExcel('00042'),
      cellFromExcel(false),
      cellFromExcel(null),
      cellFromExcel(undefined),
    ]).toEqual([12.5, '00042', false, '', '']);
  });

  it('reads rich text, hyperlinks, formula results and errors as their text or value', () => {
    expect(cellFromExcel({ richText: [{ text: 'a' }, { text: 'b' }] })).toBe('ab');
    expect(cellFromExcel({ text: 'site', hyperlink: 'https://example.com' })).toBe('site');
    expect(cellFromExcel({ formula: 'A1*2', result: 4 })).toBe(4);
    expect(
      cellFromExcel({ formula: 'NOW()', result: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }, 'datetime'),
    ).toBe('2024-01-02T03:04:05.000Z');
    expect(cellFromExcel({ formula: 'A1' } as ExcelJS.CellValue)).toBe(''); // never calculated: no result to trust
    expect(cellFromExcel({ error: '#DIV/0!' } as ExcelJS.CellValue)).toBe('#DIV/0!');
  });

  it('shows dates by column kind: date-only, full ISO, or date-only when an unknown column holds midnight', () => {
    const noon = new Date(Date.UTC(2024, 4, 31, 12, 0, 0));
    const midnight = new Date(Date.UTC(2024, 4, 31));
    expect(cellFromExcel(noon, 'date')).toBe('2024-05-31');
    expect(cellFromExcel(midnight, 'datetime')).toBe('2024-05-31T00:00:00.000Z');
    expect(cellFromExcel(midnight)).toBe('2024-05-31');
    expect(cellFromExcel(noon)).toBe('2024-05-31T12:00:00.000Z');
  });
});

describe('excelValueFor', () => {
  it('writes dates in date columns as real dates, and everything else as given', () => {
    expect(excelValueFor('2024-02-29', 'date')).toEqual(new Date(Date.UTC(2024, 1, 29)));
    expect(excelValueFor('2023-02-29', 'date')).toBe('2023-02-29'); // not a calendar day: kept as text, not shifted
    expect(excelValueFor('2024-02-29', 'text')).toBe('2024-02-29');
    expect(excelValueFor('', 'money')).toBeNull();
    expect(excelValueFor(0, 'money')).toBe(0);
    expect(excelValueFor(true, 'boolean')).toBe(true);
    expect(() => excelValueFor(Number.NaN, 'money')).toThrow(/NaN/);
  });
});

describe('encodeXlsxText', () => {
  it('escapes XML-invalid characters and literal escapes, and leaves ordinary text alone', () => {
    expect(encodeXlsxText('a\u0001b')).toBe('a_x0001_b');
    expect(encodeXlsxText('_x0041_')).toBe('_x005F_x0041_');
    expect(encodeXlsxText('\uD83D\uDE00 \uD83D')).toBe('\uD83D\uDE00 _xD83D_');
    const plain = 'tab\tnew\nline ünïcödé =1+1';
    expect(encodeXlsxText(plain)).toBe(plain);
  });

  it('any string survives an ExcelJS save and load unchanged (property)', async () => {
    const strings = fc.sample(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({
          unit: fc.constantFrom('_', 'x', '0', '4', '1', 'F', 'a', '\u0000', '\uFFFE', '\uD800', ' '),
          maxLength: 20,
        }),
      ),
      { numRuns: 400, seed: 20240601 },
    );
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    strings.forEach((s, i) => (ws.getCell(i + 1, 1).value = excelValueFor(s, 'text')));
    const loaded = new ExcelJS.Workbook();
    await loaded.xlsx.load((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const back = strings.map((_, i) => cellFromExcel(loaded.getWorksheet('s')!.getCell(i + 1, 1).value));
    expect(back).toEqual(strings.map((s) => (s === '' ? '' : s)));
  });
});
