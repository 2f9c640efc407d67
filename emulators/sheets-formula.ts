/**
 * Evaluates the formulas a person types into a cell, as far as the local Sheets server goes: numbers, text in
 * double quotes, TRUE/FALSE, + - * / ^ & with parentheses and unary minus, comparisons, and references to
 * other cells (A1, $B$2, Sheet!C3, 'My tab'!D4). Google evaluates every formula and answers the result under
 * UNFORMATTED_VALUE and FORMATTED_VALUE, the formula only under FORMULA ("=4/2" reads 2: recorded in
 * ../shared/reference/sheets-recordings/WorksheetTest.test_get_all_values_date_time_render_options.json;
 * ValueRenderOption: https://developers.google.com/sheets/api/reference/rest/v4/ValueRenderOption). Anything
 * else — a function call, a range, a named range — is refused with an error naming the formula, so a test never
 * reads a formula's text where Google would give its value.
 */

export type FormulaValue = number | string | boolean;

/** Thrown for a formula the local server cannot evaluate. */
export class UnsupportedFormula extends Error {}

/** Google's error values, which read as text under every render option. */
export const DIV0 = '#DIV/0!';
export const VALUE_ERROR = '#VALUE!';
export const REF_ERROR = '#REF!';

type Node =
  | { k: 'lit'; v: FormulaValue }
  | { k: 'ref'; sheet?: string; row: number; col: number }
  | { k: 'neg'; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node };

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|"((?:[^"]|"")*)"|((?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?\$?([A-Za-z]{1,3})\$?(\d+)(?![A-Za-z0-9(:])|(TRUE|FALSE)(?![A-Za-z0-9(])|(<>|<=|>=|[-+*/^&()=<>]))/iy;

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

type Tok = { lit: FormulaValue } | { ref: { sheet?: string; row: number; col: number } } | { op: string };

function tokenize(src: string, formula: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) {
      throw new UnsupportedFormula(
        `The local Sheets server cannot evaluate ${formula} (at "${src.slice(at).trim()}"): it evaluates arithmetic, text joins, comparisons and single-cell references only. Write the value instead, or use RAW input in this test.`,
      );
    }
    if (m[1] !== undefined) out.push({ lit: Number(m[1]) });
    else if (m[2] !== undefined) out.push({ lit: m[2].replace(/""/g, '"') });
    else if (m[4] !== undefined) {
      const sheet = m[3]
        ? m[3]
            .slice(0, -1)
            .replace(/^'(.*)'$/, '$1')
            .replace(/''/g, "'")
        : undefined;
      out.push({ ref: { ...(sheet ? { sheet } : {}), row: Number(m[5]) - 1, col: columnIndex(m[4]) } });
    } else if (m[6] !== undefined) out.push({ lit: m[6].toUpperCase() === 'TRUE' });
    else out.push({ op: m[7] });
  }
  return out;
}

/** Parses "=…" into a tree; throws UnsupportedFormula for what it does not know. */
export function parseFormula(formula: string): Node {
  const toks = tokenize(formula.replace(/^=/, ''), formula);
  let i = 0;
  const refuse = (): never => {
    throw new UnsupportedFormula(
      `The local Sheets server cannot evaluate ${formula}: it evaluates arithmetic, text joins, comparisons and single-cell references only. Write the value instead, or use RAW input in this test.`,
    );
  };
  const peekOp = () => {
    const t = toks[i];
    return t && 'op' in t ? t.op : undefined;
  };
  // Precedence as in Sheets: comparison < & < + - < * / < ^ < unary minus.
  const levels = [['=', '<>', '<', '>', '<=', '>='], ['&'], ['+', '-'], ['*', '/'], ['^']];
  const binary = (level: number): Node => {
    if (level === levels.length) return unary();
    let a = binary(level + 1);
    while (peekOp() !== undefined && levels[level].includes(peekOp()!)) {
      const op = peekOp()!;
      i++;
      a = { k: 'bin', op, a, b: binary(level + 1) };
    }
    return a;
  };
  const unary = (): Node => {
    const op = peekOp();
    if (op === '-' || op === '+') {
      i++;
      const a = unary();
      return op === '-' ? { k: 'neg', a } : a;
    }
    return primary();
  };
  const primary = (): Node => {
    const t = toks[i++];
    if (!t) return refuse();
    if ('lit' in t) return { k: 'lit', v: t.lit };
    if ('ref' in t) return { k: 'ref', ...t.ref };
    if (t.op === '(') {
      const inner = binary(0);
      if (peekOp() !== ')') refuse();
      i++;
      return inner;
    }
    return refuse();
  };
  const tree = binary(0);
  if (i !== toks.length) refuse();
  return tree;
}

/** A referenced cell's value: '' for an empty cell; `undefined` for a sheet that does not exist. */
export type CellLookup = (sheet: string | undefined, row: number, col: number) => FormulaValue | undefined;

const isError = (v: FormulaValue) => typeof v === 'string' && /^#[A-Z/0!?]+[!?A-Z]*$/.test(v);

function asNumber(v: FormulaValue): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === '') return 0;
  if (isError(v)) return v;
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) ? n : VALUE_ERROR;
}

function asText(v: FormulaValue): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

export function evaluate(tree: Node, lookup: CellLookup): FormulaValue {
  const ev = (n: Node): FormulaValue => {
    if (n.k === 'lit') return n.v;
    if (n.k === 'ref') return lookup(n.sheet, n.row, n.col) ?? REF_ERROR;
    if (n.k === 'neg') {
      const a = asNumber(ev(n.a));
      return typeof a === 'number' ? -a : a;
    }
    const a = ev(n.a);
    const b = ev(n.b);
    if (n.op === '&') return isError(a) ? a : isError(b) ? b : asText(a) + asText(b);
    if (['=', '<>', '<', '>', '<=', '>='].includes(n.op)) {
      if (isError(a)) return a;
      if (isError(b)) return b;
      const x = typeof a === 'string' ? a.toLowerCase() : a;
      const y = typeof b === 'string' ? b.toLowerCase() : b;
      const c = x === y ? 0 : typeof x === typeof y ? (x < y ? -1 : 1) : typeof x === 'number' ? -1 : 1;
      return { '=': c === 0, '<>': c !== 0, '<': c < 0, '>': c > 0, '<=': c <= 0, '>=': c >= 0 }[n.op]!;
    }
    const x = asNumber(a);
    const y = asNumber(b);
    if (typeof x !== 'number') return x;
    if (typeof y !== 'number') return y;
    switch (n.op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return y === 0 ? DIV0 : x / y;
      default:
        return x ** y;
    }
  };
  return ev(tree);
}
