/**
 * CRC-32 of two byte runs joined, from the CRC-32 of each and the length of the second, without reading the
 * bytes: zlib's crc32_combine (zlib 1.2.12+, crc32.c: multmodp, x2nmodp, crc32_combine64), which Node does not
 * expose. The patching writer copies most chunks of a big sheet part compressed as they are; with each chunk's
 * CRC kept in its chunk map (workbook-chunk-maps.ts), the part's CRC is combined per chunk instead of being
 * recomputed over the 210 MB of a year's Credits XML (0.17 s of a one-credit `assign`, measured).
 *
 * Arithmetic over GF(2) modulo the CRC-32 polynomial, in zlib's reflected bit order: a CRC is a polynomial
 * whose x^0 term is bit 31. Appending n zero bytes to a run multiplies its CRC by x^(8n) mod p, and
 * crc(a‖b) = crc(a) · x^(8·len(b)) ⊕ crc(b) (the pre- and post-conditioning cancel out in this form, as zlib notes).
 */

/** The CRC-32 polynomial, reflected (zlib's POLY). */
const POLY = 0xedb88320;

/** a · b modulo p (zlib's multmodp): both in reflected order. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) mod p (zlib's x2n_table), for k in 0..31. */
const X2N: number[] = (() => {
  const table: number[] = [];
  let p = 0x40000000; // x^1
  table.push(p);
  for (let k = 1; k < 32; k++) table.push((p = multModP(p, p)));
  return table;
})();

/** x^(n · 2^k) mod p (zlib's x2nmodp): n is a byte count when k is 3. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31], p);
    n = Math.floor(n / 2); // not >>: a part may pass 2^31 bytes
    k++;
  }
  return p;
}

/** CRC-32 of a‖b, given crc(a), crc(b) and the byte length of b. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) throw new RangeError(`a byte length, not ${lengthB}`);
  return (multModP(x2nModP(lengthB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
