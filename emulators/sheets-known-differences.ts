/**
 * Where the local Sheets server still answers differently from Google, and why that does not matter to the
 * project. test/emulators/sheets-conformance.test.ts replays gspread's recordings of the real API
 * (../shared/reference/sheets-recordings/) and fails on any difference not listed here, and on any entry here
 * that no longer occurs — so the list is exactly what is left.
 */

export interface KnownDifference {
  /** The cassettes (by name) where it shows. */
  cassettes: RegExp;
  /** The calls whose answers differ ("values.append", "get", …; status or body). */
  calls: string[];
  why: string;
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    cassettes:
      /^WorksheetTest\.(test_append_row_with_empty_value|test_append_row_with_empty_value_and_table_range|test_insert_cols|test_insert_row)$/,
    calls: ['values.append', 'values.get'],
    why:
      'values.append finds "the table" differently: Google starts at the range\'s first cell and follows the ' +
      'contiguous data (https://developers.google.com/sheets/api/guides/values#append_values), the emulator takes ' +
      'one table per sheet ending at its last row with data, so rows a test appends after leading blanks or next ' +
      'to inserted columns land elsewhere (and the reads after show it). Neither the sink nor the add-on calls ' +
      'values.append: they write computed ranges with values.batchUpdate.',
  },
  {
    cassettes: /^WorksheetTest\.(test_set_tab_color|test_update_tab_color|test_clear_tab_color)$/,
    calls: ['get'],
    why:
      'Tab colours: Google keeps colour components as 32-bit floats (0.49803922 for 127/255) and drops an emptied ' +
      'tabColorStyle; the emulator keeps what was sent. The project never sets or reads a tab colour.',
  },
  {
    cassettes: /^WorksheetTest\.test_worksheet_update_index$/,
    calls: ['get'],
    why:
      "Moving a sheet by updateSheetProperties' index does not renumber the other sheets here. The project never " +
      'moves a sheet: the masks it sends are hidden, gridProperties.* and frozen rows (sync-service/sinks/google).',
  },
  {
    cassettes: /^ClientTest\.test_access_private_spreadsheet$/,
    calls: ['get'],
    why:
      'A spreadsheet deleted through Drive answers 403 on Google (it sits in the trash), 404 here (it is gone). ' +
      'The sink turns both into a configuration error that stops the run (sheets-retry.ts), naming both causes.',
  },
];
