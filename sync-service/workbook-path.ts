/**
 * The workbook path, checked before anything is read or queried, so a mistake costs no Athena query and is
 * not reported as a raw ENOENT/EACCES on a lock temp file. Messages give the full path — a command run from
 * another folder resolves a relative path there — and the fix.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CreditDeskError } from '../core/errors';
import { SettingsError, type Settings } from './settings';

/** A folder given as the workbook, or a workbook in a folder that does not exist: a wrong setting (exit 2). */
export function checkWorkbookSetting(s: Settings): Settings {
  if (s.sink !== 'workbook') return s;
  const full = resolve(s.workbook);
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory())
    throw new SettingsError(
      `The workbook ${s.workbook} is a folder (${full}), not a workbook file. Name a file with --workbook, e.g. --workbook ${s.workbook.replace(/\/+$/, '')}/credits.xlsx.`,
    );
  const folder = dirname(full);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new SettingsError(
      `The workbook ${s.workbook} is in a folder that does not exist: ${folder}. Create it (mkdir -p ${folder}) or correct --workbook (or CREDIT_DESK_WORKBOOK).`,
    );
  return s;
}

/**
 * A command that writes creates its lock and its save beside the workbook: a folder it may not write in fails
 * here, named, rather than halfway (exit 1, like any file that cannot be saved).
 */
export function checkWorkbookFolderWritable(workbook: string, access = accessSync): void {
  const folder = dirname(resolve(workbook));
  try {
    access(folder, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    throw new CreditDeskError(
      'BAD_SHEET',
      `${workbook} cannot be changed: its folder ${folder} is not writable (${code}); the lock file and the saved workbook are created there. Nothing was changed.`,
      code === 'EROFS'
        ? 'Move the workbook to a writable folder (--workbook <path>).'
        : `Make the folder writable (chmod u+w ${folder}), run as a user who may write there, or move the workbook (--workbook <path>).`,
    );
  }
}
