/** `credit-desk usage close <UF-ID...>`: the credits of invoiced usage files become PROCESSED. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { settingsOf, sheetOptions } from '../options';

export function usageCloseCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('close'))
    .description('mark the credits of invoiced usage files PROCESSED (several IDs: one sheet write)')
    .argument('<usage-file-id...>', 'usage file IDs (`credit-desk usage list` shows them)')
    .action(async (fileIds: string[], opts) => {
      const { runClose }: typeof import('../../jobs/usage') = require('../../jobs/usage');
      const { connectApiOf }: typeof import('../../usage/connect-open') = require('../../usage/connect-open');
      const settings = settingsOf(opts);
      const connectApi = connectApiOf(settings);
      const r = await withSink(settings, ctx, (sink) =>
        runClose(fileIds, {
          sink,
          usageDir: settings.usageDir,
          reporter: ctx.reporter,
          now: new Date(),
          connectApi,
        }),
      );
      for (const f of r.files)
        console.log(`${f.usageFileId}: ${f.closed} credit${f.closed === 1 ? '' : 's'} marked PROCESSED.`);
    });
}
