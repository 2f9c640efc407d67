/**
 * A Ledger row's Key checked against the credit its row names, where no usage file can say (decision 0031).
 *
 * The usage files prove the Ledger rows they hold (decision 0030), but only where they are: on a fresh container,
 * or with the folder moved away, the Ledger tab is the record as it stands. A Key typed over in it (the tab is
 * hidden and protected, but a workbook's protection has no password and a Google Sheet's owner edits any range)
 * then made the row lock another credit: the Credits row of the Key's credit became a locked copy of the row's
 * credit — a pending credit never billed — and the row's own credit, its Key gone from the Ledger, was reverted.
 *
 * The tell costs nothing in the usual run: the Credits row with the entry's Key holds another Credit ID, one issued
 * to that Key (core/ids.ts isCandidateOf), while the entry's Credit ID could not have been. The Key is then not the
 * row's. The row's own Key is what its cells compute to (core/ids.ts creditKey; a correction's, its original's with
 * `#c<n>`) when its Credit ID could have been issued to that: the Key is put back, unless another Ledger row
 * already holds it — then the row is a copy, and is not taken. A row whose cells give no such Key is left as the
 * record (nothing proves which credit it is; taking it out could let its credit be billed again) and named.
 */
import { correctionKey, correctionOfDescription } from './correction-key';
import { creditKey, isCandidateOf } from './ids';
import type { LedgerEntry } from './ledger';

export interface LedgerKeyCheck {
  /** The entries to reconcile against: Keys put back, copies left out. */
  ledger: LedgerEntry[];
  /** Rows whose Key was another credit's, put back to their own (the row is found by `was.key` and `was.creditId`). */
  keysPutBack: { entry: LedgerEntry; was: LedgerEntry }[];
  /** Rows under another credit's Key whose own credit has its row in the Ledger already: not taken. */
  copies: LedgerEntry[];
  /** Rows under another credit's Key whose cells name no credit their Credit ID belongs to: kept, named. */
  unproven: LedgerEntry[];
}

/** The Key an entry's own cells compute to (a correction's from its original's, found by Credit ID). */
function ownKey(e: LedgerEntry, byId: ReadonlyMap<string, LedgerEntry>): string | null {
  const corrects = correctionOfDescription(e.description);
  if (corrects) {
    const original = byId.get(corrects.originalId);
    return original ? correctionKey(original.key, corrects.n) : null;
  }
  return creditKey(e);
}

/**
 * `idAtKey(key)` gives the Credit ID and period cells of the Credits row with that Key (undefined when none):
 * the caller's index of the Credits tab, so the check builds none of its own.
 */
export function checkLedgerKeys(
  ledger: readonly LedgerEntry[],
  idAtKey: (key: string) => { creditId: string; period: string } | undefined,
): LedgerKeyCheck {
  const out: LedgerKeyCheck = { ledger: [...ledger], keysPutBack: [], copies: [], unproven: [] };
  const suspects: number[] = [];
  ledger.forEach((e, i) => {
    const row = idAtKey(e.key);
    if (!row || row.creditId === e.creditId || !row.creditId) return;
    // The row's ID is its Key's and the entry's is not: the entry's Key is the one typed.
    if (isCandidateOf(e.key, row.period, row.creditId) && !isCandidateOf(e.key, e.period, e.creditId))
      suspects.push(i);
  });
  if (!suspects.length) return out;
  const byId = new Map(ledger.map((e) => [e.creditId, e]));
  // The Keys rows hold as their own: not a suspect's (typed), which another suspect's own Key may well be.
  const suspect = new Set(suspects);
  const keys = new Set(ledger.filter((_, i) => !suspect.has(i)).map((e) => e.key));
  const drop = new Set<number>();
  for (const i of suspects) {
    const was = ledger[i];
    const own = ownKey(was, byId);
    if (!own || !isCandidateOf(own, was.period, was.creditId)) {
      out.unproven.push(was);
      continue;
    }
    if (keys.has(own)) {
      out.copies.push(was);
      drop.add(i);
      continue;
    }
    const entry = { ...was, key: own };
    keys.add(own);
    out.ledger[i] = entry;
    out.keysPutBack.push({ entry, was });
  }
  if (drop.size) out.ledger = out.ledger.filter((_, i) => !drop.has(i));
  return out;
}
