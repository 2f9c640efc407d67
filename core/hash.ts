/**
 * MurmurHash3 x86 128-bit over UTF-8 bytes. The credit key is a hash of a credit's identifying fields; it has to
 * be stable forever, identical in Node and Apps Script, and fast enough for 100,000 credits per sync. A
 * cryptographic hash in pure JS (no Node crypto in the shared core) costs ~7 µs a key, 15× more; the keys are
 * not a security boundary, and 128 bits make an accidental collision negligible (≈10⁻²⁸ for 10⁵ credits).
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function utf8Bytes(text: string): Uint8Array {
  // TextEncoder exists in Node and in browsers but not in Apps Script, so encode by hand.
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}

/** The 128-bit hash of bytes, as 32 hex digits (h1 h2 h3 h4, each as a big-endian 32-bit word). */
export function murmur3x86_128(bytes: Uint8Array, seed = 0): string {
  return murmurCore(
    bytes.length,
    (i) => bytes[i],
    (i) => bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24),
    seed,
  );
}

/**
 * The same hash over a string's UTF-16LE bytes, read straight from its code units: no encoding step, which on
 * a 100,000-credit sync is most of the hashing time. Equal to murmur3x86_128(Buffer.from(text, 'utf16le')).
 */
export function murmur3x86_128Utf16(text: string, seed = 0): string {
  return murmurCore(
    text.length * 2,
    (i) => (i & 1 ? text.charCodeAt(i >> 1) >> 8 : text.charCodeAt(i >> 1) & 0xff),
    (i) => text.charCodeAt(i >> 1) | (text.charCodeAt((i >> 1) + 1) << 16),
    seed,
  );
}

function murmurCore(
  len: number,
  byteAt: (i: number) => number,
  word: (i: number) => number,
  seed: number,
): string {
  const blocks = len - (len % 16);
  let h1 = seed >>> 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = word(i);
    let k2 = word(i + 4);
    let k3 = word(i + 8);
    let k4 = word(i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The tail (len % 16 bytes) fills up to four more words, least significant byte first.
  const rem = len & 15;
  const k = [0, 0, 0, 0];
  for (let i = 0; i < rem; i++) k[i >> 2] |= byteAt(blocks + i) << ((i & 3) * 8);
  if (rem > 12) h4 ^= Math.imul(rotl(Math.imul(k[3], C4), 18), C1);
  if (rem > 8) h3 ^= Math.imul(rotl(Math.imul(k[2], C3), 17), C4);
  if (rem > 4) h2 ^= Math.imul(rotl(Math.imul(k[1], C2), 16), C3);
  if (rem > 0) h1 ^= Math.imul(rotl(Math.imul(k[0], C1), 15), C2);
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return hex32(h1) + hex32(h2) + hex32(h3) + hex32(h4);
}
