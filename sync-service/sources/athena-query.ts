/**
 * One Athena query from start to last page: StartQueryExecution (one ClientRequestToken per logical query, so
 * a retried start is not a second query), polling GetQueryExecution with growing intervals, StopQueryExecution
 * on abort or timeout, then GetQueryResults page by page — or, when the first page says more are coming and a
 * result-file reader is given, the whole result file from S3 in one request (athena-result-file.ts). It
 * knows nothing about credits.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type QueryExecution,
  type Row,
} from '@aws-sdk/client-athena';
import { setTimeout as delay } from 'node:timers/promises';
import { AthenaQueryError } from './athena-errors';
import { describeScan } from './athena-cost';
import { describeAwsError, withRetry, type AthenaRetryPolicy } from './athena-retry';
import type { ResultFileReader } from './athena-result-file';

export interface QuerySettings {
  workgroup: string;
  catalog: string;
  database: string;
  outputLocation?: string;
  /** First poll interval; it grows ×1.5 up to maxPollIntervalMs. */
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  timeoutMs: number;
  /** GetQueryResults MaxResults (1–1000). */
  pageSize: number;
  retry: AthenaRetryPolicy;
  signal?: AbortSignal;
  clientRequestToken: () => string;
  progress: (msg: string) => void;
  /** Reads a result of more than one page from its S3 result file; without it, every page is requested. */
  resultFile?: ResultFileReader;
}

export interface QueryOutput {
  queryExecutionId: string;
  columns: ColumnInfo[];
  /** Data rows, header removed. */
  rows: Row[];
  pages: number;
  bytesScanned: number;
  /** The rows came from the S3 result file (pages is then 1: the page that gave the column types). */
  fromResultFile: boolean;
}

type TerminalState = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export async function runAthenaQuery(
  client: AthenaClient,
  sql: string,
  executionParameters: string[],
  s: QuerySettings,
  label: string,
): Promise<QueryOutput> {
  if (s.signal?.aborted) throw aborted(label);
  const id = await startQuery(client, sql, executionParameters, s, label);
  const execution = await waitForQuery(client, id, s, label);
  const bytesScanned = execution.Statistics?.DataScannedInBytes ?? 0;
  const seconds = ((execution.Statistics?.TotalExecutionTimeInMillis ?? 0) / 1000).toFixed(1);
  s.progress(`Athena query ${id} (${label}) succeeded in ${seconds} s: ${describeScan(bytesScanned)}`);
  const location = execution.ResultConfiguration?.OutputLocation;
  const { columns, rows, pages, fromResultFile } = await fetchResults(client, id, location, s, label);
  return { queryExecutionId: id, columns, rows, pages, bytesScanned, fromResultFile };
}

async function startQuery(
  client: AthenaClient,
  sql: string,
  executionParameters: string[],
  s: QuerySettings,
  label: string,
): Promise<string> {
  // Built once, so every retry sends the same token and Athena answers with the same query id.
  const command = new StartQueryExecutionCommand({
    QueryString: sql,
    ClientRequestToken: s.clientRequestToken(),
    WorkGroup: s.workgroup,
    QueryExecutionContext: { Catalog: s.catalog, Database: s.database },
    ...(executionParameters.length > 0 ? { ExecutionParameters: executionParameters } : {}),
    ...(s.outputLocation ? { ResultConfiguration: { OutputLocation: s.outputLocation } } : {}),
  });
  let id: string | undefined;
  try {
    // Not cancelled by the signal mid-flight: a start whose answer we never read would leave a query running.
    ({ QueryExecutionId: id } = await withRetry('StartQueryExecution', () => client.send(command), s.retry));
  } catch (err) {
    if (err instanceof AthenaQueryError) throw err;
    throw new AthenaQueryError(
      'REQUEST',
      `Athena refused to start the query (${label}): ${describeAwsError(err)}`,
      requestHint(err),
    );
  }
  if (!id)
    throw new AthenaQueryError('REQUEST', `Athena started the query (${label}) but sent no query id.`, '');
  s.progress(`Athena query ${id} (${label}) started in workgroup ${s.workgroup}`);
  if (s.signal?.aborted) {
    await stopQuery(client, id, s);
    throw aborted(label, id);
  }
  return id;
}

async function waitForQuery(
  client: AthenaClient,
  id: string,
  s: QuerySettings,
  label: string,
): Promise<QueryExecution> {
  const deadline = Date.now() + s.timeoutMs;
  let interval = s.pollIntervalMs;
  let lastState: string | undefined;
  try {
    for (;;) {
      const { QueryExecution: execution } = await withRetry(
        'GetQueryExecution',
        () => client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
        s.retry,
        s.signal,
      );
      const state = execution?.Status?.State;
      if (state !== lastState) {
        // RUNNING → QUEUED happens when Athena retries the query after a transient failure of its own.
        const note = lastState === 'RUNNING' && state === 'QUEUED' ? ' again (Athena is retrying it)' : '';
        s.progress(`Athena query ${id} (${label}): ${state}${note}`);
        lastState = state;
      }
      if (isTerminal(state)) return finished(execution!, state, id, label);
      if (s.signal?.aborted) throw s.signal.reason;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        await stopQuery(client, id, s);
        throw new AthenaQueryError(
          'TIMEOUT',
          `Athena query ${id} (${label}) did not finish within ${Math.round(s.timeoutMs / 1000)} s; it was stopped.`,
          'Athena may be busy (queued queries count against the concurrency quota): run again later, or ' +
            'allow more time with the timeout option.',
          id,
        );
      }
      await delay(Math.min(interval, remaining), undefined, { signal: s.signal });
      interval = Math.min(s.maxPollIntervalMs, interval * 1.5);
    }
  } catch (err) {
    if (err instanceof AthenaQueryError || !s.signal?.aborted) throw err;
    await stopQuery(client, id, s);
    throw aborted(label, id);
  }
}

