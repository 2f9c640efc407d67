/**
 * The offline credits source: runs the one credits query (credits-query.ts) with DuckDB over a local copy of
 * the CUR as AWS delivers it (cur-folder.ts finds the files of the current version of each month). For the
 * requested month only, its files are exposed as a view `cur`: read_parquet or read_csv (gzip is detected from
 * the name), CSV as text so costs are summed from the exact decimals AWS wrote, legacy `category/Name` headers
 * renamed to the Athena names and FOCUS 1.0 columns to the CUR names the query reads (cur-column-names.ts), and
 * the partition columns the query filters on added as the text Athena has them. The period is always a bound parameter. Files of other months are never opened, so a
 * damaged file elsewhere neither breaks the schema nor the query.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CreditDeskError, isCreditDeskError } from '../../core/errors';
import { assertPeriod, creditsParams, creditsQuery, type CurLayout } from './credits-query';
import {
  athenaColumns,
  focusColumns,
  isFocusHeader,
  isLegacyHeader,
  missingFocusColumns,
} from './cur-column-names';
import { checkCsvFile } from './cur-file-check';
import { inspectCurFolder, type CurPeriod } from './cur-folder';
import type { CreditSource, RawCreditRow, SourceResult } from './source';

export interface DuckDbSourceOptions {
  curDir: string;
  layout?: CurLayout | 'auto';
}

export interface DuckDbSource extends CreditSource {
  readonly layout: CurLayout;
  readonly label: string;
}

const VIEW = 'cur';

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table function over one month's files. CSV: AWS writes RFC 4180 with a header line. */
export function readSql(p: CurPeriod): string {
  const list = `[${p.files.map(sqlString).join(', ')}]`;
  return p.format === 'parquet'
    ? `read_parquet(${list}, union_by_name = true, hive_partitioning = false)`
    : `read_csv(${list}, header = true, all_varchar = true, union_by_name = true, delim = ',', quote = '"', escape = '"')`;
}

/** The partition columns the query filters on, as Athena has them (text; legacy month unpadded). */
function partitionColumns(layout: CurLayout, period: string): Record<string, string> {
  const [year, month] = period.split('-');
  return layout === 'cur2' ? { billing_period: period } : { year, month: String(Number(month)) };
}

/** The view over one month, given the columns its files have. */
export function viewSql(layout: CurLayout, p: CurPeriod, columns: readonly string[]): string {
  const partitions = partitionColumns(layout, p.period);
  const isPartition = (name: string): boolean => name.toLowerCase() in partitions;
  const renamed = isLegacyHeader(columns)
    ? athenaColumns(columns)
    : isFocusHeader(columns)
      ? focusColumns(columns)
      : columns.map((c) => ({ header: c, name: c }));
  const select = renamed
    .filter((c) => !isPartition(c.name))
    .map((c) => (c.header === c.name ? ident(c.name) : `${ident(c.header)} AS ${ident(c.name)}`));
  const constants = Object.entries(partitions).map(([k, v]) => `${sqlString(v)} AS ${ident(k)}`);
  return `CREATE OR REPLACE TEMP VIEW ${VIEW} AS SELECT ${[...select, ...constants].join(', ')} FROM ${readSql(p)}`;
}

/** DuckDB's first line is the useful one ("… File 'x.parquet' too small to be a Parquet file"); the rest is SQL context. */
function readError(err: unknown, root: string): CreditDeskError {
  if (isCreditDeskError(err)) return err;
  // Not `instanceof Error`: errors from the native binding may come from another realm (as under jest).
  const message =
    typeof (err as { message?: unknown })?.message === 'string'
      ? (err as { message: string }).message
      : String(err);
  const detail = message.split('\n')[0];
  const missing = /Referenced column "([^"]+)" not found/.exec(detail);
  if (missing) {
    return new CreditDeskError(
      'BAD_CUR_ROW',
      `The CUR files under ${root} lack the column "${missing[1]}" that the credits query needs.`,
      'Point --cur at a CUR: a CUR 2.0 export, a FOCUS 1.0 with AWS columns export, or a legacy CUR (CSV, or Parquet with the Athena integration). Other exports (Cost Explorer CSV, cost optimisation recommendations) have other columns and are not read.',
    );
  }
  return new CreditDeskError(
    'BAD_CUR_ROW',
    `Could not read the CUR files under ${root}: ${detail}`,
    'If a file is named above, it is damaged or not Parquet: download it again or move it out of the folder, then run again.',
  );
}

