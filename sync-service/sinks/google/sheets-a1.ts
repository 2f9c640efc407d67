/**
 * A1 notation for the ranges the Google Sheets sink sends. Indexes are 0-based and end-exclusive, like a
 * GridRange; the strings are 1-based like the sheet. Sheet names are always quoted so a tab called
 * "Q1 2024" or "Rules!" still parses.
 */
import { columnLetter } from '../../../core/sheet-layout';

export function quoteSheet(title: string): string {
  return `'${title.replace(/'/g, "''")}'`;
}

/** Rows [row0, row1) × columns [col0, col1) of a tab. */
export function a1Range(title: string, row0: number, col0: number, row1: number, col1: number): string {
  return `${quoteSheet(title)}!${columnLetter(col0)}${row0 + 1}:${columnLetter(col1 - 1)}${row1}`;
}

/** A whole column, e.g. 'Credits'!V:V. */
export function a1Column(title: string, col: number): string {
  const letter = columnLetter(col);
  return `${quoteSheet(title)}!${letter}:${letter}`;
}

/** A whole row, e.g. 'Credits'!1:1. */
export function a1Row(title: string, row: number): string {
  return `${quoteSheet(title)}!${row + 1}:${row + 1}`;
}

/** One column from row `row0` down to the end of the tab, e.g. 'Audit'!A5:A. */
export function a1ColumnFrom(title: string, col: number, row0: number): string {
  const letter = columnLetter(col);
  return `${quoteSheet(title)}!${letter}${row0 + 1}:${letter}`;
}
