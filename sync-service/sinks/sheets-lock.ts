/**
 * One writer at a time, with the lock held IN the spreadsheet (so two machines, or a CLI run and a scheduled
 * job, see the same lock): spreadsheet-level developer metadata "credit-desk.lock" whose value is
 * {owner, host, expiresAt}. It expires, so a crashed run never blocks forever.
 *
 * Acquire: read; if someone else holds an unexpired lock, wait and re-read a few times, then fail saying
 * since when and until when. Otherwise create it under a fixed metadata id (a second creator gets
 * "already exists") or take over an expired one with a lookup on its old value (a compare-and-set: if
 * someone changed it meanwhile nothing matches). Then re-read to confirm we own it; a loser backs off.
 * Release deletes it only if the value is still ours.
 */
import { hostname } from 'node:os';
import type { sheets_v4 } from '@googleapis/sheets';
import { CreditDeskError } from '../../core/errors';
import { SheetsApiError } from './sheets-retry';
import type { SheetsGateway } from './sheets-gateway';

export const LOCK_KEY = 'credit-desk.lock';
/** A fixed id, so two runs creating the lock at once collide instead of both succeeding. */
export const LOCK_METADATA_ID = 1_430_771_001;

export interface LockValue {
  owner: string;
  host: string;
  /** Set when taken; for the message another run shows. */
  since: string;
  expiresAt: string;
}

export interface LockOptions {
  owner: string;
  ttlMs: number;
  now: () => Date;
  /** How many times to re-read a lock held by someone else before giving up. */
  waitAttempts: number;
  waitMs: number;
  sleep: (ms: number) => Promise<void>;
}

export function readLock(
  ss: sheets_v4.Schema$Spreadsheet,
): { meta: sheets_v4.Schema$DeveloperMetadata; value: LockValue | null } | null {
  const meta = (ss.developerMetadata ?? []).find((m) => m.metadataKey === LOCK_KEY);
  if (!meta) return null;
  try {
    const v = JSON.parse(meta.metadataValue ?? '') as LockValue;
    return { meta, value: typeof v?.owner === 'string' && typeof v.expiresAt === 'string' ? v : null };
  } catch {
    return { meta, value: null }; // unreadable: treat as expired, it will be replaced
  }
}

export class SheetLock {
  private held: string | null = null;

  constructor(
    private readonly gw: SheetsGateway,
    private readonly opts: LockOptions,
  ) {}

  /**
   * Takes the lock and returns the spreadsheet as read when ownership was confirmed. `alongWith` requests
   * (e.g. growing the grid) ride in the same atomic batchUpdate, saving a request per run.
   */
  async acquire(
    alongWith: (current: sheets_v4.Schema$Spreadsheet) => sheets_v4.Schema$Request[] = () => [],
  ): Promise<sheets_v4.Schema$Spreadsheet> {
    const { now, ttlMs, owner } = this.opts;
    let waits = 0;
    for (let round = 0; round < this.opts.waitAttempts + 8; round++) {
      const ss = await this.gw.get('reading the sync lock');
      const cur = readLock(ss);
      const expired = !cur?.value || Date.parse(cur.value.expiresAt) <= now().getTime();
      if (cur?.value && !expired && cur.value.owner !== owner) {
        if (waits++ >= this.opts.waitAttempts) {
          throw new CreditDeskError(
            'LOCKED',
            `Another sync (run ${cur.value.owner} on ${cur.value.host}) is running on this sheet since ${cur.value.since}.`,
            `Wait for it to finish and run again. If it crashed, its lock expires at ${cur.value.expiresAt}.`,
          );
        }
        await this.opts.sleep(this.opts.waitMs);
        continue;
      }
      const value = JSON.stringify({
        owner,
        host: hostname(),
        since: now().toISOString(),
        expiresAt: new Date(now().getTime() + ttlMs).toISOString(),
      } satisfies LockValue);
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
                    metadataKey: LOCK_KEY,
                    metadataValue: value,
                    location: { spreadsheet: true },
                    visibility: 'DOCUMENT',
                  },
                },
              },
          ...alongWith(ss), // computed from this round's read, so a retried round does not grow twice
        ]);
      } catch (e) {
        if (e instanceof SheetsApiError && e.status === 400) continue; // lost the race: re-read and look again
        throw e;
      }
      const confirm = await this.gw.get('confirming the sync lock');
      if (readLock(confirm)?.meta.metadataValue === value) {
        this.held = value;
        return confirm;
      }
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
