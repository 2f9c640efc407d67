/** `credit-desk usage submit [UF-ID]`: the collected usage files into Connect — created, uploaded, submitted. */
import { Command } from 'commander';
import type { CliContext } from '../context';
import { sheetOptions } from '../options';
import { followInConnect } from './usage-status';

export function usageSubmitCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('submit'))
    .description(
      'send the collected usage files to Connect (create, upload, submit) and read back what Connect says of them',
    )
    .argument('[usage-file-id]', 'only this usage file (`credit-desk usage list` shows them)')
    .option('--reupload', 'upload a file Connect found invalid again, once what Connect named is fixed')
    .action((fileId: string | undefined, opts) =>
      followInConnect(ctx, opts, { only: fileId, submit: true, reupload: Boolean(opts.reupload) }),
    );
}
