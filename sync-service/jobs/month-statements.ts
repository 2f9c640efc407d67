/**
 * `run-month --statements DIR`: the credit statements of the period the run processed (issue 23, part 3), so the
 * month's documents for customers and resellers are there when the run ends, named in its summary and in the
 * chat message. The statements are `credit-desk statement --period P --out DIR`'s (jobs/statement.ts), written
 * after the sync, the rules and the collection, so they show the usage files the run itself made. Kept apart from
 * run-month.ts, which only calls it and prints what it returns.
 */
import { basename } from 'node:path';
import type { Sink } from '../sinks/sink';
import { runStatement } from './statement';

export interface MonthStatements {
  period: string;
  dir: string;
  /** The files written, .xlsx and .csv per party, in name order (a folder listing's order). */
  files: string[];
  parties: number;
  /** Credits whose allocation no longer resolves: in no statement, for a person to look at. */
  skipped: string[];
}

export async function writeMonthStatements(
  dir: string,
  period: string,
  deps: { sink: Sink; usageDir?: string },
): Promise<MonthStatements> {
  const r = await runStatement({ period, outDir: dir, formats: ['xlsx', 'csv'] }, deps);
  return { period, dir, files: [...r.files].sort(), parties: r.statements.length, skipped: r.skipped };
}

/** Files named in a chat message; the rest are counted (the folder has them all). */
const NAMED_IN_CHAT = 20;

/**
 * The lines that name the statements: every file in the printed summary, the first NAMED_IN_CHAT in the chat
 * message (read on a phone), each by its name in the folder the first line gives.
 */
export function statementLines(s: MonthStatements, forChat = false): string[] {
  const head = `Statements ${s.period}: ${s.parties} part${s.parties === 1 ? 'y' : 'ies'}, ${s.files.length} file${s.files.length === 1 ? '' : 's'} in ${s.dir}${s.files.length ? ':' : ''}`;
  const names = s.files.map((f) => basename(f));
  const shown = forChat ? names.slice(0, NAMED_IN_CHAT) : names;
  const lines = [head, ...shown.map((n) => `  ${n}`)];
  if (shown.length < names.length) lines.push(`  … and ${names.length - shown.length} more in ${s.dir}`);
  return lines;
}

/** What a person should look at: credits that are in no statement because their allocation no longer resolves. */
export function statementAttention(s: MonthStatements): string[] {
  if (!s.skipped.length) return [];
  const n = s.skipped.length;
  return [
    `${n} credit${n === 1 ? '' : 's'} of ${s.period} ${n === 1 ? 'is' : 'are'} in no statement: ${n === 1 ? 'its' : 'their'} allocation no longer resolves (${s.skipped.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''}); fix the Allocation, then run credit-desk statement --period ${s.period} --out ${pasteable(s.dir)}`,
  ];
}

/** A path as a shell argument: as it is when it is plain, else in single quotes, so the command pastes. */
function pasteable(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