/**
 * A FOCUS export is read only when it has every column a credit needs (cur-column-names.ts FOCUS_COLUMNS): the
 * one most likely missing is x_ServiceCode, which only the "with AWS columns" table has, and without which a
 * credit would be filed under another key than the CUR gives it. Says that the month's finality is unknown.
 */
function checkFocus(
  names: readonly string[],
  root: string,
  period: string,
  progress?: (msg: string) => void,
): void {
  const missing = missingFocusColumns(names);
  if (missing.length) {
    throw new CreditDeskError(
      'BAD_CUR_ROW',
      `The FOCUS files of ${period} under ${root} lack ${missing.map((m) => `"${m}"`).join(', ')}, which a credit needs (${missing.includes('x_ServiceCode') ? 'x_ServiceCode is the service code a credit is filed under, AmazonEC2 and the like; ServiceName is another text and would file it under another key' : 'its account, service, description, currency or amount'}).`,
      'Export the Data Exports table "FOCUS 1.0 with AWS columns" (FOCUS_1_0_AWS) with all its columns, or a CUR 2.0 export, and point --cur at it.',
    );
  }
  progress?.(
    `FOCUS 1.0 export: credits are its ChargeCategory = 'Credit' lines; it has no invoice ID, so whether AWS finalised ${period} is recorded as unknown (a CUR 2.0 export says it)`,
  );
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export async function createDuckDbSource(opts: DuckDbSourceOptions): Promise<DuckDbSource> {
  const folder = inspectCurFolder(opts.curDir, opts.layout ?? 'auto');
  const { layout, root } = folder;
  const label = `${root} (${folder.delivery})`;
  const instance = await DuckDBInstance.create(':memory:');
  const conn: DuckDBConnection = await instance.connect();

  async function listPeriods(): Promise<string[]> {
    return folder.periods.map((p) => p.period);
  }

  async function fetchCredits(period: string, progress?: (msg: string) => void): Promise<SourceResult> {
    try {
      assertPeriod(period);
    } catch (err) {
      throw new CreditDeskError('USAGE', (err as Error).message);
    }
    const month = folder.periods.find((p) => p.period === period);
    if (!month) {
      // No credits is normal for a month; no data at all means a wrong period or a missing export.
      const periods = folder.periods.map((p) => p.period);
      throw new CreditDeskError(
        'NO_DATA',
        `No CUR data for ${period} in ${label}.`,
        `Periods with data: ${periods.join(', ')}. Pick one of them, or add the ${period} export.`,
      );
    }
    progress?.(`reading credits for ${period} from ${label}`);
    for (const note of month.notes) progress?.(note);
    let rows: RawCreditRow[];
    // A FOCUS export is delivered as CUR 2.0 is; only its columns tell it apart, so the month says which it was.
    let focus = false;
    try {
      if (month.format === 'csv') for (const file of month.files) await checkCsvFile(file);
      const described = (
        await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${readSql(month)}`)
      ).getRowObjectsJson();
      const names = described.map((c) => String(c.column_name));
      focus = isFocusHeader(names);
      if (focus) checkFocus(names, root, period, progress);
      await conn.run(viewSql(layout, month, names));
      const columns = (await conn.runAndReadAll(`DESCRIBE ${VIEW}`)).getRowObjectsJson();
      const has = (name: string) => columns.some((c) => String(c.column_name).toLowerCase() === name);
      // A CUR without the invoice column (FOCUS 1.0, hand copies) cannot say whether AWS finalised the month.
      const query = { lineIds: has('identity_line_item_id'), invoiceIds: has('bill_invoice_id') };
      const statement = await conn.prepare(creditsQuery(VIEW, layout, query));
      creditsParams(layout, period, query).forEach((value, i) => statement.bindVarchar(i + 1, value));
      const result = (await statement.runAndReadAll()).getRowObjectsJson();
      rows = result.map((r) => ({
        billing_period: period,
        payer_account_id: text(r.payer_account_id),
        usage_account_id: text(r.usage_account_id),
        product_code: text(r.product_code),
        description: text(r.description),
        currency_code: text(r.currency_code),
        amount: text(r.amount),
        line_count: text(r.line_count),
        bad_cost_lines: text(r.bad_cost_lines),
        positive_lines: text(r.positive_lines),
        line_id: text(r.line_id),
        bad_cost: text(r.bad_cost),
        invoiced_lines: text(r.invoiced_lines),
      }));
    } catch (err) {
      throw readError(err, root);
    }
    progress?.(`${rows.length} credit groups for ${period}`);
    return { rows, label: focus ? `${root} (FOCUS 1.0 export)` : label };
  }

  return {
    layout,
    label,
    listPeriods,
    fetchCredits,
    async close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
