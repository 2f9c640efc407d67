/**
 * Every word of the Flags column in one table, and the one reader and writer of the cell (docs/decisions/0014).
 * A flag word is the type `Flag`, so a flag is named by its word wherever it is used and a typo fails the type
 * check; the table says what each means (the words a person reads in messages and the user guide), whether it
 * holds a credit, and who sets and clears it. Adding a flag is one entry here plus what the compiler then points
 * at (test/docs/flags-doc.test.ts points at the user guide's table of flags).
 *
 * The cell is read leniently, because people type in it: words are separated by spaces, tabs, line breaks or
 * commas, and a known word is recognised in any case ("review_currency" holds the credit as REVIEW_CURRENCY
 * does). It is written canonically: the words joined by one space, each known word in capitals, each word once.
 * A word that is no flag (a person's note) is kept as typed, never dropped.
 */

/** Who puts a flag in the cell or takes it out. */
type Actor =
  'sync' | 'a person' | 'usage collect' | 'usage status' | 'reconcile' | 'assigning' | 'the Summary';

interface FlagSpec {
  /** What it means, in the words messages and the user guide use: one line. */
  meaning: string;
  /**
   * `review`: held for a person's review: rules never assign it and `usage collect` skips it and names it.
   * `collection`: never billed (left out of every usage file) until a person clears it; rules may assign it.
   * `null`: the credit moves as it would without the flag.
   */
  hold: 'review' | 'collection' | null;
  setBy: Actor;
  clearedBy: Actor;
  /** False for a word the Summary's flags table counts without it ever being written into a Flags cell. */
  inCell: boolean;
}

export const FLAGS = {
  REVIEW_NOT_POSITIVE: {
    meaning:
      "the credit's CUR lines net to zero or to a charge: Amount shows the net, 0 or negative, and the Audit tab says why (a reversal or adjustment at least as large as the credit, or lines that are all zero)",
    hold: 'review',
    setBy: 'sync',
    clearedBy: 'a person',
    inCell: true,
  },
  REVIEW_NO_USAGE_ACCOUNT: {
    meaning:
      'the CUR line has no usage account: AWS Account shows the payer account (the one AWS bills), and Customer, Asset and Reseller come from its Accounts row',
    hold: 'review',
    setBy: 'sync',
    clearedBy: 'a person',
    inCell: true,
  },
  REVIEW_NO_PAYER_ACCOUNT: {
    meaning: "the CUR line's payer account is missing or not 12 digits: Payer Account shows what the CUR had",
    hold: 'review',
    setBy: 'sync',
    clearedBy: 'a person',
    inCell: true,
  },
  REVIEW_CURRENCY: {
    meaning:
      'the CUR currency is missing or not an active ISO 4217 code: Currency shows XXX (ISO\'s "no currency") and the Audit tab the CUR\'s own text',
    hold: 'review',
    setBy: 'sync',
    clearedBy: 'a person',
    inCell: true,
  },
  REVIEW_NOT_IN_CUR: {
    meaning:
      "the last sync of the credit's period did not find it in the CUR any more (withdrawn by AWS, or filed under another key); the sync removes the flag itself if the CUR returns it again",
    hold: 'review',
    setBy: 'sync',
    clearedBy: 'sync',
    inCell: true,
  },
  REVIEW_AMOUNT_CHANGED: {
    meaning:
      "the CUR changed an assigned credit's amount and its allocation no longer fits it: it is PENDING_ASSIGN again",
    hold: null,
    setBy: 'sync',
    clearedBy: 'assigning',
    inCell: true,
  },
  UNKNOWN_ACCOUNT: {
    meaning: "the credit's AWS account is not in the Accounts tab (imported, not dropped)",
    hold: null,
    setBy: 'sync',
    clearedBy: 'sync',
    inCell: true,
  },
  BELOW_MINOR_UNIT: {
    meaning:
      "a real credit worth less than the currency's minor unit: Amount 0.00, never billed (the Audit has its exact value)",
    hold: null,
    setBy: 'sync',
    clearedBy: 'sync',
    inCell: true,
  },
  NOT_COLLECTED: {
    meaning: 'left out of the last `usage collect`; the Audit tab (action collect-skip) says why',
    hold: null,
    setBy: 'usage collect',
    clearedBy: 'usage collect',
    inCell: true,
  },
  REJECTED: {
    meaning: 'Connect rejected the usage file: the credit is ASSIGNED again and the next collection takes it',
    hold: null,
    setBy: 'usage status',
    clearedBy: 'usage collect',
    inCell: true,
  },
  CONNECT_MISMATCH: {
    meaning: "Connect's records and the journal disagree about the credit: a person checks it in Connect",
    hold: null,
    setBy: 'usage status',
    clearedBy: 'a person',
    inCell: true,
  },
  RESTORED: {
    meaning:
      'reconcile repaired the row from the record: the Ledger, the usage files and the Audit (its restore rows have each change)',
    hold: null,
    setBy: 'reconcile',
    clearedBy: 'a person',
    inCell: true,
  },
  UNMATCHED: {
    meaning: 'the row matches no credit of the usage record: kept, and never billed until someone checks it',
    hold: 'collection',
    setBy: 'reconcile',
    clearedBy: 'a person',
    inCell: true,
  },
  ALLOCATION_INVALID: {
    meaning: "an assigned credit's allocation no longer resolves (an ID removed from the Accounts tab, …)",
    hold: null,
    setBy: 'the Summary',
    clearedBy: 'the Summary',
    inCell: false,
  },
  UNASSIGNED_OVER_ONE_PERIOD: {
    meaning: 'a PENDING_ASSIGN credit older than the most recent closed period: it missed a month-end',
    hold: null,
    setBy: 'the Summary',
    clearedBy: 'the Summary',
    inCell: false,
  },
} as const satisfies Record<string, FlagSpec>;

