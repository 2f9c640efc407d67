/**
 * One writer at a time for a local workbook: an exclusive lock file beside it (`credits.xlsx.lock`), held by
 * every command that writes, from its first read to its close, so that a read-plan-write never interleaves
 * with another one (two `assign`s, `assign` + `usage collect`, two collects …).
 *
 * Taking it: the holder's description {pid, host, command, since, token} is written to a private temp file,
 * which is then hard-linked to the lock name. link() fails with EEXIST when the lock exists, exactly like
 * open(O_CREAT|O_EXCL), but the lock never exists half-written, so a waiter always reads a whole holder.
 *
 * A lock is stale when its holder cannot still be running: same host and the pid is gone (a killed run), or
 * it has not been refreshed for `staleAfterMs` (another host; the holder touches the file while it runs).
 * Breaking a stale lock goes through a second exclusive file (`.lock.break`), so two waiters that both see
 * the same stale lock cannot both break it and end up both "holding" a fresh one.
 *
 * A waiter waits up to `waitMs`, saying once for whom, then fails with who holds it and since when.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CreditDeskError } from '../../core/errors';
import { claimTemp, removeStaleTemps } from './atomic-file';
import { pidAlive } from './owner-process';

export interface FileLockHolder {
  pid: number;
  host: string;
  /** e.g. "credit-desk assign AWSC-202610-4821-0937" */
  command: string;
  /** ISO time it was taken. */
  since: string;
  /** Unique per acquisition: release and stale-breaking check it, never just the pid. */
  token: string;
}

export interface FileLockOptions {
  /** What the holder is doing, shown to anyone who waits. */
  command: string;
  /** How long to wait for another writer before giving up (default 30 s). */
  waitMs?: number;
  /** How often to look again while waiting. */
  pollMs?: number;
  /** Told once when this run starts waiting (and for whom). */
  onWait?: (message: string) => void;
  /** A lock not refreshed for this long is stale, whatever host holds it (default 5 min). */
  staleAfterMs?: number;
  now?: () => Date;
}

export interface FileLock {
  readonly path: string;
  readonly holder: FileLockHolder;
  release(): Promise<void>;
}

export const DEFAULT_LOCK_WAIT_MS = 30_000;
const DEFAULT_STALE_MS = 5 * 60_000;
/** The holder refreshes the lock's mtime this often, so a long run on another host is not taken for dead. */
const HEARTBEAT_MS = 20_000;
/** A `.lock.break` older than this was left by a run killed while breaking a stale lock. */
const BREAK_STALE_MS = 10_000;

export function lockPathFor(target: string): string {
  return `${target}.lock`;
}

/** "credit-desk assign … (pid 4242 on build-7), since 2026-12-01 10:42:07 UTC" */
export function describeHolder(h: FileLockHolder): string {
  const since = h.since.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
  return `${h.command} (pid ${h.pid} on ${h.host}), since ${since}`;
}

export async function acquireFileLock(target: string, opts: FileLockOptions): Promise<FileLock> {
  const path = lockPathFor(target);
  const label = basename(target);
  const now = opts.now ?? (() => new Date());
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const pollMs = opts.pollMs ?? 100;
  const staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_MS;
  const holder: FileLockHolder = {
    pid: process.pid,
    host: hostname(),
    command: opts.command,
    since: now().toISOString(),
    token: randomUUID(),
  };
  const started = Date.now();
  let announced = false;

  for (;;) {
    holder.since = now().toISOString(); // when it was really taken, not when we started waiting
    if (await tryCreate(path, holder)) return held(path, holder);
    const current = await readHolder(path);
    if (current === 'gone') continue; // released between our attempt and our read: try again at once
    if (await isStale(path, current, staleAfterMs)) {
      await breakStale(path, current);
      continue;
    }
    const who = current ? describeHolder(current) : 'another run (its lock file is being written)';
    // Said before the deadline is checked: a first look that took the whole wait (a loaded machine) still tells
    // the user whom it waited for.
    if (!announced) {
      announced = true;
      opts.onWait?.(`${label} is being changed by ${who}; waiting up to ${Math.round(waitMs / 1000)} s…`);
    }
    if (Date.now() - started >= waitMs) {
      throw new CreditDeskError(
        'LOCKED',
        `${label} is being changed by ${who}; gave up after waiting ${Math.round(waitMs / 1000)} s.`,
        `Wait for it to finish and run again (CREDIT_DESK_LOCK_WAIT=<seconds> waits longer). ` +
          `If that run is not running any more, delete ${basename(path)}.`,
      );
    }
    await sleep(pollMs / 2 + Math.random() * pollMs); // jitter, so waiters do not retry in lockstep
  }
}

