/**
 * Which description regexes a rule may use. JavaScript (V8 and Apps Script alike) runs regexes with a
 * backtracking engine that cannot be interrupted, and a CUR description can be 50,000 characters long, so a
 * pattern that backtracks badly would freeze a whole sync or add-on call. We refuse such patterns when the
 * Rules tab is read, instead of hoping at match time. The checks, cheapest first:
 *
 * 1. Length cap (MAX_REGEX_LENGTH): a description pattern longer than that is almost surely pasted text,
 *    and the cap bounds the cost of the checks below.
 * 2. It must compile (with the 'i' flag we match with).
 * 3. No backreferences (\1, \k<name>): with them matching is NP-hard, and no structural check can bound it.
 * 4. Nested repetition, e.g. (a+)+ or (.*a){20}: star height > 1 is the classic exponential blow-up. This is
 *    the installed `safe-regex2` package, which also refuses more than 25 quantifiers and syntax its parser
 *    cannot read (lookbehind); we say so in the message.
 * 5. A repeated group whose alternatives can start with the same character, e.g. (a|aa)*b: star height 1, so
 *    safe-regex2 lets it pass, yet every way of splitting the text between branches is tried (exponential).
 *    Branches must be plain words starting with different letters, e.g. (credit|refund)+.
 * 6. Two unbounded quantifiers in a row whose atoms overlap, e.g. \w+\w+x or .*.*x: polynomial blow-up
 *    (measured: \w+\w+x takes about a minute on 5,000 characters). a*b* or \d+\s* are fine: no character
 *    is matched by both atoms, so there is only one way to split the text.
 * 7. An unanchored pattern that starts with an unbounded quantifier over an atom that also matches spaces,
 *    e.g. .*credit or [^,]*credit: the search retries it from every position and it runs to the end of the
 *    line each time, which is quadratic (measured: 5 s on a 50,000-character description). The match is
 *    already a search anywhere in the description, so the leading .* adds nothing; write ^ to anchor.
 *    A leading \w+ or \d+ is allowed: it stops at the end of each word.
 *
 * Patterns can still be slow in ways these checks do not see (e.g. a.*x against "aaaa…"), but only on
 * text built to hurt them; CUR descriptions are ordinary sentences.
 */
import safeRegex from 'safe-regex2';
import { pushAll } from '../arrays';

export const MAX_REGEX_LENGTH = 500;

export type RegexRefusal =
  | 'too-long'
  | 'does-not-compile'
  | 'backreference'
  | 'lookbehind'
  | 'nested-repetition'
  | 'ambiguous-alternation'
  | 'overlapping-quantifiers'
  | 'leading-quantifier';

export interface RegexVerdict {
  ok: boolean;
  refusal?: RegexRefusal;
  /** What is wrong, for the person who wrote the pattern. */
  message?: string;
  /** What to write instead. */
  hint?: string;
}

/** Flags every description regex is compiled with: matching is case-insensitive (see match.ts). */
export const REGEX_FLAGS = 'i';