/** A flag word, as written in the sheet. */
export type Flag = keyof typeof FLAGS;
/** A flag that holds a credit for review (from rules and collection). */
export type HoldFlag = { [F in Flag]: (typeof FLAGS)[F]['hold'] extends 'review' ? F : never }[Flag];

const WORDS = Object.keys(FLAGS) as Flag[];
const KNOWN: ReadonlyMap<string, Flag> = new Map(WORDS.map((f) => [f, f]));

/** The flags holding a credit for review, in the table's order. */
export const HOLD_FLAGS: readonly HoldFlag[] = WORDS.filter((f): f is HoldFlag => FLAGS[f].hold === 'review');

/** The flags the sync sets and clears itself on every sync of the credit's period. */
export const SYNC_OWNED_FLAGS: readonly Flag[] = WORDS.filter(
  (f) => FLAGS[f].setBy === 'sync' && FLAGS[f].clearedBy === 'sync',
);

/**
 * The flags `usage collect` clears when it takes a credit (NOT_COLLECTED, REJECTED): each says the credit is in no
 * usage file, so none belongs on a collected credit's row (reconcile drops one a paste left there).
 */
export const UNCOLLECTED_FLAGS: readonly Flag[] = WORDS.filter((f) => FLAGS[f].clearedBy === 'usage collect');

/** The word's flag when it names one (in any case), else null. */
function flagOf(word: string): Flag | null {
  return KNOWN.get(word.toUpperCase()) ?? null;
}

/** A word of a parsed cell that holds the credit for review. */
function isHoldFlag(word: string): word is HoldFlag {
  const f = KNOWN.get(word);
  return f !== undefined && FLAGS[f].hold === 'review';
}

/**
 * The words of a Flags cell, in the cell's order: split on spaces and commas, a known word in capitals, each word
 * once (the first time it appears). Words that are no flag are kept as typed.
 */
export function parseFlags(cell: string): string[] {
  if (!cell) return []; // most cells: every credit passes through here on each sync and each Summary
  const out: string[] = [];
  for (const raw of cell.split(/[\s,]+/)) {
    if (!raw) continue;
    const word = flagOf(raw) ?? raw;
    if (!out.includes(word)) out.push(word);
  }
  return out;
}

/** The cell of a list of words: joined by one space, each once (the writer's side of `parseFlags`). */
export function writeFlags(words: readonly string[]): string {
  return parseFlags(words.join(' ')).join(' ');
}

export function hasFlag(cell: string, flag: Flag): boolean {
  return parseFlags(cell).includes(flag);
}

/** The cell with the flags added that are not there yet, after what is there, in its order. */
export function withFlags(cell: string, add: readonly Flag[]): string {
  return writeFlags([...parseFlags(cell), ...add]);
}

/** The cell without the given flags; every other word stays. */
export function withoutFlags(cell: string, remove: readonly Flag[]): string {
  return writeFlags(parseFlags(cell).filter((w) => !(remove as readonly string[]).includes(w)));
}

/** The hold flags in a Flags cell, in the order they appear. */
export function holdFlags(cell: string): HoldFlag[] {
  return parseFlags(cell).filter(isHoldFlag);
}

/** Held for review: rules never assign it and `usage collect` skips it and names it. */
export function isHeld(credit: { flags: string }): boolean {
  return holdFlags(credit.flags).length > 0;
}

/** Never billed while its Flags cell says so: held for review, or a row reconcile could not match (UNMATCHED). */
export function heldFromCollection(credit: { flags: string }): boolean {
  return parseFlags(credit.flags).some((w) => {
    const f = KNOWN.get(w);
    return f !== undefined && FLAGS[f].hold !== null;
  });
}

/** Why a held credit is held, for messages: "REVIEW_CURRENCY (the CUR currency is …)". */
export function explainHold(cell: string): string {
  return holdFlags(cell)
    .map((f) => `${f} (${FLAGS[f].meaning})`)
    .join('; ');
}
