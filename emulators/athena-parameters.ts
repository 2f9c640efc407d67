/**
 * Athena substitutes ExecutionParameters into the query as SQL literal text ('x' with '' for a quote, 12,
 * 1.5, true, NULL). The local server parses each literal into a typed value and BINDS it in DuckDB; it never
 * splices text into SQL. Anything else (an unquoted word, a date without quotes) is refused the way Athena's
 * parser would refuse it.
 */
export type BoundValue =
  | { type: 'varchar'; value: string }
  | { type: 'bigint'; value: bigint }
  | { type: 'double'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' };

export function parseExecutionParameter(text: string): BoundValue {
  const t = text.trim();
  const quoted = /^'((?:[^']|'')*)'$/.exec(t);
  if (quoted) return { type: 'varchar', value: quoted[1].replace(/''/g, "'") };
  if (/^[+-]?\d+$/.test(t)) return { type: 'bigint', value: BigInt(t) };
  if (/^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) || /^[+-]?\d+[eE][+-]?\d+$/.test(t)) {
    return { type: 'double', value: Number(t) };
  }
  if (/^(true|false)$/i.test(t)) return { type: 'boolean', value: t.toLowerCase() === 'true' };
  if (/^null$/i.test(t)) return { type: 'null' };
  throw new Error(
    `INVALID_PARAMETER: execution parameter ${JSON.stringify(text)} is not a SQL literal (quote strings: 'text')`,
  );
}
