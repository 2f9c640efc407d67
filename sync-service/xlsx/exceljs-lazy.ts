/**
 * ExcelJS, loaded on first use. Loading it costs ~0.4 s of a command's start-up, and most commands never need it:
 * the workbook is read straight from its XML (workbook-read.ts) and most writes are patched (workbook-patch.ts).
 * Only the files that build an ExcelJS workbook call this; the others import its types alone.
 */
import type ExcelJS from 'exceljs';

export function excelJs(): typeof ExcelJS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('exceljs') as typeof ExcelJS;
}
