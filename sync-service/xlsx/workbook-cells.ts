/**
 * Cell values between ExcelJS and the domain's `Cell`. Pure: no file I/O.
 *
 * Reading normalises whatever a person (or Excel) left in a cell to a plain value: rich text, hyperlinks and
 * formulas become their text or cached result (a formula staff typed is never re-evaluated here), dates become
 * ISO text. Writing never produces a formula: strings are written as strings, whatever they start with.
 */
import type { CellValue } from 'exceljs';
import type { Cell } from '../../core/table';
import type { CellKind } from '../../core/sheet-contract';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Cell a stored ExcelJS value stands for. `kind` decides how a date is shown (unknown kind: date-only when it has no time). */
export function cellFromExcel(value: CellValue | undefined, kind?: CellKind): Cell {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return dateText(value, kind);
  if (typeof value !== 'object') return String(value);
  if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    // Only the cached result counts; a formula without one (never calculated) reads as empty.
    const result = (value as { result?: unknown }).result;
    return cellFromExcel(result as CellValue | undefined, kind);
  }
  if ('hyperlink' in value && 'text' in value) return cellFromExcel(value.text as CellValue, kind);
  if ('error' in value) return String(value.error);
  return '';
}

function dateText(d: Date, kind?: CellKind): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  if (kind === 'date') return iso.slice(0, 10);
  if (kind === 'datetime') return iso;
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/**
 * The ExcelJS value to store for a Cell in a column of `kind`. Empty text clears the cell. A `date` column
 * holding YYYY-MM-DD becomes a real date (UTC midnight, which ExcelJS maps to that calendar day).
 */
export function excelValueFor(value: Cell | undefined, kind: CellKind | undefined): CellValue {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to a workbook cell`);
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (kind === 'date') {
    const m = ISO_DATE.exec(value.trim());
    if (m) {
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.toISOString().startsWith(value.trim())) return d;
    }
  }
  // The text as it is: escaping happens when the file is written (see the TextXform patch below), so that a cell
  // read from the file and saved again untouched is escaped exactly like a cell written now.
  return value;
}

/**
 * XML 1.0 cannot hold most control characters, lone surrogates or U+FFFE/U+FFFF; ExcelJS writes them raw and
 * the file becomes unreadable. A CR it can hold, but every XML reader turns CR and CRLF into LF (XML 1.0 §2.11),
 * so a CR would come back as LF after a save: it is escaped too. OOXML escapes them as `_xHHHH_` (ECMA-376 ST_Xstring), which Excel and ExcelJS
 * decode on read; a literal `_xHHHH_` in the text is protected by escaping its underscore as `_x005F_`.
 * Nothing is lost: reading the cell back gives the original string.
 */
export function encodeXlsxText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(LITERAL_ESCAPE, '_x005F_')
    .replace(XML_INVALID, (ch) =>
      ch.length === 2 ? ch : `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
    );
}

/**
 * ExcelJS decodes `_xHHHH_` when it reads a file but writes text as it is, so a workbook read and saved again
 * changes every cell it did not write ("_x0041_" becomes "A", CR becomes LF). Escaping in the one place ExcelJS
 * turns a string into <t> text makes every save, of every cell, the exact inverse of ExcelJS's read.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TextXform = require('exceljs/lib/xlsx/xform/strings/text-xform') as {
  prototype: { render(xmlStream: unknown, model: unknown): void; __creditDeskEscapes?: boolean };
};
if (!TextXform.prototype.__creditDeskEscapes) {
  const render = TextXform.prototype.render;
  TextXform.prototype.render = function (xmlStream: unknown, model: unknown) {
    return render.call(this, xmlStream, typeof model === 'string' ? encodeXlsxText(model) : model);
  };
  TextXform.prototype.__creditDeskEscapes = true;
}

/** An `_xHHHH_` that is text, not an escape: its underscore gets escaped. */
const LITERAL_ESCAPE = /_(?=x[0-9A-Fa-f]{4}_)/g;
// A well-formed surrogate pair (kept as it is), or a character XML 1.0 cannot hold: C0 controls other than
// tab / LF (CR included, see above), a lone surrogate half, U+FFFE, U+FFFF. Control characters are the point.
/* eslint-disable no-control-regex */
const XML_INVALID = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u0000-\u0008\u000B-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/g;
const NEEDS_ESCAPE = /_x[0-9A-Fa-f]{4}_|[\u0000-\u0008\u000B-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
/* eslint-enable no-control-regex */

/** True when a row has nothing in it (formatting alone does not count). */
export function isBlank(cell: Cell): boolean {
  return cell === null || cell === '';
}
