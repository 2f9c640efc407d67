/**
 * Identity. A credit's key says which CUR credit it is (stable across report versions, unlike
 * identity_line_item_id); its Credit ID is the human handle staff quote (AWSC-YYYYMM-NNNN-NNNN).
 *
 * Credit IDs are derived from the key by hash, then probed past any ID already taken, so they are
 * deterministic for a given sheet, unique, and never reused: callers pass every ID ever issued (the Credits
 * tab and the Audit tab), so a deleted row's ID is still "taken".
 */
import { murmur3x86_128Utf16 } from './hash';

export interface KeyParts {
  period: string;
  payerAccountId: string;
  accountId: string;
  description: string;
  service: string;
  currency: string;
}

/** Whitespace and Unicode normalisation, so "MAP  credit" and "MAP credit" in two report versions are one credit. */
function norm(s: string): string {
  // Plain single-spaced ASCII (almost every CUR description) is already normal: skip the costly normalize().
  if (/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(s)) return s;
  return s.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/**
 * An AWS account ID as text. Account IDs are 12 digits, but a CUR column typed as a number (BIGINT), a sheet
 * cell or a CSV a spreadsheet saved as a number drops the leading zeros: all-digit text shorter than 12 gets
 * them back. Anything else (empty, letters, too long) is returned trimmed, for the caller to flag. Every
 * reader of an account ID goes through here, so a credit has one key whatever type its source had.
 */
export function accountText(value: string | number | boolean | null | undefined): string {
  const t = value === null || value === undefined ? '' : String(value).trim();
  return /^\d{1,11}$/.test(t) ? t.padStart(12, '0') : t;
}

export function creditKey(p: KeyParts): string {
  const canonical = JSON.stringify([
    p.period,
    accountText(p.payerAccountId),
    accountText(p.accountId),
    p.service,
    p.currency,
    norm(p.description),
  ]);
  return 'k1-' + murmur3x86_128Utf16(canonical);
}

export const CREDIT_ID_PATTERN = /^AWSC-\d{6}-\d{4}-\d{4}$/;

/** `count` decimal digits (≤ 16) drawn from the hash of `seed`. */
function digitsFrom(seed: string, count: number): string {
  const hex = murmur3x86_128Utf16(seed);
  // Two 32-bit words → two 8-digit groups: uniform enough for IDs, and collisions are probed past anyway.
  const a = String(parseInt(hex.slice(0, 8), 16) % 1e8).padStart(8, '0');
  const b = String(parseInt(hex.slice(8, 16), 16) % 1e8).padStart(8, '0');
  return (a + b).slice(0, count);
}

/**
 * Issues IDs for new credits. `taken` holds every ID in use or issued; it is updated as IDs are handed out.
 * Keys are processed in sorted order so that the same input always yields the same IDs.
 *
 * `reissuable`: IDs the Audit shows were issued and that no row, Ledger entry or archive holds — a credit
 * deleted by hand (never collected) that the CUR brings back. A key whose own earlier ID is among them gets
 * it again, found the way reconciliation puts a hand-edited ID back: the first of the key's candidates that
 * was issued. Staff keep the ID they knew; the key, not the ID, is what billing goes by.
 */
export function issueCreditIds(
  newCredits: { key: string; period: string }[],
  taken: Set<string>,
  reissuable: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const ids = new Map<string, string>();
  const reissued = new Set<string>();
  const sorted = [...newCredits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { key, period } of sorted) {
    if (ids.has(key)) continue;
    const again = reissuable.size ? earlierId(key, period, reissuable, reissued) : undefined;
    if (again) {
      reissued.add(again);
      taken.add(again);
      ids.set(key, again);
      continue;
    }
    for (let attempt = 0; ; attempt++) {
      const id = creditIdCandidate(key, period, attempt);
      if (!taken.has(id)) {
        taken.add(id);
        ids.set(key, id);
        break;
      }
      if (attempt > 10_000) throw new Error(`no free credit ID for period ${period}`);
    }
  }
  return ids;
}

/** How many of a key's candidates are tried for its earlier ID, as reconciliation does. */
const EARLIER_ID_ATTEMPTS = 32;

/** The key's earlier ID among `reissuable`, unless already handed out in this run (see issueCreditIds). */
function earlierId(
  key: string,
  period: string,
  reissuable: ReadonlySet<string>,
  reissued: ReadonlySet<string>,
): string | undefined {
  const id = firstCandidate(key, period, (c) => reissuable.has(c));
  return id && !reissued.has(id) ? id : undefined;
}

/**
 * The ID `issueCreditIds` tries for a key at probe `attempt`. The ID a credit was given is the first of these
 * that was issued (the Audit tab lists every issued ID), so a Credit ID edited by hand can be put back.
 */
export function creditIdCandidate(key: string, period: string, attempt: number): string {
  const d = digitsFrom(`${key}#${attempt}`, 8);
  return `AWSC-${period.replace('-', '')}-${d.slice(0, 4)}-${d.slice(4)}`;
}

/**
 * The first of the key's candidate IDs (its first EARLIER_ID_ATTEMPTS, in the order `issueCreditIds` tries them)
 * that `accept` takes, or undefined: how a credit's earlier ID is found again (issued by the Audit's word, not
 * held by another row), and whether an ID could be the key's at all.
 */
export function firstCandidate(
  key: string,
  period: string,
  accept: (id: string) => boolean,
): string | undefined {
  for (let attempt = 0; attempt < EARLIER_ID_ATTEMPTS; attempt++) {
    const id = creditIdCandidate(key, period, attempt);
    if (accept(id)) return id;
  }
  return undefined;
}

/** Whether `id` is one of the IDs `issueCreditIds` could have given the key (its first EARLIER_ID_ATTEMPTS). */
export function isCandidateOf(key: string, period: string, id: string): boolean {
  return firstCandidate(key, period, (c) => c === id) !== undefined;
}

export const USAGE_FILE_ID_PATTERN = /^UF-\d{4}-\d{2}-\d{4}-\d{4}$/;

/** A usage file ID in Connect's shape, UF-YYYY-MM-NNNN-NNNN, for the month the file is created in. */
export function usageFileId(nowIso: string, seed: string, taken: ReadonlySet<string>): string {
  const yyyy_mm = nowIso.slice(0, 7);
  for (let attempt = 0; ; attempt++) {
    const d = digitsFrom(`${seed}#${nowIso}#${attempt}`, 8);
    const id = `UF-${yyyy_mm}-${d.slice(0, 4)}-${d.slice(4)}`;
    if (!taken.has(id)) return id;
  }
}

/** Record IDs belong to their file: UF-2026-11-1234-5678 → UR-2026-11-1234-5678-00001. */
export function usageRecordId(fileId: string, index: number): string {
  return `${fileId.replace(/^UF-/, 'UR-')}-${String(index + 1).padStart(5, '0')}`;
}
