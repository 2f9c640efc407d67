/**
 * The .xlsx zip container, at the level the patching writer needs: list the entries with their compressed
 * bytes, and write a new zip where most entries are those bytes copied as they are (no inflate, no deflate)
 * and a few are new content. A 50,000-credit workbook is ~9 MB compressed and ~100 MB of XML: copying the
 * tabs a command did not touch is what makes a one-credit edit cheap.
 *
 * Only what ExcelJS and Excel write is understood (stored or deflated entries, no zip64, no encryption);
 * anything else is a ZipShapeError and the caller writes the whole workbook with ExcelJS instead.
 */
import {
  constants,
  crc32,
  deflateRawSync,
  createDeflateRaw,
  createInflateRaw,
  inflateRawSync,
  type ZlibOptions,
} from 'node:zlib';
import { crc32Combine } from './crc32-combine';
import { pushAll } from '../../core/arrays';

export class ZipShapeError extends Error {}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** DOS time and date, kept for copied entries. */
  time: number;
  date: number;
  /** The entry's data as stored in the file (compressed when method is 8). */
  raw: Buffer;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const UTF8_NAMES = 0x0800;

export function readZip(buf: Buffer): ZipEntry[] {
  const eocd = findEnd(buf);
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipShapeError('zip64');
  const out: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== CENTRAL) throw new ZipShapeError('bad central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const time = buf.readUInt16LE(p + 12);
    const date = buf.readUInt16LE(p + 14);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 0x0001) throw new ZipShapeError('encrypted entry');
    if (method !== 0 && method !== 8) throw new ZipShapeError(`zip method ${method}`);
    if ([compressedSize, size, local].includes(0xffffffff)) throw new ZipShapeError('zip64');
    if (buf.readUInt32LE(local) !== LOCAL) throw new ZipShapeError('bad local header');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressedSize);
    out.push({ name, method, crc, compressedSize, size, time, date, raw });
  }
  return out;
}

function findEnd(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--)
    if (buf.readUInt32LE(i) === END) return i;
  throw new ZipShapeError('not a zip file');
}

export function entryBytes(e: ZipEntry): Buffer {
  return e.method === 8 ? inflateRawSync(e.raw, { chunkSize: Math.max(64, e.size + 64) }) : e.raw;
}

/**
 * entryBytes on one of libuv's threads: a read starts every part it needs at once, so the tens of MB of XML are
 * inflated on the other core while the first part is being parsed.
 */
export function entryBytesAsync(e: ZipEntry): Promise<Buffer> {
  if (e.method !== 8) return Promise.resolve(e.raw);
  // A stream with one output chunk the size of the part, handed over as it is: zlib.inflateRaw(cb) would copy
  // its output once more (Buffer.concat), 0.1 s of the main thread for the 90 MB of a 50,000-credit workbook.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const inflate = createInflateRaw({ chunkSize: Math.max(64, e.size + 64) });
    inflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    inflate.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    inflate.on('error', reject);
    inflate.end(e.raw);
  });
}

export function entryText(e: ZipEntry): string {
  return entryBytes(e).toString('utf8');
}

/**
 * Where an entry this writer deflated can be cut without inflating it: chunk k is the part's bytes
 * [u[k], u[k+1]) deflated on their own (no reference to earlier bytes) into the entry's compressed bytes
 * [c[k], c[k+1]), ending in a sync flush — but the last chunk, which ends the stream.
 */
export interface ChunkMap {
  u: readonly number[];
  c: readonly number[];
  /**
   * CRC-32 of each chunk's part bytes [u[k], u[k+1]): a copied chunk's CRC is then combined into the part's
   * (crc32-combine.ts) without reading its 4 MB. Absent in maps written before it; then it is computed.
   */
  crcs?: readonly number[];
}

/** The part an entry is rewritten from, when its chunk map is known: the chunks no edit touches are copied. */
export interface Reusable {
  /** The part's bytes as read (inflated); the new content's untouched stretches are views into them. */
  xml: Buffer;
  /** The entry's compressed bytes, as read. */
  raw: Buffer;
  map: ChunkMap;
}

/** An entry this writer made: its compressed bytes as pieces (views into the file read where reused), and its map. */
export interface WrittenEntry extends Omit<ZipEntry, 'raw'> {
  raw: readonly Buffer[];
  chunks: ChunkMap;
  /** CRC-32 of the compressed bytes: what a saved map is checked against before it is trusted. */
  rawCrc: number;
}

/**
 * A piece of a part's new XML: bytes, text (stored UTF-8), or bytes one character each. The patcher's new rows
 * travel as strings, kept in V8's heap until their chunk is deflated: as Buffers they were external memory,
 * and each 64 MB of it held since the last full collection starts another marking of the whole heap (a
 * 150,000-credit collect's patch held 470 MB of new rows and marked a 1.2 GB heap seven times).
 */
