import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { crc32Combine } from '../../../sync-service/xlsx/crc32-combine';

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

describe('crc32Combine (zlib crc32_combine by hand)', () => {
  it('combine(crc(a), crc(b), len(b)) = crc(a‖b), whatever the two runs', () => {
    fc.assert(
      fc.property(bytes(3_000), bytes(3_000), (a, b) => {
        const joined = Buffer.concat([a, b]);
        expect(crc32Combine(crc32(a) >>> 0, crc32(b) >>> 0, b.length)).toBe(crc32(joined) >>> 0);
      }),
      { numRuns: 500 },
    );
  });

  it('folds over any cut of a run into chunks, as the patcher combines a part chunk by chunk', () => {
    fc.assert(
      fc.property(fc.array(bytes(500), { maxLength: 20 }), (chunks) => {
        let crc = 0;
        for (const c of chunks) crc = crc32Combine(crc, crc32(c) >>> 0, c.length);
        expect(crc).toBe(crc32(Buffer.concat(chunks)) >>> 0);
      }),
      { numRuns: 300 },
    );
  });

  it('holds for a second run of several MB and for lengths past 2^31 (a big part; checked against zlib by zeros)', () => {
    const a = Buffer.from('<row r="1"><c r="A1"><v>1</v></c></row>');
    const b = Buffer.alloc(5 * 1024 * 1024 + 3, 'x');
    expect(crc32Combine(crc32(a) >>> 0, crc32(b) >>> 0, b.length)).toBe(crc32(Buffer.concat([a, b])) >>> 0);
    // Appending n zero bytes: crc(a‖0^n) computed by zlib in steps equals combine with crc(0^n) built the same way.
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    let crcZeros = 0;
    const n = 2 ** 31 + 64 * 1024 * 1024; // 33 rounds of 64 MB
    for (let done = 0; done < n; done += zeros.length) crcZeros = crc32(zeros, crcZeros);
    let crcJoined = crc32(a);
    for (let done = 0; done < n; done += zeros.length) crcJoined = crc32(zeros, crcJoined);
    expect(crc32Combine(crc32(a) >>> 0, crcZeros >>> 0, n)).toBe(crcJoined >>> 0);
  });

  it('refuses a length that is not a byte count', () => {
    expect(() => crc32Combine(0, 0, -1)).toThrow(/byte length/);
    expect(() => crc32Combine(0, 0, 1.5)).toThrow(/byte length/);
  });
});
