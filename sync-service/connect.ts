/**
 * Opens the source and the sink the settings name. The only place that knows which adapters exist. Adapters
 * are imported on demand (esbuild keeps them lazy in the bundle), so a local run never loads the AWS or Google
 * clients and `--help` loads none of them.
 */
import { userInfo } from 'node:os';
import type { Reporter } from './progress';
import { SettingsError, type Settings } from './settings';
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
      onWarning: (m: string) => reporter.warn(m),
      signal,
    });
  }
  const { createDuckDbSource } = require('./sources/duckdb') as typeof import('./sources/duckdb');
  return createDuckDbSource({ curDir: s.cur, layout: s.layout });
}

export interface OpenSinkOptions {
  /** Read-only commands (export, rules validate) take no writer lock and never wait for one. */
  readOnly?: boolean;
}

/**
 * How long a writer waits for another one before giving up: CREDIT_DESK_LOCK_WAIT seconds (default 30).
 * An environment variable rather than an option because every command that writes honours it alike.
 */
export function lockWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = (env.CREDIT_DESK_LOCK_WAIT ?? '').trim();
  if (!raw) return 30_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new SettingsError(
      `CREDIT_DESK_LOCK_WAIT must be a number of seconds (0 or more); got "${raw}". Unset it for the default of 30.`,
    );
  }
  return Math.round(seconds * 1000);
}

/** "credit-desk usage collect" / "credit-desk assign AWSC-…": what another run is told it waits for. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const words: string[] = [];
  for (const a of argv.slice(2)) {
    if (a.startsWith('-') || words.length >= 3) break;
    words.push(a.length > 40 ? a.slice(0, 37) + '...' : a);
  }
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    // some containers have no passwd entry
  }
  return `credit-desk ${words.join(' ') || 'run'}${user ? ` (${user})` : ''}`;
}

export async function openSink(s: Settings, reporter: Reporter, open: OpenSinkOptions = {}): Promise<Sink> {
  const waitMs = lockWaitMs();
  const command = commandLine();
  // settings.ts chooses the sink (its one rule, chooseSink); this only opens the one chosen.
  if (s.sink === 'google') {
    const { createGoogleSheetsSink } =
      require('./sinks/google/google-sheets') as typeof import('./sinks/google/google-sheets');
    return createGoogleSheetsSink({
      spreadsheetId: s.spreadsheet,
      rootUrl: s.sheetsRootUrl || undefined,
      syncIdentity: s.syncIdentity || undefined,
      onProgress: (p) =>
        reporter.progress(
          `Google Sheet: ${p.phase} ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')}`,
        ),
      readOnly: open.readOnly,
      lockOwner: command,
      lockWaitMs: waitMs,
      onLockWait: (m: string) => reporter.warn(m),
      onLockTakeOver: (m: string) => reporter.warn(m),
    });
  }
  const { createWorkbookSink } =
    require('./sinks/workbook/workbook') as typeof import('./sinks/workbook/workbook');
  return createWorkbookSink({
    path: s.workbook,
    onProgress: (m: string) => reporter.progress(m),
    lock: open.readOnly ? undefined : { command, waitMs, onWait: (m: string) => reporter.warn(m) },
  });
}
