/** getSelectedCredit: what the sidebar shows for the row the user has selected on Credits. */
import { TABS, type CreditField } from '../../core/sheet-contract';
import { isLocked } from '../../core/status';
import { creditFromRow, indexColumns } from '../../core/table';
import type { SelectedCreditResponse } from '../api';
import { toCell } from '../services/cells';
import { creditView, suggestionView, targetOptions } from './views';
import { openSpreadsheet, readDefaults, readDirectory, readRules } from './workbook';

function nothing(message: string): SelectedCreditResponse {
  return { credit: null, message, suggestion: null, targets: [] };
}

export function getSelectedCredit(): SelectedCreditResponse {
  const { ss, timeZone } = openSpreadsheet();
  const sheet = ss.getActiveSheet();
  if (sheet.getName() !== TABS.credits.name) return nothing('Select a row on the Credits tab.');
  const range = ss.getActiveRange();
  const row = range ? range.getRow() : 0;
  if (row < 2) return nothing('Select a credit (row 2 or below) on the Credits tab.');
  // Only the header row and the selected row are read: this runs when the sidebar opens and on every Refresh
  // (the sidebar does not follow the selection by itself; it says so).
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
  if (isLocked(credit.status)) {
    return {
      credit: creditView(credit, row),
      message: `${credit.creditId} is ${credit.status}: the usage process collected it, so it can no longer change.`,
      suggestion: null,
      targets: [],
    };
  }
  const directory = readDirectory(ss, timeZone);
  const { index } = readRules(ss, timeZone);
  return {
    credit: creditView(credit, row),
    message: '',
    suggestion: suggestionView(credit, index, readDefaults(ss, timeZone), directory),
    targets: targetOptions(directory),
  };
}
