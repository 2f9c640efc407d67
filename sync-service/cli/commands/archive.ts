/** `credit-desk archive --before YYYY-MM`: PROCESSED credits of closed periods out of the live sheet. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { periodOption, settingsOf, sheetOptions } from '../options';

export function archiveCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('archive'))
    .description(
      'move PROCESSED credits of periods before YYYY-MM, their Audit and Ledger rows, to archive/YYYY/credits-YYYY-MM.xlsx',
    )
    .addOption(
      periodOption(
        'archive credits of billing periods before this one',
        '--before <YYYY-MM>',
      ).makeOptionMandatory(),
    )
    .option('--archive-dir <dir>', 'archive folder (default archive, or CREDIT_DESK_ARCHIVE_DIR)')
    .option('--dry-run', 'say what would move; change nothing')
    .action(async (opts) => {
      const { runArchive }: typeof import('../../jobs/archive') = require('../../jobs/archive');
      const {
        defaultArchiveDir,
      }: typeof import('../../archive/archive-files') = require('../../archive/archive-files');
      const r = await withSink(settingsOf({ ...opts, period: undefined }), ctx, (sink) =>
        runArchive(
          { before: opts.before, dir: opts.archiveDir || defaultArchiveDir(), dryRun: opts.dryRun },
          { sink, reporter: ctx.reporter, now: new Date() },
        ),
      );
      console.log(
        `${opts.dryRun ? 'Would archive' : 'Archived'} ${r.credits} PROCESSED credits, ${r.auditRows} Audit rows and ${r.ledgerRows} Ledger rows${r.files.length ? ` → ${r.files.join(', ')}` : ''}.`,
      );
    });
}
