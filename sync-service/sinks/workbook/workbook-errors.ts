/**
 * The messages a person sees when the workbook file cannot be read or saved. Each says which file, what is
 * wrong, and what to do next, and states that nothing was changed (both paths leave the file as it was).
 */
import { CreditDeskError } from '../../../core/errors';

/** The file exists but is not an .xlsx we can parse (not a zip, truncated, damaged XML). */
export function unreadableWorkbook(label: string, backupLabel: string, err: unknown): CreditDeskError {
  const detail = firstLine(err);
  return new CreditDeskError(
    'BAD_SHEET',
    `${label} is not a readable workbook (${detail}).`,
    `It was not changed; restore it from the backup ${backupLabel} or move it away to start fresh.`,
  );
}

/** An operating-system error while reading or saving the workbook, explained. */
export function fileAccessError(label: string, op: 'read' | 'save', err: unknown): CreditDeskError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const unchanged = op === 'save' ? ' The previous file was not changed.' : '';
  const verb = op === 'read' ? 'read' : 'saved';
  switch (code) {
    case 'EBUSY':
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} cannot be ${verb}: it is locked by another program (is it open in Excel?).`,
        `Close it there and run again.${unchanged}`,
      );
    case 'EACCES':
    case 'EPERM':
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} cannot be ${verb}: permission denied (${code}).`,
        `Check that you may ${op === 'read' ? 'read' : 'write'} the file and its folder and that it is not open in Excel (Windows locks open workbooks), then run again.${unchanged}`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} cannot be saved: the disk is full.`,
        `Free some space and run again.${unchanged}`,
      );
    case 'EROFS':
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} cannot be saved: the file system is read-only.`,
        `Move the workbook to a writable folder (--workbook <path>).${unchanged}`,
      );
    case 'ENOENT':
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} cannot be ${verb}: its folder does not exist.`,
        'Create the folder or choose another path with --workbook <path>.',
      );
    case 'EISDIR':
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} is a folder, not a workbook.`,
        'Choose a file path with --workbook <path>.',
      );
    default:
      return new CreditDeskError(
        'BAD_SHEET',
        `${label} cannot be ${verb} (${code ? code + ': ' : ''}${firstLine(err)}).`,
        `Check the file and run again.${unchanged}`,
      );
  }
}

/** Excel keeps `~$name.xlsx` next to a workbook it has open; a save from us would later be overwritten by theirs. */
export function openInExcel(label: string, lockFile: string): CreditDeskError {
  return new CreditDeskError(
    'BAD_SHEET',
    `${label} is open in Excel (found its lock file ${lockFile}); saving now would be overwritten when Excel saves.`,
    `Close the workbook in Excel and run again. If it is not open anywhere, delete the stale ${lockFile}.`,
  );
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').slice(0, 200) || 'unknown error';
}
