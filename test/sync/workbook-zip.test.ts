import { crc32, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { entryBytes, newEntry, readZip, writeZip } from '../../sync-service/sinks/workbook-zip';

describe('workbook zip entries written in pieces', () => {
  it('inflates to the pieces joined, whatever their number and sizes (thousands of edited rows, pieces cut in chunks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1_000_000, max: 13_000_000 })),
          {
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 3_000 }),
        async (sizes, smallOnes) => {
          const pieces = [...sizes, ...Array.from({ length: smallOnes }, (_, i) => i % 97)].map((n, i) =>
            Buffer.alloc(n, `<row r="${i}"><c r="A${i}"><v>${i}</v></c></row>`),
          );
          const joined = Buffer.concat(pieces);
          const entry = await newEntry('xl/worksheets/sheet1.xml', pieces);
          expect(entry.size).toBe(joined.length);
          expect(entry.crc).toBe(crc32(joined) >>> 0);
          expect(inflateRawSync(entry.raw).equals(joined)).toBe(true);
          const [read] = readZip(writeZip([entry]));
          expect(entryBytes(read).equals(joined)).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });
});
