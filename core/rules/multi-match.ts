/**
 * Description matching for many rules at once, so the cost of a description does not grow with the number of
 * rules (select.ts uses these once per distinct description):
 *
 * - `PatternSet`: an Aho–Corasick automaton. One pass over a text finds every pattern it contains, whatever the
 *   number of patterns. `contains` rules are found this way, on the folded description.
 * - `requiredFragments`: for a regex rule, literal text that any match must contain (one fragment per top-level
 *   alternative). A regex rule is run only on descriptions that hold one of its fragments, found by a second
 *   automaton; a regex whose fragments cannot be worked out is run on every description.
 */

/** Aho–Corasick over UTF-16 code units. Patterns are added, then `build()`, then `search()` any number of times. */
export class PatternSet {
  private readonly children: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Pattern IDs ending exactly at a node. */
  private readonly own: number[][] = [[]];
  /** The nearest node on the failure chain that ends a pattern (-1: none). */
  private readonly dict: number[] = [-1];
  private built = false;

  /** Adds `pattern` under `id`; an empty pattern is ignored (callers handle "matches everything"). */
  add(pattern: string, id: number): void {
    if (this.built) throw new Error('PatternSet: add() after build()');
    if (pattern === '') return;
    let node = 0;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      let next = this.children[node].get(c);
      if (next === undefined) {
        next = this.children.length;
        this.children.push(new Map());
        this.fail.push(0);
        this.own.push([]);
        this.dict.push(-1);
        this.children[node].set(c, next);
      }
      node = next;
    }
    this.own[node].push(id);
  }

  build(): this {
    const queue: number[] = [];
    for (const child of this.children[0].values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      for (const [c, child] of this.children[node]) {
        let f = this.fail[node];
        while (f !== 0 && !this.children[f].has(c)) f = this.fail[f];
        const target = this.children[f].get(c);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const fc = this.fail[child];
        this.dict[child] = this.own[fc].length ? fc : this.dict[fc];
        queue.push(child);
      }
    }
    this.built = true;
    return this;
  }

  get size(): number {
    return this.children.length - 1;
  }

  /**
   * Calls `found(id)` for every pattern occurring in `text` (once per occurrence; callers de-duplicate).
   * `asciiLowered`: search asciiLower(text) without building it (patterns must then be lower case).
   */
  search(text: string, found: (id: number) => void, asciiLowered = false): void {
    if (!this.built) throw new Error('PatternSet: search() before build()');
    if (this.children.length === 1) return;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (asciiLowered && c >= 65 && c <= 90) c += 32;
      let next = this.children[node].get(c);
      while (next === undefined && node !== 0) {
        node = this.fail[node];
        next = this.children[node].get(c);
      }
      node = next ?? 0;
      for (const id of this.own[node]) found(id);
      for (let d = this.dict[node]; d !== -1; d = this.dict[d]) for (const id of this.own[d]) found(id);
    }
  }
}

/**
 * The text regex fragments are looked for in: ASCII letters lowered, everything else as it is. A regex with the
 * `i` flag (and no `u` flag, see REGEX_FLAGS) matches an ASCII letter only with that letter in either case —
 * never a non-ASCII character — so a match's ASCII literal text, lowered, is in this text. (Not fold(): NFC
 * could merge an ASCII letter with a combining mark that follows it, and the regex runs on the raw text.)
 */
export function asciiLower(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  }
  return text;
}

/** A run of literal characters shorter than this is not worth filtering on. */
const MIN_FRAGMENT = 2;

/**
 * Literal ASCII text (lowered) that every match of `source` contains: one fragment per top-level alternative,
 * or null when some alternative has no literal run of at least two characters outside groups, classes and
 * quantified atoms. Conservative by construction: anything not understood ends the current run.
 */
export function requiredFragments(source: string): string[] | null {
  const alternatives = splitTopLevel(source);
  if (!alternatives) return null;
  const out: string[] = [];
  for (const alt of alternatives) {
    const f = longestLiteralRun(alt);
    if (f === null || f.length < MIN_FRAGMENT) return null;
    out.push(f);
  }
  return out;
}

