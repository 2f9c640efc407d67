/**
 * Opens the source and the sink the settings name. The only place that knows which adapters exist. Adapters
 * are imported on demand (esbuild keeps them lazy in the bundle), so a local run never loads the AWS or Google
 * clients and `--help` loads none of them.
 */
import type { Reporter } from './progress';
import type { Settings } from './settings';
import type { Sink } from './sinks/sink';
import type { CreditSource } from './sources/source';

export async function openSource(
  s: Settings,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<CreditSource> {
  if (s.source === 'athena') {
    // The SDK warns on every run under Node < 22 that its releases after January 2027 will need Node 22. The
    // version here is pinned, so the warning says nothing about this run; this switch (the SDK's own) turns
    // off that one warning and nothing else. Set it to "false" to see it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { createAthenaSource } = require('./sources/athena') as typeof import('./sources/athena');
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
  const { createDuckDbSource } = require('./sources/duckdb') as typeof import('./sources/duckdb');
  return createDuckDbSource({ curDir: s.cur, layout: s.layout });
}

export async function openSink(s: Settings, reporter: Reporter): Promise<Sink> {
  if (s.spreadsheet) {
    const { createGoogleSheetsSink } =
      require('./sinks/google-sheets') as typeof import('./sinks/google-sheets');
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
  const { createWorkbookSink } = require('./sinks/workbook') as typeof import('./sinks/workbook');
  return createWorkbookSink({ path: s.workbook, onProgress: (m: string) => reporter.progress(m) });
}
