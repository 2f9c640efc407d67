/**
 * The commands the sync prints for correction credits (sync-service/jobs/sync-corrections.ts) must work when
 * pasted: every word reaches the program exactly as meant, whatever an allocation, an ID or a path holds.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { sheetArgs, shellWord } from '../../../sync-service/jobs/sync-corrections';

/** What a POSIX shell hands a program for `words`, one argument per line of the result. */
function asShellReadsIt(words: string): string[] {
  const r = spawnSync('sh', ['-c', `printf '%s\\n' ${words}`], { encoding: 'utf8' });
  return r.stdout.split('\n').slice(0, -1);
}

describe('printed correction commands', () => {
  it('quote any word so a shell passes it on unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.includes('\0') && !s.includes('\n')),
        (s) => {
          expect(asShellReadsIt(shellWord(s))).toEqual([s]);
        },
      ),
      { numRuns: 150 },
    );
    expect(shellWord('customer 60%, reseller 40%')).toBe('"customer 60%, reseller 40%"');
    expect(shellWord('AWSC-202610-1234-5678')).toBe('AWSC-202610-1234-5678');
  });

  it('name the sheet unless it is the default workbook', () => {
    const book = (workbook: string, spreadsheet = '') => ({
      sink: 'workbook' as const,
      workbook,
      spreadsheet,
    });
    expect(sheetArgs(book('credits.xlsx'))).toBe('');
    expect(sheetArgs(book('month end/book.xlsx'))).toBe(' --workbook "month end/book.xlsx"');
    expect(
      sheetArgs({ sink: 'google', workbook: 'credits.xlsx', spreadsheet: '1AbC_dEf-23456789012345' }),
    ).toBe(' --sink google --spreadsheet 1AbC_dEf-23456789012345');
    expect(asShellReadsIt(`assign${sheetArgs(book("it's $HOME.xlsx"))}`)).toEqual([
      'assign',
      '--workbook',
      "it's $HOME.xlsx",
    ]);
  });

  it('say --sink workbook when the workbook was chosen over a spreadsheet that is set', () => {
    const id = '1AbC_dEf-23456789012345';
    expect(sheetArgs({ sink: 'workbook', workbook: 'credits.xlsx', spreadsheet: id })).toBe(
      ' --sink workbook',
    );
    expect(sheetArgs({ sink: 'workbook', workbook: 'b.xlsx', spreadsheet: id })).toBe(
      ' --sink workbook --workbook b.xlsx',
    );
  });
});
