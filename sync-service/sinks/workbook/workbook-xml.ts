/**
 * The little XML the fast workbook readers need (workbook-read.ts, workbook-sheet-scan.ts): entities,
 * attributes, element-name ends, and the one signal that a file needs ExcelJS after all (NotPlain).
 */

/** Thrown inside a fast reader, caught at its top: the file holds something only ExcelJS should interpret. */
export class NotPlain extends Error {}

export const notPlain = (why: string): never => {
  throw new NotPlain(why);
};

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
      : NAMED[e],
  );
}

const ATTRIBUTE = new Map<string, RegExp>();

export function attr(tag: string, name: string): string | undefined {
  let re = ATTRIBUTE.get(name);
  if (!re) ATTRIBUTE.set(name, (re = new RegExp(`\\s${name}="([^"]*)"`)));
  const m = re.exec(tag);
  return m ? decodeEntities(m[1]) : undefined;
}

/** attr() without a regular expression for the usual case: attributes separated by single spaces. */
export function quickAttr(attrs: string, name: string): string | undefined {
  if (/[\t\n\r]/.test(attrs)) return attr(attrs, name);
  const needle = ` ${name}="`;
  const at = attrs.indexOf(needle);
  if (at === -1) return undefined;
  const from = at + needle.length;
  const value = attrs.slice(from, attrs.indexOf('"', from));
  return value.includes('&') ? decodeEntities(value) : value;
}

/**
 * The byte after an element's name: it ends there (what `\b` meant in the regular expressions these scanners
 * replaced).
 */
export function isNameEnd(c: number): boolean {
  return c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13;
}
