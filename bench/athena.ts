/**
 * Athena source through the local Athena-protocol server: `lineCount` synthetic CUR lines in one month
 * (≈3 % credits; generation timed apart), then fetchCredits with the production polling and paging defaults.
 * Reports the wall time, the result pages and the API requests it took. The server's engine is DuckDB, so
 * the time says how the client behaves (polling, paging, parsing), not how fast real Athena is.
 */
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
