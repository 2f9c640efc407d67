import fc from 'fast-check';
import { x86 } from 'murmurhash3js-revisited';
import { murmur3x86_128, murmur3x86_128Utf16, utf8Bytes } from '../../core/hash';

describe('murmur3 x86 128', () => {
  it('agrees with an independent implementation on any text, including non-Latin and emoji', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (text, seed) => {
          const bytes = utf8Bytes(text);
          expect(Buffer.from(bytes).equals(Buffer.from(text, 'utf8'))).toBe(true);
          expect(murmur3x86_128(bytes, seed)).toBe(x86.hash128(Buffer.from(text, 'utf8'), seed));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('murmur3 x86 128 over UTF-16 code units', () => {
  it('equals the byte version over the UTF-16LE encoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(murmur3x86_128Utf16(text)).toBe(x86.hash128(Buffer.from(text, 'utf16le'), 0));
      }),
      { numRuns: 500 },
    );
  });
});
