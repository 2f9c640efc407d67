/**
 * Opens the source and the sink the settings name. The only place that knows which adapters exist. Adapters
 * are loaded on demand, so a local run never loads the AWS or Google clients (and starts faster).
 */
import type { Grid } from '../core/table';
import type { Reporter } from './progress';
import type { Settings } from './settings';
import type { Sink } from './sinks/sink';
import type { CreditSource } from './sources/source';

/** A synchronous, lazy require: the module is loaded the first time a run needs it. */
function load<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}

export async function openSource(
  s: Settings,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<CreditSource> {
  if (s.source === 'athena') {
    const { createAthenaSource } = load<typeof import('./sources/athena')>('./sources/athena');
    return createAthenaSource({
      database: s.athena.database,
      table: s.athena.table,
      workgroup: s.athena.workgroup,
      catalog: s.athena.catalog,
      outputLocation: s.athena.output || undefined,
      region: s.athena.region || undefined,
      layout: s.layout,
      endpoint: s.athena.endpoint || undefined,
      onProgress: (m: string) => reporter.progress(m),
      signal,
    });
  }
  const { createDuckDbSource } = load<typeof import('./sources/duckdb')>('./sources/duckdb');
  return createDuckDbSource({ curDir: s.cur, layout: s.layout });
}

export async function openSink(
  s: Settings,
  reporter: Reporter,
  seed?: { accounts?: Grid; rules?: Grid },
): Promise<Sink> {
  if (s.spreadsheet) {
    const { createGoogleSheetsSink } = load<typeof import('./sinks/google-sheets')>('./sinks/google-sheets');
    return createGoogleSheetsSink({
      spreadsheetId: s.spreadsheet,
      rootUrl: s.sheetsRootUrl || undefined,
      syncIdentity: s.syncIdentity || undefined,
      onProgress: (p) =>
        reporter.progress(
          `Google Sheet: ${p.phase} ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')}`,
        ),
    });
  }
  const { createWorkbookSink } = load<typeof import('./sinks/workbook')>('./sinks/workbook');
  return createWorkbookSink({ path: s.workbook, onProgress: (m: string) => reporter.progress(m), seed });
}
