/**
 * `credit-desk export`: the credits as CSV (formula-safe, for people) or JSON (the scripting contract, see the
 * docs/user-guide.md), filtered by status and period.
 */
import { toCsv } from '../../core/csv';
import type { Credit } from '../../core/credit';
import { CreditDeskError } from '../../core/errors';
import { creditJsonText, creditToJson, exportTable, jsonArrayTexts } from '../../core/export';
import { isStatus } from '../../core/status';
import { readState } from '../../core/sheet-state';
import { readAllArchives } from '../archive/archive-files';
import type { Sink } from '../sinks/sink';
import { replaceFile } from '../files/atomic-file';

export interface ExportOptions {
  status?: string;
  period?: string;
  format?: 'csv' | 'json';
  out?: string;
  /** Also the archived credits, from this archive folder. */
  includeArchive?: string;
}

export async function runExport(
  opts: ExportOptions,
  deps: { sink: Sink },
): Promise<{ text: string; count: number; warnings: string[] }> {
  const format = opts.format ?? 'csv';
  if (format !== 'csv' && format !== 'json')
    throw new CreditDeskError('BAD_CONFIG', `--format ${format} is not supported.`, 'Use csv or json.');
  const status = opts.status?.toUpperCase();
  if (status && !isStatus(status))
    throw new CreditDeskError(
      'BAD_CONFIG',
      `--status ${opts.status} is not a status.`,
      'Use PENDING_ASSIGN, ASSIGNED, PROCESSING or PROCESSED.',
    );
  // The Audit and Ledger tabs (the biggest after Credits) say nothing an export shows: not read.
  const state = readState(await deps.sink.read({ only: ['credits', 'accounts', 'rules', 'config'] }));
  const live = state.credits.map((e) => e.credit);
  const { archived, warnings } = opts.includeArchive
    ? notLive(await readAllArchives(opts.includeArchive), live, opts.includeArchive)
    : { archived: [], warnings: [] };
  const credits = [...live, ...archived].filter(
    (c) => (!status || c.status === status) && (!opts.period || c.period === opts.period),
  );
  const table = format === 'csv' ? exportTable(credits) : undefined;
  const texts = table
    ? [toCsv(table.headers, table.rows)]
    : jsonArrayTexts(credits, (c) => creditJsonText(creditToJson(c, state.directory)));
  if (opts.out) {
    try {
      replaceFile(opts.out, texts);
    } catch (err) {
      refuseOut(opts.out, err);
    }
    return { text: '', count: credits.length, warnings };
  }
  return { text: [...texts].join(''), count: credits.length, warnings };
}

/**
 * The archived credits that are not also in the sheet. An archive holds credits that left this sheet, so one
 * whose key or Credit ID is live again comes from another sheet's history — typically the demo's archive after
 * `npm start -- --fresh` re-synced the same CUR into a new workbook. Listing both would export each credit
 * twice; the sheet's row is the current one, so the archive's copy is left out and the count named.
 */
function notLive(
  archived: Credit[],
  live: readonly Credit[],
  dir: string,
): { archived: Credit[]; warnings: string[] } {
  const keys = new Set(live.map((c) => c.key));
  const ids = new Set(live.map((c) => c.creditId));
  const kept = archived.filter((c) => !keys.has(c.key) && !ids.has(c.creditId));
  const doubled = archived.length - kept.length;
  if (!doubled) return { archived: kept, warnings: [] };
  return {
    archived: kept,
    warnings: [
      `${doubled} archived credit${doubled === 1 ? ' is' : 's are'} also in the sheet (same key or Credit ID), so ${dir} holds another sheet's archive; exported once, as the sheet has ${doubled === 1 ? 'it' : 'them'}. Give each sheet its own archive folder (--include-archive DIR, CREDIT_DESK_ARCHIVE_DIR).`,
    ],
  };
}

/** Why --out could not be written, and what to do; the file that was there (if any) is as it was. */
function refuseOut(out: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? `permission denied (${code})`
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : (err as Error).message;
  throw new CreditDeskError(
    'BAD_CONFIG',
    `The export could not be written to ${out}: ${why}. Nothing was changed there.`,
    'Choose another path with --out <file>, or leave --out off to print the export.',
  );
}
