/**
 * Dates a person types (values written USER_ENTERED) as the local Sheets server stores them: Google "parses the
 * input as if it were typed into the UI" (ValueInputOption:
 * https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption), so "2020-01-01" becomes the
 * date serial 43831 and keeps a date format like the one typed; reads give the serial under
 * dateTimeRenderOption SERIAL_NUMBER and the text in the cell's format under FORMATTED_STRING
 * (https://developers.google.com/sheets/api/reference/rest/v4/DateTimeRenderOption; both recorded in
 * ../shared/reference/sheets-recordings/WorksheetTest.test_get_all_values_date_time_render_options.json).
 *
 * Which day "06/12/2026" is depends on the spreadsheet's locale (SpreadsheetProperties.locale): month first in
 * en_US, day first in most others. Only ISO dates and the locale's numeric day/month/year order are read as
 * dates here; other spellings Sheets would also take ("Jun 12", "12-Jun-2026") stay text, the stricter reading.
 */

/** Locales whose numeric dates put the month first (the rest put the day first). */
const MONTH_FIRST = new Set(['en_US', 'en_PH', 'fil_PH', 'en_CA']);

export interface TypedDate {
  /** Midnight UTC of the day (the server's spreadsheets are in Etc/GMT, as Google's default). */
  date: Date;
  /** The number format Sheets gives the cell, in Sheets' pattern letters. */
  pattern: string;
}

function realDay(y: number, m: number, d: number): Date | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

/** The date a person typed, or null when Sheets would keep the text. */
export function parseTypedDate(text: string, locale: string): TypedDate | null {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (iso) {
    const date = realDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return date ? { date, pattern: 'yyyy-mm-dd' } : null;
  }
  const num = /^(\d{1,2})([/.])(\d{1,2})\2(\d{4})$/.exec(t);
  if (!num) return null;
  const monthFirst = MONTH_FIRST.has(locale);
  const [a, sep, b, y] = [num[1], num[2], num[3], Number(num[4])];
  const [month, day] = monthFirst ? [a, b] : [b, a];
  const date = realDay(y, Number(month), Number(day));
  if (!date) return null;
  const part = (typed: string, letter: string) => (typed.length === 2 ? letter + letter : letter);
  const pattern = monthFirst
    ? `${part(a, 'm')}${sep}${part(b, 'd')}${sep}yyyy`
    : `${part(a, 'd')}${sep}${part(b, 'm')}${sep}yyyy`;
  return { date, pattern };
}

/** A date in a Sheets date pattern (the yyyy, mm/m and dd/d letters this module produces). */
export function formatDate(date: Date, pattern: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return pattern.replace(/yyyy|mm|m|dd|d/g, (token) => {
    switch (token) {
      case 'yyyy':
        return String(date.getUTCFullYear());
      case 'mm':
        return pad(date.getUTCMonth() + 1);
      case 'm':
        return String(date.getUTCMonth() + 1);
      case 'dd':
        return pad(date.getUTCDate());
      default:
        return String(date.getUTCDate());
    }
  });
}
