/**
 * How a correction credit is told apart (core/correction.ts): its key is its original's with `#c<n>`. Kept apart
 * so that the allocation code can ask "is this a correction?" without importing the correction planning.
 */
const CORRECTION_KEY = /^(.+)#c([1-9]\d*)$/;

/** The key of the n-th correction (1-based) of the credit with key `originalKey`. */
export function correctionKey(originalKey: string, n: number): string {
  return `${originalKey}#c${n}`;
}

/** The original's key and the correction's number, when `key` is a correction's; null otherwise. */
export function parseCorrectionKey(key: string): { originalKey: string; n: number } | null {
  const m = CORRECTION_KEY.exec(key);
  return m ? { originalKey: m[1], n: Number(m[2]) } : null;
}

export function isCorrection(credit: { key?: string }): boolean {
  return credit.key !== undefined && CORRECTION_KEY.test(credit.key);
}

/** The Description a correction gets: "Correction <n> of <original Credit ID> (usage record …, …): …". */
export function correctionDescription(
  original: { creditId: string; usageRecordId: string; usageFileId: string; description: string },
  n: number,
): string {
  return `Correction ${n} of ${original.creditId} (usage record ${original.usageRecordId}, ${original.usageFileId}): ${original.description}`;
}

/** The original's Credit ID and the correction's number a correction's Description names; null for any other. */
export function correctionOfDescription(description: string): { originalId: string; n: number } | null {
  const m = /^Correction ([1-9]\d*) of (AWSC-\d{6}-\d{4}-\d{4}) \(usage record /.exec(description);
  return m ? { originalId: m[2], n: Number(m[1]) } : null;
}
