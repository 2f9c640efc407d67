/** `credit-desk usage list`: the usage files in the usage folder and their status (the sheet is not opened). */
import { Command } from 'commander';
import { settingsOf, sheetOptions } from '../options';

export function usageListCommand(): Command {
  return sheetOptions(new Command('list'))
    .description('list the usage files and their status')
    .action(async (opts) => {
      const { listUsageFiles }: typeof import('../../jobs/usage') = require('../../jobs/usage');
      console.log(listUsageFiles(settingsOf(opts).usageDir));
    });
}
