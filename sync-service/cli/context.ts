/**
 * What every command shares: where messages go, the Ctrl-C signal, who is acting, how a command reports a
 * non-zero exit without throwing, and `withSink`/`withSource`, which open an adapter once and close it
 * whatever happens — so no command repeats open/try/finally/close.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { openSink, openSource } from '../connect';
import type { Reporter } from '../progress';
import { SettingsError, type Settings } from '../settings';
import type { Sink } from '../sinks/sink';
import type { CreditSource } from '../sources/source';
import { checkWorkbookFolderWritable } from '../workbook-path';
import type { ExitCode } from './exit-codes';

export interface CliContext {
  readonly reporter: Reporter;
  /** Aborted on Ctrl-C: a running Athena query is cancelled. */
  readonly signal: AbortSignal;
  /** A command that finished but found problems (e.g. invalid rules) sets the exit code here instead of throwing. */
  setExitCode(code: ExitCode): void;
}

/** Who the Audit tab names for a change made from the command line. */
export function actor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // some containers have no passwd entry
  }
  return `credit-desk cli (${name})`;
}

export interface SinkOptions {
  /**
   * What to do when the workbook does not exist. Only `sync` and `start` create one ('create'; 'preview' for
   * `sync --dry-run`, which writes nothing). Every other command refuses the path ('refuse', the default),
   * because a typo would otherwise read as an empty sheet ("nothing to collect", an empty export).
   */
  missingWorkbook?: 'refuse' | 'create' | 'preview';
  /** Commands that only read (export, rules validate) take no writer lock, so they never wait for one. */
  readOnly?: boolean;
}

export async function withSink<T>(
  settings: Settings,
  ctx: CliContext,
  fn: (sink: Sink) => Promise<T>,
  { missingWorkbook = 'refuse', readOnly = false }: SinkOptions = {},
): Promise<T> {
  if (settings.sink === 'workbook' && !existsSync(settings.workbook)) {
    // The full path: run from another folder, "credits.xlsx does not exist" alone does not say where it looked.
    if (missingWorkbook === 'refuse')
      throw new SettingsError(
        `Workbook ${settings.workbook} does not exist (looked for ${resolve(settings.workbook)}). Check --workbook (or CREDIT_DESK_WORKBOOK) and the folder you run in, or create it with \`credit-desk sync\` (\`npm start\` for the demo).`,
      );
    // On 'create' the workbook sink itself says it is starting a new workbook.
    if (missingWorkbook === 'preview')
      ctx.reporter.info(
        `Workbook ${settings.workbook} does not exist yet: showing what a sync would put in a new one.`,
      );
  }
  if (settings.sink === 'workbook' && !readOnly && missingWorkbook !== 'preview')
    checkWorkbookFolderWritable(settings.workbook);
  const sink = await openSink(settings, ctx.reporter, { readOnly });
  try {
    return await fn(sink);
  } finally {
    await sink.close();
  }
}

export async function withSource<T>(
  settings: Settings,
  ctx: CliContext,
  fn: (source: CreditSource) => Promise<T>,
): Promise<T> {
  const source = await openSource(settings, ctx.reporter, ctx.signal);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}
