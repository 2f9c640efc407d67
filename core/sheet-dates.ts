/**
 * Dates as Google Sheets holds them, turned into the text core reads — written once for both fronts. Sheets
 * stores a date as a serial number, "days since December 30th 1899" in the spreadsheet's time zone
 * (DateTimeRenderOption: https://developers.google.com/sheets/api/reference/rest/v4/DateTimeRenderOption), and
 * SpreadsheetApp's getValues hands the same cell over as a Date at that wall-clock time. The sync's Google sink
 * (sync-service/sinks/google/sheets-serial.ts), the add-on (addon/services/cells.ts, sheets-values.ts) and the emulator
 * (emulators/sheets-advanced.ts) all need the wall-clock parts of an instant in the sheet's zone and the text a
 * date becomes ("YYYY-MM-DD" at midnight, else the ISO instant), and must agree to the character: they take
 * them from here. Pure (Intl only, no clock, no I/O).
 */
import { TABS } from './sheet-contract';

const DAY_MS = 86_400_000;
/** Serial 0 is 1899-12-30, 25,569 days before 1970-01-01. */
const EPOCH_SERIAL = 25_569;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts (year … second, zero-padded) of `date` in `timeZone`; one formatter per zone. */
export function partsIn(date: Date, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** `date`'s wall-clock time in `timeZone`, as milliseconds of a UTC clock showing the same time. */
function wallClockMs(date: Date, timeZone: string): number {
  const p = partsIn(date, timeZone);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
}

/** A Date as Sheets' serial number in `timeZone`: its wall-clock time there, in days since 1899-12-30. */
export function serialIn(date: Date, timeZone: string): number {
  return (wallClockMs(date, timeZone) + date.getUTCMilliseconds()) / DAY_MS + EPOCH_SERIAL;
}

/** A Date as core's text: "YYYY-MM-DD" when it is midnight in the sheet's zone, else the ISO instant. */
export function dateToText(date: Date, timeZone: string): string {
  if (Number.isNaN(date.getTime())) return '';
  const p = partsIn(date, timeZone);
  const midnight =
    p.hour === '00' && p.minute === '00' && p.second === '00' && date.getUTCMilliseconds() === 0;
  return midnight ? `${p.year}-${p.month}-${p.day}` : date.toISOString();
}

/**
 * A serial number as the text dateToText makes of the same cell's Date. The serial is wall-clock time in the
 * sheet's zone, so the instant is found with the zone's offset at that time (checked twice for a DST edge).
 */
export function serialToText(serial: number, timeZone: string): string {
  const wall = Math.round((serial - EPOCH_SERIAL) * DAY_MS);
  if (!Number.isFinite(wall)) return '';
  if (wall % DAY_MS === 0) return new Date(wall).toISOString().slice(0, 10);
  const offsetAt = (instant: number) =>
    wallClockMs(new Date(instant), timeZone) - Math.floor(instant / 1000) * 1000;
  let instant = wall - offsetAt(wall);
  instant = wall - offsetAt(instant);
  return new Date(instant).toISOString();
}

/**
 * Headers whose numbers are dates: the contract's date and datetime columns (a header is typed the same on
 * every tab), and the Rules tab's From and To — months ("2026-03") that Sheets may store as a date when typed
 * into an automatic-format cell (core/rules/cells.ts readPeriod reads the ISO day as its month; a bare number
 * there is never valid).
 */
export const DATE_HEADERS: ReadonlySet<string> = new Set([
  ...Object.values(TABS).flatMap((t) =>
    (t.columns as readonly { header: string; kind: string }[])
      .filter((c) => c.kind === 'date' || c.kind === 'datetime')
      .map((c) => c.header),
  ),
  ...TABS.rules.columns.filter((c) => c.field === 'from' || c.field === 'to').map((c) => c.header),
]);
