/**
 * One writer at a time, with the lock held IN the spreadsheet (so two machines, a CLI run and a scheduled job
 * all see the same lock): spreadsheet-level developer metadata SYNC_LOCK_KEY whose value is a LockMarker
 * (core/locks.ts, the contract shared with the add-on) plus a per-run token. It expires, so a crashed run
 * never blocks anyone for longer than its time-to-live.
 *
 * A run killed on this machine (kill -9, OOM, a closed terminal) need not be waited for: the marker names its
 * process (owner-process.ts), and a lock whose process is certainly gone is taken over at once, saying whose it
 * was. One left on another machine, or by a version that did not record its process, cannot be told from a
 * live one, so it is waited for until it expires (the message says when). A shorter time-to-live kept alive
 * by a heartbeat would shorten that wait, but the heartbeat would change the marker's value under the
 * release that rides in the run's last write (a lookup on the exact value), so it is not done.
 *
 * Acquire: read; while someone else holds an unexpired lock, wait (bounded), then fail naming them and since
 * when. Otherwise create it under a fixed metadata id (a second creator gets "already exists") or take over
 * an expired one with a lookup on its old value (a compare-and-set: if someone changed it meanwhile nothing
 * matches). Re-read to confirm we own it; a loser goes round again.
 *
 * Then the add-on: with our marker set, look for its ADDON_WRITE_KEY marker (set-then-check on both sides, so
 * of two writers starting at once at least one sees the other). While a live one is there, wait (bounded) —
 * the add-on sees our marker and starts no new write — then give up, removing ours, naming who and since when.
 *
 * Every request here is safe to repeat when Google applied it but the reply was lost: a repeated create
 * fails with "already exists" (400) and the next round finds our own marker; update and delete are lookups
 * on the exact value.
 */
import { randomUUID } from 'node:crypto';
import type { sheets_v4 } from '@googleapis/sheets';
import { CreditDeskError } from '../../../core/errors';
import {
  ADDON_WRITE_KEY,
  SYNC_LOCK_KEY,
  describeMarker,
  firstLiveMarker,
  isLiveMarker,
  parseLockMarker,
  type LockMarker,
} from '../../../core/locks';
import { ownerIsGone, thisProcess } from '../../files/owner-process';
import { SheetsApiError } from './sheets-retry';
import { GET_FIELDS, type SheetsGateway } from './sheets-gateway';

/** Kept for callers that named the old constant; the key itself is the shared SYNC_LOCK_KEY. */
export const LOCK_KEY = SYNC_LOCK_KEY;
/** A fixed id, so two runs creating the lock at once collide instead of both succeeding. */
export const LOCK_METADATA_ID = 1_430_771_001;

export interface LockOptions {
  /** Who we are, as other writers are told: "credit-desk sync (alice)". */
  owner: string;
  ttlMs: number;
  now: () => Date;
  /** How long to wait, in total, for another sync or an add-on write before giving up. */
  waitMs: number;
  /** How long to sleep between two looks while waiting. */
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Told once when this run starts waiting, and for whom. */
  onWait?: (message: string) => void;
  /** Told when this run takes over the lock of a run that is no longer running. */
  onTakeOver?: (message: string) => void;
  /** For messages: "Google Sheet 1AbC…". */
  label?: string;
}

/** A spreadsheet-level marker and its parsed value (null when unreadable: treated as absent/expired). */
export function readMarker(
  ss: sheets_v4.Schema$Spreadsheet,
  key: string,
): { meta: sheets_v4.Schema$DeveloperMetadata; value: LockMarker | null } | null {
  const meta = (ss.developerMetadata ?? []).find((m) => m.metadataKey === key);
  if (!meta) return null;
  return { meta, value: parseLockMarker(meta.metadataValue) };
}

export function readLock(ss: sheets_v4.Schema$Spreadsheet) {
  return readMarker(ss, SYNC_LOCK_KEY);
}

/** What to tell someone whose run is refused a live lock: whether it can be taken over, and when it expires. */
function ifCrashed(other: LockMarker, now: Date): string {
  const me = thisProcess();
  if (other.pid !== undefined && other.host === me.host && other.pidSpace === me.pidSpace)
    return `It is still running on this machine as process ${other.pid}; if it hangs, stop it, and the next run takes its lock over at once.`;
  const minutes = Math.max(1, Math.ceil((Date.parse(other.expiresAt) - now.getTime()) / 60_000));
  return (
    `If it crashed, its lock expires at ${other.expiresAt} (in ${minutes} min); until then a run killed on ` +
    `another machine${other.pid === undefined ? ' or by an older version' : ''} cannot be told from a live one.`
  );
}

export class SheetLock {
  private held: string | null = null;

  constructor(
    private readonly gw: SheetsGateway,
    private readonly opts: LockOptions,
  ) {}

