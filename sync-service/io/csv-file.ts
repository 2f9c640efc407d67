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
  const options = { skip_empty_lines: true, relax_column_count: true, trim: true };
  try {
    const body = textContent.replace(/^\uFEFF/, '');
    records = parse(body, options);
    // Line numbers, for messages that name the lines. csv-parse counts the CR and the LF of a CRLF apart inside
    // quoted cells, so lines are counted on a copy with LF line ends (the same records). info.lines is the line
    // a record ends on: a quoted cell spanning lines is counted back to where its record starts.
    const located = parse(body.replace(/\r\n?/g, '\n'), { ...options, info: true, raw: true }) as unknown as {
      raw: string;
      info: { lines: number };
    }[];
    lines = located.map((p) => p.info.lines - (p.raw.replace(/^\n+|\n+$/g, '').match(/\n/g)?.length ?? 0));
  } catch (e) {
    throw new Error(
      `${path} is not valid CSV: ${(e as Error).message}. Save it as CSV (UTF-8) and try again.`,
    );
  }
  if (records.length === 0) throw new Error(`${path} is empty: it needs a header row.`);
  const [headers, ...rows] = records;
  return { headers, rows, lines: lines.slice(1) };
}
