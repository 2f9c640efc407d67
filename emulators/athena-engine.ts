/**
 * The SQL side of the local Athena server: a DuckDB database whose catalog `awsdatacatalog` has one schema
 * per Glue database and one view per table. A CUR table is the union of its partitions, each the Parquet files
 * athena-cur-table.ts found for it (the current version of the month only) with the partition columns added as
 * the text Glue registers (VARCHAR, as Athena/Glue type them); columns are matched by name across partitions, as
 * Athena reads Parquet, so months with other schemas line up. Queries run with their execution parameters BOUND,
 * and DuckDB's answers are turned into Athena's: column types named as Athena names them, every value as text,
 * and failures worded as Athena words them (TABLE_NOT_FOUND, SCHEMA_NOT_FOUND, ...).
 */
import {
  DuckDBInstance,
  DuckDBTypeId,
  type DuckDBPreparedStatement,
  type DuckDBType,
} from '@duckdb/node-api';
import { CreditDeskError } from '../core/errors';
import { readSql } from '../sync-service/sources/duckdb';
import { parseExecutionParameter, type BoundValue } from './athena-parameters';
import type { CurTable, StatusTable, TableDefinition } from './athena-cur-table';

export interface AthenaColumn {
  Name: string;
  Label: string;
  Type: string;
  Precision: number;
  Scale: number;
  Nullable: 'UNKNOWN';
  CaseSensitive: boolean;
  CatalogName: 'hive';
  SchemaName: '';
  TableName: '';
}

export interface QueryResult {
  columns: AthenaColumn[];
  rows: (string | null)[][];
  bytesScanned: number;
}

/** A query failure in Athena's words: `ERROR_NAME: message`. */
export class AthenaEngineError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly category: 1 | 2 | 3 = 2, // 1 system, 2 user, 3 other (Athena's ErrorCategory)
  ) {
    super(`${errorName}: ${message}`);
  }
}

export const CATALOG = 'awsdatacatalog';
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Registered = TableDefinition & {
  database: string;
  table: string;
};

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** One partition's rows: its files' columns but the partition keys, then the keys as the folder's text. */
function partitionSelect(table: CurTable, p: CurTable['partitions'][number]): string {
  const keys = table.partitionKeys.map(sqlString).join(', ');
  const values = table.partitionKeys.map((k) => `${sqlString(p.values[k] ?? '')} AS "${k}"`).join(', ');
  const read = readSql({ period: '', format: 'parquet', files: p.files.map((f) => f.path), notes: [] });
  return `SELECT COLUMNS(c -> lower(c) NOT IN (${keys})), ${values} FROM ${read}`;
}

function viewBody(def: TableDefinition): string {
  if (def.kind === 'cur')
    return def.partitions.map((p) => partitionSelect(def, p)).join('\nUNION ALL BY NAME\n');
  return statusBody(def);
}

/** AWS's status table has one string column; with no file yet it is empty, as a table over an empty folder is. */
function statusBody(def: StatusTable): string {
  if (!def.files.length) return 'SELECT CAST(NULL AS VARCHAR) AS status WHERE false';
  const read = readSql({ period: '', format: 'parquet', files: def.files.map((f) => f.path), notes: [] });
  return `SELECT CAST(status AS VARCHAR) AS status FROM ${read}`;
}