export type XmlPiece = Buffer | string | Latin1Bytes;

/** Bytes as a string of one character each (latin1): how the patcher's edited rows travel (editRows). */
export interface Latin1Bytes {
  readonly latin1: string;
}

/** A piece's length: its bytes', but a string's characters (its UTF-8 bytes are as many or more). */
function pieceLength(p: XmlPiece): number {
  return typeof p === 'string' || Buffer.isBuffer(p) ? p.length : p.latin1.length;
}

/** A piece's bytes, in a buffer of their own (the rare paths that edit a part's whole XML again). */
export function pieceBytes(pieces: readonly XmlPiece[]): Buffer {
  if (pieces.length === 1 && Buffer.isBuffer(pieces[0])) return pieces[0];
  const bytes = Buffer.allocUnsafe(byteLength(pieces));
  writePieces(pieces, bytes);
  return bytes;
}

/** The pieces' bytes: a text piece's as UTF-8. */
function byteLength(pieces: readonly XmlPiece[]): number {
  let size = 0;
  for (const p of pieces) size += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : pieceLength(p);
  return size;
}

/** The pieces' bytes one after another from the start of `into` (as long as byteLength at least). */
function writePieces(pieces: readonly XmlPiece[], into: Buffer): void {
  let at = 0;
  for (const p of pieces)
    at += Buffer.isBuffer(p)
      ? p.copy(into, at)
      : typeof p === 'string'
        ? into.write(p, at, 'utf8')
        : into.write(p.latin1, at, 'latin1');
}

/**
 * A new deflated entry from its XML in pieces (the untouched runs of a sheet and the edited rows between
 * them). The stream is made of chunks of a few MB, each deflated on its own and ending in a sync flush, which
 * leaves the stream byte-aligned and open, so the compressed chunks simply follow one another (as pigz does).
 * With `reuse` (the part as read and where its chunks are), a chunk whose bytes are untouched — inside one piece
 * that is a view into the part read — is copied compressed as it is: a one-credit edit deflates one chunk of the
 * 42 MB Credits part instead of all of them. The others are joined into chunks of at least CHUNK_BYTES (thousands
 * of edited rows would otherwise mean thousands of deflate calls, each setting up zlib: 7 s for 22,000 rows,
 * measured) and deflated side by side on libuv's threads. Level 1: the big sheet parts are tens of MB of
 * repetitive XML, where level 1 is several times faster than the default and the file only a little larger
 * (Excel and ExcelJS read any level).
 */
export async function newEntry(
  name: string,
  pieces: readonly XmlPiece[],
  {
    like,
    reuse,
    chunkBytes = CHUNK_BYTES,
  }: {
    /** The entry it replaces: its time stamp is kept. */
    like?: ZipEntry;
    reuse?: Reusable;
    /** For tests: smaller chunks, so small parts have many. */
    chunkBytes?: number;
  } = {},
): Promise<WrittenEntry> {
  const plan = segments(pieces, reuse).map((seg) =>
    'chunk' in seg ? seg : { data: chunked(seg.bytes, chunkBytes) },
  );
  const jobs: { data: readonly XmlPiece[]; last: boolean }[] = [];
  plan.forEach((seg, i) => {
    if ('data' in seg)
      seg.data.forEach((data, j) =>
        jobs.push({ data, last: i === plan.length - 1 && j === seg.data.length - 1 }),
      );
  });
  // The chunks are deflated side by side on libuv's threads, a few at a time (deflateTurn): each chunk's
  // pieces are joined only when its turn comes, so what memory holds is the compressed chunks and the few being
  // deflated, not every chunk of every part joined at once.
  const compressed = await Promise.all(
    jobs.map(({ data, last }) =>
      deflateTurn(async () => {
        const one = data.length === 1 && Buffer.isBuffer(data[0]) ? data[0] : null;
        const join = one ? null : joined(data);
        const bytes = one ?? join!.bytes;
        try {
          const out = await deflated(bytes, {
            level: 1,
            chunkSize: Math.max(64 * 1024, bytes.length >> 2),
            ...(last ? {} : { finishFlush: constants.Z_SYNC_FLUSH }),
          });
          return { length: bytes.length, out, crc: crc32(bytes) >>> 0 };
        } finally {
          join?.release();
        }
      }),
    ),
  );
  const raw: Buffer[] = [];
  const u = [0];
  const c = [0];
  const crcs: number[] = [];
  // The part's CRC-32, combined chunk by chunk: a copied chunk brings its CRC from the map, so only the bytes
  // deflated here are read (the same value as one crc32 over the whole part; crc32-combine.property.test.ts).
  let crc = 0;
  const add = (uncompressed: number, bytes: readonly Buffer[], chunkCrc: number) => {
    let n = 0;
    for (const b of bytes) {
      raw.push(b);
      n += b.length;
    }
    u.push(u[u.length - 1] + uncompressed);
    c.push(c[c.length - 1] + n);
    crcs.push(chunkCrc);
    crc = crc32Combine(crc, chunkCrc, uncompressed);
  };
  let job = 0;
  for (const seg of plan) {
    if ('data' in seg)
      for (let j = 0; j < seg.data.length; j++) {
        const done = compressed[job++];
        add(done.length, [done.out], done.crc);
      }
    else {
      const { u: from, c: at, crcs: known } = reuse!.map;
      const [start, end] = [from[seg.chunk], from[seg.chunk + 1]];
      add(
        end - start,
        [reuse!.raw.subarray(at[seg.chunk], at[seg.chunk + 1])],
        known?.[seg.chunk] ?? crc32(reuse!.xml.subarray(start, end)) >>> 0,
      );
    }
  }
  if (!raw.length) add(0, [deflateRawSync(Buffer.alloc(0))], 0); // an empty part is one final empty block
  let rawCrc = 0;
  for (const b of raw) if (b.length) rawCrc = crc32(b, rawCrc);
  const now = dosDateTime(new Date());
  return {
    name,
    method: 8,
    crc: crc >>> 0,
    compressedSize: c[c.length - 1],
    size: u[u.length - 1],
    time: like?.time ?? now.time,
    date: like?.date ?? now.date,
    raw,
    chunks: { u, c, crcs },
    rawCrc: rawCrc >>> 0,
  };
}

