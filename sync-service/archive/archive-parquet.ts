/**
 * Parquet beside the archive workbooks, so DuckDB (or Athena, Spark, pandas) can query years of decisions
 * without opening a spreadsheet: `YYYY/credits-YYYY-MM.parquet` (one row per archived credit of the period, with
 * its usage record's collected/closed times) and `YYYY/audit-YYYY-MM.parquet` (the credits' Audit rows),
 * rewritten from the period's whole archive workbook on every run that touches it — so a re-run after a kill
 * writes the same files, never a second copy of a row. One glob over the year folders reads every year at
 * once (see docs/operations.md).
 *
 * Money is DECIMAL(18,4): exact, and wide enough for every ISO 4217 minor unit (0 to 4 digits); the amount is
 * handed to DuckDB as the decimal text the export uses, never as a binary float.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ArchiveContent } from '../../core/archive';
import type { Credit } from '../../core/credit';
import type { LedgerEntry } from '../../core/ledger';
import { formatMinor } from '../../core/money';
import { CREDIT_COLUMNS, type CreditField } from '../../core/sheet-contract';
import { text } from '../../core/table';

export function parquetPaths(dir: string, period: string): { credits: string; audit: string } {
  const year = period.slice(0, 4);
  return {
    credits: join(dir, year, `credits-${period}.parquet`),
    audit: join(dir, year, `audit-${period}.parquet`),
  };
}

/**
 * Each Credits column's name in the Parquet file, or null for one it leaves out (Last Change, left out since the
 * first Parquet files, whose schema queries over the year folders rely on). A column added to the contract
 * (core/sheet-contract.ts) does not compile until it is named here, so it cannot silently stay out of the
 * archive's queryable copy.
 */
const PARQUET_NAME = {
  creditId: 'credit_id',
  period: 'period',
  accountId: 'aws_account',
  payerAccountId: 'payer_account',
  customerId: 'customer_id',
  assetId: 'asset_id',
  resellerId: 'reseller_id',
  service: 'service',
  description: 'description',
  amount: 'amount',
  currency: 'currency',
  status: 'status',
  allocation: 'allocation',
  distributorKeeps: 'distributor_keeps',
  ruleId: 'rule_id',
  usageFileId: 'usage_file_id',
  usageRecordId: 'usage_record_id',
  processingDate: 'processing_date',
  flags: 'flags',
  notes: 'notes',
  lastChange: null,
  key: 'key',
} as const satisfies Record<CreditField, string | null>;

interface ParquetColumn {
  name: string;
  /** The SQL over the all-text staging table: money cast to an exact decimal, blank money NULL. */
  sql: string;
  value: (c: Credit, e: LedgerEntry | undefined) => string;
}

/** The credits file's columns: the contract's, in its order, with the Ledger's collection times after the usage IDs. */
const CREDIT_PARQUET: ParquetColumn[] = CREDIT_COLUMNS.flatMap((col): ParquetColumn[] => {
  const name = PARQUET_NAME[col.field];
  if (name === null) return [];
  const field = col.field;
  const column: ParquetColumn = {
    name,
    sql: col.kind === 'money' ? `CAST(NULLIF(${name}, '') AS DECIMAL(18,4))` : name,
    value: (c) => {
      const v = c[field];
      return typeof v === 'string' ? v : v === null ? '' : formatMinor(v, c.currency);
    },
  };
  if (field !== 'processingDate') return [column];
  return [
    column,
    { name: 'collected_at', sql: 'collected_at', value: (_c, e) => e?.collectedAt ?? '' },
    { name: 'closed_at', sql: 'closed_at', value: (_c, e) => e?.closedAt ?? '' },
  ];
});
const AUDIT_COLUMNS = ['changed_at', 'who', 'action', 'credit_id', 'field', 'before', 'after'];

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function copyRows(
  conn: DuckDBConnection,
  table: string,
  columns: [string, string][],
  rows: string[][],
  target: string,
): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TABLE ${table} (${columns.map(([name]) => `"${name}" VARCHAR`).join(', ')})`,
  );
  const appender = await conn.createAppender(table);
  for (const row of rows) {
    for (const v of row) appender.appendVarchar(v);
    appender.endRow();
  }
  appender.closeSync();
  // Written beside the target and renamed over it: a kill mid-write leaves the previous file whole.
  const temp = `${target}.tmp`;
  rmSync(temp, { force: true });
  const select = columns.map(([name, expr]) => `${expr} AS "${name}"`).join(', ');
  await conn.run(`COPY (SELECT ${select} FROM ${table}) TO ${quote(temp)} (FORMAT parquet)`);
  renameSync(temp, target);
}

/** Writes (replaces) the period's two Parquet files from the period's whole archive. */
export async function writeArchiveParquet(
  dir: string,
  period: string,
  content: ArchiveContent,
): Promise<void> {
  const paths = parquetPaths(dir, period);
  const ledger = new Map(content.ledger.map((e) => [e.key, e]));
  const credits = content.credits.map((c) => {
    const e = ledger.get(c.key);
    return CREDIT_PARQUET.map((col) => col.value(c, e));
  });
  const audit = content.audit.map((a) =>
    [a.when, a.who, a.action, a.creditId, a.field, a.before, a.after].map((v) =>
      typeof v === 'string' ? v : text(v),
    ),
  );
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await copyRows(
      conn,
      'archived_credits',
      CREDIT_PARQUET.map((c) => [c.name, c.sql]),
      credits,
      paths.credits,
    );
    await copyRows(
      conn,
      'archived_audit',
      AUDIT_COLUMNS.map((c) => [c, c]),
      audit,
      paths.audit,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
