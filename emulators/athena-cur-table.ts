/**
 * The tables AWS's own Athena set-up makes of a CUR folder, for the local Athena server (`npm run servers --
 * --cur DIR`, startAthenaServer({ cur })). The folder is read by the detector the DuckDB path uses
 * (sync-service/sources/cur-folder.ts), so both paths see the same layouts, upper-case `BILLING_PERIOD=` folders
 * and, per month, only the current version (its manifest's files, else the newest version folder: cur-versions.ts).
 * Each month's files become one partition of the table, with the partition values of their folders. (Real
 * Athena reads every file under a partition's folder; AWS's Athena integrations overwrite a month's files, so
 * there is one version there. An export kept in "create new" mode is read here as the DuckDB path reads it.)
 *
 * - Legacy CUR with the Athena integration: what the crawler-cfn.yml AWS delivers beside the report sets up
 *   (https://docs.aws.amazon.com/cur/latest/userguide/use-athena-cf.html; a copy of AWS's template, a lab's changes
 *   marked: awslabs/aws-well-architected-labs, Cost/Cost_and_Usage_Analysis/300_Multi_Account_CUR_Access/Code/crawler-cfn.md):
 *   the Glue database `athenacurcfn_<report name>` (WorkshopCUR → athenacurcfn_workshop_c_u_r), a crawler over
 *   `<report>/<report>/` whose table is named after that folder, lower-cased, partitioned by `year` and `month`
 *   (strings, as the folders spell them: shared/reference/credits-domain.md §3.2), and the table
 *   `cost_and_usage_data_status` (one string column `status`) over `<report>/cost_and_usage_data_status/`
 *   (https://docs.aws.amazon.com/cur/latest/userguide/create-manual-cur-table.html).
 * - CUR 2.0 Data Export: the export's Athena integration, a crawler over `<export>/data/` partitioned by
 *   `billing_period`, a string `YYYY-MM` (shared/reference/credits-domain.md §3.2; folders as
 *   https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html lays them out). The
 *   reference names neither its Glue database nor its table: they are `cur.cur2` here, and the command the server
 *   prints carries them.
 * - CSV, legacy or CUR 2.0: the legacy integration's crawler excludes `**.csv` and `**.gz` (crawler-cfn.yml
 *   above), so it catalogs the Parquet delivery only, and the CUR 2.0 integration is described with Parquet
 *   (credits-domain.md §3.2's source). No reference shows an AWS Athena table over CSV CUR, so, as the stricter
 *   reading, such a folder is refused with what AWS supports rather than served as a table AWS would not make.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreditDeskError } from '../core/errors';
import type { CurLayout } from '../sync-service/sources/credits-query';
import { athenaColumnName } from '../sync-service/sources/cur-column-names';
import { inspectCurFolder } from '../sync-service/sources/cur-folder';

export interface DataFile {
  path: string;
  size: number;
}

/** One partition as Glue registers it: its key values (text, as the folder has them) and its files. */
export interface Partition {
  values: Record<string, string>;
  files: DataFile[];
}

export interface CurTable {
  kind: 'cur';
  layout: CurLayout;
  /** The folder the table's LOCATION points at (holds the partition folders). */
  location: string;
  partitionKeys: string[];
  partitions: Partition[];
}

export interface StatusTable {
  kind: 'status';
  location: string;
  /** Empty when AWS has not written the folder yet: the table exists and has no rows. */
  files: DataFile[];
}

export type TableDefinition = CurTable | StatusTable;

/** What `--cur DIR` sets up: the CUR table to point credit-desk at, and every table the set-up creates. */
export interface CurSetup {
  database: string;
  table: string;
  layout: CurLayout;
  /** "CUR 2.0" or "legacy CUR", for messages. */
  delivery: string;
  location: string;
  /** Newest first. */
  periods: string[];
  /** "database.table" → its definition. */
  tables: Record<string, TableDefinition>;
}

const PARTITION_KEYS: Record<CurLayout, string[]> = { cur2: ['billing_period'], legacy: ['year', 'month'] };
const STATUS_TABLE = 'cost_and_usage_data_status';