type Segment = { chunk: number } | { bytes: XmlPiece[] };

/**
 * The new content as a sequence of old chunks to copy and runs of bytes to deflate. An old chunk is copied when
 * its whole byte range lies inside one piece that is a view into the part read (so the new content holds exactly
 * those bytes there). The old stream's last chunk ends with the final block: it is copied only to end the new
 * stream, and a chunk that did not end the old stream is not copied to end the new one; either is deflated again.
 */
function segments(pieces: readonly XmlPiece[], reuse?: Reusable): Segment[] {
  const out: Segment[] = [];
  const fresh = (b: XmlPiece) => {
    if (!pieceLength(b)) return;
    const last = out[out.length - 1];
    if (last && 'bytes' in last) last.bytes.push(b);
    else out.push({ bytes: [b] });
  };
  for (const p of pieces) {
    const at = reuse && Buffer.isBuffer(p) ? offsetIn(reuse.xml, p) : -1;
    if (at === -1 || !Buffer.isBuffer(p)) {
      fresh(p);
      continue;
    }
    const { u } = reuse!.map;
    const end = at + p.length;
    let k = firstAtOrAfter(u, at);
    let from = at;
    for (; k < u.length - 1 && u[k + 1] <= end; k++) {
      if (u[k + 1] === u[k]) continue; // an empty chunk holds nothing to copy
      if (u[k] > from) fresh(p.subarray(from - at, u[k] - at));
      out.push({ chunk: k });
      from = u[k + 1];
    }
    if (from < end) fresh(p.subarray(from - at));
  }
  const finalChunk = reuse ? reuse.map.u.length - 2 : -1;
  const bad = (seg: Segment, i: number) =>
    'chunk' in seg && (seg.chunk === finalChunk) !== (i === out.length - 1);
  if (!out.some(bad)) return out;
  // Copy again with those chunks as bytes, joined to the runs around them.
  const fixed: Segment[] = [];
  out.forEach((seg, i) => {
    const bytes =
      'bytes' in seg
        ? seg.bytes
        : bad(seg, i)
          ? [reuse!.xml.subarray(reuse!.map.u[seg.chunk], reuse!.map.u[seg.chunk + 1])]
          : null;
    const last = fixed[fixed.length - 1];
    if (!bytes) fixed.push(seg);
    else if (last && 'bytes' in last) pushAll(last.bytes, bytes);
    else fixed.push({ bytes: [...bytes] });
  });
  return fixed;
}

/** Where `piece` starts inside `whole` when it is a view into the same memory, else -1. */
function offsetIn(whole: Buffer, piece: Buffer): number {
  if (piece.buffer !== whole.buffer) return -1;
  const at = piece.byteOffset - whole.byteOffset;
  return at >= 0 && at + piece.length <= whole.length ? at : -1;
}

/** The first k with sorted[k] >= value (sorted.length when none). */
function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * deflateRaw on libuv's threads, its output copied into one buffer of its size: zlib hands its output over as
 * views into buffers of `chunkSize` (a quarter of the input), and keeping those views kept the whole buffers.
 */
function deflated(data: Buffer, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const deflate = createDeflateRaw(options);
    deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    deflate.on('end', () => resolve(chunks.length === 1 ? Buffer.from(chunks[0]) : Buffer.concat(chunks)));
    deflate.on('error', reject);
    deflate.end(data);
  });
}

