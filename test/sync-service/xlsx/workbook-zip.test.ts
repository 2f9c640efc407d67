import { constants, crc32, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { mapFor, recordOf } from '../../../sync-service/sinks/workbook/workbook-chunk-maps';
import {
  entryBytes,
  newEntry,
  pieceBytes,
  readZip,
  writeZip,
  type WrittenEntry,
  type XmlPiece,
  type ZipEntry,
} from '../../../sync-service/xlsx/workbook-zip';

/** The entry as a reader finds it in the file: one buffer of compressed bytes. */
const asRead = (e: WrittenEntry): ZipEntry => readZip(writeZip([e]))[0];

/** Every chunk of the map inflates, on its own, to its stretch of the content: what makes copying it safe. */
function expectIndependentChunks(e: WrittenEntry, content: Buffer): void {
  const raw = Buffer.concat(e.raw);
  const { u, c } = e.chunks;
  expect(u[u.length - 1]).toBe(content.length);
  expect(c[c.length - 1]).toBe(raw.length);
  for (let k = 0; k + 1 < u.length; k++) {
    const alone = inflateRawSync(raw.subarray(c[k], c[k + 1]), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(alone.equals(content.subarray(u[k], u[k + 1]))).toBe(true);
    // The CRC kept per chunk is its stretch's, so a later copy of it can combine it without reading it.
    expect(e.chunks.crcs?.[k]).toBe(crc32(content.subarray(u[k], u[k + 1])) >>> 0);
  }
  expect(e.chunks.crcs).toHaveLength(u.length - 1);
}

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
          expect(inflateRawSync(Buffer.concat(entry.raw)).equals(joined)).toBe(true);
          const [read] = readZip(writeZip([entry]));
          expect(entryBytes(read).equals(joined)).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('stores text pieces UTF-8 and latin1 pieces byte for byte, cutting big text only between characters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            text: fc.string({ unit: 'binary', maxLength: 60 }),
            times: fc.integer({ min: 1, max: 100 }),
            as: fc.constantFrom('bytes', 'text', 'latin1'),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 31, max: 997 }),
        async (specs, chunkBytes) => {
          // '😀' (two UTF-16 units) between the repeats puts surrogate pairs at every offset a cut may fall on.
          const pieces: XmlPiece[] = specs.map(({ text, times, as }) => {
            const s = (text + '😀').repeat(times);
            return as === 'text'
              ? s
              : as === 'latin1'
                ? { latin1: Buffer.from(s).toString('latin1') }
                : Buffer.from(s);
          });
          const expected = Buffer.from(specs.map(({ text, times }) => (text + '😀').repeat(times)).join(''));
          const entry = await newEntry('xl/worksheets/sheet1.xml', pieces, { chunkBytes });
          expect(entry.size).toBe(expected.length);
          expect(entry.crc).toBe(crc32(expected) >>> 0);
          expect(inflateRawSync(Buffer.concat(entry.raw)).equals(expected)).toBe(true);
          expectIndependentChunks(entry, expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  /**
   * Rounds of edits as the patcher makes them: the new content is views into the part as read (the untouched
   * stretches) with new bytes between them (edited, added or removed rows), rewritten with the previous round's
   * chunk map. Whatever the edits, the entry inflates to the new content, every chunk of its new map inflates on
   * its own to its stretch, and the chunks no edit touched are the old compressed bytes.
   */
  it('copies the chunks no edit touches and still inflates to the new content, round after round', async () => {
    const edit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      cut: fc.integer({ min: 0, max: 300 }),
      // Any text, astral characters too (a surrogate pair a chunk must not cut), as the patcher passes it.
      insert: fc.string({ unit: 'binary', maxLength: 200 }),
      as: fc.constantFrom('bytes', 'text', 'latin1'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30_000 }),
        fc.array(fc.array(edit, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 64, max: 4_000 }),
        async (length, rounds, chunkBytes) => {
          let content: Buffer = Buffer.from(
            Array.from(
              { length: Math.ceil(length / 40) },
              (_, i) => `<row r="${i}"><v>${i * 7}</v></row>`,
            ).join(''),
          ).subarray(0, length);
          let entry = await newEntry('xl/worksheets/sheet1.xml', [content], { chunkBytes });
          expectIndependentChunks(entry, content);
          for (const edits of rounds) {
            const read = asRead(entry);
            const map = mapFor(recordOf(entry), read);
            expect(map).toBeDefined();
            expect(map!.crcs).toBeDefined(); // so the copied chunks' CRCs below are combined, not computed
            const xml = entryBytes(read);
            // The edits, in order, as the patcher's pieces: views of xml between them.
            const spots = edits
              .map((e) => ({ ...e, at: Math.floor(e.at * xml.length) }))
              .sort((a, b) => a.at - b.at);
            const pieces: XmlPiece[] = [];
            const untouched: [number, number][] = [];
            let from = 0;
            for (const s of spots) {
              if (s.at < from) continue;
              const bytes = Buffer.from(s.insert);
              pieces.push(
                xml.subarray(from, s.at),
                s.as === 'bytes' ? bytes : s.as === 'text' ? s.insert : { latin1: bytes.toString('latin1') },
              );
              untouched.push([from, s.at]);
              from = Math.min(xml.length, s.at + s.cut);
            }
            pieces.push(xml.subarray(from));
            untouched.push([from, xml.length]);
            const next = pieceBytes(pieces);
            expect(next.length).toBe(
              pieces.reduce(
                (n, p) =>
                  n +
                  (typeof p === 'string' ? Buffer.byteLength(p) : 'latin1' in p ? p.latin1.length : p.length),
                0,
              ),
            );
            const written = await newEntry('xl/worksheets/sheet1.xml', pieces, {
              reuse: { xml, raw: read.raw, map: map! },
              chunkBytes,
            });
            expect(written.size).toBe(next.length);
            expect(written.crc).toBe(crc32(next) >>> 0);
            expect(inflateRawSync(Buffer.concat(written.raw)).equals(next)).toBe(true);
            expectIndependentChunks(written, next);
            // Each old chunk inside an untouched stretch, but the last, is copied: its compressed bytes reappear.
            const { u, c } = map!;
            const copied = Buffer.concat(written.raw);
            for (let k = 0; k + 2 < u.length; k++) {
              if (u[k + 1] === u[k] || !untouched.some(([a, b]) => a <= u[k] && u[k + 1] <= b)) continue;
              expect(copied.includes(read.raw.subarray(c[k], c[k + 1]))).toBe(true);
            }
            entry = written;
            content = next;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a map whose chunk CRCs are missing or do not add up to the entry's is used without them, and the CRC is still right", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2_000, max: 20_000 }),
        fc.constantFrom('missing', 'wrong', 'short', 'not numbers'),
        fc.nat(),
        async (length, damage, pick) => {
          const content = Buffer.from(
            Array.from({ length }, (_, i) => `<row r="${i}"><v>${i}</v></row>`).join(''),
          );
          const first = await newEntry('xl/worksheets/sheet1.xml', [content], { chunkBytes: 1_000 });
          const read = asRead(first);
          const record = recordOf(first);
          const crcs = [...record.crcs!];
          const k = pick % crcs.length;
          if (damage === 'missing') delete record.crcs;
          else if (damage === 'wrong') record.crcs = crcs.map((x, i) => (i === k ? (x ^ 1) >>> 0 : x));
          else if (damage === 'short') record.crcs = crcs.slice(1);
          else record.crcs = crcs.map((x, i) => (i === k ? (String(x) as unknown as number) : x));
          const map = mapFor(record, read);
          expect(map).toBeDefined();
          expect(map!.crcs).toBeUndefined();
          const xml = entryBytes(read);
          const cut = Math.floor(xml.length / 2);
          const next = Buffer.concat([xml.subarray(0, cut), Buffer.from('<row/>'), xml.subarray(cut)]);
          const written = await newEntry(
            'xl/worksheets/sheet1.xml',
            [xml.subarray(0, cut), Buffer.from('<row/>'), xml.subarray(cut)],
            { reuse: { xml, raw: read.raw, map: map! }, chunkBytes: 1_000 },
          );
          expect(written.crc).toBe(crc32(next) >>> 0);
          expectIndependentChunks(written, next);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('with nothing edited, writes the old compressed bytes as they are', async () => {
    const content = Buffer.from('<row r="1"><v>1</v></row>'.repeat(2_000));
    const first = await newEntry('xl/worksheets/sheet1.xml', [content], { chunkBytes: 1_000 });
    const read = asRead(first);
    const xml = entryBytes(read);
    const again = await newEntry(
      'xl/worksheets/sheet1.xml',
      [xml.subarray(0, 30_000), xml.subarray(30_000)],
      {
        reuse: { xml, raw: read.raw, map: mapFor(recordOf(first), read)! },
        chunkBytes: 1_000,
      },
    );
    expect(Buffer.concat(again.raw).equals(read.raw)).toBe(true);
  });

  it('trusts a saved map only for the very bytes it was written for', async () => {
    const content = Buffer.from('<row r="1"><v>1</v></row>'.repeat(500));
    const entry = await newEntry('xl/worksheets/sheet1.xml', [content], { chunkBytes: 1_000 });
    const read = asRead(entry);
    const record = recordOf(entry);
    expect(mapFor(record, read)).toEqual(entry.chunks);
    // The same content deflated differently (another tool, another level): same CRC and size, other bytes.
    const other = await newEntry('xl/worksheets/sheet1.xml', [content], { chunkBytes: 3_000 });
    const otherRead = asRead(other);
    expect(otherRead.crc).toBe(read.crc);
    expect(mapFor(record, otherRead)).toBeUndefined();
    expect(mapFor({ ...record, u: [...record.u.slice(0, -1), record.u.at(-1)! + 1] }, read)).toBeUndefined();
    expect(mapFor({ ...record, c: [1, ...record.c.slice(1)] }, read)).toBeUndefined();
    expect(mapFor({ ...record, u: 'x' as unknown as number[] }, read)).toBeUndefined();
    expect(mapFor(undefined, read)).toBeUndefined();
  });
});
