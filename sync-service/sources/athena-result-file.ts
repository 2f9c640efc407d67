/**
 * Reads a finished query's result file straight from S3, so a big result costs one GetObject instead of one
 * GetQueryResults request per 1,000 rows. Athena writes the result of every DML query as
 * `<OutputLocation>/<QueryExecutionId>.csv` and reports that address in GetQueryExecution's
 * ResultConfiguration.OutputLocation (Athena User Guide, "Find query output files in Amazon S3":
 * https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html).
 *
 * The file is CSV in Athena's dialect (athena-csv.ts reads it as it streams in). It carries no types: the
 * caller passes the ColumnInfo of the first GetQueryResults page, and the rows come back in GetQueryResults'
 * own shape (VarCharValue, absent for NULL), so athena-results.ts reads both paths with the same code.
 *
 * All or nothing: rows are returned only once the whole file has been read and its length checked against
 * Content-Length; a connection dropped mid-stream is retried from the start (the policy in athena-retry.ts)
 * and, if it keeps failing, the read fails with a message — never a partial result.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ColumnInfo, Row } from '@aws-sdk/client-athena';
import type { Readable } from 'node:stream';
import { athenaCsvRecords } from './athena-csv';
import { AthenaQueryError } from './athena-errors';
import { describeAwsError, withRetry, type AthenaRetryPolicy } from './athena-retry';

interface S3Address {
  bucket: string;
  key: string;
}

/** s3://bucket/key → { bucket, key }; null for anything else (managed query results report no s3:// address). */
export function parseS3Uri(uri: string | undefined): S3Address | null {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri ?? '');
  return m ? { bucket: m[1], key: m[2] } : null;
}

/** The resource a policy must grant s3:GetObject on to read this file: its folder, not the whole bucket. */
export function resultPrefixArn({ bucket, key }: S3Address): string {
  const slash = key.lastIndexOf('/');
  return `arn:aws:s3:::${bucket}/${slash >= 0 ? `${key.slice(0, slash)}/` : ''}*`;
}

/**
 * Errors that say "this identity may not read that object" or "it is not there" (S3 API Reference, "Error
 * responses", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: AccessDenied 403,
 * NoSuchKey 404, NoSuchBucket 404). Paging through GetQueryResults still works then: Athena reads the file
 * with its own rights for that call.
 */
function unreadable(err: unknown): 'denied' | 'missing' | null {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === 'AccessDenied' || e?.name === 'Forbidden' || status === 403) return 'denied';
  if (e?.name === 'NoSuchKey' || e?.name === 'NoSuchBucket' || e?.name === 'NotFound' || status === 404) {
    return 'missing';
  }
  return null;
}

/** A body shorter than its Content-Length: the connection dropped. ECONNRESET makes athena-retry retry it. */
class TruncatedBody extends Error {
  readonly code = 'ECONNRESET';
  constructor(got: number, expected: number) {
    super(`the result file ended after ${got} of ${expected} bytes (connection dropped)`);
    this.name = 'TruncatedBody';
  }
}

export interface ResultFileReader {
  /**
   * The data rows (header removed) of the result file at `location`, or null when this identity cannot read
   * it — then a warning naming the missing right has been given once, and later calls return null at once.
   */
  read(location: string, columns: ColumnInfo[], label: string): Promise<Row[] | null>;
}

interface ResultFileReaderOptions {
  client: S3Client;
  retry: AthenaRetryPolicy;
  signal?: AbortSignal;
  warn: (msg: string) => void;
}

export function createResultFileReader(opts: ResultFileReaderOptions): ResultFileReader {
  let denied = false;
  return {
    async read(location, columns, label) {
      const address = parseS3Uri(location);
      if (!address || denied) return null;
      try {
        return await withRetry(
          'GetObject (query result file)',
          () => readOnce(opts.client, address, columns, opts.signal),
          opts.retry,
          opts.signal,
        );
      } catch (err) {
        const why = unreadable(err);
        const paging =
          'Reading the results page by page instead (GetQueryResults, one request per 1,000 rows)';
        if (why === 'denied') {
          // Once per source: a denied right stays denied for this run, so later queries page at once.
          denied = true;
          opts.warn(
            `Could not read the Athena result file ${location} (${describeAwsError(err)}): the identity running ` +
              `the sync needs s3:GetObject on ${resultPrefixArn(address)} (and kms:Decrypt if that location is ` +
              `encrypted with a KMS key). ${paging}; grant that right (./credit-desk iam-policy) to read ` +
              'them in one request.',
          );
          return null;
        }
        if (why === 'missing') {
          opts.warn(
            `The Athena result file ${location} is not there (${describeAwsError(err)}), though Athena reported ` +
              `it: a lifecycle rule on the result location may remove files too early. ${paging}.`,
          );
          return null;
        }
        if (err instanceof AthenaQueryError) {
          throw new AthenaQueryError(
            err.kind,
            `Reading the Athena result file ${location} (${label}) failed; nothing was imported. ${err.message}`,
            '',
          );
        }
        throw new AthenaQueryError(
          'REQUEST',
          `Reading the Athena result file ${location} (${label}) failed; nothing was imported: ` +
            describeAwsError(err),
          'Run the sync again; if it keeps failing, check the result location in the Athena workgroup settings.',
        );
      }
    },
  };
}

async function readOnce(
  client: S3Client,
  { bucket, key }: S3Address,
  columns: ColumnInfo[],
  signal?: AbortSignal,
): Promise<Row[]> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
    abortSignal: signal,
  });
  const body = out.Body as Readable | undefined;
  if (!body) throw new Error('S3 GetObject returned no body');
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  const short = () => out.ContentLength !== undefined && bytes !== out.ContentLength;
  let rows: Row[];
  try {
    rows = await parseResultCsv(counted(), columns);
  } catch (err) {
    // A cut-off body often shows up first as a CSV error (an unclosed quote): the length says what happened.
    if (short()) throw new TruncatedBody(bytes, out.ContentLength!);
    throw err;
  }
  if (short()) throw new TruncatedBody(bytes, out.ContentLength!);
  return rows;
}

/**
 * Athena's result CSV → GetQueryResults-shaped rows. The header must name the columns of the metadata, in
 * order: a file of another query, or another layout, is refused rather than read into the wrong fields.
 */
export async function parseResultCsv(
  input: AsyncIterable<Buffer | string>,
  columns: ColumnInfo[],
): Promise<Row[]> {
  const names = columns.map((c) => (c.Name ?? c.Label ?? '').toLowerCase());
  const rows: Row[] = [];
  let header = true;
  for await (const record of athenaCsvRecords(input)) {
    if (header) {
      const got = record.map((h) => (h ?? '').toLowerCase());
      if (got.join('\u0000') !== names.join('\u0000')) {
        throw new Error(
          `the result file's header (${got.join(', ')}) is not the query's columns (${names.join(', ')})`,
        );
      }
      header = false;
      continue;
    }
    if (record.length !== names.length) {
      throw new Error(`a row of the result file has ${record.length} fields, not ${names.length}`);
    }
    rows.push({ Data: record.map((v) => (v === null ? {} : { VarCharValue: v })) });
  }
  if (header) throw new Error('the result file is empty (no header row)');
  return rows;
}
