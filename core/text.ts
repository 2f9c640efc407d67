/**
 * Text from the CUR as the sheet will hold it. A spreadsheet cannot hold every string: XML 1.0 (an .xlsx) has no
 * room for NUL and most other C0 control characters, nor for lone UTF-16 surrogates or U+FFFE/U+FFFF, and Google
 * Sheets drops some of them. Rather than let each save change the text a little (and the usage file get the
 * changed text), such characters are replaced once, here, at import, by a visible form:
 *
 * - C0 controls other than tab, LF and CR (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F) → the Unicode
 *   "Control Pictures" character for it (U+2400 + code: NUL → ␀, U+001B → ␛);
 * - DEL (U+007F) → ␡ (U+2421);
 * - a lone surrogate half, U+FFFE or U+FFFF → � (U+FFFD).
 *
 * Tab, LF, CR, CRLF and everything else (including literal `_x0041_` sequences) are kept as they are; the sinks
 * store them exactly.
 */

// Control characters are the point of this pattern.
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF\uFFFE\uFFFF]/g;

export function importText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch.length === 2) return ch; // a well-formed surrogate pair: an ordinary astral character
    const code = ch.charCodeAt(0);
    if (code <= 0x1f) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\uFFFD';
  });
}

/**
 * The CUR text importText made `shown` from, where that can be told back: each control picture it writes turned
 * back into the control character (a text that held the picture itself reads as the control: callers try `shown`
 * as it is too); a U+FFFD stays, as what it replaced is lost.
 */
export function importedFrom(shown: string): string {
  return shown.replace(/[\u2400-\u2408\u240B\u240C\u240E-\u241F\u2421]/g, (ch) =>
    ch === '\u2421' ? '\u007F' : String.fromCharCode(ch.charCodeAt(0) - 0x2400),
  );
}
