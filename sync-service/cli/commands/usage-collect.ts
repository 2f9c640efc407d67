/** `credit-desk usage collect`: every ASSIGNED credit into usage files, one per currency; those credits lock. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { periodOption, settingsOf, sheetOptions } from '../options';

export function usageCollectCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('collect'))
    .description(
      'take every ASSIGNED credit into usage files (one per currency); those credits become PROCESSING (locked)',
    )
    .addOption(periodOption('only credits of this period'))
    .option(
      '--allow-estimated',
      'also take credits of months AWS has not finalised (no invoice ID in the CUR yet); their amounts may still change',
    )
    .action(async (opts) => {
      const { usageTotalsText }: typeof import('../../../core/usage') = require('../../../core/usage');
      const { runCollect }: typeof import('../../jobs/usage') = require('../../jobs/usage');
      const { connectApiOf }: typeof import('../../usage/connect-open') = require('../../usage/connect-open');
      const settings = settingsOf(opts);
      const connectApi = connectApiOf(settings);
      const r = await withSink(settings, ctx, (sink) =>
        runCollect(
          { period: opts.period, allowEstimated: opts.allowEstimated === true },
          {
            sink,
            usageDir: settings.usageDir,
            reporter: ctx.reporter,
            now: new Date(),
            connect: settings.connect,
            connectApi,
          },
        ),
      );
      for (const id of r.resumed) console.log(`Completed the interrupted collection ${id}.`);
      for (const k of r.skipped)
        console.log(`Skipped Credits row ${k.sheetRow}${k.creditId ? ` (${k.creditId})` : ''}: ${k.reason}`);
      if (r.skipped.length) ctx.setExitCode(EXIT.attention);
      // Skipped credits are ASSIGNED: "no ASSIGNED credit" would contradict the lines above.
      if (!r.files.length)
        console.log(
          r.skipped.length
            ? 'Nothing collected: every ASSIGNED credit was skipped (above).'
            : 'Nothing to collect: no ASSIGNED credit.',
        );
      for (const e of r.estimated)
        console.log(
          `--allow-estimated: collected ${e.credits} credit(s) of ${e.period}, which AWS has not finalised (AWS bill: ${e.awsBill}); their amounts may still change. The Audit tab records it (field awsBill).`,
        );
      for (const x of r.rejected)
        console.log(
          `Connect rejected ${x.usageFileId}: ${x.credits} credit(s) are ASSIGNED again (flag REJECTED); the next usage collect takes them.`,
        );
      for (const { file, xlsxPath } of r.files)
        console.log(
          `Usage file ${file.usageFileId}: ${file.records.length} credits, ${usageTotalsText(file)} → ${xlsxPath}\nThose credits are now PROCESSING and locked. ` +
            (connectApi
              ? `Send it to Connect: ./credit-desk usage submit ${file.usageFileId}`
              : `Once invoiced: ./credit-desk usage close ${file.usageFileId}`),
        );
      if (!connectApi && r.files.length > 1)
        console.log(
          `Once all are invoiced, in one command: ./credit-desk usage close ${r.files.map((f) => f.file.usageFileId).join(' ')}`,
        );
    });
}
