/**
 * Archiving: PROCESSED credits of closed periods (their Credits rows, their Audit rows and their full Ledger
 * rows) leave the live sheet for an archive workbook per billing period (in a folder per year), so the sheet
 * stays under Google's cell limit.
 * Pure decisions only; the files are sync-service/archive/.
 *
 * An archived credit must never come back as a new credit: the sync drops incoming credits whose key is in the
 * archived set (`withoutArchived`), and the archived Credit IDs stay taken. That set is kept in the Ledger tab
 * itself, packed (core/archived-ledger.ts), so it travels with the sheet.
 */
import type { ArchivedCredit, ArchivedSet } from './archived-ledger';
import type { AuditField } from './sheet-contract';
import type { Credit, CurCredit } from './credit';
import type { LedgerEntry } from './ledger';
import { CreditDeskError } from './errors';
import { creditKey } from './ids';
import { text, type Cell } from './table';

export type AuditRecord = Record<AuditField, Cell>;

/** One archive file's share: the credits of one billing period (a file per period, so a run writes only its own). */
export interface ArchiveBatch {
  period: string;
  credits: Credit[];
  audit: AuditRecord[];
  /** The credits' full Ledger rows: the usage record of each, kept in the archive with it. */
  ledger: LedgerEntry[];
}

export interface ArchivePlan {
  batches: ArchiveBatch[];
  /** Credits rows to remove, by Key. */
  keys: Set<string>;
  /** Audit rows to remove, by Credit ID. */
  creditIds: Set<string>;
  /** Full Ledger rows to remove, by Key (each is in a batch, so it is written to the archive first). */
  ledgerKeys: Set<string>;
  /** What the Ledger's packed archived list must name afterwards (those already listed are skipped on write). */
  listed: ArchivedCredit[];
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `--before` must be a period, and at most the current month: only closed periods are archived. */
export function checkArchiveBefore(before: string, currentPeriod: string): void {
  if (!PERIOD.test(before))
    throw new CreditDeskError('BAD_CONFIG', `--before ${before} is not a billing period.`, 'Use YYYY-MM.');
  if (before > currentPeriod)
    throw new CreditDeskError(
      'BAD_CONFIG',
      `--before ${before} is in the future; only closed periods (before ${currentPeriod}) can be archived.`,
      `Use a period up to ${currentPeriod}.`,
    );
}

/**
 * What leaves the live sheet: PROCESSED credits of periods before `before`, with every Audit row naming them
 * and their Ledger rows. Also whatever an earlier run killed half-way left behind: a Credits or Ledger row whose
 * key is already `archived` goes too (it is in the archive already; merging it again changes nothing).
 */
export function planArchive(
  credits: readonly Credit[],
  audit: readonly AuditRecord[],
  before: string,
  opts: { ledger?: readonly LedgerEntry[]; archived?: ArchivedSet } = {},
): ArchivePlan {
  const archived = opts.archived?.keys ?? new Set<string>();
  const byPeriod = new Map<string, ArchiveBatch>();
  const batch = (period: string) => {
    let b = byPeriod.get(period);
    if (!b) byPeriod.set(period, (b = { period, credits: [], audit: [], ledger: [] }));
    return b;
  };
  const keys = new Set<string>();
  const creditIds = new Set<string>();
  const ledgerKeys = new Set<string>();
  const listed = new Map<string, ArchivedCredit>();
  const periodOfId = new Map<string, string>();
  for (const c of credits) {
    if (!archived.has(c.key) && (c.status !== 'PROCESSED' || !(c.period < before))) continue;
    batch(c.period).credits.push(c);
    keys.add(c.key);
    creditIds.add(c.creditId);
    periodOfId.set(c.creditId, c.period);
    listed.set(c.key, { key: c.key, creditId: c.creditId, usageFileId: c.usageFileId });
  }
  for (const e of opts.ledger ?? []) {
    if (!keys.has(e.key) && !archived.has(e.key)) continue;
    batch(e.period).ledger.push(e);
    ledgerKeys.add(e.key);
    if (!periodOfId.has(e.creditId)) {
      creditIds.add(e.creditId);
      periodOfId.set(e.creditId, e.period);
    }
    listed.set(e.key, { key: e.key, creditId: e.creditId, usageFileId: e.usageFileId });
  }
  for (const a of audit) {
    const period = periodOfId.get(text(a.creditId));
    if (period) byPeriod.get(period)!.audit.push(a);
  }
  return {
    batches: [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period)),
    keys,
    creditIds,
    ledgerKeys,
    listed: [...listed.values()],
  };
}

/** An Audit row's identity, so a re-run after a crash does not add the same row to the archive twice. */
export function auditSignature(a: AuditRecord): string {
  return JSON.stringify(
    [a.when, a.who, a.action, a.creditId, a.field, a.before, a.after].map((v) => text(v)),
  );
}

export interface ArchiveContent {
  credits: Credit[];
  audit: AuditRecord[];
  ledger: LedgerEntry[];
}

/** Rows already archived merged with new ones: credits and Ledger rows by key (the newer copy wins), audit rows once each. */
export function mergeArchive(existing: ArchiveContent, adding: ArchiveContent): ArchiveContent {
  const byKey = new Map(existing.credits.map((c) => [c.key, c]));
  for (const c of adding.credits) byKey.set(c.key, c);
  const ledger = new Map(existing.ledger.map((e) => [e.key, e]));
  for (const e of adding.ledger) ledger.set(e.key, e);
  const seen = new Set(existing.audit.map(auditSignature));
  const audit = [...existing.audit];
  for (const a of adding.audit) {
    const sig = auditSignature(a);
    if (!seen.has(sig)) {
      seen.add(sig);
      audit.push(a);
    }
  }
  return { credits: [...byKey.values()], audit, ledger: [...ledger.values()] };
}

/**
 * The "never re-import" check: incoming CUR credits whose key was archived are dropped (AWS may re-issue a
 * closed month's lines in a later report version; the credit was already passed on and invoiced).
 */
export function withoutArchived(
  incoming: readonly CurCredit[],
  archivedKeys: ReadonlySet<string>,
): { kept: CurCredit[]; skipped: number } {
  if (archivedKeys.size === 0) return { kept: [...incoming], skipped: 0 };
  const kept = incoming.filter((c) => !archivedKeys.has(creditKey(c)));
  return { kept, skipped: incoming.length - kept.length };
}
