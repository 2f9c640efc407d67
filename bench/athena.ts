/**
 * Athena source through the local Athena-protocol server: `lineCount` synthetic CUR lines in one month
 * (≈3 % credits; generation timed apart), then fetchCredits with the production polling and paging defaults.
 * Reports the wall time, the result pages and the API requests it took. The server's engine is DuckDB, so
 * the time says how the client behaves (polling, paging, parsing), not how fast real Athena is.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createAthenaSource } from '../sync-service/sources/athena';
import { startAthenaServer } from '../emulators/athena-server';
import { generateCurParquet, makeTempDir } from '../emulators/cur-fixture';
import { seconds, type Figure } from './figures';

const PERIOD = '2026-09';

export async function benchAthena(lineCount = 5_000_000): Promise<Figure[]> {
  const temp = await makeTempDir('credit-desk-bench-athena-');
  try {
    let t = performance.now();
    await generateCurParquet(temp.dir, 'cur2', PERIOD, lineCount);
    const generation = seconds(t);
    const server = await startAthenaServer({
      tables: { 'cur.cur_report': { dir: temp.dir, layout: 'cur2' } },
    });
    const source = createAthenaSource({
      database: 'cur',
      table: 'cur_report',
      layout: 'cur2',
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    try {
      t = performance.now();
      const { rows } = await source.fetchCredits(PERIOD);
      const query = seconds(t);
      const requests = server.stats.requests;
      const total = Object.values(requests).reduce((a, b) => a + b, 0);
      const scanned = server.executions()[0]?.bytesScanned ?? 0;
      return [
        {
          name: `generate ${lineCount.toLocaleString('en')} CUR lines (Parquet)`,
          value: generation,
          unit: 's',
        },
        { name: 'fetchCredits through the local Athena server', value: query, unit: 's' },
        { name: 'credit rows returned', value: rows.length, unit: 'rows' },
        { name: 'GetQueryResults pages fetched', value: requests.GetQueryResults ?? 0, unit: 'pages' },
        { name: 'GetQueryExecution polls', value: requests.GetQueryExecution ?? 0, unit: 'requests' },
        { name: 'API requests in all', value: total, unit: 'requests' },
        {
          name: 'data scanned (estimate: Parquet files of the partition)',
          value: Math.round(scanned / 1e4) / 100,
          unit: 'MB',
        },
      ];
    } finally {
      await source.close();
      await server.close();
    }
  } finally {
    await temp.remove();
  }
}

/**
 * `credits` distinct credits in one month of CUR 2.0 Parquet: one CUR line each, over credits / 10 accounts,
 * with descriptions that carry commas and quotes (a CSV reader must get them right) and a case number that
 * makes each one distinct.
 */
async function generateCredits(root: string, credits: number): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = join(root, `billing_period=${PERIOD}`);
  await mkdir(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(
      `COPY (
         SELECT '111122223333' AS bill_payer_account_id,
                lpad(CAST(100000000000 + i % ${Math.max(1, Math.floor(credits / 10))} AS VARCHAR), 12, '0')
                  AS line_item_usage_account_id,
                CASE i % 3 WHEN 0 THEN 'AmazonEC2' WHEN 1 THEN 'AmazonS3' ELSE 'AWSLambda' END AS line_item_product_code,
                CASE i % 4
                  WHEN 0 THEN 'MAP 2.0 Migration Credit - MPE' || CAST(10000 + i % 90000 AS VARCHAR) || ', case ' || CAST(i AS VARCHAR)
                  WHEN 1 THEN 'AWS Activate "Portfolio" credit ' || CAST(i AS VARCHAR)
                  WHEN 2 THEN 'Promotional credit – programme ' || CAST(i AS VARCHAR)
                  ELSE 'Support credit, case ' || CAST(i AS VARCHAR) END AS line_item_line_item_description,
                'USD' AS line_item_currency_code,
                CAST(-((i * 7919) % 1000000 + 1) / 100 AS DOUBLE) AS line_item_unblended_cost,
                'Credit' AS line_item_line_item_type
         FROM range(${Math.max(0, Math.floor(credits))}) t(i)
       ) TO '${join(dir, 'part-0.parquet').replace(/'/g, "''")}' (FORMAT parquet)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/**
 * `sync --period` at a big distributor's size through the local Athena server: the table layout detected
 * (one LIMIT 0 query), then the credits query, read once from the S3 result file and once page by page
 * (the result file denied, as for an identity without s3:GetObject), BENCH_RUNS runs each. Wall time is the
 * client's and the in-process server's together (DuckDB runs the SQL here, not Athena), so the requests are
 * the figure that carries over to AWS: each one is a round trip, and GetQueryResults is throttled per account.
 */
export async function benchAthenaBig(
  credits = Number(process.env.BENCH_ATHENA_CREDITS ?? 100_000),
): Promise<Figure[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as connect.ts does
  const temp = await makeTempDir('credit-desk-bench-athena-big-');
  const figures: Figure[] = [];
  try {
    let t = performance.now();
    await generateCredits(temp.dir, credits);
    figures.push({
      name: `generate ${credits.toLocaleString('en')} credits (Parquet)`,
      value: seconds(t),
      unit: 's',
    });
    const server = await startAthenaServer({
      tables: { 'cur.cur_report': { dir: temp.dir, layout: 'cur2' } },
    });
    const modes = ['result file', 'paging'] as const;
    const walls: Record<(typeof modes)[number], number[]> = { 'result file': [], paging: [] };
    const requests: Record<string, Record<string, number>> = {};
    const rows: Record<string, number> = {};
    try {
      // Modes alternate run by run, so neither one alone pays the first run's warm-up (module loading, JIT).
      for (let run = 0; run < RUNS; run++) {
        for (const mode of modes) {
          server.s3.denyGetObject(mode === 'paging');
          const before = { ...server.stats.requests };
          const source = createAthenaSource({
            database: 'cur',
            table: 'cur_report',
            region: 'us-east-1',
            endpoint: server.endpoint,
            outputLocation: 's3://bench-athena-results/credit-desk/',
            credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
            onWarning: () => {},
          });
          try {
            t = performance.now();
            rows[mode] = (await source.fetchCredits(PERIOD)).rows.length;
            walls[mode].push(seconds(t));
          } finally {
            await source.close();
          }
          requests[mode] = Object.fromEntries(
            Object.entries(server.stats.requests).map(([k, v]) => [k, v - (before[k] ?? 0)]),
          );
        }
      }
      for (const mode of modes) {
        const sorted = [...walls[mode]].sort((a, b) => a - b);
        const median = sorted[Math.floor((sorted.length - 1) / 2)];
        const r = requests[mode];
        const total = Object.values(r).reduce((a, b) => a + b, 0);
        figures.push(
          {
            name: `${mode}: fetchCredits (layout detected, then credits)`,
            value: median,
            unit: `s median (min ${sorted[0]}, max ${sorted[sorted.length - 1]}; ${sorted.length} runs)`,
          },
          { name: `${mode}: credit rows`, value: rows[mode], unit: 'rows' },
          {
            name: `${mode}: requests in all`,
            value: total,
            unit:
              `(${r.StartQueryExecution ?? 0} queries, ${r.GetQueryResults ?? 0} GetQueryResults, ` +
              `${r.GetQueryExecution ?? 0} GetQueryExecution, ${r['S3.GetObject'] ?? 0} S3 GetObject)`,
          },
        );
      }
    } finally {
      await server.close();
    }
  } finally {
    await temp.remove();
  }
  return figures;
}
