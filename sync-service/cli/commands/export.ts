/** `credit-desk export`: the credits as formula-safe CSV or the JSON scripting contract. */
import { Command, Option } from 'commander';
import { withSink, type CliContext } from '../context';
import { periodOption, settingsOf, sheetOptions, statusOption } from '../options';

export function exportCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('export'))
    .description('export credits as CSV or JSON (the scripting contract)')
    .addOption(statusOption())
    .addOption(periodOption('billing period'))
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--include-archive [dir]', 'also the archived credits (default folder: archive)')
    .action(async (opts) => {
      const { runExport }: typeof import('../../jobs/export') = require('../../jobs/export');
      const {
        defaultArchiveDir,
      }: typeof import('../../archive/archive-files') = require('../../archive/archive-files');
      const archive = opts.includeArchive === true ? defaultArchiveDir() : opts.includeArchive;
      // --period filters the export here; it is not the sync's target period setting.
      const { text, count, warnings } = await withSink(
        settingsOf({ ...opts, period: undefined }),
        ctx,
        (sink) =>
          runExport(
            {
              status: opts.status,
              period: opts.period,
              format: opts.format,
              out: opts.out,
              includeArchive: archive,
            },
            { sink },
          ),
        { readOnly: true },
      );
      for (const w of warnings) ctx.reporter.warn(w);
      if (opts.out) ctx.reporter.info(`${count} credits written to ${opts.out}`);
      else process.stdout.write(text);
    });
}
