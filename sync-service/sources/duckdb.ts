/**
 * The offline credits source: runs the one credits query (credits-query.ts) with DuckDB over local CUR
 * Parquet files. The files are exposed as a view `cur` over read_parquet with hive partitioning, partition
 * columns pinned to VARCHAR (as Athena has them), and the period is always a bound parameter; DuckDB prunes
 * the partitions that do not match it, so only the requested month's files are opened.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CreditDeskError, isCreditDeskError } from '../../core/errors';
import { assertPeriod, creditsQuery, periodParams, periodsQuery, type CurLayout } from './credits-query';
import { inspectCurFolder, type CurFolder } from './cur-folder';
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

/**
 * read_parquet over one glob per partition. DuckDB takes the schema from the first file it lists, so the
 * requested period's folders go first: a damaged file in another month then neither breaks the schema
 * nor (thanks to pruning) the query.
 */
export function viewSql(folder: CurFolder, firstPeriod?: string): string {
  const ordered = [
    ...folder.partitions.filter((p) => p.period === firstPeriod),
    ...folder.partitions.filter((p) => p.period !== firstPeriod),
  ];
  const globs = ordered.map((p) => sqlString(`${p.dir}/**/*.parquet`)).join(', ');
  const hiveTypes = folder.keys.map((k) => `${sqlString(k)}: VARCHAR`).join(', ');
  return `CREATE OR REPLACE TEMP VIEW ${VIEW} AS SELECT * FROM read_parquet([${globs}], hive_partitioning = true, hive_types = {${hiveTypes}})`;
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
      'Export the CUR with Athena-style column names (line_item_unblended_cost, …): CUR 2.0, or legacy CUR with Athena integration.',
    );
  }
  return new CreditDeskError(
    'BAD_CUR_ROW',
    `Could not read the CUR files under ${root}: ${detail}`,
    'If a file is named above, it is damaged or not Parquet: download it again or move it out of the folder, then run again.',
  );
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export async function createDuckDbSource(opts: DuckDbSourceOptions): Promise<DuckDbSource> {
  const folder = inspectCurFolder(opts.curDir, opts.layout ?? 'auto');
  const { layout, root } = folder;
  const label = `${root} (${layout === 'cur2' ? 'CUR 2.0' : 'legacy CUR'})`;
  const instance = await DuckDBInstance.create(':memory:');
  const conn: DuckDBConnection = await instance.connect();

  async function listPeriods(): Promise<string[]> {
    try {
      await conn.run(viewSql(folder));
      const rows = (await conn.runAndReadAll(periodsQuery(VIEW, layout))).getRowObjectsJson();
      const periods = rows.map((r) =>
        layout === 'cur2' ? String(r.period) : `${String(r.year)}-${String(r.month).padStart(2, '0')}`,
      );
      return [...new Set(periods)].sort().reverse();
    } catch (err) {
      throw readError(err, root);
    }
  }

  async function fetchCredits(period: string, progress?: (msg: string) => void): Promise<SourceResult> {
    try {
      assertPeriod(period);
    } catch (err) {
      throw new CreditDeskError('USAGE', (err as Error).message);
    }
    progress?.(`reading credits for ${period} from ${label}`);
    let rows: RawCreditRow[];
    try {
      await conn.run(viewSql(folder, period));
      const columns = (await conn.runAndReadAll(`DESCRIBE ${VIEW}`)).getRowObjectsJson();
      const lineIds = columns.some((c) => String(c.column_name).toLowerCase() === 'identity_line_item_id');
      const statement = await conn.prepare(creditsQuery(VIEW, layout, { lineIds }));
      periodParams(layout, period).forEach((value, i) => statement.bindVarchar(i + 1, value));
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
        line_id: text(r.line_id),
        bad_cost: text(r.bad_cost),
      }));
    } catch (err) {
      throw readError(err, root);
    }
    if (rows.length === 0) {
      // No credits is normal for a month; no data at all means a wrong period or a missing export.
      const periods = await listPeriods();
      if (!periods.includes(period)) {
        throw new CreditDeskError(
          'NO_DATA',
          `No CUR data for ${period} in ${label}.`,
          periods.length
            ? `Periods with data: ${periods.join(', ')}. Pick one of them, or add the ${period} export.`
            : 'The folder holds no CUR lines at all.',
        );
      }
    }
    progress?.(`${rows.length} credit groups for ${period}`);
    return { rows, label };
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
