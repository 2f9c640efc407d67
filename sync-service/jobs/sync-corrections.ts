/**
 * The part of the sync summary about correction credits (core/correction.ts, docs/decisions/0006): the ones this
 * run added and the ones still waiting for a person, each with the original it corrects and the exact `assign`
 * command that accepts the proposed allocation — pasted as printed, it runs against the same sheet.
 */
import type { CorrectionNotice } from '../../core/merge';
import { displayMoney } from '../../core/money';
import type { Settings } from '../settings';

const LIST = 20;

/** A word for a POSIX shell: as it is when it holds nothing the shell reads, else single-quoted. */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_%.,:/@+=-]+$/.test(s)) return s;
  if (!/['\\$`!"]/.test(s)) return `"${s}"`; // the user guide's form: "customer 60%, reseller 40%"
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The options that point a printed command at the sheet this run used ('' for the default workbook). The sink
 * is named whenever a spreadsheet is set: a `sink` from the environment or the config file could otherwise
 * send the pasted command to the other sheet, or refuse it.
 */
export function sheetArgs(settings: Pick<Settings, 'sink' | 'workbook' | 'spreadsheet'>): string {
  if (settings.sink === 'google') return ` --sink google --spreadsheet ${shellWord(settings.spreadsheet)}`;
  const sink = settings.spreadsheet ? ' --sink workbook' : '';
  return settings.workbook && settings.workbook !== 'credits.xlsx'
    ? `${sink} --workbook ${shellWord(settings.workbook)}`
    : sink;
}

/** `./credit-desk assign AWSC-… "customer 60%, reseller 40%"` for a correction's proposal. */
export function assignCommand(n: CorrectionNotice, sheet: string): string {
  return `./credit-desk assign${sheet} ${n.credit.creditId} ${shellWord(n.proposal)}`;
}

/** The summary lines: what each correction corrects, for how much, and the command that accepts its proposal. */
export function formatCorrections(
  added: readonly CorrectionNotice[],
  waiting: readonly CorrectionNotice[],
  sheet: string,
  dryRun = false,
): string[] {
  if (!added.length && !waiting.length) return [];
  const lines: string[] = [];
  const line = (n: CorrectionNotice, dry = false) => {
    const c = n.credit;
    const head = `             ${c.creditId} ${displayMoney(c.amount, c.currency)} corrects invoiced ${n.originalId}`;
    // A dry run writes nothing: an assign of a correction that is not in the sheet would fail when pasted.
    if (dry)
      return `${head}; proposed allocation ${n.proposal ? JSON.stringify(n.proposal) : '(none)'} (the sync without --dry-run prints the command that accepts it)`;
    return n.proposal
      ? `${head}; to give it the original's allocation: ${assignCommand(n, sheet)}`
      : `${head}; its original's allocation cannot be proposed, type one: ./credit-desk assign${sheet} ${c.creditId} "<allocation>"`;
  };
  if (added.length) {
    lines.push(
      `  ${'corrected'.padEnd(10)} ${String(added.length).padStart(7)}  invoiced credits the CUR changed: each difference ${dryRun ? 'would be' : 'is'} a new correction credit, PENDING_ASSIGN (the invoiced row stays as invoiced)`,
    );
    for (const n of added.slice(0, LIST)) lines.push(line(n, dryRun));
    if (added.length > LIST)
      lines.push(`             … and ${added.length - LIST} more (Audit tab: field correction)`);
  }
  if (waiting.length) {
    lines.push(
      `  ${'to confirm'.padEnd(10)} ${String(waiting.length).padStart(7)}  correction credits from earlier syncs still PENDING_ASSIGN:`,
    );
    for (const n of waiting.slice(0, LIST)) lines.push(line(n));
    if (waiting.length > LIST) lines.push(`             … and ${waiting.length - LIST} more`);
  }
  return lines;
}
