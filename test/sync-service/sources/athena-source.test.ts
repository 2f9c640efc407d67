/**
 * The Athena source against the local Athena-protocol server, through the real AthenaClient (endpoint
 * override, static test credentials): both CUR layouts, paging, NULLs, exact decimals, failures, retries,
 * idempotent starts, cancellation, and the period travelling only as an execution parameter.
 */
import {
  createAthenaSource,
  AthenaQueryError,
  type AthenaSourceOptions,
} from '../../../sync-service/sources/athena';
import { CreditDeskError } from '../../../core/errors';
import { startAthenaServer, type AthenaServer } from '../../../emulators/athena-server';
import { makeTempDir, writeCurFixture, type CurLine } from '../../../emulators/cur-fixture';

const ACTIVATE = '444455556666';
const PROMO = '777788889999';

const LINES: CurLine[] = [
  { period: '2026-10', account: ACTIVATE, description: 'AWS Activate credit', cost: -10.1 },
  { period: '2026-10', account: ACTIVATE, description: 'AWS Activate credit', cost: -5.05 },
  // -0.1 + -0.2 is -0.30000000000000004 in binary floats: the query sums exact decimals.
  { period: '2026-10', account: PROMO, description: 'Promotional credit', cost: -0.1, product: 'AmazonS3' },
  { period: '2026-10', account: PROMO, description: 'Promotional credit', cost: -0.2, product: 'AmazonS3' },
  { period: '2026-10', account: null, description: 'Credit with no account', cost: -1 },
  { period: '2026-10', account: ACTIVATE, description: 'EC2 usage', cost: 42.5, type: 'Usage' },
  { period: '2026-09', account: ACTIVATE, description: 'AWS Activate credit', cost: -7 },
];

const OCTOBER = [
  {
    billing_period: '2026-10',
    payer_account_id: '111122223333',
    usage_account_id: ACTIVATE,
    product_code: 'AmazonEC2',
    description: 'AWS Activate credit',
    currency_code: 'USD',
    amount: '-15.1500000000',
    line_count: 2,
    bad_cost_lines: 0,
    positive_lines: 0,
    line_id: null,
    bad_cost: null,
    // Every line of October (credits and usage alike) carries the fixture's invoice ID: the month is final.
    invoiced_lines: 6,
  },
  {
    billing_period: '2026-10',
    payer_account_id: '111122223333',
    usage_account_id: PROMO,
    product_code: 'AmazonS3',
    description: 'Promotional credit',
    currency_code: 'USD',
    amount: '-0.3000000000',
    line_count: 2,
    bad_cost_lines: 0,
    positive_lines: 0,
    line_id: null,
    bad_cost: null,
    // Every line of October (credits and usage alike) carries the fixture's invoice ID: the month is final.
    invoiced_lines: 6,
  },
  {
    billing_period: '2026-10',
    payer_account_id: '111122223333',
    usage_account_id: null,
    product_code: 'AmazonEC2',
    description: 'Credit with no account',
    currency_code: 'USD',
    amount: '-1.0000000000',
    line_count: 1,
    bad_cost_lines: 0,
    positive_lines: 0,
    line_id: null,
    bad_cost: null,
    // Every line of October (credits and usage alike) carries the fixture's invoice ID: the month is final.
    invoiced_lines: 6,
  },
];

let server: AthenaServer;
let removeDirs: () => Promise<void>;

beforeAll(async () => {
  const cur2 = await makeTempDir();
  const legacy = await makeTempDir();
  const many = await makeTempDir();
  const broken = await makeTempDir();
  await writeCurFixture(cur2.dir, 'cur2', LINES);
  await writeCurFixture(legacy.dir, 'legacy', LINES); // month=9 and month=10, unpadded
  // 25 accounts → 25 result rows, to page through with a small page size.
  await writeCurFixture(
    many.dir,
    'cur2',
    Array.from({ length: 25 }, (_, i) => ({
      period: '2026-10',
      account: String(100000000000 + i),
      description: 'Bulk credit',
      cost: -(i + 1),
    })),
  );
  // A table that is not a CUR: it lacks line_item_line_item_type, so the credits query fails in Athena.
  await writeCurFixture(
    broken.dir,
    'cur2',
    [{ period: '2026-10', account: ACTIVATE, description: 'x', cost: -1 }],
    {
      omitColumns: ['line_item_line_item_type'],
    },
  );
  server = await startAthenaServer({
    tables: {
      'cur.cur2': { dir: cur2.dir, layout: 'cur2' },
      'cur.legacy': { dir: legacy.dir, layout: 'legacy' },
      'cur.many': { dir: many.dir, layout: 'cur2' },
      'other.broken': { dir: broken.dir, layout: 'cur2' },
    },
  });
  removeDirs = async () => {
    await Promise.all([cur2.remove(), legacy.remove(), many.remove(), broken.remove()]);
  };
});

