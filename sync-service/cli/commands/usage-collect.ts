/** `credit-desk usage collect`: every ASSIGNED credit into one usage file; those credits lock. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { periodOption, settingsOf, sheetOptions } from '../options';

export function usageCollectCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('collect'))
    .description('take every ASSIGNED credit into one usage file; those credits become PROCESSING (locked)')
    .addOption(periodOption('only credits of this period'))
    .action(async (opts) => {
      const { usageTotalsText }: typeof import('../../../core/usage') = require('../../../core/usage');
      const { runCollect }: typeof import('../../commands/usage') = require('../../commands/usage');
      const settings = settingsOf(opts);
      const r = await withSink(settings, ctx, (sink) =>
        runCollect(
          { period: opts.period },
          { sink, usageDir: settings.usageDir, reporter: ctx.reporter, now: new Date() },
        ),
      );
      for (const id of r.resumed) console.log(`Completed the interrupted collection ${id}.`);
      for (const k of r.skipped)
        console.log(`Skipped Credits row ${k.sheetRow}${k.creditId ? ` (${k.creditId})` : ''}: ${k.reason}`);
      if (r.skipped.length) ctx.setExitCode(EXIT.attention);
      if (!r.file) console.log('Nothing to collect: no ASSIGNED credit.');
      else
        console.log(
          `Usage file ${r.file.usageFileId}: ${r.file.records.length} credits, ${usageTotalsText(r.file)} → ${r.xlsxPath}\nThose credits are now PROCESSING and locked. Once invoiced: ./credit-desk usage close ${r.file.usageFileId}`,
        );
    });
}
