/**
 * Credits held for a person's review. The sync imports awkward CUR input instead of refusing the month, and marks
 * each such credit with a REVIEW_… word in its Flags cell. While a hold flag is there, rules never assign the
 * credit and the usage process never collects it. A person resolves it by deleting the word from the Flags cell
 * (after assigning it by hand, or deciding it stays as it is); the sync never puts a cleared flag back unless the
 * CUR changes the credit's amount again. REVIEW_NOT_IN_CUR is the exception: it states a fact about the CUR, so
 * the sync both sets it and clears it (core/merge.ts), each sync of the credit's period.
 */

/** The credit's lines net to zero or to a charge (AWS reversed or adjusted more than it credited). */
export const FLAG_NOT_POSITIVE = 'REVIEW_NOT_POSITIVE';
/** The CUR line had no usage account; AWS Account shows the payer (the account AWS bills), not a usage account. */
export const FLAG_NO_USAGE_ACCOUNT = 'REVIEW_NO_USAGE_ACCOUNT';
/** The payer account was missing or not 12 digits; the Payer Account cell shows what the CUR had. */
export const FLAG_NO_PAYER_ACCOUNT = 'REVIEW_NO_PAYER_ACCOUNT';
/** The currency was missing or not an ISO 4217 code; Currency shows XXX and the Audit tab the CUR's text. */
export const FLAG_CURRENCY = 'REVIEW_CURRENCY';
/**
 * The sync read the credit's period and the CUR no longer returns the credit (AWS withdrew it, or it is filed
 * under another key now): it must not be billed on the strength of a line that is gone.
 */
export const FLAG_NOT_IN_CUR = 'REVIEW_NOT_IN_CUR';

export const HOLD_FLAGS = [
  FLAG_NOT_POSITIVE,
  FLAG_NO_USAGE_ACCOUNT,
  FLAG_NO_PAYER_ACCOUNT,
  FLAG_CURRENCY,
  FLAG_NOT_IN_CUR,
] as const;
export type HoldFlag = (typeof HOLD_FLAGS)[number];

export const HOLD_FLAG_MEANING: Record<HoldFlag, string> = {
  REVIEW_NOT_POSITIVE:
    "the credit's CUR lines net to zero or to a charge (a reversal or adjustment larger than the credit)",
  REVIEW_NO_USAGE_ACCOUNT:
    'the CUR line has no usage account; AWS Account shows the payer account AWS bills the credit to',
  REVIEW_NO_PAYER_ACCOUNT: 'the CUR line has no 12-digit payer account',
  REVIEW_CURRENCY:
    'the CUR currency is missing or not an ISO 4217 code; shown as XXX (see Audit for the original)',
  REVIEW_NOT_IN_CUR:
    "the last sync of the credit's period did not find it in the CUR any more (withdrawn by AWS, or filed under another key); the sync removes the flag itself if the CUR returns it again",
};

const HOLD: ReadonlySet<string> = new Set(HOLD_FLAGS);

export function splitFlags(flags: string): string[] {
  return flags.split(/\s+/).filter(Boolean);
}

/** The hold flags in a Flags cell, in the order they appear. */
export function holdFlags(flags: string): HoldFlag[] {
  return splitFlags(flags).filter((f): f is HoldFlag => HOLD.has(f));
}

export function isHeld(credit: { flags: string }): boolean {
  return holdFlags(credit.flags).length > 0;
}

/** Adds flags not already present, keeping the order of what is there. */
export function withFlags(flags: string, add: readonly string[]): string {
  const have = splitFlags(flags);
  for (const f of add) if (!have.includes(f)) have.push(f);
  return have.join(' ');
}

/** Why a held credit is held, for messages: "REVIEW_CURRENCY (the CUR currency is …)". */
export function explainHold(flags: string): string {
  return holdFlags(flags)
    .map((f) => `${f} (${HOLD_FLAG_MEANING[f]})`)
    .join('; ');
}

/**
 * The hold flags a sync puts on a credit: all the CUR reading raised, when the credit is new; on a known credit
 * only REVIEW_NOT_POSITIVE, and only when its amount changes to a value that is not a positive credit. A flag a
 * person cleared is therefore not put back by the next sync of the same data.
 */
export function raisedHolds(
  cur: { amount: number; review?: { flag: string }[] },
  before?: { amount: number },
): string[] {
  const raised = (cur.review ?? []).map((r) => r.flag);
  if (!before) return raised;
  return before.amount !== cur.amount && cur.amount <= 0 ? [FLAG_NOT_POSITIVE] : [];
}
