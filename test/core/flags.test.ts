/**
 * core/flags.ts: the Flags cell read leniently and written canonically, a person's words never dropped, and the
 * holds decided by the table, by whole words only.
 */
import fc from 'fast-check';
import {
  explainHold,
  FLAGS,
  hasFlag,
  heldFromCollection,
  holdFlags,
  HOLD_FLAGS,
  isHeld,
  parseFlags,
  SYNC_OWNED_FLAGS,
  withFlags,
  withoutFlags,
  writeFlags,
  type Flag,
} from '../../core/flags';

const WORDS = Object.keys(FLAGS) as Flag[];
const known = (w: string): Flag | undefined => WORDS.find((f) => f === w.toUpperCase());

/** A flag word as a person might type it: in capitals, in lower case, or in mixed case. */
const typedFlag = fc
  .tuple(fc.constantFrom(...WORDS), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }))
  .map(([f, lower]) => [...f].map((ch, i) => (lower[i] ? ch.toLowerCase() : ch)).join(''));
/** A word of a person's own (a note, a ticket number): anything without a separator. */
const ownWord = fc.string({ minLength: 1, maxLength: 12 }).filter((w) => !/[\s,]/.test(w));
const separator = fc.constantFrom(' ', '  ', ',', ', ', ' ,', '\n', '\t', ' \n ');
/** A Flags cell as found in a sheet: typed words between any separators, with or without some around them. */
const cell = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof(typedFlag, ownWord), separator), { maxLength: 8 }),
    fc.constantFrom('', ' ', ', ', '\n'),
  )
  .map(([parts, edge]) => edge + parts.map(([w, s]) => w + s).join('') + edge);

/** The words of a cell as a person reads them: split on the separators, known words in capitals, each once. */
function modelWords(c: string): string[] {
  const out: string[] = [];
  for (const t of c.split(/[\s,]+/).filter(Boolean)) {
    const w = known(t) ?? t;
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

describe('the Flags cell: read and written', () => {
  it('property: reading keeps every word, in order, each once; known words in capitals', () => {
    fc.assert(fc.property(cell, (c) => expect(parseFlags(c)).toEqual(modelWords(c))));
  });

  it('property: the written cell reads back as the same words and is written the same again', () => {
    fc.assert(
      fc.property(cell, (c) => {
        const written = writeFlags(parseFlags(c));
        expect(parseFlags(written)).toEqual(parseFlags(c));
        expect(writeFlags(parseFlags(written))).toBe(written);
        // canonical: one space between words, none around them, no commas
        expect(written).not.toMatch(/^\s|\s$|\s\s|,|[\t\n]/);
      }),
    );
  });

  it('property: adding and removing flags leaves every other word where it was', () => {
    fc.assert(
      fc.property(cell, fc.subarray(WORDS), fc.subarray(WORDS), (c, add, remove) => {
        const before = parseFlags(c);
        const added = parseFlags(withFlags(c, add));
        expect(added.slice(0, before.length)).toEqual(before);
        expect(new Set(added)).toEqual(new Set([...before, ...add]));
        const removed = parseFlags(withoutFlags(c, remove));
        expect(removed).toEqual(before.filter((w) => !(remove as string[]).includes(w)));
      }),
    );
  });

  it("a person's words are kept as typed, never dropped or recased, whatever the flags around them", () => {
    const c = 'see Ticket-42, review_currency\nasked  Bob';
    expect(parseFlags(c)).toEqual(['see', 'Ticket-42', 'REVIEW_CURRENCY', 'asked', 'Bob']);
    expect(withoutFlags(c, ['REVIEW_CURRENCY'])).toBe('see Ticket-42 asked Bob');
    expect(withFlags(c, ['NOT_COLLECTED'])).toBe('see Ticket-42 REVIEW_CURRENCY asked Bob NOT_COLLECTED');
  });

  it('matches whole words, never part of one', () => {
    expect(hasFlag('REVIEW_CURRENCY_CHECKED', 'REVIEW_CURRENCY')).toBe(false);
    expect(hasFlag('NOT_UNMATCHED', 'UNMATCHED')).toBe(false);
    expect(hasFlag('x,unmatched', 'UNMATCHED')).toBe(true);
  });
});

describe('holds', () => {
  it('property: a credit is held for review exactly when a word of its cell is a review hold of the table', () => {
    fc.assert(
      fc.property(cell, (c) => {
        const holds = c
          .split(/[\s,]+/)
          .map(known)
          .filter((f): f is Flag => f !== undefined && FLAGS[f].hold === 'review');
        expect(isHeld({ flags: c })).toBe(holds.length > 0);
        expect(new Set(holdFlags(c))).toEqual(new Set(holds));
      }),
    );
  });

  it('the REVIEW_… words the sync raises from the CUR hold; REVIEW_AMOUNT_CHANGED does not', () => {
    for (const f of HOLD_FLAGS) expect(isHeld({ flags: `NOTE ${f.toLowerCase()}` })).toBe(true);
    expect(isHeld({ flags: 'REVIEW_AMOUNT_CHANGED UNKNOWN_ACCOUNT NOT_COLLECTED' })).toBe(false);
    expect(isHeld({ flags: 'REVIEW_CURRENCYX' })).toBe(false);
  });

  it('UNMATCHED keeps a row out of collection without holding it from rules', () => {
    expect(isHeld({ flags: 'UNMATCHED' })).toBe(false);
    expect(heldFromCollection({ flags: 'UNMATCHED' })).toBe(true);
    expect(heldFromCollection({ flags: 'REVIEW_NOT_IN_CUR' })).toBe(true);
    expect(heldFromCollection({ flags: 'RESTORED REJECTED' })).toBe(false);
  });

  it("explains a hold in the table's words", () => {
    expect(explainHold('x REVIEW_CURRENCY')).toBe(`REVIEW_CURRENCY (${FLAGS.REVIEW_CURRENCY.meaning})`);
    expect(explainHold('UNKNOWN_ACCOUNT')).toBe('');
  });

  it('the sync owns the flags it sets and clears itself: the others stay until someone acts', () => {
    for (const f of WORDS)
      expect(SYNC_OWNED_FLAGS.includes(f)).toBe(FLAGS[f].setBy === 'sync' && FLAGS[f].clearedBy === 'sync');
    expect(SYNC_OWNED_FLAGS).toEqual(
      expect.arrayContaining(['UNKNOWN_ACCOUNT', 'BELOW_MINOR_UNIT', 'REVIEW_NOT_IN_CUR']),
    );
  });
});
