/** `credit-desk report`: the Summary figures in the terminal (the work is in commands/report.ts). */
import { Command, Option } from 'commander';
import { withSink, type CliContext } from '../context';
import { periodOption, settingsOf, sheetOptions } from '../options';

export function reportCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('report'))
    .description('the Summary figures: per period and currency by status, passed on, usage files, flags')
    .addOption(periodOption('only this billing period'))
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'),
    )
    .action(async (opts) => {
      const {
        formatReport,
        loadRecordedSummary,
      }: typeof import('../../jobs/report') = require('../../jobs/report');
      // --period filters the report here; it is not the sync's target period setting.
      const settings = settingsOf({ ...opts, period: undefined });
      const summary = await withSink(
        settings,
        ctx,
        (sink) =>
          loadRecordedSummary(
            { sink, now: new Date(), usageDir: settings.usageDir, reporter: ctx.reporter },
            opts.period,
          ),
        { readOnly: true },
      );
      process.stdout.write(formatReport(summary, opts.format));
    });
}