export function checkRegex(source: string): RegexVerdict {
  if (source.length > MAX_REGEX_LENGTH) {
    return refuse(
      'too-long',
      `the pattern is ${source.length} characters long, over the limit of ${MAX_REGEX_LENGTH}`,
      'Shorten it to the words that identify the credit, or use Match = contains.',
    );
  }
  try {
    new RegExp(source, REGEX_FLAGS);
  } catch (e) {
    return refuse(
      'does-not-compile',
      `the pattern is not a valid regular expression (${(e as Error).message})`,
      'Fix the pattern (escape special characters such as . ( ) [ ] with a backslash), or use Match = contains for plain text.',
    );
  }
  const tree = parsePattern(source);
  if (tree.hasBackreference) {
    return refuse(
      'backreference',
      'the pattern uses a backreference (\\1 or \\k<name>), which can make matching take practically forever',
      'Write the repeated text out instead of referring back to a group.',
    );
  }
  if (tree.hasLookbehind) {
    // safe-regex2's parser cannot read lookbehind, so it could not vouch for the rest of the pattern.
    return refuse(
      'lookbehind',
      'the pattern uses a lookbehind ((?<= or (?<!), which the safety check cannot read',
      'Match the preceding text directly instead, e.g. "MAP credit" rather than (?<=MAP )credit.',
    );
  }
  if (!safeRegex(source, { limit: Number.MAX_SAFE_INTEGER })) {
    return refuse(
      'nested-repetition',
      'the pattern repeats something that itself repeats (such as (a+)+ or (.*a){20}), so it could run for ever on a long description',
      'Remove the inner or the outer repetition, e.g. write a+ instead of (a+)+.',
    );
  }
  if (!safeRegex(source)) {
    return refuse(
      'nested-repetition',
      'the pattern has more than 25 repetitions (*, +, ?, {n}); the safety check cannot vouch for it',
      'Simplify the pattern, or use Match = contains.',
    );
  }
  for (const seq of allSequences(tree.alternatives)) {
    const ambiguous = seq.find(
      (t) => t.kind === 'group' && t.max > 1 && !hasDistinctWordBranches(t.alternatives ?? []),
    );
    if (ambiguous) {
      return refuse(
        'ambiguous-alternation',
        `the repeated group ${ambiguous.source} has alternatives that can match the same text (such as (a|aa)*), so it could run for ever on a long description`,
        'Make the alternatives plain words that start with different letters, e.g. (credit|refund)+, or drop the repetition.',
      );
    }
    const overlap = overlappingQuantifiers(seq);
    if (overlap) {
      return refuse(
        'overlapping-quantifiers',
        `${overlap} follow each other and can match the same characters, so a long description could take minutes`,
        'Keep one of them, e.g. write \\w+ instead of \\w+\\w+, or put a fixed word between them.',
      );
    }
  }
  for (const first of leadingAtoms(tree.alternatives)) {
    if (first.max === Infinity && crossesWords(first)) {
      return refuse(
        'leading-quantifier',
        `the pattern starts with ${first.source}${first.quantifier}, which is retried from every position of the description (slow on long descriptions)`,
        'Remove the leading repetition: the pattern is already searched for anywhere in the description. Or anchor it with ^.',
      );
    }
  }
  return { ok: true };
}

function refuse(refusal: RegexRefusal, message: string, hint: string): RegexVerdict {
  return { ok: false, refusal, message, hint };
}

// ---------------------------------------------------------------------------------------------------------
// A small reader of JavaScript regex syntax (non-Unicode mode), just enough for the checks above. The source
// has already compiled, so it is well formed; the reader never has to report syntax errors.

type TokenKind = 'char' | 'class' | 'group' | 'zero-width';

interface Token {
  kind: TokenKind;
  /** The atom's own source, without its quantifier. */
  source: string;
  quantifier: string;
  min: number;
  max: number;
  /** Groups (including lookarounds): their branches. */
  alternatives?: Token[][];
}

interface Pattern {
  alternatives: Token[][];
  hasBackreference: boolean;
  hasLookbehind: boolean;
}

function parsePattern(src: string): Pattern {
  let i = 0;
  let hasBackreference = false;
  let hasLookbehind = false;

  const readAlternatives = (): Token[][] => {
    const alts: Token[][] = [[]];
    while (i < src.length && src[i] !== ')') {
      if (src[i] === '|') {
        alts.push([]);
        i++;
        continue;
      }
      const token = readAtom();
      readQuantifier(token);
      alts[alts.length - 1].push(token);
    }
    return alts;
  };

  const readAtom = (): Token => {
    const start = i;
    const c = src[i];
    const make = (kind: TokenKind, extra: Partial<Token> = {}): Token => ({
      kind,
      source: src.slice(start, i),
      quantifier: '',
      min: 1,
      max: 1,
      ...extra,
    });
    if (c === '\\') {
      const e = src[i + 1];
      i += 2;
      if (/[1-9]/.test(e)) {
        hasBackreference = true;
        while (/\d/.test(src[i] ?? '')) i++;
        return make('zero-width');
      }
      if (e === 'k' && src[i] === '<') {
        hasBackreference = true;
        i = src.indexOf('>', i) + 1;
        return make('zero-width');
      }
      if (e === 'b' || e === 'B') return make('zero-width');
      if (/[dDwWsS]/.test(e)) return make('class');
      if (e === 'x') i += 2;
      else if (e === 'u') i += 4;
      else if (e === 'c') i += 1;
      return make('char');
    }
    if (c === '[') {
      i++;
      if (src[i] === '^') i++;
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      i++;
      return make('class');
    }
    if (c === '(') {
      i++;
      let zeroWidth = false;
      if (src[i] === '?') {
        if (src[i + 1] === ':') i += 2;
        else if (src[i + 1] === '=' || src[i + 1] === '!') {
          i += 2;
          zeroWidth = true;
        } else if (src[i + 1] === '<' && (src[i + 2] === '=' || src[i + 2] === '!')) {
          i += 3;
          zeroWidth = true;
          hasLookbehind = true;
        } else if (src[i + 1] === '<') i = src.indexOf('>', i) + 1;
      }
      const alternatives = readAlternatives();
      i++; // ')'
      return make(zeroWidth ? 'zero-width' : 'group', { alternatives });
    }
    i++;
    if (c === '^' || c === '$') return make('zero-width');
    if (c === '.') return make('class');
    return make('char');
  };

  const readQuantifier = (token: Token): void => {
    const start = i;
    const c = src[i];
    let min = 1;
    let max = 1;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) return; // a literal "{"
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      i += m[0].length - 1;
    } else return;
    i++;
    if (src[i] === '?') i++; // lazy
    token.min = min;
    token.max = max;
    token.quantifier = src.slice(start, i);
  };

  const alternatives = readAlternatives();
  return { alternatives, hasBackreference, hasLookbehind };
}

