/**
 * The Athena credit source: runs the one credits query (credits-query.ts) against the CUR table in Athena,
 * with the billing period passed only as an execution parameter, and returns the rows as the DuckDB source
 * does. A result bigger than one page is read from its S3 result file in one request (athena-result-file.ts),
 * falling back to paging when the identity may not read it. The AWS SDK finds credentials and region itself (env, shared config and SSO profiles, container and
 * instance roles); nothing here reads, stores or logs them.
 */
import { AthenaClient, type AthenaClientConfig } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { CreditDeskError } from '../../core/errors';
import {
  assertPeriod,
  creditsParams,
  creditsQuery,
  periodsQuery,
  quoteTable,
  type CurLayout,
} from './credits-query';
import { runAthenaQuery, type QuerySettings } from './athena-query';
import { assertCreditColumns, periodsFromRecords, toRawCreditRow, toRecords } from './athena-results';
import { DEFAULT_RETRY_POLICY } from './athena-retry';
import { createResultFileReader, type ResultFileReader } from './athena-result-file';
import type { CreditSource, SourceResult } from './source';

export { LEAST_PRIVILEGE_IAM_POLICY, renderIamPolicy } from './athena-policy';
export { AthenaQueryError } from './athena-errors';

export interface AthenaSourceOptions {
  /** Glue database of the CUR table. */
  database: string;
  table: string;
  workgroup?: string;
  catalog?: string;
  /** s3://… for query results; leave out for a workgroup with its own (or managed) results location. */
  outputLocation?: string;
  region?: string;
  /** 'auto' (default) looks at the table's columns: billing_period → CUR 2.0, year/month → legacy. */
  layout?: CurLayout | 'auto';
  /** A local Athena-protocol server instead of AWS (the tests and `npm run servers`). */
  endpoint?: string;
  /** For a local server (the tests and `npm run servers`); against AWS leave it out and the SDK's default chain applies. */
  credentials?: AthenaClientConfig['credentials'];
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  timeoutMs?: number;
  /** Attempts per API call (throttling, 5xx, dropped connections), including the first. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  /** GetQueryResults page size, 1–1000. */
  pageSize?: number;
  /**
   * Read a result of more than one page from its S3 result file (one GetObject) instead of paging; default
   * true. Off, or without s3:GetObject on the result location, every page is a GetQueryResults request.
   */
  resultFile?: boolean;
  /** A local S3 for the result file (path-style); defaults to `endpoint`, whose local server also serves S3. */
  s3Endpoint?: string;
  onProgress?: (msg: string) => void;
  /** Said once, not overwritten by progress: e.g. that the result file could not be read and why. */
  onWarning?: (msg: string) => void;
  signal?: AbortSignal;
  clientRequestToken?: () => string;
}

const ATHENA_NAME = /^[A-Za-z0-9._-]{1,128}$/;

function checkIdentifier(option: string, value: string): void {
  let ok = !value.includes('.');
  try {
    quoteTable(value);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new CreditDeskError(
      'BAD_CONFIG',
      `The Athena ${option} option "${value}" is not a valid name.`,
      `Use the ${option} name as the Athena console shows it: letters, digits and underscores only, ` +
        'starting with a letter or underscore (for example cur_reports).',
    );
  }
}

function checkName(option: string, value: string): void {
  if (!ATHENA_NAME.test(value)) {
    throw new CreditDeskError(
      'BAD_CONFIG',
      `The Athena ${option} option "${value}" is not a valid name.`,
      `Use the ${option} name as the Athena console shows it (letters, digits, '.', '_' and '-').`,
    );
  }
}

/** A SQL string literal for an execution parameter: Athena substitutes parameters as SQL text. */
export function sqlStringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Picks the layout from a table's column names (lower-cased). */
export function layoutFromColumns(columns: string[], tableName: string): CurLayout {
  const names = new Set(columns.map((c) => c.toLowerCase()));
  if (names.has('billing_period')) return 'cur2';
  if (names.has('year') && names.has('month')) return 'legacy';
  throw new CreditDeskError(
    'BAD_CONFIG',
    `The Athena table ${tableName} has neither a billing_period column (CUR 2.0) nor year and month columns ` +
      `(legacy CUR), so it does not look like a CUR table.`,
    'Point the table option at the CUR table, or set the layout option to cur2 or legacy.',
  );
}