/** The pattern split at top-level `|`; null when brackets do not balance (never for a compiled regex). */
function splitTopLevel(source: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  const end = scanBrackets(source, 0, (ch, i, depth) => {
    if (depth < 0) return true;
    if (ch === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
    return false;
  });
  if (end.stoppedAt >= 0 || end.depth !== 0 || end.inClass) return null;
  parts.push(source.slice(start));
  return parts;
}

/**
 * Walks a pattern from `from` the way the regex parser reads its brackets: an escaped character is skipped, and
 * inside a character class `(`, `)` and `|` are literals. Every other character is passed to `visit` with the
 * group depth after it; the walk stops where `visit` returns true. Splitting at `|` and skipping a group both
 * read brackets this one way.
 */
function scanBrackets(
  source: string,
  from: number,
  visit: (ch: string, i: number, depth: number) => boolean,
): { stoppedAt: number; depth: number; inClass: boolean } {
  let depth = 0;
  let inClass = false;
  for (let i = from; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (visit(ch, i, depth)) return { stoppedAt: i, depth, inClass };
  }
  return { stoppedAt: -1, depth, inClass };
}

const QUANTIFIER_START = new Set(['*', '+', '?', '{']);
const BREAKS = new Set(['.', '^', '$']);

/** The longest run of required literal characters in one alternative (no top-level `|`), lowered. */
function longestLiteralRun(alt: string): string | null {
  let best = '';
  let run = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < alt.length; i++) {
    const ch = alt[i];
    if (QUANTIFIER_START.has(ch)) {
      // The quantified atom may repeat or vanish: it leaves the run, which ends here.
      run = run.slice(0, -1);
      end();
      if (ch === '{') {
        const close = alt.indexOf('}', i);
        if (close !== -1 && /^\{\d+(,\d*)?\}$/.test(alt.slice(i, close + 1))) i = close;
      }
      continue;
    }
    if (ch === '\\') {
      const next = alt[i + 1];
      i++;
      if (next !== undefined && /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e ]$/.test(next)) {
        run += next; // an escaped punctuation character stands for itself
      } else {
        end(); // \d, \w, \b, \1, \u…, \x…, \c…, \k<…>: not a literal character
        if (next === 'u' || next === 'x' || next === 'c' || next === 'k') i = skipEscapeBody(alt, i);
        // \1 … \12 …: a back-reference or (without the u flag) an octal escape; its digits are not literals
        else if (next !== undefined && /\d/.test(next)) while (/\d/.test(alt[i + 1] ?? '')) i++;
      }
      continue;
    }
    if (ch === '[') {
      end();
      i = skipClass(alt, i);
      continue;
    }
    if (ch === '(') {
      end();
      i = skipGroup(alt, i);
      continue;
    }
    if (BREAKS.has(ch) || ch.charCodeAt(0) > 0x7e || ch.charCodeAt(0) < 0x20) {
      end();
      continue;
    }
    run += ch.toLowerCase();
  }
  end();
  return best;
}

/** Index of the last character of a \u / \x / \c / \k escape whose letter is at `i`; runs of its body end the run anyway. */
function skipEscapeBody(alt: string, i: number): number {
  // The characters after the letter (hex digits, a control letter, a <name>) may be read as literals by the
  // caller: skip to the next character that could not belong to the escape. A shorter skip would only add
  // characters to a run that is not ended — so skip generously and end the run after.
  let j = i + 1;
  if (alt[j] === '<') {
    const close = alt.indexOf('>', j);
    return close === -1 ? alt.length : close;
  }
  if (alt[j] === '{') {
    const close = alt.indexOf('}', j);
    return close === -1 ? alt.length : close;
  }
  while (j < alt.length && j <= i + 4 && /[0-9a-zA-Z]/.test(alt[j])) j++;
  return j - 1;
}

/** In JavaScript the first unescaped `]` closes a class (`[]` and `[^]` are complete classes). */
function skipClass(alt: string, i: number): number {
  for (let j = i + 1; j < alt.length; j++) {
    if (alt[j] === '\\') j++;
    else if (alt[j] === ']') return j;
  }
  return alt.length;
}

function skipGroup(alt: string, i: number): number {
  const end = scanBrackets(alt, i, (ch, _j, depth) => ch === ')' && depth === 0).stoppedAt;
  return end < 0 ? alt.length : end;
}
