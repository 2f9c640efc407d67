/**
 * The result file the local Athena writes for every successful query, as Athena writes it to
 * `<OutputLocation>/<QueryExecutionId>.csv` (Athena User Guide, "Find query output files in Amazon S3":
 * https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html): a header row of the
 * column names, then one line per row, every value in double quotes with quotes doubled, NULL as an empty
 * field without quotes and the empty string as `""` (PyAthena docs/null_handling.rst, "CSV Format
 * Limitation", observed on Athena). Values contain their newlines as they are, inside the quotes.
 */
import type { AthenaColumn } from './athena-engine';

const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;

export function resultCsv(columns: AthenaColumn[], rows: (string | null)[][]): Buffer {
  const lines: string[] = [columns.map((c) => quote(c.Name)).join(',')];
  for (const row of rows) lines.push(row.map((v) => (v === null ? '' : quote(v))).join(','));
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}
