/**
 * One in-memory spreadsheet with two fronts: the Sheets v4 HTTP server (sheets-server.ts, what the sync's
 * `@googleapis/sheets` client talks to, as the sync's service account) and SpreadsheetApp (spreadsheet-app.ts,
 * what the add-on and a person use, as `_activeUser`). Both read and write the server's SpreadsheetState, so the
 * sync can protect rows through the API and a person meet those protections — or edit around them as the owner —
 * in the same sheet.
 */
import { CallLog } from './call-log';
import type { SheetsServer } from './sheets-server';
import { FakeSpreadsheet } from './spreadsheet-app';

export function spreadsheetAppFront(
  server: SheetsServer,
  spreadsheetId: string,
  opts: { log?: CallLog; name?: string } = {},
): FakeSpreadsheet {
  server.state.sheet(spreadsheetId); // fails now, not at the first call, when there is no such spreadsheet
  // The store is looked up on every access: an atomic API batch replaces the server's state object.
  return new FakeSpreadsheet(opts.log ?? new CallLog(), opts.name ?? 'Credit Desk', () =>
    server.state.sheet(spreadsheetId),
  );
}