export function createAthenaSource(opts: AthenaSourceOptions): CreditSource {
  checkIdentifier('database', opts.database);
  checkIdentifier('table', opts.table);
  const workgroup = opts.workgroup ?? 'primary';
  const catalog = opts.catalog ?? 'AwsDataCatalog';
  checkName('workgroup', workgroup);
  checkName('catalog', catalog);
  if (opts.outputLocation !== undefined && !/^s3:\/\/[^/]+/.test(opts.outputLocation)) {
    throw new CreditDeskError(
      'BAD_CONFIG',
      `The Athena output location "${opts.outputLocation}" is not an s3:// address.`,
      "Write it as s3://bucket/prefix/, or leave it out to use the workgroup's own result location.",
    );
  }
  const pageSize = opts.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new CreditDeskError(
      'BAD_CONFIG',
      `The Athena page size ${pageSize} is out of range.`,
      'Use 1 to 1000.',
    );
  }

  const tableName = `${opts.database}.${opts.table}`;
  const quoted = quoteTable(tableName);
  // The SDK's own retries are off (maxAttempts 1): the policy in athena-retry.ts is the only one.
  const client = new AthenaClient({
    maxAttempts: 1,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  const retry = {
    ...DEFAULT_RETRY_POLICY,
    maxAttempts: opts.maxAttempts ?? 6,
    baseDelayMs: opts.retryBaseDelayMs ?? 250,
  };
  const s3Endpoint = opts.s3Endpoint ?? opts.endpoint;
  // Same region and credentials as Athena (the result location must be in the workgroup's region); retries
  // are athena-retry.ts's, as for Athena. A local endpoint has no virtual-host buckets: path-style addresses.
  const s3 =
    opts.resultFile === false
      ? undefined
      : new S3Client({
          maxAttempts: 1,
          followRegionRedirects: true,
          ...(opts.region ? { region: opts.region } : {}),
          ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: true } : {}),
          ...(opts.credentials ? { credentials: opts.credentials } : {}),
        });
  const resultFile: ResultFileReader | undefined = s3
    ? createResultFileReader({
        client: s3,
        retry,
        signal: opts.signal,
        warn: opts.onWarning ?? opts.onProgress ?? (() => {}),
      })
    : undefined;
  const settings = (progress?: (msg: string) => void): QuerySettings => ({
    workgroup,
    catalog,
    database: opts.database,
    outputLocation: opts.outputLocation,
    pollIntervalMs: opts.pollIntervalMs ?? 250,
    maxPollIntervalMs: opts.maxPollIntervalMs ?? 5000,
    timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    pageSize,
    retry,
    resultFile,
    signal: opts.signal,
    clientRequestToken: opts.clientRequestToken ?? randomUUID,
    progress: progress ?? opts.onProgress ?? (() => {}),
  });

  // Whether the table has identity_line_item_id, to name unreadable lines by it; known only when the layout was
  // detected from the columns (a forced --layout skips that query), else unreadable lines are named by their key.
  let lineIds = false;
  // Whether the table has bill_invoice_id, to tell whether AWS finalised the month (credits-query.ts). Both CUR
  // 2.0 and the legacy integration always include it (the data dictionaries list it among the bill columns), so
  // a forced layout assumes it; detection reads it from the columns like lineIds.
  let invoiceIds = true;
  let layout: Promise<CurLayout> | undefined =
    opts.layout && opts.layout !== 'auto' ? Promise.resolve(opts.layout) : undefined;
  /**
   * Layout detection runs `SELECT * FROM t LIMIT 0` and reads the column names from the result metadata: it
   * works in any catalog and needs no extra permission (GetTableMetadata would need Glue rights of its own).
   * It reads no data, but Athena may still bill its 10 MB minimum ($0.00005).
   */
  const resolveLayout = (progress?: (msg: string) => void): Promise<CurLayout> => {
    layout ??= runAthenaQuery(
      client,
      `SELECT * FROM ${quoted} LIMIT 0`,
      [],
      settings(progress),
      'table layout',
    ).then((out) => {
      const names = out.columns.map((c) => c.Name ?? '');
      lineIds = names.some((n) => n.toLowerCase() === 'identity_line_item_id');
      invoiceIds = names.some((n) => n.toLowerCase() === 'bill_invoice_id');
      return layoutFromColumns(names, tableName);
    });
    layout.catch(() => (layout = undefined)); // a failed detection is retried next time
    return layout;
  };
  const label = (l: CurLayout) => `athena ${tableName} (${l === 'cur2' ? 'CUR 2.0' : 'legacy CUR'})`;

  return {
    async listPeriods() {
      const l = await resolveLayout();
      const out = await runAthenaQuery(client, periodsQuery(quoted, l), [], settings(), 'billing periods');
      return periodsFromRecords(toRecords(out.columns, out.rows));
    },

    async fetchCredits(period, progress): Promise<SourceResult> {
      assertPeriod(period); // before any request
      const l = await resolveLayout(progress);
      // Quoted SQL literals, never spliced into the text: Athena binds them to the `?` in the WHERE clause.
      const query = { lineIds, invoiceIds };
      const params = creditsParams(l, period, query).map(sqlStringLiteral);
      const out = await runAthenaQuery(
        client,
        creditsQuery(quoted, l, query),
        params,
        settings(progress),
        `credits ${period}`,
      );
      assertCreditColumns(out.columns);
      return {
        rows: toRecords(out.columns, out.rows).map((r) => toRawCreditRow(r, period)),
        label: label(l),
      };
    },

    async close() {
      client.destroy();
      s3?.destroy();
    },
  };
}
