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
 * A new deflated entry from its XML in pieces (the untouched runs of a sheet and the edited rows between
 * them). Small neighbouring pieces are joined into chunks of a few MB (thousands of edited rows would
 * otherwise mean thousands of deflate calls, each setting up zlib: 7 s for 22,000 rows, measured); each chunk
 * but the last is deflated ending in a sync flush, which leaves the stream byte-aligned and open, so the
 * compressed chunks simply follow one another (as pigz does). Level 1: the big sheet parts are tens of MB of
 * repetitive XML, where level 1 is several times faster than the default and the file only a little larger
 * (Excel and ExcelJS read any level).
 */
export async function newEntry(name: string, pieces: readonly Buffer[], like?: ZipEntry): Promise<ZipEntry> {
  const parts = chunked(pieces.filter((p) => p.length > 0));
  let crc = 0;
  let size = 0;
  for (const data of parts) {
    crc = crc32(data, crc);
    size += data.length;
  }
  // The chunks are deflated side by side on libuv's threads: on two cores, half the wait of one after another.
  const compressed = await Promise.all(
    parts.map((data, i) =>
      deflated(data, {
        level: 1,
        chunkSize: Math.max(64 * 1024, data.length >> 2),
        ...(i === parts.length - 1 ? {} : { finishFlush: constants.Z_SYNC_FLUSH }),
      }),
    ),
  );
  const raw = parts.length ? Buffer.concat(compressed.flat()) : deflateRawSync(Buffer.alloc(0));
  const now = dosDateTime(new Date());
  return {
    name,
    method: 8,
    crc: crc >>> 0,
    compressedSize: raw.length,
    size,
    time: like?.time ?? now.time,
    date: like?.date ?? now.date,
    raw,
  };
}

/** deflateRaw on libuv's threads, its output chunks as zlib hands them over (views, no copy joining them). */
function deflated(data: Buffer, options: ZlibOptions): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const deflate = createDeflateRaw(options);
    deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    deflate.on('end', () => resolve(chunks));
    deflate.on('error', reject);
    deflate.end(data);
  });
}

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Consecutive pieces joined until each chunk holds at least CHUNK_BYTES, and a big piece cut into chunks of
 * CHUNK_BYTES (views, not copies), so there are chunks for both cores to deflate.
 */
function chunked(pieces: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runBytes = 0;
  const flush = () => {
    if (run.length) out.push(run.length === 1 ? run[0] : Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const p of pieces) {
    if (p.length >= CHUNK_BYTES) {
      flush();
      let at = 0;
      for (; p.length - at >= 2 * CHUNK_BYTES; at += CHUNK_BYTES) out.push(p.subarray(at, at + CHUNK_BYTES));
      out.push(p.subarray(at));
      continue;
    }
    run.push(p);
    runBytes += p.length;
    if (runBytes >= CHUNK_BYTES) flush();
  }
  flush();
  return out;
}

function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** The zip of these entries, in this order; sizes and CRCs in the local headers (no data descriptors). */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  return Buffer.concat(zipPieces(entries));
}

/**
 * writeZip as the pieces to write one after another: headers, and each entry's data as it is (for an entry copied
 * from the file read, a view into that file's bytes), so a save never joins 13 MB first.
 */
export function zipPieces(entries: readonly ZipEntry[]): Buffer[] {
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
    parts.push(local, name, e.raw);
    central.push(cd, name);
    offset += 30 + name.length + e.raw.length;
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
