/**
 * Archiving: PROCESSED credits of closed periods (and their Audit rows) leave the live sheet for an archive
 * workbook per year, so the sheet stays under Google's cell limit. Pure decisions only; the files are
 * sync-service/archive/.
 *
 * An archived credit must never come back as a new credit: the sync drops incoming credits whose key is in the
 * archived set (`withoutArchived`), and the archived Credit IDs stay taken. Where that set comes from is the
 * lifecycle record (the Ledger tab); this module only needs the set.
 */
import type { AuditField } from './sheet-contract';
import type { Credit, CurCredit } from './credit';
import { CreditDeskError } from './errors';
import { creditKey } from './ids';
import { text, type Cell } from './table';

export type AuditRecord = Record<AuditField, Cell>;

export interface ArchiveBatch {
  year: string;
  credits: Credit[];
  audit: AuditRecord[];
}

export interface ArchivePlan {
  batches: ArchiveBatch[];
  keys: Set<string>;
  creditIds: Set<string>;
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

/** What leaves the live sheet: PROCESSED credits of periods before `before`, with every Audit row naming them. */
export function planArchive(
  credits: readonly Credit[],
  audit: readonly AuditRecord[],
  before: string,
): ArchivePlan {
  const byYear = new Map<string, ArchiveBatch>();
  const keys = new Set<string>();
  const creditIds = new Set<string>();
  const yearOfId = new Map<string, string>();
  for (const c of credits) {
    if (c.status !== 'PROCESSED' || !(c.period < before)) continue;
    const year = c.period.slice(0, 4);
    let b = byYear.get(year);
    if (!b) byYear.set(year, (b = { year, credits: [], audit: [] }));
    b.credits.push(c);
    keys.add(c.key);
    creditIds.add(c.creditId);
    yearOfId.set(c.creditId, year);
  }
  for (const a of audit) {
    const year = yearOfId.get(text(a.creditId));
    if (year) byYear.get(year)!.audit.push(a);
  }
  return { batches: [...byYear.values()].sort((a, b) => a.year.localeCompare(b.year)), keys, creditIds };
}

/** An Audit row's identity, so a re-run after a crash does not add the same row to the archive twice. */
export function auditSignature(a: AuditRecord): string {
  return JSON.stringify(
    [a.when, a.who, a.action, a.creditId, a.field, a.before, a.after].map((v) => text(v)),
  );
}

/** Rows already archived merged with new ones: credits by key (the newer copy wins), audit rows once each. */
export function mergeArchive(
  existing: { credits: Credit[]; audit: AuditRecord[] },
  adding: { credits: Credit[]; audit: AuditRecord[] },
): { credits: Credit[]; audit: AuditRecord[] } {
  const byKey = new Map(existing.credits.map((c) => [c.key, c]));
  for (const c of adding.credits) byKey.set(c.key, c);
  const seen = new Set(existing.audit.map(auditSignature));
  const audit = [...existing.audit];
  for (const a of adding.audit) {
    const sig = auditSignature(a);
    if (!seen.has(sig)) {
      seen.add(sig);
      audit.push(a);
    }
  }
  return { credits: [...byKey.values()], audit };
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