/** Creates the lock atomically with its content; false when it already exists. */
async function tryCreate(path: string, holder: FileLockHolder): Promise<boolean> {
  const temp = join(dirname(path), `.${basename(path)}.${holder.pid}.${holder.token.slice(0, 8)}.tmp`);
  const done = claimTemp(temp); // another lock of this process must not clean it away before the link
  try {
    await writeFile(temp, JSON.stringify(holder), { flag: 'wx' });
    try {
      await link(temp, path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  } finally {
    done();
  }
}

/** The holder, null when the file is unreadable, 'gone' when there is no lock any more. */
async function readHolder(path: string): Promise<FileLockHolder | null | 'gone'> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<FileLockHolder>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.token !== 'string') return null;
    return {
      pid: v.pid,
      host: v.host,
      command: String(v.command ?? 'an unknown command'),
      since: String(v.since ?? ''),
      token: v.token,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return null;
  }
}

async function isStale(path: string, h: FileLockHolder | null, staleAfterMs: number): Promise<boolean> {
  if (h && h.host === hostname() && !pidAlive(h.pid)) return true;
  try {
    return Date.now() - (await stat(path)).mtimeMs > staleAfterMs;
  } catch {
    return false; // gone: the next round takes it
  }
}

/** Removes a stale lock, but only the one we judged stale, and only one breaker at a time. */
async function breakStale(path: string, seen: FileLockHolder | null): Promise<void> {
  const breaker = `${path}.break`;
  try {
    await writeFile(breaker, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Someone else is breaking it; if they were killed doing so, clear their marker.
    const age = await stat(breaker).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > BREAK_STALE_MS) await unlink(breaker).catch(() => undefined);
    await sleep(20);
    return;
  }
  try {
    const again = await readHolder(path);
    const same = again === null ? seen === null : again !== 'gone' && again.token === seen?.token;
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

function held(path: string, holder: FileLockHolder): FileLock {
  let released = false;
  // Refreshes mtime so another host does not take a long run for a dead one; never keeps the process alive.
  const heartbeat = setInterval(() => {
    const t = new Date();
    void utimes(path, t, t).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // A run that exits without closing (an uncaught error, process.exit) still frees the workbook.
  const onExit = () => {
    if (released) return;
    try {
      unlinkOwnSync(path, holder.token);
    } catch {
      // nothing more can be done while exiting
    }
  };
  process.once('exit', onExit);
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      process.removeListener('exit', onExit);
      const current = await readHolder(path);
      if (current && current !== 'gone' && current.token === holder.token)
        await unlink(path).catch(() => undefined);
    },
  };
}

function unlinkOwnSync(path: string, token: string): void {
  const v = JSON.parse(readFileSync(path, 'utf8')) as { token?: string };
  if (v.token === token) unlinkSync(path);
}

/**
 * Removes temp files a killed run left beside the target (`.credits.xlsx.<pid>.tmp`, backup temps, lock
 * temps). Called while holding the lock: every writer holds it, so a workbook or backup temp of another pid
 * belongs to a dead run even if that pid runs something else now; a lock temp is a waiter's, judged by its pid.
 */
export function removeLeftoverTemps(target: string): string[] {
  return removeStaleTemps(dirname(target), {
    prefix: `.${basename(target)}.`,
    evenIfLive: (name) => !name.includes('.lock.'),
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