afterAll(async () => {
  await server.close();
  await removeDirs();
});

const sources: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  server.setQueryDelay(0);
});

function source(overrides: Partial<AthenaSourceOptions> = {}) {
  const s = createAthenaSource({
    database: 'cur',
    table: 'cur2',
    region: 'eu-west-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
    retryBaseDelayMs: 5,
    ...overrides,
  });
  sources.push(s);
  return s;
}

/** Requests recorded from now on. */
function recorder() {
  const from = server.requests.length;
  const startedBefore = server.stats.executionsStarted;
  return {
    requests: () => server.requests.slice(from),
    starts: () => server.requests.slice(from).filter((r) => r.operation === 'StartQueryExecution'),
    count: (op: string) => server.requests.slice(from).filter((r) => r.operation === op).length,
    executionsStarted: () => server.stats.executionsStarted - startedBefore,
    executions: () => server.executions().slice(startedBefore),
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('Athena source: rows', () => {
  test('CUR 2.0 table: credit rows of the period, NULL account as null, decimals exact', async () => {
    const result = await source({ layout: 'cur2' }).fetchCredits('2026-10');
    expect(result.rows).toEqual(OCTOBER);
    expect(result.label).toBe('athena cur.cur2 (CUR 2.0)');
  });

  test('legacy table with unpadded month partitions gives the same rows', async () => {
    const s = source({ table: 'legacy', layout: 'legacy' });
    expect((await s.fetchCredits('2026-10')).rows).toEqual(OCTOBER);
    const september = await s.fetchCredits('2026-09');
    expect(september.rows.map((r) => [r.usage_account_id, r.amount, r.billing_period])).toEqual([
      [ACTIVATE, '-7.0000000000', '2026-09'],
    ]);
  });

  test.each([
    ['cur2', 'CUR 2.0'],
    ['legacy', 'legacy CUR'],
  ])('layout auto detects the %s table from its columns with one LIMIT 0 query', async (table, name) => {
    const rec = recorder();
    const s = source({ table });
    const result = await s.fetchCredits('2026-10');
    expect(result.rows).toEqual(OCTOBER);
    expect(result.label).toBe(`athena cur.${table} (${name})`);
    await s.fetchCredits('2026-10'); // detection is remembered
    const queries = rec.starts().map((r) => String(r.body.QueryString));
    expect(queries.filter((q) => /LIMIT 0$/.test(q))).toEqual([
      'SELECT * FROM "cur"."' + table + '" LIMIT 0',
    ]);
    expect(queries).toHaveLength(3);
  });

  test.each(['cur2', 'legacy'])(
    'listPeriods on the %s table: newest first, legacy months padded',
    async (table) => {
      expect(await source({ table }).listPeriods()).toEqual(['2026-10', '2026-09']);
    },
  );

  test('pages of GetQueryResults: header skipped once, every row once', async () => {
    const rec = recorder();
    const { rows } = await source({ table: 'many', layout: 'cur2', pageSize: 7 }).fetchCredits('2026-10');
    // 25 rows + the header = 26 rows in pages of 7 → 4 pages.
    expect(rec.count('GetQueryResults')).toBe(4);
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((r) => r.usage_account_id)).size).toBe(25);
    expect(rows.every((r) => /^\d{12}$/.test(r.usage_account_id ?? ''))).toBe(true);
    const total = rows.reduce((sum, r) => sum + Number(r.amount), 0);
    expect(total).toBe(-((25 * 26) / 2));
  });

  test('progress reports state changes and the scan cost', async () => {
    const messages: string[] = [];
    await source({ layout: 'cur2', onProgress: (m) => messages.push(m) }).fetchCredits('2026-10');
    expect(messages.some((m) => /: QUEUED$|: RUNNING$/.test(m))).toBe(true);
    expect(messages.find((m) => /succeeded/.test(m))).toMatch(
      /scanned [\d.]+ [KM]?B, about \$0\.00005 \(billed 10 MB at \$5 per TB\)/,
    );
  });

  test('a query that falls back from RUNNING to QUEUED still finishes', async () => {
    const messages: string[] = [];
    server.bounceNextQuery(1);
    server.setQueryDelay(30);
    const { rows } = await source({ layout: 'cur2', onProgress: (m) => messages.push(m) }).fetchCredits(
      '2026-10',
    );
    expect(rows).toEqual(OCTOBER);
    expect(messages.some((m) => /QUEUED again/.test(m))).toBe(true);
  });
});