/** Every sequence in the pattern: the top-level branches and, recursively, each group's branches. */
function allSequences(alternatives: Token[][]): Token[][] {
  const out: Token[][] = [];
  const visit = (alts: Token[][]): void => {
    for (const seq of alts) {
      out.push(seq);
      for (const t of seq) if (t.alternatives) visit(t.alternatives);
    }
  };
  visit(alternatives);
  return out;
}

/** A repeated group is safe to repeat when it has one branch, or branches that are words with different first letters. */
function hasDistinctWordBranches(alternatives: Token[][]): boolean {
  if (alternatives.length < 2) return true;
  const firsts = new Set<string>();
  for (const branch of alternatives) {
    if (branch.length === 0 || !branch.every((t) => t.kind === 'char' && t.min === 1 && t.max === 1))
      return false;
    const first = branch[0].source.toLowerCase();
    if (firsts.has(first)) return false;
    firsts.add(first);
  }
  return true;
}

/** Two unbounded quantifiers with only optional or zero-width atoms between them, whose atoms share a character. */
function overlappingQuantifiers(seq: Token[]): string | null {
  for (let a = 0; a < seq.length; a++) {
    if (seq[a].max !== Infinity) continue;
    for (let b = a + 1; b < seq.length; b++) {
      const t = seq[b];
      if (t.max === Infinity && atomsOverlap(seq[a], t)) {
        return `${seq[a].source}${seq[a].quantifier} and ${t.source}${t.quantifier}`;
      }
      if (t.kind !== 'zero-width' && t.min > 0) break;
    }
  }
  return null;
}

/**
 * Whether some character is matched by both atoms. Single-character atoms are compared on a sample of
 * characters (all of ASCII and some beyond); a group is assumed to overlap anything, to stay on the safe side.
 */
function atomsOverlap(a: Token, b: Token): boolean {
  if (a.kind === 'group' || b.kind === 'group') return true;
  const ra = new RegExp(`^(?:${a.source})$`, REGEX_FLAGS);
  const rb = new RegExp(`^(?:${b.source})$`, REGEX_FLAGS);
  return SAMPLE_CHARACTERS.some((ch) => ra.test(ch) && rb.test(ch));
}

/**
 * The atoms a match can start with: the first atom of each branch, looking inside a group that is not
 * repeated, e.g. (?:.*x|y) starts with .* or y. A branch anchored with ^ is tried at one position only.
 */
function leadingAtoms(alternatives: Token[][]): Token[] {
  const out: Token[] = [];
  for (const branch of alternatives) {
    const first = branch.find((t) => t.kind !== 'zero-width' || t.source === '^');
    if (!first || first.source === '^') continue;
    if (first.kind === 'group' && first.max === 1) pushAll(out, leadingAtoms(first.alternatives ?? []));
    else out.push(first);
  }
  return out;
}

/** A single-character atom that matches letters and spaces alike, so a repetition of it runs across words. */
function crossesWords(t: Token): boolean {
  if (t.kind === 'group') return false;
  const r = new RegExp(`^(?:${t.source})$`, REGEX_FLAGS);
  return r.test('a') && r.test(' ');
}

const SAMPLE_CHARACTERS: string[] = [
  ...Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)),
  ...['\u00a0', 'é', 'É', 'ß', 'ü', 'ク', 'レ', '信', 'ا', 'ئ', 'д', '\u2028', '\u3000', '€'],
];
