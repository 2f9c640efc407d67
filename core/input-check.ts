/**
 * Reference files (an accounts CSV, a rules CSV) are checked the way the tabs are, before anything is written: an
 * account or Rule ID listed twice is refused with both line numbers, instead of the second line silently
 * overwriting the first (and its credits going to the second customer).
 */
import { buildDirectory } from './accounts';
import { CreditDeskError } from './errors';
import { fold } from './rules/match';
import type { AccountField, RuleField } from './sheet-contract';
import { accountText } from './ids';
import { readRecords, text, type Grid } from './table';

/** Throws, naming the file and the lines, when the file lists an ID twice (or, for accounts, a malformed ID). */
export function checkReferenceFile(tab: 'accounts' | 'rules', file: Grid, fileName: string): void {
  const records = readRecords<AccountField | RuleField>(tab, file).map((r) => ({
    ...r,
    // readRecords numbers rows as a sheet does; a file is read by line.
    row: file.lines?.[r.row - 2] ?? r.row,
  }));
  const idOf =
    tab === 'accounts'
      ? (r: (typeof records)[number]) => accountText(r.record.accountId as never)
      : (r: (typeof records)[number]) => fold(text(r.record.ruleId as never));
  const first = new Map<string, number>();
  const problems: string[] = [];
  for (const r of records) {
    const id = idOf(r);
    if (!id) continue;
    const seen = first.get(id);
    if (seen === undefined) first.set(id, r.row);
    else
      problems.push(
        `line ${r.row}: ${tab === 'accounts' ? 'AWS Account' : 'Rule ID'} ${tab === 'accounts' ? id : JSON.stringify(text(r.record.ruleId as never))} is already on line ${seen}`,
      );
  }
  if (problems.length) {
    throw new CreditDeskError(
      tab === 'accounts' ? 'BAD_ACCOUNTS' : 'BAD_RULE',
      `${fileName}: ${problems.length} duplicate${problems.length > 1 ? 's' : ''}; nothing was written:\n    ${problems.slice(0, 20).join('\n    ')}${problems.length > 20 ? `\n    … and ${problems.length - 20} more` : ''}`,
      `Keep one line per ${tab === 'accounts' ? 'account' : 'Rule ID'} (delete or correct the other), then run again.`,
    );
  }
  if (tab === 'accounts')
    buildDirectory(
      records as { row: number; record: Record<AccountField, never> }[],
      `${fileName} (by line)`,
    );
}
