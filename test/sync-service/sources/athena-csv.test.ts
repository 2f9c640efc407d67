/**
 * The Athena result-CSV reader against what it must give back: random records (NULLs, empty strings, quotes,
 * separators, line breaks, any Unicode) written in Athena's dialect and cut into random byte chunks read back
 * the same — and the same as csv-parse (with its per-field `cast`, the slow way) reads them.
 */
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { AthenaCsvReader, type CsvRecord } from '../../../sync-service/sources/athena-csv';

/** Athena's dialect: every value quoted, quotes doubled, NULL an empty unquoted field. */
function athenaCsv(records: CsvRecord[], eol: string, finalEol: boolean): string {
  const line = (r: CsvRecord) => r.map((v) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`)).join(',');
  return records.map(line).join(eol) + (finalEol ? eol : '');
}

function read(bytes: Buffer, cuts: number[]): CsvRecord[] {
  const reader = new AthenaCsvReader();
  const out: CsvRecord[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reader.push(bytes.subarray(at, Math.max(at, cut)), out);
    at = Math.max(at, cut);
  }
  reader.push(bytes.subarray(at), out);
  reader.end(out);
  return out;
}

const text = fc.oneof(
  fc.constantFrom('', '"', '""', ',', '\n', '\r\n', '\r', ' ', 'a,b', '"x"', '東京', '🚀', 'e\u0301'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

const file = fc.integer({ min: 1, max: 4 }).chain((columns) =>
  fc.record({
    records: fc.array(fc.array(fc.option(text, { nil: null }), { minLength: columns, maxLength: columns }), {
      minLength: 1,
      maxLength: 12,
    }),
    eol: fc.constantFrom('\n', '\r\n'),
    finalEol: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 6 }),
  }),
);

test('random records in Athena’s CSV, cut anywhere, read back exactly (property)', () => {
  fc.assert(
    fc.property(file, ({ records, eol, finalEol, cuts }) => {
      // A last record of one NULL is an empty last line: without a final line break it would not exist.
      const last = records[records.length - 1];
      const end = finalEol || (last.length === 1 && last[0] === null);
      const bytes = Buffer.from(athenaCsv(records, eol, end), 'utf8');
      expect(
        read(
          bytes,
          cuts.map((c) => c % (bytes.length + 1)),
        ),
      ).toEqual(records);
    }),
    { numRuns: 500 },
  );
});

test('csv-parse, with cast telling "" from an empty field, reads the same (property)', () => {
  fc.assert(
    fc.property(file, ({ records, cuts }) => {
      const csv = athenaCsv(records, '\n', true);
      const reference = parse(csv, {
        cast: (value, ctx) => (value === '' && !ctx.quoting ? null : value),
        record_delimiter: '\n',
        relax_column_count: true,
      }) as CsvRecord[];
      const bytes = Buffer.from(csv, 'utf8');
      expect(
        read(
          bytes,
          cuts.map((c) => c % (bytes.length + 1)),
        ),
      ).toEqual(reference);
    }),
    { numRuns: 300 },
  );
});

test('anything but a comma or a line break after a quoted value, or a quote never closed, is an error', () => {
  const bytes = (s: string) => Buffer.from(s);
  expect(() => read(bytes('"a","b"\n"x"y,"z"\n'), [])).toThrow(
    /unexpected "y" after a quoted value on line 2/,
  );
  expect(() => read(bytes('"a","b"\n"x\n\n,z\n'), [3])).toThrow(/opened on line 2 is never closed/);
});

test('unquoted values and a missing last line break are read as a CSV writer may vary them', () => {
  expect(read(Buffer.from('a,"b"\r\n1,\n,2'), [])).toEqual([
    ['a', 'b'],
    ['1', null],
    [null, '2'],
  ]);
});