describe('Athena source: the period is a parameter, never SQL text', () => {
  test.each([
    // Twice: the period's invoice count (credits-query.ts creditsParams) filters the period too.
    ['cur2', ["'2026-10'", "'2026-10'"]],
    ['legacy', ["'2026'", "'10'", "'10'", "'2026'", "'10'", "'10'"]],
  ])('%s: sent only as quoted ExecutionParameters', async (table, params) => {
    const rec = recorder();
    await source({ table, layout: table as 'cur2' | 'legacy' }).fetchCredits('2026-10');
    const [start] = rec.starts();
    expect(start.body.ExecutionParameters).toEqual(params);
    expect(String(start.body.QueryString)).not.toMatch(/2026/);
    expect(start.body.WorkGroup).toBe('primary');
    expect(start.body.QueryExecutionContext).toEqual({ Catalog: 'AwsDataCatalog', Database: 'cur' });
    expect(start.body.ResultConfiguration).toBeUndefined();
  });

  test('an output location is passed when given', async () => {
    const rec = recorder();
    await source({ layout: 'cur2', outputLocation: 's3://results-bucket/athena/' }).fetchCredits('2026-10');
    expect(rec.starts()[0].body.ResultConfiguration).toEqual({
      OutputLocation: 's3://results-bucket/athena/',
    });
  });
});

describe('Athena source: refusals before any request', () => {
  test.each([
    [{ database: 'cur; DROP TABLE x' }, /Athena database option "cur; DROP TABLE x"/],
    [{ table: 'cur2"--' }, /Athena table option/],
    [{ table: 'other.cur2' }, /Athena table option "other.cur2"/],
    [{ workgroup: 'bad group!' }, /Athena workgroup option/],
    [{ outputLocation: '/tmp/results' }, /not an s3:\/\/ address/],
  ])('%p is refused', (override, message) => {
    const rec = recorder();
    expect(() => source(override)).toThrow(CreditDeskError);
    expect(() => source(override)).toThrow(message);
    expect(rec.requests()).toHaveLength(0);
  });

  test('a malformed period is refused before any request', async () => {
    const rec = recorder();
    await expect(source().fetchCredits('2026-13')).rejects.toThrow(/not a billing period/);
    expect(rec.requests()).toHaveLength(0);
  });
});

describe('Athena source: failures', () => {
  test('a FAILED query reports Athena’s reason, the query id and what to do', async () => {
    const err = await failure(
      source({ database: 'other', table: 'broken', layout: 'cur2' }).fetchCredits('2026-10'),
    );
    expect(err).toBeInstanceOf(AthenaQueryError);
    const e = err as AthenaQueryError;
    expect(e.kind).toBe('FAILED');
    expect(e.message).toMatch(
      /failed: COLUMN_NOT_FOUND: Column 'line_item_line_item_type' cannot be resolved/,
    );
    expect(e.message).toContain(e.queryExecutionId!);
    expect(e.hint).toMatch(
      /lacks a column the credits query reads.*A FOCUS export is not read through Athena/,
    );
  });

  test('an unknown table names the table and points at the options', async () => {
    const err = await failure(source({ table: 'nope' }).fetchCredits('2026-10'));
    expect(err.message).toMatch(/TABLE_NOT_FOUND: Table 'awsdatacatalog\.cur\.nope' does not exist/);
    expect((err as AthenaQueryError).hint).toMatch(/database and table options/);
  });

  test('an unknown database says so', async () => {
    const err = await failure(source({ database: 'nodb', layout: 'cur2' }).fetchCredits('2026-10'));
    expect(err.message).toMatch(/SCHEMA_NOT_FOUND: Schema 'nodb' does not exist/);
  });

  test('an unknown workgroup is an error from the start call, with a hint', async () => {
    const err = await failure(source({ workgroup: 'nope', layout: 'cur2' }).fetchCredits('2026-10'));
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect(err.message).toMatch(/refused to start.*WorkGroup nope is not found/);
    expect((err as AthenaQueryError).hint).toMatch(/workgroup option/);
  });
});

