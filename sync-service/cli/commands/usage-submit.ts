/** `credit-desk usage submit [UF-ID]`: the collected usage files into Connect — created, uploaded, submitted. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { settingsOf, sheetOptions } from '../options';
import { printConnectTrip } from './usage-status';

export function usageSubmitCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('submit'))
    .description(
      'send the collected usage files to Connect (create, upload, submit) and read back what Connect says of them',
    )
    .argument('[usage-file-id]', 'only this usage file (`credit-desk usage list` shows them)')
    .option('--reupload', 'upload a file Connect found invalid again, once what Connect named is fixed')
    .action(async (fileId: string | undefined, opts) => {
      const {
        runConnectTrip,
      }: typeof import('../../commands/usage-connect') = require('../../commands/usage-connect');
      const {
        requireConnectApi,
      }: typeof import('../../usage/connect-open') = require('../../usage/connect-open');
      const settings = settingsOf(opts);
      const api = requireConnectApi(settings);
      const r = await withSink(settings, ctx, (sink) =>
        runConnectTrip(
          { only: fileId, submit: true, reupload: Boolean(opts.reupload) },
          { sink, usageDir: settings.usageDir, reporter: ctx.reporter, now: new Date(), api },
        ),
      );
      if (printConnectTrip(r)) ctx.setExitCode(EXIT.attention);
    });
}
