/** `credit-desk sync`: CUR credits → the sheet (the work is in commands/sync.ts). */
import { Command } from 'commander';
import { withSink, withSource, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { settingOption, settingsOf, sheetOptions, sourceOptions } from '../options';

export function syncCommand(ctx: CliContext): Command {
  return sourceOptions(sheetOptions(new Command('sync')))
    .description('pull the credits of the most recent closed billing period into the sheet')
    .addOption(settingOption('period'))
    .addOption(settingOption('accounts'))
    .addOption(settingOption('rules'))
    .option(
      '--apply-rules',
      'assign new credits with their most appropriate rule (or the default configuration)',
    )
    .option('--dry-run', 'show what would change; write nothing')
    .option(
      '--allow-broken-rules',
      'with --apply-rules: apply the valid rules even if some are broken (listed)',
    )
    .option(
      '--skip-invalid',
      'deprecated, does nothing: awkward CUR lines are imported and flagged for review',
    )
    .option('--no-previous', 'do not re-read the previous period for late credits')
    .action(async (opts) => {
      const { formatSyncReport, runSync }: typeof import('../../jobs/sync') = require('../../jobs/sync');
      const { syncExitCode }: typeof import('../../jobs/sync-intake') = require('../../jobs/sync-intake');
      const archives: typeof import('../../archive/archive-files') = require('../../archive/archive-files');
      const settings = settingsOf(opts);
      const report = await withSource(settings, ctx, (source) =>
        withSink(
          settings,
          ctx,
          (sink) =>
            runSync(
              settings,
              {
                applyRules: opts.applyRules,
                dryRun: opts.dryRun,
                skipInvalid: opts.skipInvalid,
                allowBrokenRules: opts.allowBrokenRules,
                previous: opts.previous,
              },
              {
                source,
                sink,
                reporter: ctx.reporter,
                now: new Date(),
                archived: archives.readArchivedIndex(archives.defaultArchiveDir()),
              },
            ),
          { missingWorkbook: opts.dryRun ? 'preview' : 'create' },
        ),
      );
      console.log(formatSyncReport(report, Boolean(opts.dryRun)));
      if (syncExitCode(report) !== 0) ctx.setExitCode(EXIT.attention);
    });
}
