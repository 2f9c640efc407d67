/**
 * Replaces a file so that a crash, a kill or a full disk never leaves it half-written: the new bytes go to a
 * temp file in the same directory (same file system, so the final rename is atomic), are flushed to disk,
 * the previous file is kept as a backup, and only then is the temp file renamed over the target.
 */
import {
  closeSync,
  constants,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { copyFile, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { stopPoint } from '../interrupt';
import { pidAlive } from './owner-process';

/** Writes the bytes to the open temp file. Replaceable so tests can simulate a full disk mid-write. */
export type TempWriter = (file: FileHandle, bytes: Uint8Array) => Promise<void>;

/**
 * A file's bytes, whole or as pieces written one after another: a patched workbook is its zip's entries, most of
 * them views into the file read, and joining them first cost a 13 MB copy into memory never touched before.
 */
export type FileBytes = Uint8Array | readonly Uint8Array[];

export interface AtomicWriteOptions {
  /** Where the previous version is kept (for example "credits.xlsx.bak"); no backup when omitted. */
  backupPath?: string;
  writeTemp?: TempWriter;
}

const writeAll: TempWriter = async (file, bytes) => {
  await file.writeFile(bytes);
};

/** `.credits.xlsx.<pid>.tmp` next to the target: hidden, unique per process, ignored by git (*.xlsx.tmp*). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
}

export async function writeFileAtomically(
  target: string,
  bytes: FileBytes,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await stopPoint(); // after Ctrl-C, the file is left as it is rather than replaced (interrupt.ts)
  const temp = tempPathFor(target);
  const backupTemp = opts.backupPath ? tempPathFor(opts.backupPath) : undefined;
  const done = [claimTemp(temp), backupTemp ? claimTemp(backupTemp) : () => undefined];
  try {
    const file = await open(temp, 'w');
    try {
      if (bytes instanceof Uint8Array) await (opts.writeTemp ?? writeAll)(file, bytes);
      else if (opts.writeTemp) for (const piece of bytes) await opts.writeTemp(file, piece);
      else await file.writev(bytes); // libuv writes every piece, looping over short writes
      await file.sync();
    } finally {
      await file.close();
    }
    if (opts.backupPath && backupTemp) await keepBackup(target, backupTemp, opts.backupPath);
    await rename(temp, target);
  } catch (err) {
    await removeQuietly(temp);
    if (backupTemp) await removeQuietly(backupTemp);
    throw err;
  } finally {
    for (const release of done) release();
  }
  await syncDirectory(dirname(target));
}

/**
 * The file replaced in one rename, without the flush to disk and the backup: for what can be made again (an
 * export). A script reading the file never sees half of it, and a new file is written instead of truncating the
 * old one, which costs ~0.1 s per 40 MB on a file system mounted with `discard` (measured). Written with
 * synchronous calls: fs.promises.writeFile took twice as long for 44 MB of JSON. Texts are encoded one after
 * another into one small buffer that is written and reused (writeTexts).
 */
export function replaceFile(target: string, data: string | Uint8Array | Iterable<string>): void {
  const temp = tempPathFor(target);
  const done = claimTemp(temp);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) writeFileSync(temp, data);
    else {
      const fd = openSync(temp, 'w');
      try {
        writeTexts(fd, data);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  } finally {
    done();
  }
}

const STAGE_BYTES = 1 << 20;

/**
 * The texts as UTF-8, through one 1 MiB buffer: memory touched for the first time is costly (4 ms per MB on the
 * VMs we measure on, 0.2 s for a 44 MB export encoded into new buffers), and a text with one non-Latin-1 character
 * is encoded more slowly than an ASCII one, so one Japanese description no longer slows its 999 neighbours.
 */
function writeTexts(fd: number, texts: Iterable<string>): void {
  const stage = Buffer.allocUnsafe(STAGE_BYTES);
  let used = 0;
  const flush = (bytes: Buffer, length: number) => {
    // write(2) may write less than asked; writeFileSync loops the same way.
    for (let at = 0; at < length;) at += writeSync(fd, bytes, at, length - at);
  };
  for (const text of texts) {
    const most = text.length * 3; // UTF-8 bytes of a UTF-16 unit, at most
    if (most > STAGE_BYTES - used) {
      flush(stage, used);
      used = 0;
      if (most > STAGE_BYTES) {
        const bytes = Buffer.from(text, 'utf8');
        flush(bytes, bytes.length);
        continue;
      }
    }
    used += stage.write(text, used);
  }
  flush(stage, used);
}

/** Copies the current target to the backup path (via its own temp file, so the backup is never half a file either). */
async function keepBackup(target: string, backupTemp: string, backupPath: string): Promise<void> {
  try {
    await copyFile(target, backupTemp, constants.COPYFILE_FICLONE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // first save: nothing to keep
    throw err;
  }
  await rename(backupTemp, backupPath);
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // already gone or never created
  }
}

/** Makes the rename itself durable. Not possible on every platform (Windows refuses to open a directory). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/**
 * The temp files this process is writing now. A temp named with our own pid that is not one of them was left by
 * an earlier process that had the same pid: pids are reused, and a container's command may be pid 1 every run.
 */
const writing = new Set<string>();

/** Marks a temp file as being written by this process, until the returned function is called. */
export function claimTemp(path: string): () => void {
  const key = resolve(path);
  if (!writing.size) process.once('exit', removeTempsBeingWritten);
  writing.add(key);
  return () => {
    writing.delete(key);
    if (!writing.size) process.removeListener('exit', removeTempsBeingWritten);
  };
}

/**
 * A process that exits mid-write (a second Ctrl-C, interrupt.ts) removes its half-written temps: the target was
 * not replaced, and no later run should have to clear them.
 */
function removeTempsBeingWritten(): void {
  for (const path of writing) rmSync(path, { force: true });
}

/** `.<name>.<pid>.tmp`, or a lock's `.<name>.<pid>.<token>.tmp` (file-lock.ts): the pid is the writer's. */
const TEMP_NAME = /^\..+?\.(\d+)(?:\.[0-9a-f]{8})?\.tmp$/;

export interface StaleTempOptions {
  /** Only names that start with this (".credits.xlsx."); default: every temp file in the folder. */
  prefix?: string;
  /** Stale even if its pid is running: the caller holds the lock that every writer of that temp holds. */
  evenIfLive?: (name: string) => boolean;
}

/**
 * Removes the temp files that runs killed between creating and renaming them left in `dir`, and returns their
 * names. Judged by the pid in the name, because nothing else tells whether the writer still runs (a temp's age
 * does not: the next run may start a second after the kill, and a live writer's temp may be about to be
 * renamed): a temp of a running pid is kept; stale are those of a pid that is not running, and those of our own
 * pid that this process is not writing. Pids mean something on one machine and in one pid namespace only, so a
 * folder written at the same time from two machines or two containers is not cleaned safely this way.
 */
export function removeStaleTemps(dir: string, opts: StaleTempOptions = {}): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no folder, no temps
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (!pid || (opts.prefix && !name.startsWith(opts.prefix))) continue;
    const path = join(dir, name);
    const stale =
      pid === process.pid ? !writing.has(resolve(path)) : opts.evenIfLive?.(name) || !pidAlive(pid);
    if (!stale) continue;
    try {
      unlinkSync(path);
      removed.push(name);
    } catch {
      // already gone
    }
  }
  return removed;
}