export class AthenaEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly tables: Map<string, Registered>,
  ) {}

  static async create(tables: Record<string, TableDefinition>): Promise<AthenaEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const registered = new Map<string, Registered>();
    try {
      await conn.run(`ATTACH ':memory:' AS ${CATALOG}`);
      for (const [name, spec] of Object.entries(tables)) {
        const [database, table, extra] = name.toLowerCase().split('.');
        if (!IDENT.test(database ?? '') || !IDENT.test(table ?? '') || extra !== undefined) {
          throw new Error(`athena-server: table "${name}" must be written "database.table"`);
        }
        await conn.run(`CREATE SCHEMA IF NOT EXISTS ${CATALOG}."${database}"`);
        try {
          await conn.run(`CREATE VIEW ${CATALOG}."${database}"."${table}" AS ${viewBody(spec)}`);
        } catch (err) {
          throw unreadable(`${database}.${table}`, spec.location, err);
        }
        registered.set(`${database}.${table}`, { ...spec, database, table });
      }
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    conn.closeSync();
    return new AthenaEngine(instance, registered);
  }

  hasDatabase(database: string): boolean {
    return [...this.tables.values()].some((t) => t.database === database.toLowerCase());
  }

  /**
   * Runs `sql` with `parameters` (Athena's SQL-literal strings) bound to its `?` placeholders. `interrupt`
   * is set by the caller to stop DuckDB when the query is cancelled.
   */
  async run(
    sql: string,
    parameters: string[],
    context: { catalog: string; database: string },
    onConnection?: (interrupt: () => void) => void,
  ): Promise<QueryResult> {
    if (context.catalog.toLowerCase() !== CATALOG) {
      throw new AthenaEngineError('CATALOG_NOT_FOUND', `Catalog '${context.catalog}' does not exist`);
    }
    const refs = this.tableRefs(sql, context.database.toLowerCase());
    const values = parameters.map((p) => {
      try {
        return parseExecutionParameter(p);
      } catch (err) {
        throw new AthenaEngineError(
          'INVALID_PARAMETER_USAGE',
          (err as Error).message.replace(/^INVALID_PARAMETER: /, ''),
        );
      }
    });
    const conn = await this.instance.connect();
    onConnection?.(() => conn.interrupt());
    try {
      const db = context.database.toLowerCase();
      await conn.run(this.hasDatabase(db) && IDENT.test(db) ? `USE ${CATALOG}."${db}"` : `USE ${CATALOG}`);
      let statement: DuckDBPreparedStatement;
      try {
        statement = await conn.prepare(sql);
      } catch (err) {
        throw translateDuckDbError(err);
      }
      if (statement.parameterCount !== values.length) {
        throw new AthenaEngineError(
          'INVALID_PARAMETER_USAGE',
          `Incorrect number of parameters: expected ${statement.parameterCount} but found ${values.length}`,
        );
      }
      values.forEach((v, i) => bind(statement, i + 1, v));
      const reader = await statement.runAndReadAll().catch((err: unknown) => {
        throw translateDuckDbError(err);
      });
      const columns = reader.columnNames().map((name, i) => athenaColumn(name, reader.columnTypes()[i]));
      const rows = reader
        .getRowsJson()
        .map((row) =>
          row.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v))),
        );
      return { columns, rows, bytesScanned: this.estimateScan(sql, refs, values) };
    } finally {
      conn.closeSync();
    }
  }

  close(): void {
    this.instance.closeSync();
  }

  /** The tables the query names after FROM/JOIN, checked the way Athena checks them before running. */
  private tableRefs(sql: string, contextDb: string): Registered[] {
    const refs: Registered[] = [];
    const name = String.raw`(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)`;
    const pattern = new RegExp(String.raw`\b(?:FROM|JOIN)\s+(${name}(?:\s*\.\s*${name}){0,2})`, 'gi');
    for (const m of sql.matchAll(pattern)) {
      const parts = m[1].split(/\s*\.\s*/).map((p) => p.replace(/^"|"$/g, '').toLowerCase());
      const [catalog, database, table] =
        parts.length === 3
          ? parts
          : parts.length === 2
            ? [CATALOG, ...parts]
            : [CATALOG, contextDb, parts[0]];
      if (catalog !== CATALOG)
        throw new AthenaEngineError('CATALOG_NOT_FOUND', `Catalog '${catalog}' does not exist`);
      if (!this.hasDatabase(database)) {
        throw new AthenaEngineError('SCHEMA_NOT_FOUND', `Schema '${database}' does not exist`);
      }
      const found = this.tables.get(`${database}.${table}`);
      if (!found) {
        throw new AthenaEngineError(
          'TABLE_NOT_FOUND',
          `Table '${CATALOG}.${database}.${table}' does not exist`,
        );
      }
      refs.push(found);
    }
    return refs;
  }

  /**
   * DataScannedInBytes, estimated: the sizes of the Parquet files of every partition the query could touch.
   * A partition column mentioned after WHERE limits the files to those whose partition value equals a bound
   * string parameter or a quoted literal of the query; `LIMIT 0` reads nothing. Real Athena reads only the
   * needed columns and row groups, so this is an upper bound.
   */
  private estimateScan(sql: string, refs: Registered[], values: BoundValue[]): number {
    if (/\bLIMIT\s+0\b/i.test(sql)) return 0;
    const where = /\bWHERE\b([\s\S]*)$/i.exec(sql)?.[1] ?? '';
    const candidates = new Set<string>([
      ...values.flatMap((v) =>
        v.type === 'varchar' ? [v.value] : v.type === 'bigint' ? [String(v.value)] : [],
      ),
      ...[...where.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'")),
    ]);
    const size = (files: { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
    let bytes = 0;
    for (const ref of new Set(refs)) {
      if (ref.kind === 'status') {
        bytes += size(ref.files);
        continue;
      }
      const keys = ref.partitionKeys.filter((k) => new RegExp(`\\b${k}\\b`, 'i').test(where));
      for (const p of ref.partitions) {
        if (keys.every((k) => candidates.has(p.values[k] ?? ''))) bytes += size(p.files);
      }
    }
    return bytes;
  }
}

/** A table whose files DuckDB cannot read: named, with DuckDB's first line, before the server takes a query. */
function unreadable(table: string, location: string, err: unknown): CreditDeskError {
  const message =
    typeof (err as { message?: unknown })?.message === 'string'
      ? (err as { message: string }).message
      : String(err);
  return new CreditDeskError(
    'BAD_CUR_ROW',
    `The files of table ${table} (${location}) cannot be read as Parquet: ${message.split('\n')[0]}`,
    'A file named above is damaged or not Parquet: download it again from the S3 bucket or move it out of the folder, then start the server again.',
  );
}

function bind(statement: DuckDBPreparedStatement, index: number, v: BoundValue): void {
  if (v.type === 'varchar') statement.bindVarchar(index, v.value);
  else if (v.type === 'bigint') statement.bindBigInt(index, v.value);
  else if (v.type === 'double') statement.bindDouble(index, v.value);
  else if (v.type === 'boolean') statement.bindBoolean(index, v.value);
  else statement.bindNull(index);
}

/** DuckDB type → the type name Athena puts in ColumnInfo (Trino's names). */
function athenaColumn(name: string, type: DuckDBType): AthenaColumn {
  const base = {
    Name: name.toLowerCase(),
    Label: name.toLowerCase(),
    Nullable: 'UNKNOWN' as const,
    CatalogName: 'hive' as const,
    SchemaName: '' as const,
    TableName: '' as const,
  };
  const t = (Type: string, Precision: number, Scale = 0, CaseSensitive = false) => ({
    ...base,
    Type,
    Precision,
    Scale,
    CaseSensitive,
  });
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return t('varchar', 2147483647, 0, true);
    case DuckDBTypeId.TINYINT:
      return t('tinyint', 3);
    case DuckDBTypeId.SMALLINT:
      return t('smallint', 5);
    case DuckDBTypeId.INTEGER:
      return t('integer', 10);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT: // Trino's SUM over integers is a bigint
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UINTEGER:
      return t('bigint', 19);
    case DuckDBTypeId.DOUBLE:
      return t('double', 17);
    case DuckDBTypeId.FLOAT:
      return t('real', 17);
    case DuckDBTypeId.DECIMAL: {
      const m = /DECIMAL\((\d+),\s*(\d+)\)/.exec(type.toString());
      return t('decimal', Number(m?.[1] ?? 38), Number(m?.[2] ?? 0));
    }
    case DuckDBTypeId.BOOLEAN:
      return t('boolean', 0);
    case DuckDBTypeId.DATE:
      return t('date', 0);
    case DuckDBTypeId.TIMESTAMP:
      return t('timestamp', 3);
    default:
      return t('varchar', 2147483647, 0, true);
  }
}

function translateDuckDbError(err: unknown): AthenaEngineError {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  if (/^Parser Error/.test(message))
    return new AthenaEngineError('SYNTAX_ERROR', message.replace(/^Parser Error: /, ''));
  const column = /Referenced column "?(\w+)"? not found/.exec(message);
  if (column) return new AthenaEngineError('COLUMN_NOT_FOUND', `Column '${column[1]}' cannot be resolved`);
  const fn = /Function with name (\w+) does not exist/.exec(message);
  if (fn) return new AthenaEngineError('FUNCTION_NOT_FOUND', `Function '${fn[1]}' not registered`);
  if (/^INTERRUPT/i.test(message))
    return new AthenaEngineError('USER_CANCELLED', 'Query was cancelled by user', 3);
  return new AthenaEngineError('GENERIC_INTERNAL_ERROR', message, 1);
}
