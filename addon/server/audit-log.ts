/** Appends Audit rows: one setValues for the whole batch, columns placed by the Audit tab's headers. */
import { auditCells, type AuditEntry } from '../../core/audit';
import type { AuditField } from '../../core/sheet-contract';
import { headersOf, TABS } from '../../core/sheet-contract';
import { indexColumns, recordToRow } from '../../core/table';
import { appendRows } from '../services/tabs';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

export function appendAudit(ss: Spreadsheet, entries: AuditEntry[]): void {
  if (entries.length === 0) return;
  let sheet = ss.getSheetByName(TABS.audit.name);
  let headers: string[];
  if (!sheet) {
    // A deleted Audit tab is recreated rather than losing the trail.
    sheet = ss.insertSheet(TABS.audit.name);
    headers = headersOf('audit');
    sheet.getRange(1, 1, 1, headers.length).setValues([headers]);
  } else {
    headers = (sheet.getRange(1, 1, 1, Math.max(1, sheet.getLastColumn())).getValues()[0] as unknown[]).map(
      String,
    );
  }
  const idx = indexColumns<AuditField>('audit', headers);
  appendRows(
    sheet,
    entries.map((e) => recordToRow(auditCells(e), idx, headers.length)),
  );
}