/**
 * How many chunks are deflated at once, across every entry being written: libuv's four threads. More in flight
 * only held more joined chunks and zlib buffers at once (a whole-month collect at 150,000 credits started about
 * a hundred at once).
 */
const DEFLATE_AT_ONCE = 4;
let deflating = 0;
const waiting: (() => void)[] = [];

async function deflateTurn<T>(work: () => Promise<T>): Promise<T> {
  if (deflating >= DEFLATE_AT_ONCE) await new Promise<void>((go) => waiting.push(go));
  else deflating++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next)
      next(); // the turn passes on: `deflating` stays as it is
    else deflating--;
  }
}

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The pieces grouped into chunks of at least chunkBytes (consecutive small pieces together; a big piece cut
 * into chunks of chunkBytes, as views), so there are chunks for both cores to deflate. A chunk of several
 * pieces is joined only when it is deflated (newEntry).
 */
function chunked(pieces: readonly XmlPiece[], chunkBytes: number): XmlPiece[][] {
  const out: XmlPiece[][] = [];
  let run: XmlPiece[] = [];
  let runBytes = 0;
  const flush = () => {
    if (run.length) out.push(run);
    run = [];
    runBytes = 0;
  };
  for (const p of pieces) {
    const length = pieceLength(p);
    if (!length) continue;
    if (length >= chunkBytes) {
      flush();
      let at = 0;
      while (length - at >= 2 * chunkBytes) {
        const to = cutAt(p, at + chunkBytes);
        out.push([slice(p, at, to)]);
        at = to;
      }
      out.push([slice(p, at, length)]);
      continue;
    }
    run.push(p);
    runBytes += length;
    if (runBytes >= chunkBytes) flush();
  }
  flush();
  return out;
}

function slice(p: XmlPiece, from: number, to: number): XmlPiece {
  if (Buffer.isBuffer(p)) return p.subarray(from, to);
  return typeof p === 'string' ? p.slice(from, to) : { latin1: p.latin1.slice(from, to) };
}

/** Where a piece may be cut near `at`: text not between the two halves of a surrogate pair (each alone is no character). */
function cutAt(p: XmlPiece, at: number): number {
  if (typeof p !== 'string') return at;
  const unit = p.charCodeAt(at - 1);
  return unit >= 0xd800 && unit <= 0xdbff ? at + 1 : at;
}

/**
 * A chunk's pieces joined into one of DEFLATE_AT_ONCE buffers kept for the purpose, given back once deflated: a
 * buffer per chunk was external memory again, freed only when a collection found it dead (see XmlPiece).
 */
function joined(pieces: readonly XmlPiece[]): { bytes: Buffer; release: () => void } {
  const size = byteLength(pieces);
  const pooled = joinBuffers.pop();
  const buffer =
    pooled && pooled.length >= size ? pooled : Buffer.allocUnsafe(Math.max(size, 2 * CHUNK_BYTES));
  if (pooled && buffer !== pooled) joinBuffers.push(pooled);
  writePieces(pieces, buffer);
  return {
    bytes: buffer.subarray(0, size),
    release: () => {
      if (joinBuffers.length < DEFLATE_AT_ONCE) joinBuffers.push(buffer);
    },
  };
}

const joinBuffers: Buffer[] = [];

export function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** What the zip writer needs of an entry: its header fields, and its stored bytes whole or in pieces. */
type ZipOut = Omit<ZipEntry, 'raw'> & { raw: Buffer | readonly Buffer[] };

/** The zip of these entries, in this order; sizes and CRCs in the local headers (no data descriptors). */
export function writeZip(entries: readonly ZipOut[]): Buffer {
  return Buffer.concat(zipPieces(entries));
}

/**
 * writeZip as the pieces to write one after another: headers, and each entry's data as it is (for an entry copied
 * from the file read, a view into that file's bytes), so a save never joins 13 MB first.
 */
export function zipPieces(entries: readonly ZipOut[]): Buffer[] {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    if (offset > 0xfffffffe || e.compressedSize > 0xfffffffe) throw new ZipShapeError('zip64 needed');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(e.time, 10);
    local.writeUInt16LE(e.date, 12);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.compressedSize, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(CENTRAL, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(UTF8_NAMES, 8);
    cd.writeUInt16LE(e.method, 10);
    cd.writeUInt16LE(e.time, 12);
    cd.writeUInt16LE(e.date, 14);
    cd.writeUInt32LE(e.crc, 16);
    cd.writeUInt32LE(e.compressedSize, 20);
    cd.writeUInt32LE(e.size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, ...(Buffer.isBuffer(e.raw) ? [e.raw] : e.raw));
    central.push(cd, name);
    offset += 30 + name.length + e.compressedSize;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return [...parts, Buffer.concat([...central, end])];
}
