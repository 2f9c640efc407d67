/**
 * Which sheet a usage file belongs to. A usage folder is read by every run as part of the record of what was
 * collected; a second workbook (or spreadsheet) pointed at the same folder must never take the first one's
 * collected credits for its own — the same CUR gives it the same keys, so without this it would lock and
 * "restore" credits it never collected.
 *
 * A sheet's identity is a `Credit Desk ID` row in its Config tab, written by the first `usage collect` and stamped into
 * every usage file it writes. A usage file is the sheet's own when it carries that ID, or when the sheet itself
 * names the file (a Credits row, the Ledger or the Audit tab shows its usage file ID: a copy of the sheet, or a
 * file written before files carried the ID). Anything else is another sheet's and is not read.
 */
import { CONFIG_DEFAULTS, type ConfigField } from './sheet-contract';
import { indexColumns, text, type Grid } from './table';

export const DESK_ID_SETTING = 'Credit Desk ID';

const DESK_ID_NOTE =
  'Ties this sheet to its usage files (written by usage collect). Do not edit it or copy it into another sheet.';

/** The rows a new Config tab starts with: the default configuration and the sheet's new ID. */
export function configSeed(deskId: string): string[][] {
  return [
    ...CONFIG_DEFAULTS.map((d) => [d.setting, d.value, d.notes]),
    [DESK_ID_SETTING, deskId, DESK_ID_NOTE],
  ];
}

/** The sheet's ID from its Config tab, or null when it has none yet. */
export function readDeskId(config: Grid): string | null {
  if (!config.rows.length) return null;
  const idx = indexColumns<ConfigField>('config', config.headers);
  const want = DESK_ID_SETTING.toLowerCase();
  for (const row of config.rows)
    if (text(row[idx.setting]).toLowerCase() === want && text(row[idx.value])) return text(row[idx.value]);
  return null;
}

/** The Config tab with the Credit Desk ID row added (or its blank value filled), every other row kept as it is. */
export function withDeskId(config: Grid, id: string): Grid {
  const idx = indexColumns<ConfigField>('config', config.headers);
  const want = DESK_ID_SETTING.toLowerCase();
  const rows = config.rows.map((r) => [...r]);
  const at = rows.findIndex((r) => text(r[idx.setting]).toLowerCase() === want);
  if (at >= 0) rows[at][idx.value] = id;
  else {
    const row = new Array(config.headers.length).fill('');
    row[idx.setting] = DESK_ID_SETTING;
    row[idx.value] = id;
    row[idx.notes] = DESK_ID_NOTE;
    rows.push(row);
  }
  return { headers: config.headers, rows };
}

/** Splits usage files into the sheet's own and other sheets' (see the module comment). */
export function ownUsageFiles<F extends { usageFileId: string; deskId?: string }>(
  files: readonly F[],
  sheet: { deskId: string | null; namedFiles: ReadonlySet<string> },
): { own: F[]; foreign: F[] } {
  const own: F[] = [];
  const foreign: F[] = [];
  for (const f of files) {
    const ours = (f.deskId !== undefined && f.deskId === sheet.deskId) || sheet.namedFiles.has(f.usageFileId);
    (ours ? own : foreign).push(f);
  }
  return { own, foreign };
}
