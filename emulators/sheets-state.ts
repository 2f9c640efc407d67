/**
 * The shapes of the local Sheets server's state (a spreadsheet, its sheets, a stored cell) and the error it
 * answers with, apart from sheets-model.ts, which applies requests to them: the request handlers it delegates to
 * (sheets-charts.ts, sheets-field-mask.ts) use these without importing the model that imports them.
 */
import type { sheets_v4 } from '@googleapis/sheets';

type GridRange = sheets_v4.Schema$GridRange;

/**
 * A stored cell. `{ f }` is a formula (created by USER_ENTERED input, or typed "=…" through the SpreadsheetApp
 * front). Empty cells are null (or '' from the SpreadsheetApp front). A Date is a date cell, which only the
 * SpreadsheetApp front creates (a person typing "2026-01-15", or setValue(new Date())).
 */
export type Stored = string | number | boolean | Date | { f: string } | null;

export interface SheetState {
  properties: {
    sheetId: number;
    title: string;
    index: number;
    sheetType: 'GRID';
    gridProperties: { rowCount: number; columnCount: number; frozenRowCount?: number };
  };
  basicFilter?: sheets_v4.Schema$BasicFilter;
  protectedRanges: sheets_v4.Schema$ProtectedRange[];
  developerMetadata: sheets_v4.Schema$DeveloperMetadata[];
  cells: Stored[][];
  validations: { range: GridRange; rule?: sheets_v4.Schema$DataValidationRule }[];
  formats: { range: GridRange; cell: sheets_v4.Schema$CellData; fields: string }[];
  hiddenColumns: number[];
}

export interface SpreadsheetState {
  spreadsheetId: string;
  /** locale and timeZone: Google's defaults for a new spreadsheet are en_US and the creator's zone (Etc/GMT here). */
  properties: { title: string; locale?: string; timeZone?: string };
  sheets: SheetState[];
  developerMetadata: sheets_v4.Schema$DeveloperMetadata[];
  nextId: number;
}

/** An error the server turns into Google's `{ error: { code, message, status } }` body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  get status(): string {
    return (
      {
        400: 'INVALID_ARGUMENT',
        403: 'PERMISSION_DENIED',
        404: 'NOT_FOUND',
        429: 'RESOURCE_EXHAUSTED',
        500: 'INTERNAL',
        503: 'UNAVAILABLE',
      }[this.code] ?? 'UNKNOWN'
    );
  }
}