  /** Takes the lock and returns the spreadsheet as read once ownership (and no add-on write) was confirmed. */
  async acquire(): Promise<sheets_v4.Schema$Spreadsheet> {
    const { now, ttlMs, owner } = this.opts;
    const label = this.opts.label ?? 'The spreadsheet';
    const deadline = Date.now() + this.opts.waitMs;
    const waitSeconds = Math.round(this.opts.waitMs / 1000);
    let announced = false;
    const waitFor = async (who: string): Promise<boolean> => {
      if (!announced) {
        announced = true;
        this.opts.onWait?.(`${label} is being changed by ${who}; waiting up to ${waitSeconds} s…`);
      }
      if (Date.now() >= deadline) return false;
      await this.opts.sleep(this.opts.pollMs);
      return true;
    };
    const value = JSON.stringify({
      owner,
      ...thisProcess(), // host, pid, and where and when that pid started: see ownerIsGone
      since: now().toISOString(),
      expiresAt: new Date(now().getTime() + ttlMs).toISOString(),
      run: randomUUID(), // makes the value unique, so "is it ours?" is an exact comparison
    });

    // Waiting is bounded by time (waitFor); this only bounds rounds lost to other runs taking the lock first.
    for (let lost = 0; lost < 50;) {
      const ss = await this.gw.get('reading the sync lock', GET_FIELDS.lock);
      const cur = readLock(ss);
      const mine = cur?.meta.metadataValue === value;
      const other = mine ? null : (cur?.value ?? null);
      if (isLiveMarker(other, now()) && ownerIsGone(other)) {
        // Taken over below just like an expired lock: an update with a lookup on this exact value.
        this.opts.onTakeOver?.(
          `${label}: taking over the sync lock of ${describeMarker(other)}: its process (pid ${other.pid}) is no longer running on this machine.`,
        );
      } else if (isLiveMarker(other, now())) {
        if (await waitFor(`another run (${describeMarker(other)})`)) continue;
        throw new CreditDeskError(
          'LOCKED',
          `${label} is being changed by another run: ${describeMarker(other)}; gave up after waiting ${waitSeconds} s.`,
          `Wait for it to finish and run again (CREDIT_DESK_LOCK_WAIT=<seconds> waits longer). ${ifCrashed(other, now())}`,
        );
      }
      if (!mine) {
        try {
          await this.gw.batchUpdate('taking the sync lock', [
            cur
              ? {
                  updateDeveloperMetadata: {
                    dataFilters: [
                      {
                        developerMetadataLookup: {
                          metadataId: cur.meta.metadataId,
                          metadataValue: cur.meta.metadataValue,
                        },
                      },
                    ],
                    developerMetadata: { metadataValue: value },
                    fields: 'metadataValue',
                  },
                }
              : {
                  createDeveloperMetadata: {
                    developerMetadata: {
                      metadataId: LOCK_METADATA_ID,
                      metadataKey: SYNC_LOCK_KEY,
                      metadataValue: value,
                      location: { spreadsheet: true },
                      visibility: 'DOCUMENT',
                    },
                  },
                },
          ]);
        } catch (e) {
          if (e instanceof SheetsApiError && e.status === 400) {
            lost++; // lost the race, or our own create whose reply was lost: the next round tells which
            continue;
          }
          throw e;
        }
      }
      const confirm = await this.gw.get('confirming the sync lock', GET_FIELDS.layout);
      if (readLock(confirm)?.meta.metadataValue !== value) {
        lost++;
        continue;
      }
      this.held = value;

      // Our marker is set: now the add-on's. It checks ours before each write, so none starts from here on.
      // Any live add-on marker blocks: an expired one (an execution killed at its limit) may be listed first.
      const addon = firstLiveMarker(
        (confirm.developerMetadata ?? [])
          .filter((m) => m.metadataKey === ADDON_WRITE_KEY)
          .map((m) => m.metadataValue),
        now(),
      );
      if (!isLiveMarker(addon, now())) return confirm;
      if (await waitFor(`the add-on (${describeMarker(addon)})`)) continue;
      await this.release().catch(() => undefined);
      throw new CreditDeskError(
        'LOCKED',
        `${label} is being changed in the add-on by ${describeMarker(addon)}; gave up after waiting ${waitSeconds} s.`,
        `Run again when that person's action has finished. If the add-on was interrupted, its marker expires at ${addon.expiresAt}.`,
      );
    }
    throw new CreditDeskError(
      'LOCKED',
      'Could not take the sync lock: other runs kept taking it.',
      'Make sure only one scheduled sync runs at a time, then run again.',
    );
  }

  /** The request that releases the lock, to ride along in the run's last batchUpdate. */
  releaseRequest(): sheets_v4.Schema$Request {
    if (!this.held) throw new Error('releaseRequest() without the lock');
    return {
      deleteDeveloperMetadata: {
        dataFilter: { developerMetadataLookup: { metadataId: LOCK_METADATA_ID, metadataValue: this.held } },
      },
    };
  }

  markReleased(): void {
    this.held = null;
  }

  get isHeld(): boolean {
    return this.held !== null;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    await this.gw.batchUpdate('releasing the sync lock', [this.releaseRequest()]);
    this.held = null;
  }
}
