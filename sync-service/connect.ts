/**
 * Opens the source and the sink the settings name. The only place that knows which adapters exist.
 */
import type { Grid } from '../core/table';
import type { Reporter } from './progress';
import type { Settings } from './settings';
import type { Sink } from './sinks/sink';
import type { CreditSource } from './sources/source';
import { createDuckDbSource } from './sources/duckdb';
import { createAthenaSource } from './sources/athena';
import { createWorkbookSink } from './sinks/workbook';
import { createGoogleSheetsSink } from './sinks/google-sheets';

export function openSource(s: Settings, reporter: Reporter, signal?: AbortSignal): CreditSource {
  if (s.source === 'athena') {
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
  return createDuckDbSource({ curDir: s.cur, layout: s.layout });
}

export function openSink(s: Settings, reporter: Reporter, seed?: { accounts?: Grid; rules?: Grid }): Sink {
  if (s.spreadsheet) {
    return createGoogleSheetsSink({
      spreadsheetId: s.spreadsheet,
      rootUrl: s.sheetsRootUrl || undefined,
      onProgress: (m: string) => reporter.progress(m),
    });
  }
  return createWorkbookSink({ path: s.workbook, onProgress: (m: string) => reporter.progress(m), seed });
}
