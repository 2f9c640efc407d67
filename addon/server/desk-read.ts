/**
 * Everything an action decides on, in TWO Sheets API calls whatever the number of rows or tabs:
 *
 * 1. spreadsheets.get with a fields mask (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/get):
 *    the spreadsheet's time zone (SpreadsheetProperties.timeZone), its spreadsheet-level developer metadata
 *    (the sync's lock marker, core/locks), and per sheet its title, grid size and protected ranges with
 *    requestingUserCanEdit.
 * 2. values.batchGet of the tabs that exist (services/sheets-values.ts: UNFORMATTED_VALUE, dates turned back
 *    into the text getValues gives).
 *
 * SpreadsheetApp would need a getSheetByName, getDataRange and getValues per tab and several calls per fact.
 */
import {
  ADDON_WRITE_KEY,
  isExpiredMarker,
  isLiveMarker,
  parseLockMarker,
  SYNC_LOCK_KEY,
  type LockMarker,
} from '../../core/locks';
import type { TabId } from '../../core/sheet-contract';
import type { Cell } from '../../core/table';
import { readTabsOnce, type ValuesApi } from '../services/sheets-values';
import type { ApiProtectedRange } from './guarded-write';

export interface DeskApi {
  Spreadsheets: {
    get(
      id: string,
      optional: { fields: string },
    ): {
      properties?: { timeZone?: string };
      developerMetadata?: { metadataKey?: string; metadataValue?: string }[];
      sheets?: {
        properties?: { sheetId?: number; title?: string; gridProperties?: { rowCount?: number } };
        protectedRanges?: ApiProtectedRange[];
      }[];
    };
    batchUpdate(resource: { requests: object[] }, id: string): unknown;
    Values: ValuesApi & {
      batchUpdate(
        resource: { valueInputOption: string; data: { range: string; values: unknown[][] }[] },
        id: string,
      ): unknown;
    };
  };
}

export interface DeskRead {
  spreadsheetId: string;
  timeZone: string;
  /** Each asked tab as Cells, header row first; null when the spreadsheet has no such tab. */
  cells: Map<TabId, Cell[][] | null>;
  /** The sync's live lock marker when read, or null. */
  syncLock: LockMarker | null;
  /** Values of add-on write markers past their expiry (left by killed executions): for the writer to remove. */
  expiredAddonMarkers: string[];
  /** Per tab name: its sheetId, grid rows and protected ranges. */
  sheets: Map<string, { sheetId: number; rowCount: number; protectedRanges: ApiProtectedRange[] }>;
}

export function readDesk(api: DeskApi, spreadsheetId: string, tabs: TabId[], now = new Date()): DeskRead {
  const meta = api.Spreadsheets.get(spreadsheetId, {
    fields:
      'properties(timeZone),developerMetadata(metadataKey,metadataValue),' +
      'sheets(properties(sheetId,title,gridProperties(rowCount)),protectedRanges(range,warningOnly,requestingUserCanEdit))',
  });
  const timeZone = meta.properties?.timeZone ?? 'Etc/UTC';
  const sheets = new Map(
    (meta.sheets ?? []).map((s) => [
      s.properties?.title ?? '',
      {
        sheetId: s.properties?.sheetId ?? 0,
        rowCount: s.properties?.gridProperties?.rowCount ?? 0,
        protectedRanges: s.protectedRanges ?? [],
      },
    ]),
  );
  let syncLock: LockMarker | null = null;
  const expiredAddonMarkers: string[] = [];
  for (const m of meta.developerMetadata ?? []) {
    if (m.metadataKey === ADDON_WRITE_KEY && isExpiredMarker(m.metadataValue, now))
      expiredAddonMarkers.push(m.metadataValue ?? '');
    if (m.metadataKey !== SYNC_LOCK_KEY) continue;
    const marker = parseLockMarker(m.metadataValue ?? '');
    if (isLiveMarker(marker, now)) syncLock = marker;
  }
  const cells = readTabsOnce(api.Spreadsheets.Values, spreadsheetId, timeZone, tabs, new Set(sheets.keys()));
  return { spreadsheetId, timeZone, cells, syncLock, expiredAddonMarkers, sheets };
}
