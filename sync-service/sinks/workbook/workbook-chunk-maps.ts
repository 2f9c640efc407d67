/**
 * Where the parts of a workbook this tool patched can be cut without inflating them (workbook-zip.ts ChunkMap),
 * kept next to it in `.<name>.chunks.json`, so the next patch deflates only the chunks it changes: a one-credit
 * `assign` on 50,000 credits re-deflates one 4 MB chunk of the 42 MB Credits part instead of all eleven.
 *
 * Only an accelerator, never a source of truth: a missing, unreadable or stale file (the workbook saved by Excel
 * or by the full writer, replaced, restored from the backup) only means every chunk is deflated again. A map is
 * used for an entry only when the entry's CRC, sizes and the CRC of its compressed bytes are the ones the map
 * was written with, so a map can never be applied to bytes it does not describe. The file is written under the
 * workbook's writer lock, after the workbook itself (atomically, by rename).
 */
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { replaceFile } from '../../files/atomic-file';
import { crc32Combine } from '../../xlsx/crc32-combine';
import type { ChunkMap, WrittenEntry, ZipEntry } from '../../xlsx/workbook-zip';

/** One entry's map, with what identifies the entry it was written for. */
export interface ChunkRecord extends ChunkMap {
  crc: number;
  size: number;
  compressedSize: number;
  rawCrc: number;
}

const VERSION = 1;

/** `.credits.xlsx.chunks.json` next to `credits.xlsx`: hidden, like the writer's temp files. */
export function chunkMapPath(workbook: string): string {
  return join(dirname(workbook), `.${basename(workbook)}.chunks.json`);
}

/** The records saved for this workbook (zip path → record); empty when there are none or they cannot be read. */
export function readChunkRecords(workbook: string): Map<string, ChunkRecord> {
  try {
    const saved = JSON.parse(readFileSync(chunkMapPath(workbook), 'utf8')) as {
      version?: number;
      entries?: Record<string, ChunkRecord>;
    };
    if (saved.version !== VERSION || typeof saved.entries !== 'object' || saved.entries === null)
      return new Map();
    return new Map(Object.entries(saved.entries));
  } catch {
    return new Map();
  }
}

/** The record's map when it describes exactly this entry's bytes, else undefined. */
export function mapFor(record: ChunkRecord | undefined, entry: ZipEntry): ChunkMap | undefined {
  if (!record || entry.method !== 8) return undefined;
  const { u, c } = record;
  if (!Array.isArray(u) || !Array.isArray(c) || u.length !== c.length || u.length < 2) return undefined;
  for (let k = 0; k < u.length; k++) {
    if (!Number.isSafeInteger(u[k]) || !Number.isSafeInteger(c[k])) return undefined;
    if (k > 0 && (u[k] < u[k - 1] || c[k] < c[k - 1])) return undefined;
  }
  const n = u.length - 1;
  const same =
    u[0] === 0 &&
    c[0] === 0 &&
    u[n] === entry.size &&
    c[n] === entry.compressedSize &&
    record.size === entry.size &&
    record.compressedSize === entry.compressedSize &&
    record.crc === entry.crc &&
    record.rawCrc === crc32(entry.raw) >>> 0; // last: the one that reads the bytes
  if (!same) return undefined;
  const crcs = chunkCrcs(record, entry);
  return crcs ? { u, c, crcs } : { u, c };
}

/**
 * The record's CRC-32 per chunk when they are well formed and combine into the entry's CRC; else undefined (a map
 * written before they were kept, or a damaged file: each copied chunk's CRC is then computed, as it was).
 */
function chunkCrcs(record: ChunkRecord, entry: ZipEntry): readonly number[] | undefined {
  const { crcs, u } = record;
  if (!Array.isArray(crcs) || crcs.length !== u.length - 1) return undefined;
  let crc = 0;
  for (let k = 0; k < crcs.length; k++) {
    const x = crcs[k];
    if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) return undefined;
    crc = crc32Combine(crc, x, u[k + 1] - u[k]);
  }
  return crc === entry.crc >>> 0 ? crcs : undefined;
}

/** The record of an entry this writer just made. */
export function recordOf(entry: WrittenEntry): ChunkRecord {
  return {
    crc: entry.crc,
    size: entry.size,
    compressedSize: entry.compressedSize,
    rawCrc: entry.rawCrc,
    u: [...entry.chunks.u],
    c: [...entry.chunks.c],
    ...(entry.chunks.crcs ? { crcs: [...entry.chunks.crcs] } : {}),
  };
}

/** Saves the records (replacing the file); a failure loses only speed, so it is not an error. */
export function writeChunkRecords(workbook: string, records: ReadonlyMap<string, ChunkRecord>): void {
  try {
    if (!records.size) return removeChunkRecords(workbook);
    replaceFile(
      chunkMapPath(workbook),
      JSON.stringify({ version: VERSION, entries: Object.fromEntries(records) }),
    );
  } catch {
    // read-only folder, full disk: the next patch deflates every chunk
  }
}

/** Forgets the records (a whole-file write made new parts that no map describes). */
export function removeChunkRecords(workbook: string): void {
  try {
    rmSync(chunkMapPath(workbook), { force: true });
  } catch {
    // nothing to remove, or not allowed: a stale file is never used (mapFor)
  }
}
