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
import { formatMinor } from '../../core/money';
import { text } from '../../core/table';

export function parquetPaths(dir: string, period: string): { credits: string; audit: string } {
  const year = period.slice(0, 4);
  return {
    credits: join(dir, year, `credits-${period}.parquet`),
    audit: join(dir, year, `audit-${period}.parquet`),
  };
}

/** Column name → SQL expression over the all-text staging table (money cast to an exact decimal). */
const CREDIT_COLUMNS: [string, string][] = [
  ['credit_id', 'credit_id'],
  ['period', 'period'],
  ['aws_account', 'aws_account'],
  ['payer_account', 'payer_account'],
  ['customer_id', 'customer_id'],
  ['asset_id', 'asset_id'],
  ['reseller_id', 'reseller_id'],
  ['service', 'service'],
  ['description', 'description'],
  ['amount', 'CAST(amount AS DECIMAL(18,4))'],
  ['currency', 'currency'],
  ['status', 'status'],
  ['allocation', 'allocation'],
  ['distributor_keeps', "CAST(NULLIF(distributor_keeps, '') AS DECIMAL(18,4))"],
  ['rule_id', 'rule_id'],
  ['usage_file_id', 'usage_file_id'],
  ['usage_record_id', 'usage_record_id'],
  ['processing_date', 'processing_date'],
  ['collected_at', 'collected_at'],
  ['closed_at', 'closed_at'],
  ['flags', 'flags'],
  ['notes', 'notes'],
  ['key', 'key'],
];
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
    const keeps = c.distributorKeeps === null ? '' : formatMinor(c.distributorKeeps, c.currency);
    return [
      c.creditId,
      c.period,
      c.accountId,
      c.payerAccountId,
      c.customerId,
      c.assetId,
      c.resellerId,
      c.service,
      c.description,
      formatMinor(c.amount, c.currency),
      c.currency,
      c.status,
      c.allocation,
      keeps,
      c.ruleId,
      c.usageFileId,
      c.usageRecordId,
      c.processingDate,
      e?.collectedAt ?? '',
      e?.closedAt ?? '',
      c.flags,
      c.notes,
      c.key,
    ];
  });
  const audit = content.audit.map((a) =>
    [a.when, a.who, a.action, a.creditId, a.field, a.before, a.after].map((v) =>
      typeof v === 'string' ? v : text(v),
    ),
  );
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await copyRows(conn, 'archived_credits', CREDIT_COLUMNS, credits, paths.credits);
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
