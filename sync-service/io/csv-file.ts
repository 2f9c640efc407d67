/**
 * Reads a CSV file (accounts, rules) into a Grid, with errors that name the file and say what to do.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Grid } from '../../core/table';

export function readCsvGrid(path: string): Grid {
  let textContent: string;
  try {
    textContent = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${path} does not exist. Check the path, or run \`credit-desk demo-data\` to create sample files.`
        : `${path} could not be read (${code ?? (e as Error).message}). Check its permissions.`,
    );
  }
  let records: string[][];
  let lines: number[];
  try {
    const parsed: { record: string[]; raw: string; info: { lines: number } }[] = parse(
      textContent.replace(/^\uFEFF/, ''),
      { skip_empty_lines: true, relax_column_count: true, trim: true, info: true, raw: true },
    ) as unknown as { record: string[]; raw: string; info: { lines: number } }[];
    records = parsed.map((p) => p.record);
    // info.lines is the line a record ends on; a quoted cell may span lines, so count back to where it starts.
    lines = parsed.map(
      (p) => p.info.lines - (p.raw.replace(/^[\r\n]+|[\r\n]+$/g, '').match(/\r\n|\r|\n/g)?.length ?? 0),
    );
  } catch (e) {
    throw new Error(
      `${path} is not valid CSV: ${(e as Error).message}. Save it as CSV (UTF-8) and try again.`,
    );
  }
  if (records.length === 0) throw new Error(`${path} is empty: it needs a header row.`);
  const [headers, ...rows] = records;
  return { headers, rows, lines: lines.slice(1) };
}
