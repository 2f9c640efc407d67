/** `credit-desk start` (what `npm start` runs): demo data, a sync with rules, and what to try next. */
import { Command } from 'commander';
import { withSink, withSource, type CliContext } from '../context';
import { settingsOf, sheetOptions } from '../options';

export function startCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('start'))
    .description(
      'the embedded default in one go: demo data if missing, sync into credits.xlsx, apply rules, summary',
    )
    .option(
      '--fresh',
      'first remove the workbook, the usage files and the archive, to walk through the demo again',
    )
    .action(async (opts) => {
      const {
        demoSettings,
        prepareDemo,
        runStart,
      }: typeof import('../../jobs/start') = require('../../jobs/start');
      const settings = settingsOf(opts);
      await prepareDemo(settings, Boolean(opts.fresh), ctx.reporter);
      const demo = demoSettings(settings);
      const text = await withSource(demo, ctx, (source) =>
        withSink(
          demo,
          ctx,
          (sink) => runStart(demo, { source, sink, reporter: ctx.reporter, now: new Date() }),
          {
            missingWorkbook: 'create',
          },
        ),
      );
      console.log(text);
    });
}