function isTerminal(state: string | undefined): state is TerminalState {
  return state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED';
}

function finished(
  execution: QueryExecution,
  state: TerminalState,
  id: string,
  label: string,
): QueryExecution {
  if (state === 'SUCCEEDED') return execution;
  const status = execution.Status;
  if (state === 'CANCELLED') {
    throw new AthenaQueryError(
      'CANCELLED',
      `Athena query ${id} (${label}) was cancelled${status?.StateChangeReason ? `: ${status.StateChangeReason}` : ''}.`,
      'Someone or something stopped it (the Athena console, or a workgroup limit): run the sync again.',
      id,
    );
  }
  const reason = status?.AthenaError?.ErrorMessage ?? status?.StateChangeReason ?? 'Athena gave no reason';
  throw new AthenaQueryError(
    'FAILED',
    `Athena query ${id} (${label}) failed: ${reason}`,
    failureHint(reason, status?.AthenaError?.Retryable),
    id,
  );
}

function failureHint(reason: string, retryable: boolean | undefined): string {
  if (/TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist/i.test(reason)) {
    return (
      'Check the Athena database and table options: they must name the Glue database and table of your CUR ' +
      '(Athena console → Data → Tables), in the same region and catalog.'
    );
  }
  if (/COLUMN_NOT_FOUND|cannot be resolved/i.test(reason)) {
    // The one credits query reads the CUR's own column names; a FOCUS export's table has others (docs/operations.md, "Local
    // CUR files: what is read"), and only the local-files path renames them.
    return (
      'The table lacks a column the credits query reads: point the table option at a CUR 2.0 or legacy CUR table. ' +
      "A FOCUS export is not read through Athena: copy it from S3 and read it with the sync command's --cur option."
    );
  }
  if (/access denied|not authorized|AccessDenied|insufficient/i.test(reason)) {
    return 'The identity running the sync lacks a permission: grant the least-privilege policy `credit-desk iam-policy` prints.';
  }
  if (retryable) return 'Athena says this failure is transient: run the sync again.';
  return 'Open the query in the Athena console (Recent queries, by its id) for details.';
}

function requestHint(err: unknown): string {
  const text = describeAwsError(err);
  if (/credential|ExpiredToken|security token|sso/i.test(text)) {
    return (
      'Sign in to AWS: run `aws sso login` for your profile, or set AWS_PROFILE, or provide credentials in ' +
      'the environment; then run again.'
    );
  }
  if (/WorkGroup/i.test(text)) return 'Check the workgroup option: the workgroup must exist in this region.';
  if (/output location/i.test(text)) {
    return 'Give an s3:// output location for query results, or use a workgroup that has one (or managed results).';
  }
  if (/AccessDenied|not authorized/i.test(text)) {
    return 'The identity running the sync lacks a permission: grant the least-privilege policy `credit-desk iam-policy` prints.';
  }
  return 'Check the Athena options (region, workgroup, database) and run again.';
}

async function stopQuery(client: AthenaClient, id: string, s: QuerySettings): Promise<void> {
  s.progress(`Stopping Athena query ${id}`);
  try {
    // No signal here: the run is being abandoned, and the stop must still go out.
    await withRetry(
      'StopQueryExecution',
      () => client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
      s.retry,
    );
  } catch (err) {
    s.progress(
      `Could not stop Athena query ${id} (${describeAwsError(err)}); stop it in the Athena console.`,
    );
  }
}

function aborted(label: string, id?: string): AthenaQueryError {
  return new AthenaQueryError(
    'ABORTED',
    id
      ? `Cancelled: Athena query ${id} (${label}) was stopped.`
      : `Cancelled before the Athena query (${label}) started.`,
    '',
    id,
  );
}

async function fetchResults(
  client: AthenaClient,
  id: string,
  location: string | undefined,
  s: QuerySettings,
  label: string,
): Promise<{ columns: ColumnInfo[]; rows: Row[]; pages: number; fromResultFile: boolean }> {
  let columns: ColumnInfo[] | undefined;
  const rows: Row[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  do {
    if (s.signal?.aborted) throw aborted(label, id);
    const token = nextToken;
    const page = await withRetry(
      'GetQueryResults',
      () =>
        client.send(
          new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: s.pageSize, NextToken: token }),
        ),
      s.retry,
      s.signal,
    ).catch((err: unknown) => {
      throw s.signal?.aborted ? aborted(label, id) : err;
    });
    const pageRows = page.ResultSet?.Rows ?? [];
    // Only the first page of a SELECT starts with the header row; later pages never repeat it.
    for (let i = pages === 0 ? 1 : 0; i < pageRows.length; i++) rows.push(pageRows[i]);
    columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    pages++;
    nextToken = page.NextToken;
    // The first page holds the column types (the file has none) and shows whether the result is big: a
    // result that fits one page costs no more than before; a bigger one is read whole from the file. When
    // the file cannot be read (no s3:GetObject, managed results), paging goes on from this page's token.
    if (pages === 1 && nextToken && s.resultFile && location) {
      s.progress(`Athena query ${id}: more than one page of results; reading the result file ${location}`);
      const fileRows = await s.resultFile.read(location, columns, label);
      if (s.signal?.aborted) throw aborted(label, id);
      if (fileRows) return { columns, rows: fileRows, pages, fromResultFile: true };
    }
    if (nextToken) s.progress(`Athena query ${id}: ${rows.length} rows read (${pages} pages)`);
  } while (nextToken);
  return { columns: columns ?? [], rows, pages, fromResultFile: false };
}
