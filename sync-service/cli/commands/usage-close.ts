/** `credit-desk usage close <UF-ID>`: an invoiced usage file's credits become PROCESSED. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { settingsOf, sheetOptions } from '../options';

export function usageCloseCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('close'))
    .description('mark the credits of an invoiced usage file PROCESSED')
    .argument('<usage-file-id>', 'a usage file ID (`credit-desk usage list` shows them)')
    .action(async (fileId: string, opts) => {
      const { runClose }: typeof import('../../jobs/usage') = require('../../jobs/usage');
      const { connectApiOf }: typeof import('../../usage/connect-open') = require('../../usage/connect-open');
      const settings = settingsOf(opts);
      const connectApi = connectApiOf(settings);
      const r = await withSink(settings, ctx, (sink) =>
        runClose(fileId, {
          sink,
          usageDir: settings.usageDir,
          reporter: ctx.reporter,
          now: new Date(),
          connectApi,
        }),
      );
      console.log(
        `${fileId.toUpperCase()}: ${r.closed} credit${r.closed === 1 ? '' : 's'} marked PROCESSED.`,
      );
    });
}
