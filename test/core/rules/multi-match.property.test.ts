/**
 * The pieces that make rule selection independent of description variety, each against the obvious definition:
 * the Aho–Corasick set against String.includes, regex fragments against RegExp.test, and RuleIndex on many
 * distinct descriptions against the naive choice.
 */
import fc from 'fast-check';
import { RuleIndex, type Rule } from '../../../core/rules';
import { asciiLower, PatternSet, requiredFragments } from '../../../core/rules/multi-match';
import { REGEX_FLAGS } from '../../../core/rules/regex-safety';

// A small alphabet, so patterns and texts overlap often; with case pairs, a non-ASCII letter, a combining
// accent, an astral character (surrogate pair) and regex punctuation.
const CHARS = ['a', 'b', 'A', 'B', 'c', '1', ' ', '.', '-', 'é', '\u0301', 'É', '😀', 'k', 'K', 'ſ'];
const textArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 14 }).map((cs) => cs.join(''));

describe('PatternSet (Aho–Corasick)', () => {
  it('finds exactly the patterns the text contains', () => {
    fc.assert(
      fc.property(
        fc.array(
          textArb.filter((p) => p !== ''),
          { maxLength: 12 },
        ),
        fc.array(textArb, { minLength: 1, maxLength: 8 }),
        (patterns, texts) => {
          const set = new PatternSet();
          patterns.forEach((p, i) => set.add(p, i));
          set.build();
          for (const text of texts) {
            const found = new Set<number>();
            set.search(text, (id) => found.add(id));
            const expected = patterns.flatMap((p, i) => (text.includes(p) ? [i] : []));
            expect([...found].sort((a, b) => a - b)).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('with asciiLowered, finds exactly the patterns asciiLower(text) contains', () => {
    fc.assert(
      fc.property(
        fc.array(
          textArb.map(asciiLower).filter((p) => p !== ''),
          { maxLength: 12 },
        ),
        fc.array(textArb, { minLength: 1, maxLength: 8 }),
        (patterns, texts) => {
          const set = new PatternSet();
          patterns.forEach((p, i) => set.add(p, i));
          set.build();
          for (const text of texts) {
            const found = new Set<number>();
            set.search(text, (id) => found.add(id), true);
            const expected = patterns.flatMap((p, i) => (asciiLower(text).includes(p) ? [i] : []));
            expect([...found].sort((a, b) => a - b)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds overlapping and nested patterns (the classic he/she/his/hers)', () => {
    const set = new PatternSet();
    ['he', 'she', 'his', 'hers'].forEach((p, i) => set.add(p, i));
    set.build();
    const found: number[] = [];
    set.search('ushers', (id) => found.push(id));
    expect(found.sort()).toEqual([0, 1, 3]);
  });
});

// Regex sources from parts that cover what the fragment reader must understand.
const ATOMS = [
  'a',
  'b',
  'A',
  'c',
  '1',
  ' ',
  'é',
  '\\.',
  '\\-',
  '\\d',
  '\\w',
  '\\s',
  '\\b',
  '\\B',
  '\\1',
  '\\12',
  '\\x41',
  '\\u0062',
  '\\cJ',
  '\\k',
  '[a-c]',
  '[^b]',
  '[]',
  '[\\]a]',
  '(ab|c)',
  '(?:a)',
  '(?=a)',
  '(?!b)',
  '(?<n>a)',
  '.',
  '^',
  '$',
  'a{',
  '}',
];
const QUANTIFIERS = ['', '', '', '*', '+', '?', '{2}', '{0,1}', '{1,}', '+?', '??'];
const sequenceArb = fc
  .array(fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTIFIERS)), { maxLength: 7 })
  .map((parts) => parts.map(([a, q]) => a + q).join(''));
const regexArb = fc
  .array(sequenceArb, { minLength: 1, maxLength: 3 })
  .map((alts) => alts.join('|'))
  .filter((source) => {
    try {
      // the Rules tab trims what it reads, so the trimmed source must compile too
      new RegExp(source, REGEX_FLAGS);
      new RegExp(source.trim(), REGEX_FLAGS);
      return true;
    } catch {
      return false;
    }
  });

/** Texts likely to match: random text, or pieces of the source's literal characters around random text. */
const textsFor = (source: string) =>
  fc.array(
    fc.oneof(
      textArb,
      fc
        .tuple(textArb, fc.integer({ min: 0, max: source.length }), fc.integer({ min: 0, max: 8 }), textArb)
        .map(([pre, at, len, post]) => pre + source.slice(at, at + len).replace(/\\/g, '') + post),
      fc.tuple(textArb, textArb).map(([pre, post]) => pre + source.replace(/[\\[\]()?*+{}^$|]/g, '') + post),
      fc.tuple(textArb).map(([t]) => source.replace(/[\\[\]()?*+{}^$|.]/g, '').toUpperCase() + t),
    ),
    { minLength: 1, maxLength: 12 },
  );

describe('requiredFragments', () => {
  it('never filters out a description the regex matches', () => {
    fc.assert(
      fc.property(
        regexArb.chain((source) => fc.tuple(fc.constant(source), textsFor(source))),
        ([source, texts]) => {
          const fragments = requiredFragments(source);
          if (!fragments) return;
          const re = new RegExp(source, REGEX_FLAGS);
          for (const text of texts) {
            if (re.test(text)) expect(fragments.some((f) => asciiLower(text).includes(f))).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('finds the literal text of ordinary rule patterns', () => {
    expect(requiredFragments('^MAP 2\\.0 .*MPE\\d{5}$')).toEqual(['map 2.0 ']);
    expect(requiredFragments('Activate|EDP credit')).toEqual(['activate', 'edp credit']);
    expect(requiredFragments('credits?')).toEqual(['credit']);
    expect(requiredFragments('\\d{4}')).toBeNull();
    expect(requiredFragments('a|(b)')).toBeNull();
  });

  it('reads brackets as the regex parser does: | and ( inside a class or escaped split nothing', () => {
    expect(requiredFragments('Support[|(]credit')).toEqual(['support']);
    expect(requiredFragments('a[|]bcdefgh|xyzw')).toEqual(['bcdefgh', 'xyzw']);
    expect(requiredFragments('Support\\|credit')).toEqual(['support|credit']);
    expect(requiredFragments('(?:EDP|MAP) programme credit')).toEqual([' programme credit']);
    expect(requiredFragments('MAP (2\\.0|migration) credit|Activate')).toEqual([' credit', 'activate']);
    expect(requiredFragments('unbalanced (credit')).toBeNull();
  });
});

// --- RuleIndex on many distinct descriptions -------------------------------------------------------------

function rule(i: number, match: Rule['match'], description: string): Rule {
  return {
    ruleId: `R-${String(i).padStart(3, '0')}`,
    name: '',
    description,
    match,
    customerBp: 10000,
    resellerBp: 0,
    from: null,
    to: null,
    customer: { mode: 'ALL', ids: [] },
    reseller: { mode: 'ALL', ids: [] },
    service: { mode: 'ALL', ids: [] },
    created: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    enabled: true,
    row: i + 2,
  };
}

const fold = (s: string) => s.normalize('NFC').toLowerCase();

/** Every credit here has the same keys and every context is ALL, so only the description and Created decide. */
function naive(rules: Rule[], description: string): string | null {
  const ok = (r: Rule) =>
    r.description.trim() === ''
      ? true
      : r.match === 'exact'
        ? fold(description).trim() === fold(r.description.trim())
        : r.match === 'contains'
          ? fold(description).includes(fold(r.description.trim()))
          : new RegExp(r.description.trim(), REGEX_FLAGS).test(description);
  const blank = (r: Rule) => Number(r.description.trim() === '');
  const best = rules
    .filter(ok)
    .sort(
      (a, b) =>
        blank(a) - blank(b) ||
        (a.created === b.created ? (a.ruleId < b.ruleId ? -1 : 1) : a.created < b.created ? 1 : -1),
    );
  return best[0]?.ruleId ?? null;
}

describe('RuleIndex with every description distinct', () => {
  const ruleArb = fc.oneof(
    fc.tuple(fc.constant<'exact'>('exact'), textArb),
    fc.tuple(fc.constant<'contains'>('contains'), textArb),
    fc.tuple(fc.constant<'regex'>('regex'), regexArb),
  );

  it('chooses what the naive reference chooses, for rules of all three kinds', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 20 }),
        fc.array(textArb, { minLength: 1, maxLength: 40 }),
        (specs, descriptions) => {
          const rules = specs.map(([m, d], i) => rule(i, m, d));
          // Rule texts are likely descriptions too (exact rules have something to match).
          const all = [...descriptions, ...specs.map(([, d]) => d), ...specs.map(([, d]) => `x ${d} y`)];
          const index = new RuleIndex(rules);
          for (const d of all) expect(index.choose(subject(d))?.ruleId ?? null).toBe(naive(rules, d));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps choosing correctly past the cache size (120,000 distinct descriptions, asked twice)', () => {
    const rules = [
      rule(1, 'contains', 'activate'),
      rule(2, 'regex', '^MAP 2\\.0 .*MPE\\d{5}'),
      rule(3, 'exact', 'EDP credit 17'),
      rule(4, 'contains', 'credit 1'),
    ];
    const index = new RuleIndex(rules);
    const description = (i: number) =>
      ['AWS Activate Credit', 'MAP 2.0 migration MPE', 'EDP credit', 'Other credit'][i % 4] + ` ${i}`;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 120_000; i += round ? 7 : 1) {
        const d = description(i);
        const got = index.choose(subject(d))?.ruleId ?? null;
        if (i % 997 === 0 || got !== naive(rules, d)) expect(got).toBe(naive(rules, d));
      }
    }
  });
});

function subject(description: string) {
  return { description, period: '2026-01', customerId: 'C1', resellerId: 'R1', service: 'AmazonEC2' };
}
