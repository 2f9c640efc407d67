/**
 * Turns GetQueryResults pages into records. Athena sends every value as text (`VarCharValue`, absent for
 * NULL); the column's declared type in ResultSetMetadata decides how to read it — never the look of the
 * text — and decimals stay exact strings.
 */
import type { ColumnInfo, Row } from '@aws-sdk/client-athena';
import type { RawCreditRow } from './source';

export type Cell = string | number | boolean | null;
export type ResultRecord = Record<string, Cell>;

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT_TYPES = new Set(['double', 'real', 'float']);
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** "decimal(38,10)" → "decimal"; Athena normally sends the bare name with Precision/Scale apart. */
function baseType(type: string | undefined): string {
  return (type ?? 'varchar').toLowerCase().replace(/\(.*$/, '').trim();
}

export function parseDatum(value: string | undefined, type: string | undefined, column = '?'): Cell {
  if (value === undefined) return null;
  const t = baseType(type);
  const bad = () => new Error(`Athena returned "${value}" for ${t} column ${column}; that is not a ${t}.`);
  if (INTEGER_TYPES.has(t)) {
    if (!INTEGER_TEXT.test(value)) throw bad();
    const n = Number(value);
    // Beyond 2^53 a number would round: keep the exact text.
    return Number.isSafeInteger(n) ? n : value;
  }
  if (t === 'decimal') {
    if (!DECIMAL_TEXT.test(value)) throw bad();
    return value;
  }
  if (FLOAT_TYPES.has(t)) {
    const n = Number(value);
    if (value.trim() === '' || (Number.isNaN(n) && value !== 'NaN')) throw bad();
    return n;
  }
  if (t === 'boolean') {
    if (value !== 'true' && value !== 'false') throw bad();
    return value === 'true';
  }
  return value; // varchar, char, date, timestamp, json and anything newer: as text
}

/** Data rows (header already removed) → records keyed by lower-cased column name. */
export function toRecords(columns: ColumnInfo[], rows: Row[]): ResultRecord[] {
  const names = columns.map((c) => (c.Name ?? c.Label ?? '').toLowerCase());
  return rows.map((row) => {
    const data = row.Data ?? [];
    const record: ResultRecord = {};
    names.forEach((name, i) => {
      record[name] = parseDatum(data[i]?.VarCharValue, columns[i].Type, name);
    });
    return record;
  });
}

const TEXT_FIELDS = [
  'payer_account_id',
  'usage_account_id',
  'product_code',
  'description',
  'currency_code',
  'amount',
] as const;
const COUNT_FIELDS = ['line_count', 'bad_cost_lines'] as const;

/** Fails early, with the columns Athena did return, if the result is not the credits query's. */
export function assertCreditColumns(columns: ColumnInfo[]): void {
  const have = new Set(columns.map((c) => (c.Name ?? '').toLowerCase()));
  const missing = [...TEXT_FIELDS, ...COUNT_FIELDS].filter((f) => !have.has(f));
  if (missing.length > 0) {
    throw new Error(
      `The Athena result lacks the column(s) ${missing.join(', ')} (it has ${[...have].join(', ') || 'none'}).`,
    );
  }
}

export function toRawCreditRow(record: ResultRecord, period: string): RawCreditRow {
  const text = (v: Cell | undefined) => (v === null || v === undefined ? null : String(v));
  const count = (v: Cell | undefined) =>
    v === null || v === undefined ? null : typeof v === 'number' ? v : String(v);
  return {
    billing_period: text(record.billing_period) ?? period,
    payer_account_id: text(record.payer_account_id),
    usage_account_id: text(record.usage_account_id),
    product_code: text(record.product_code),
    description: text(record.description),
    currency_code: text(record.currency_code),
    amount: text(record.amount),
    line_count: count(record.line_count),
    bad_cost_lines: count(record.bad_cost_lines),
    // Optional: results of an older query text lack it, and core/cur.ts then claims no reversal.
    positive_lines: count(record.positive_lines),
    line_id: text(record.line_id),
    bad_cost: text(record.bad_cost),
    // Optional like positive_lines: absent, AWS's finalisation of the month is unknown (core/aws-bill.ts).
    invoiced_lines: count(record.invoiced_lines),
  };
}

/** Legacy CUR partitions give year '2026' and month '7' or '07'; CUR 2.0 gives '2026-07'. Newest first. */
export function periodsFromRecords(records: ResultRecord[]): string[] {
  const periods = new Set<string>();
  for (const r of records) {
    const period =
      r.period != null
        ? String(r.period)
        : r.year != null && r.month != null
          ? `${String(r.year)}-${String(r.month).padStart(2, '0')}`
          : '';
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) periods.add(period);
  }
  return [...periods].sort().reverse();
}
