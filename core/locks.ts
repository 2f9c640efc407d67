/**
 * Who is writing the spreadsheet right now: the one contract the sync (Sheets API) and the add-on
 * (Apps Script) share so that they never write at the same time.
 *
 * Both live as spreadsheet-level developer metadata, which both sides can read and write:
 * - SYNC_LOCK_KEY: taken by the sync (and every CLI command that writes) from its read to its last write.
 * - ADDON_WRITE_KEY: set by the add-on for the few seconds one of its writes runs.
 *
 * Each side first sets its own marker and only then looks for the other's (set-then-check on both sides),
 * so of two writers starting at once at least one sees the other and backs off. Markers expire, so a
 * crashed writer never blocks anyone for longer than its time-to-live.
 *
 * The sync's marker also names its process (host, pid, and on Linux where the pid is valid and when it started),
 * so that a sync on the same machine can see at once that the holder was killed, without waiting for the expiry.
 * Only the sync side can check that (this file is pure); the add-on, like any other machine, goes by the expiry.
 * Markers written before these fields existed have none of them and are judged by the expiry alone.
 */
export const SYNC_LOCK_KEY = 'credit-desk.lock';
export const ADDON_WRITE_KEY = 'credit-desk.addon-write';

/**
 * Apps Script's longest execution: "Script runtime 6 min / execution" (quotas page,
 * https://developers.google.com/apps-script/guides/services/quotas; a simple onEdit gets 30 s). An execution
 * killed at its limit runs no `finally`, so its marker is never removed: that is what the expiry is for.
 */
export const APPS_SCRIPT_MAX_RUN_MS = 6 * 60_000;

/**
 * How long an add-on write marker is honoured if the add-on dies before removing it: longer than the longest
 * execution that can set it (with a minute to spare for clock skew between Google and the sync's machine), so
 * a slow apply never outlives its own marker.
 */
export const ADDON_WRITE_TTL_MS = APPS_SCRIPT_MAX_RUN_MS + 60_000;

export interface LockMarker {
  /** Who holds it: "credit-desk sync (alice)", a person's email, or "add-on" when the email is blank. */
  owner: string;
  host?: string;
  /** The holding process (the sync's marker only). */
  pid?: number;
  /** Where that pid is valid: `<boot id>/<pid namespace>` (Linux). */
  pidSpace?: string;
  /** When that process started (Linux clock ticks after boot), to tell it from a later one with its pid. */
  pidStart?: string;
  /** ISO time it was taken; shown in messages ("since 10:42 UTC"). */
  since: string;
  /** ISO time after which it is ignored. */
  expiresAt: string;
  /** What an add-on marker covers: "onEdit" for the edit trigger; absent for the sidebar's actions. */
  action?: string;
}

/** The marker an add-on write sets while it runs: who, since when, and when it stops counting if never removed. */
export function addonWriteMarker(owner: string, now: Date, action?: string): LockMarker {
  return {
    owner,
    since: now.toISOString(),
    expiresAt: new Date(now.getTime() + ADDON_WRITE_TTL_MS).toISOString(),
    ...(action && { action }),
  };
}

/** Parses a marker's metadata value; null when it is not one of ours (treated as absent). */

export function parseLockMarker(value: string | null | undefined): LockMarker | null {
  if (!value) return null;
  try {
    const v = JSON.parse(value) as Partial<LockMarker>;
    if (typeof v.owner !== 'string' || typeof v.since !== 'string' || typeof v.expiresAt !== 'string')
      return null;
    return {
      owner: v.owner,
      host: typeof v.host === 'string' ? v.host : undefined,
      ...(Number.isSafeInteger(v.pid) && { pid: v.pid }),
      ...(typeof v.pidSpace === 'string' && { pidSpace: v.pidSpace }),
      ...(typeof v.pidStart === 'string' && { pidStart: v.pidStart }),
      since: v.since,
      expiresAt: v.expiresAt,
      ...(typeof v.action === 'string' && { action: v.action }),
    };
  } catch {
    return null;
  }
}

/** A marker is live until it expires; an unreadable expiry counts as expired. */
export function isLiveMarker(marker: LockMarker | null, now: Date): marker is LockMarker {
  if (!marker) return false;
  const t = Date.parse(marker.expiresAt);
  return Number.isFinite(t) && t > now.getTime();
}

/**
 * The first live marker among the values of every marker with one key. Every one is looked at: a killed
 * execution's expired marker may be listed before a live one, and must not hide it.
 */
export function firstLiveMarker(values: Iterable<string | null | undefined>, now: Date): LockMarker | null {
  for (const v of values) {
    const marker = parseLockMarker(v);
    if (isLiveMarker(marker, now)) return marker;
  }
  return null;
}

/** A marker of ours past its expiry: whoever sees it removes it (an unreadable value is not ours to remove). */
export function isExpiredMarker(value: string | null | undefined, now: Date): boolean {
  const marker = parseLockMarker(value);
  return marker !== null && !isLiveMarker(marker, now);
}

/** "credit-desk sync (alice) on build-7, since 2026-12-01 10:42 UTC" — for refusal and wait messages. */
export function describeMarker(marker: LockMarker): string {
  const since = marker.since.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  return `${marker.owner}${marker.host ? ` on ${marker.host}` : ''}, since ${since}`;
}
