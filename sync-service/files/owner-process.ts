/**
 * Whether the process that left a lock or a temp file can still be running. Only provable on the machine it ran
 * on: there a pid that does not exist is a dead run. Everywhere else the caller must fall back on time.
 *
 * A pid alone can mislead: after a kill it may be reused by an unrelated process, and a container has pids of
 * its own (every `docker run` may be pid 1). So a lock also records where its pid means something (the boot and
 * the pid namespace) and when that process started; a live pid with another start time is another process.
 * Linux only (/proc); elsewhere those are absent and only "is the pid running" is asked.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds something, as recorded in it: enough to tell, on the same machine, that it has died. */
export interface OwnerProcess {
  host: string;
  pid: number;
  /** `<boot id>/<pid namespace>`: a pid recorded under another one names some other process (or none). */
  pidSpace?: string;
  /** The process's start time (clock ticks after boot), so a reused pid is told from the original. */
  pidStart?: string;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Field 22 of /proc/<pid>/stat; undefined off Linux or when the process is gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function pidSpace(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

let self: OwnerProcess | undefined;

export function thisProcess(): OwnerProcess {
  self ??= { host: hostname(), pid: process.pid, pidSpace: pidSpace(), pidStart: processStart(process.pid) };
  return self;
}

/**
 * True only when it is certain that `owner` is no longer running: same host, same boot and pid namespace (or
 * neither side knows them), and its pid is gone or belongs to a process that started at another time. False
 * when it is alive or when that cannot be known from here (another host, another container, an older record).
 */
export function ownerIsGone(owner: Partial<OwnerProcess>): boolean {
  const me = thisProcess();
  if (owner.pid === undefined || owner.host !== me.host || owner.pidSpace !== me.pidSpace) return false;
  if (!pidAlive(owner.pid)) return true;
  if (owner.pidStart === undefined) return false;
  const start = processStart(owner.pid);
  return start !== undefined && start !== owner.pidStart;
}
