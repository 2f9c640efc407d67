/**
 * Dates in the cells the sync reads from a Google Sheet. Staff type dates (the Rules tab's Created); Sheets
 * stores a typed date as a serial number with a date format ("parsed as if typed into the UI", ValueInputOption:
 * https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption). The sync used to read with
 * dateTimeRenderOption FORMATTED_STRING, which hands over the cell's own format — "06/12/2026" in a sheet whose
 * locale writes day first — and core's readers take ISO text only, so every typed Created date was refused on
 * Google (never in our tests, whose server ignored the option). Now the sync asks SERIAL_NUMBER ("days since
 * December 30th 1899", DateTimeRenderOption: https://developers.google.com/sheets/api/reference/rest/v4/DateTimeRenderOption)
 * and turns the serials in the contract's date and datetime columns (and Rules' From/To) into the ISO text the
 * add-on makes of them (addon/services/sheets-values.ts), so both fronts hand core the same cells.
 */
import { TABS } from '../../core/sheet-contract';
import type { Cell, Grid } from '../../core/table';

const DAY_MS = 86_400_000;
/** Serial 0 is 1899-12-30, 25,569 days before 1970-01-01. */
const EPOCH_SERIAL = 25_569;

/**
 * Contract headers typed as date or datetime (a header is typed the same on every tab), and the Rules tab's
 * From and To: months ("2026-03") that Sheets may store as a date when typed into their automatic-format cells
 * (core/rules/cells.ts readPeriod reads the ISO day as its month; a bare number there is never valid).
 */
const DATE_HEADERS = new Set([
  ...Object.values(TABS).flatMap((t) =>
    (t.columns as readonly { header: string; kind: string }[])
      .filter((c) => c.kind === 'date' || c.kind === 'datetime')
      .map((c) => c.header),
  ),
  ...TABS.rules.columns.filter((c) => c.field === 'from' || c.field === 'to').map((c) => c.header),
]);

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  for (const p of f.formatToParts(new Date(instant))) parts[p.type] = p.value;
  const asUtc = Date.UTC(
    +parts.year,
    +parts.month - 1,
    +parts.day,
    +parts.hour,
    +parts.minute,
    +parts.second,
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * A serial number as text: "YYYY-MM-DD" for a whole day, else the instant in ISO form. The serial is wall-clock
 * time in the spreadsheet's zone, so the instant is found with the zone's offset (checked twice for a DST edge).
 */
export function serialToText(serial: number, timeZone: string): string {
  const wall = Math.round((serial - EPOCH_SERIAL) * DAY_MS);
  if (!Number.isFinite(wall)) return '';
  if (wall % DAY_MS === 0) return new Date(wall).toISOString().slice(0, 10);
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  return new Date(instant).toISOString();
}

/** The grid with the numbers in its date and datetime columns (by header) turned into ISO text. */
export function datesAsText(grid: Grid, timeZone: string): Grid {
  const dateCols = grid.headers.map((h) => DATE_HEADERS.has(h));
  if (!dateCols.some(Boolean)) return grid;
  const rows = grid.rows.map((r) =>
    r.map((v, c): Cell => (typeof v === 'number' && dateCols[c] ? serialToText(v, timeZone) : v)),
  );
  return { ...grid, rows };
}
