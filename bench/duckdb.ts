/**
 * DuckDB source speed: 5,000,000 synthetic CUR lines in one month (generation timed apart), then the
 * credits query through the source as the sync runs it. Peak memory is the RSS of the whole Node process
 * (JS heap, DuckDB's native buffers and everything loaded before), sampled every 20 ms while the query
 * runs; the RSS just before the query is reported too, so the query's own share can be read off.
 * Targets: query under 5 s and peak RSS under 1.5 GB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoData } from '../sync-service/demo/generate';
import { createDuckDbSource } from '../sync-service/sources/duckdb';

const LINES = 5_000_000;
const PERIOD = '2026-09';
const SAMPLE_MS = 20;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

/** Runs `work` while sampling process RSS; the query runs on DuckDB's threads, so the timer keeps firing. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<[T, number]> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  try {
    const result = await work();
    return [result, Math.max(peak, process.memoryUsage.rss())];
  } finally {
    clearInterval(timer);
  }
}

const MB = 1024 * 1024;

export async function benchDuckDb(): Promise<{ name: string; value: number; unit: string }[]> {
  const dir = await mkdtemp(join(tmpdir(), 'credit-desk-bench-duckdb-'));
  const lines = LINES.toLocaleString('en-US');
  try {
    const [, generateMs] = await timed(() =>
      generateDemoData({ outDir: dir, months: 1, linesPerMonth: LINES, endPeriod: PERIOD }),
    );
    const before = process.memoryUsage.rss();
    const [[result, queryMs], peak] = await withPeakRss(() =>
      timed(async () => {
        const source = await createDuckDbSource({ curDir: join(dir, 'cur') });
        try {
          return await source.fetchCredits(PERIOD);
        } finally {
          await source.close();
        }
      }),
    );
    const creditLines = result.rows.reduce((n, r) => n + Number(r.line_count), 0);
    return [
      {
        name: `duckdb: generate ${lines} CUR lines (one month, Parquet)`,
        value: Math.round(generateMs),
        unit: 'ms',
      },
      {
        name: `duckdb: credits query over ${lines} lines (open + query; target < 5000)`,
        value: Math.round(queryMs),
        unit: 'ms',
      },
      { name: 'duckdb: credit lines aggregated by the query', value: creditLines, unit: 'lines' },
      { name: 'duckdb: credit groups returned', value: result.rows.length, unit: 'rows' },
      {
        name: 'duckdb: process RSS before the query (whole process)',
        value: Math.round(before / MB),
        unit: 'MB',
      },
      {
        name: 'duckdb: peak process RSS during the query (whole process; target < 1536)',
        value: Math.round(peak / MB),
        unit: 'MB',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
