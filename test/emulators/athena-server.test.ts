/**
 * The local Athena server's own fidelity, spoken to with the raw AthenaClient: parameter binding and
 * refusal, the scan estimate's partition pruning, idempotency rules, API errors shaped as Athena's, and
 * the result file it leaves at the output location (read with the raw S3Client).
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startAthenaServer, type AthenaServer } from '../../emulators/athena-server';
import { makeTempDir, partitionDir, writeCurFixture } from '../../emulators/cur-fixture';

let server: AthenaServer;
let client: AthenaClient;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await makeTempDir());
  await writeCurFixture(dir, 'cur2', [
    { period: '2026-10', account: '444455556666', description: "O'Brien credit", cost: -2 },
    { period: '2026-09', account: '444455556666', description: 'Other', cost: -3 },
  ]);
  server = await startAthenaServer({
    tables: { 'cur.t': { dir, layout: 'cur2' } },
    workgroups: { primary: { managedResults: true }, needs_output: {} },
  });
  client = new AthenaClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await server.close();
  await remove();
});

const TOKEN = () => `token-${Math.random().toString(36).slice(2)}-${'x'.repeat(32)}`;

async function run(sql: string, params?: string[], extra: Record<string, unknown> = {}) {
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      ExecutionParameters: params,
      QueryExecutionContext: { Database: 'cur' },
      ClientRequestToken: TOKEN(),
      ...extra,
    }),
  );
  for (;;) {
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State as QueryExecutionState;
    if (state !== 'QUEUED' && state !== 'RUNNING')
      return { id: QueryExecutionId!, execution: QueryExecution! };
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a quoted parameter with a doubled quote is bound, not spliced', async () => {
  const { id, execution } = await run(
    'SELECT line_item_line_item_description AS d FROM t WHERE line_item_line_item_description = ?',
    ["'O''Brien credit'"],
  );
  expect(execution.Status?.State).toBe('SUCCEEDED');
  const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
  expect(page.ResultSet?.Rows?.map((r) => r.Data?.[0].VarCharValue)).toEqual(['d', "O'Brien credit"]);
  expect(page.ResultSet?.ResultSetMetadata?.ColumnInfo?.[0]).toMatchObject({ Name: 'd', Type: 'varchar' });
});

test('an unquoted period is refused as Athena would refuse it, and a wrong count too', async () => {
  const unquoted = await run('SELECT 1 FROM t WHERE billing_period = ?', ['2026-10']);
  expect(unquoted.execution.Status?.State).toBe('FAILED');
  expect(unquoted.execution.Status?.AthenaError?.ErrorMessage).toMatch(
    /INVALID_PARAMETER_USAGE: .*not a SQL literal/,
  );
  const count = await run('SELECT 1 FROM t WHERE billing_period = ?', ["'2026-10'", "'x'"]);
  expect(count.execution.Status?.StateChangeReason).toMatch(/expected 1 but found 2/);
});

test('the scan estimate counts only the partition the query names', async () => {
  const october = (await stat(join(partitionDir(dir, 'cur2', '2026-10'), 'part-0.parquet'))).size;
  const september = (await stat(join(partitionDir(dir, 'cur2', '2026-09'), 'part-0.parquet'))).size;
  const one = await run('SELECT COUNT(*) AS n FROM t WHERE billing_period = ?', ["'2026-10'"]);
  expect(one.execution.Statistics?.DataScannedInBytes).toBe(october);
  const all = await run('SELECT COUNT(*) AS n FROM t');
  expect(all.execution.Statistics?.DataScannedInBytes).toBe(october + september);
});

test('results before success, bad tokens and token reuse with other parameters are InvalidRequestException', async () => {
  server.setQueryDelay(2000);
  const token = TOKEN();
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({ QueryString: 'SELECT 1 AS x', ClientRequestToken: token }),
  );
  await expect(client.send(new GetQueryResultsCommand({ QueryExecutionId }))).rejects.toMatchObject({
    name: 'InvalidRequestException',
    message: expect.stringMatching(/not yet finished/),
  });
  server.setQueryDelay(0);
  const again = await client.send(
    new StartQueryExecutionCommand({ QueryString: 'SELECT 1 AS x', ClientRequestToken: token }),
  );
  expect(again.QueryExecutionId).toBe(QueryExecutionId);
  await expect(
    client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 2 AS x', ClientRequestToken: token })),
  ).rejects.toMatchObject({ name: 'InvalidRequestException', message: 'Idempotent parameters do not match' });
  await expect(
    client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: 'short' })),
  ).rejects.toMatchObject({ name: 'InvalidRequestException' });
});

test('a workgroup without a result location needs an OutputLocation', async () => {
  await expect(
    client.send(
      new StartQueryExecutionCommand({
        QueryString: 'SELECT 1',
        WorkGroup: 'needs_output',
        ClientRequestToken: TOKEN(),
      }),
    ),
  ).rejects.toMatchObject({
    name: 'InvalidRequestException',
    message: expect.stringMatching(/No output location provided/),
  });
  const ok = await run('SELECT 1 AS x', undefined, {
    WorkGroup: 'needs_output',
    ResultConfiguration: { OutputLocation: 's3://r/p/' },
  });
  expect(ok.execution.ResultConfiguration?.OutputLocation).toBe(`s3://r/p/${ok.id}.csv`);
});

test('the result file is written at the OutputLocation and read back over S3 GetObject; S3 errors as S3 sends them', async () => {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    const { id, execution } = await run(
      `SELECT 'say "hi", twice' AS a, CAST(NULL AS VARCHAR) AS b, '' AS c, '東京\n🚀' AS d`,
      undefined,
      { ResultConfiguration: { OutputLocation: 's3://results/athena/' } },
    );
    expect(execution.ResultConfiguration?.OutputLocation).toBe(`s3://results/athena/${id}.csv`);
    const object = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: `athena/${id}.csv` }));
    expect(await object.Body?.transformToString()).toBe(
      '"a","b","c","d"\n"say ""hi"", twice",,"","東京\n🚀"\n',
    );
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'results', Key: 'athena/none.csv' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'elsewhere', Key: `athena/${id}.csv` })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    server.s3.denyGetObject();
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'results', Key: `athena/${id}.csv` })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Access Denied',
      $metadata: { httpStatusCode: 403 },
    });
  } finally {
    server.s3.denyGetObject(false);
    s3.destroy();
  }
});