/** A path as a shell word, so the command in a message runs when pasted. */
function shellWord(value: string): string {
  return /^[\w./@%+=:,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function dataFile(file: string): DataFile {
  return { path: file, size: fs.statSync(file).size };
}

/** The `key=value` folders between the table's location and a file; keys lower-cased, as Glue's are. */
function partitionValues(location: string, file: string, keys: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const part of path.relative(location, path.dirname(file)).split(path.sep)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).toLowerCase();
    if (eq > 0 && keys.includes(key)) values[key] = part.slice(eq + 1);
  }
  return values;
}

/**
 * The CUR table over `dir` (any folder inspectCurFolder accepts). `layout` refuses the other layout, as the
 * DuckDB path's --layout does.
 */
export function curTable(
  dir: string,
  layout: CurLayout | 'auto' = 'auto',
): CurTable & { delivery: string; periods: string[] } {
  const folder = inspectCurFolder(dir, layout);
  const csv = folder.periods.filter((p) => p.format === 'csv');
  if (csv.length) {
    throw new CreditDeskError(
      'NO_DATA',
      `${folder.root} holds ${folder.delivery === 'CUR 2.0' ? 'a CUR 2.0 export' : 'a legacy CUR'} in CSV (${csv
        .map((p) => p.period)
        .join(
          ', ',
        )}), and AWS's Athena set-up has no table for CSV: the legacy Athena integration and the CUR 2.0 export's Athena integration both deliver Parquet, and the legacy crawler skips .csv and .gz files.`,
      `Read these files without Athena (\`./credit-desk sync --cur ${shellWord(path.resolve(dir))}\` reads CSV as delivered), or set the report or export to Parquet with the Athena integration and point --cur at that delivery.`,
    );
  }
  const keys = PARTITION_KEYS[folder.layout];
  const byValues = new Map<string, Partition>();
  for (const period of folder.periods) {
    for (const file of period.files) {
      const values = partitionValues(folder.root, file, keys);
      const id = JSON.stringify(keys.map((k) => values[k]));
      const partition = byValues.get(id) ?? { values, files: [] };
      partition.files.push(dataFile(file));
      byValues.set(id, partition);
    }
  }
  return {
    kind: 'cur',
    layout: folder.layout,
    location: folder.root,
    partitionKeys: keys,
    partitions: [...byValues.values()],
    delivery: folder.delivery === 'CUR 2.0' ? 'CUR 2.0' : 'legacy CUR',
    periods: folder.periods.map((p) => p.period),
  };
}

/** A Glue name as the crawler makes it of a folder name: lower case, anything else an underscore. */
function glueName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function statusTable(reportDir: string): StatusTable {
  const name = fs.readdirSync(reportDir).find((n) => n.toLowerCase() === STATUS_TABLE);
  const location = path.join(reportDir, name ?? STATUS_TABLE);
  const files =
    name && fs.statSync(location).isDirectory()
      ? fs
          .readdirSync(location)
          .filter((n) => /\.parquet$/i.test(n))
          .map((n) => dataFile(path.join(location, n)))
      : [];
  return { kind: 'status', location, files };
}

/** The tables AWS's Athena set-up creates for the CUR in `dir`, named as it names them (see the header). */
export function awsCurSetup(dir: string): CurSetup {
  const { delivery, periods, ...table } = curTable(dir);
  if (table.layout === 'cur2') {
    return {
      database: 'cur',
      table: 'cur2',
      layout: 'cur2',
      delivery,
      location: table.location,
      periods,
      tables: { 'cur.cur2': table },
    };
  }
  const report = path.basename(table.location);
  const database = `athenacurcfn_${athenaColumnName(report)}`;
  const name = glueName(report);
  if (!/^[a-z_]/.test(name)) {
    throw new CreditDeskError(
      'NO_DATA',
      `The legacy CUR folder ${table.location} is named "${report}", which makes no Athena table name (it must start with a letter or an underscore).`,
      'Point --cur at the report folder AWS delivered, named after the report (<report>/<report>/year=…).',
    );
  }
  return {
    database,
    table: name,
    layout: 'legacy',
    delivery,
    location: table.location,
    periods,
    tables: {
      [`${database}.${name}`]: table,
      [`${database}.${STATUS_TABLE}`]: statusTable(path.dirname(table.location)),
    },
  };
}
