/**
 * getSelectedCredit: what the sidebar shows for the row the user has selected on Credits; getSelectionKey:
 * where the selection is, for the sidebar's poll (addon/sidebar/follow-selection.ts).
 */
import type { AccountDirectory } from '../../core/accounts';
import type { Credit } from '../../core/credit';
import { isCorrection, parseCorrectionKey } from '../../core/correction-key';
import { invoicedCredits, unprovenRow } from '../../core/row-proof';
import { TABS, type CreditField } from '../../core/sheet-contract';
import { isLocked } from '../../core/status';
import { creditFromRow, indexColumns, text, type Cell } from '../../core/table';
import type { SelectedCreditResponse } from '../api';
import { toCell } from '../services/cells';
import { LEDGER_TAB, parseLedger, type LedgerEntry } from './ledger';
import { creditView, passedOnView, ruleLabel, suggestionView, targetOptions } from './views';
import { openSpreadsheet, readDefaults, readDirectory, readRules } from './live-sheet';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/**
 * The tab and first row of the active range: four spreadsheet calls and no cell read, so the sidebar can ask
 * every few seconds. A sort that brings another credit under an unmoved selection does not change it (Refresh).
 */
function selectionOf(ss: Spreadsheet): { sheet: Sheet; tab: string; row: number; key: string } {
  const sheet = ss.getActiveSheet();
  const tab = sheet.getName();
  const range = ss.getActiveRange();
  const row = range ? range.getRow() : 0;
  return { sheet, tab, row, key: `${tab}!${row}` };
}

export function getSelectionKey(): string {
  return selectionOf(SpreadsheetApp.getActiveSpreadsheet()).key;
}

export function getSelectedCredit(): SelectedCreditResponse {
  const { ss, timeZone } = openSpreadsheet();
  const { sheet, tab, row, key: selection } = selectionOf(ss);
  const nothing = (message: string): SelectedCreditResponse => ({
    credit: null,
    message,
    suggestion: null,
    targets: [],
    selection,
  });
  if (tab !== TABS.credits.name) return nothing('Select a row on the Credits tab.');
  if (row < 2) return nothing('Select a credit (row 2 or below) on the Credits tab.');
  // Only the header row and the selected row are read: this runs when the sidebar opens, on Refresh and
  // when the sidebar's poll sees the selection move.
  const width = Math.max(1, sheet.getLastColumn());
  const headers = (sheet.getRange(1, 1, 1, width).getValues()[0] as unknown[]).map((v) =>
    toCell(v, timeZone),
  );
  const cells = (sheet.getRange(row, 1, 1, width).getValues()[0] as unknown[]).map((v) =>
    toCell(v, timeZone),
  );
  const credit = creditFromRow(cells, indexColumns<CreditField>('credits', headers), row);
  if (!credit)
    return nothing(`Row ${row} holds no credit (its Key cell is empty). Select a row the sync wrote.`);
  const directory = readDirectory(ss, timeZone);
  if (isLocked(credit.status)) {
    // Shown by name like every other view: the targets for the Customer and Reseller fields, the lines and the rule.
    return {
      credit: creditView(credit, row),
      message: `${credit.creditId} is ${credit.status}: the usage process collected it, so it can no longer change.`,
      suggestion: null,
      targets: targetOptions(directory),
      selection,
      passedOn: passedOnView(credit, directory),
      ruleName: ruleLabel(credit.ruleId, readRules(ss, timeZone).rules),
    };
  }
  const { index } = readRules(ss, timeZone);
  // Said now, while staff can still fix it, rather than at month end by `usage collect`'s NOT_COLLECTED.
  const unproven = isCorrection(credit)
    ? unprovenCorrection(credit, headers, ss, timeZone, directory)
    : unprovenRow(credit, directory, new Map());
  return {
    credit: creditView(credit, row),
    message: '',
    suggestion: suggestionView(credit, index, readDefaults(ss, timeZone), directory),
    targets: targetOptions(directory),
    selection,
    ...(unproven ? { unproven } : {}),
  };
}

/**
 * Why `usage collect` would leave a correction credit out (core/row-proof.ts), or null. A correction is proven by
 * the usage record of the credit it corrects: its Ledger row, looked up only for a correction (the Key column,
 * then that one row: a year's Ledger read whole would be a million cells for one sidebar), read as the Credits row
 * it was (the Ledger has the Credits columns). An original not in the Ledger may be archived with its usage file
 * in the usage folder, which `usage collect` reads and the add-on cannot: then nothing is said here rather than a
 * warning that may be wrong.
 */
function unprovenCorrection(
  credit: Credit,
  headers: Cell[],
  ss: Spreadsheet,
  timeZone: string,
  directory: AccountDirectory,
): string | null {
  const originalKey = parseCorrectionKey(credit.key)!.originalKey;
  const entry = ledgerRowOf(ss, originalKey, timeZone);
  if (!entry) return null;
  const row = headers.map((h) => entry.cells.get(text(h).trim().toLowerCase()) ?? null);
  const original = creditFromRow(row, indexColumns<CreditField>('credits', headers), 0);
  return original
    ? unprovenRow(credit, directory, invoicedCredits([{ ...original, key: originalKey }]))
    : null;
}

/** The Ledger's entry for `key` (parseLedger's reading of its header and that row), or null. */
function ledgerRowOf(ss: Spreadsheet, key: string, timeZone: string): LedgerEntry | null {
  const sheet = ss.getSheetByName(LEDGER_TAB);
  const last = sheet?.getLastRow() ?? 0;
  if (!sheet || last < 2) return null;
  const width = sheet.getLastColumn();
  const head = sheet.getRange(1, 1, 1, width).getValues()[0] as unknown[];
  const keyAt = head.findIndex(
    (h) =>
      String(h ?? '')
        .trim()
        .toLowerCase() === 'key',
  );
  if (keyAt < 0) return null;
  const keys = sheet.getRange(2, keyAt + 1, last - 1, 1).getValues() as unknown[][];
  // Every row of the Key, as parseLedger would meet them (a collection Connect rejected leaves one it skips).
  const rows: unknown[][] = [];
  keys.forEach(([k], i) => {
    if (text(toCell(k, timeZone)) === key) rows.push(sheet.getRange(i + 2, 1, 1, width).getValues()[0]);
  });
  return rows.length ? (parseLedger([head, ...rows], timeZone).byKey.get(key) ?? null) : null;
}