describe('Athena source: retries', () => {
  test('throttling, the concurrency limit and a dropped connection are retried, then it succeeds', async () => {
    const rec = recorder();
    server.failNext('StartQueryExecution', 'TooManyRequestsException', 1);
    server.failNext('GetQueryExecution', 'ThrottlingException', 2);
    server.failNext('GetQueryResults', 'ConnectionReset', 1);
    server.failNext('GetQueryResults', 'InternalServerException', 1);
    const { rows } = await source({ layout: 'cur2' }).fetchCredits('2026-10');
    expect(rows).toEqual(OCTOBER);
    expect(rec.count('StartQueryExecution')).toBe(2);
    expect(rec.count('GetQueryExecution')).toBeGreaterThanOrEqual(3);
    expect(rec.count('GetQueryResults')).toBe(3);
    expect(rec.executionsStarted()).toBe(1);
  });

  test('retries give up after maxAttempts with a clear message', async () => {
    const rec = recorder();
    server.failNext('StartQueryExecution', 'ThrottlingException', 3);
    const err = await failure(source({ layout: 'cur2', maxAttempts: 3 }).fetchCredits('2026-10'));
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect((err as AthenaQueryError).kind).toBe('RETRIES_EXHAUSTED');
    expect(err.message).toMatch(
      /StartQueryExecution failed 3 times in a row \(last: ThrottlingException: Rate exceeded\)/,
    );
    expect((err as AthenaQueryError).hint).toMatch(/wait a minute/);
    expect(rec.count('StartQueryExecution')).toBe(3);
    expect(rec.executionsStarted()).toBe(0);
  });

  test('a start whose response was lost is retried with the same token: one execution', async () => {
    const rec = recorder();
    server.failNext('StartQueryExecution', 'ResponseLost', 1);
    const { rows } = await source({ layout: 'cur2' }).fetchCredits('2026-10');
    expect(rows).toEqual(OCTOBER);
    const tokens = rec.starts().map((r) => r.body.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
    expect(rec.executionsStarted()).toBe(1);
  });

  test('each logical query has its own token', async () => {
    const rec = recorder();
    await source().fetchCredits('2026-10'); // layout detection + credits
    const tokens = rec.starts().map((r) => r.body.ClientRequestToken);
    expect(new Set(tokens).size).toBe(2);
  });
});

describe('Athena source: stopping', () => {
  test('abort stops the running query: StopQueryExecution, state CANCELLED, clear error', async () => {
    const rec = recorder();
    server.setQueryDelay(10_000);
    const controller = new AbortController();
    const s = source({
      layout: 'cur2',
      signal: controller.signal,
      onProgress: (m) => {
        if (/: RUNNING$/.test(m)) controller.abort();
      },
    });
    const err = await failure(s.fetchCredits('2026-10'));
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect((err as AthenaQueryError).kind).toBe('ABORTED');
    expect(err.message).toMatch(/Cancelled: Athena query .* was stopped/);
    expect(rec.count('StopQueryExecution')).toBe(1);
    expect(rec.executions().map((e) => e.state)).toEqual(['CANCELLED']);
  });

  test('an already aborted signal sends nothing', async () => {
    const rec = recorder();
    const controller = new AbortController();
    controller.abort();
    const err = await failure(source({ layout: 'cur2', signal: controller.signal }).fetchCredits('2026-10'));
    expect((err as AthenaQueryError).kind).toBe('ABORTED');
    expect(rec.requests()).toHaveLength(0);
  });

  test('a query past the timeout is stopped', async () => {
    const rec = recorder();
    server.setQueryDelay(10_000);
    const err = await failure(source({ layout: 'cur2', timeoutMs: 100 }).fetchCredits('2026-10'));
    expect((err as AthenaQueryError).kind).toBe('TIMEOUT');
    expect(err.message).toMatch(/did not finish within 0 s; it was stopped/);
    expect(rec.count('StopQueryExecution')).toBe(1);
    expect(rec.executions().map((e) => e.state)).toEqual(['CANCELLED']);
  });
});
