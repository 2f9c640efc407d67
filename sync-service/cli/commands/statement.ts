/** `credit-desk statement`: credit statements per customer or reseller (the work is in commands/statement.ts). */
import { Command, Option } from 'commander';
import { withSink, type CliContext } from '../context';
import { periodOption, settingsOf, sheetOptions } from '../options';

export function statementCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('statement'))
    .description(
      'credit statements: one .xlsx and .csv per customer and reseller, for a period or a usage file, with totals per currency',
    )
    .addOption(periodOption('the billing period of the statements'))
    .option('--usage-file <id>', 'only the credits of this usage file (UF-…)')
    .option('--customer <id>', "only this customer's statement")
    .option('--reseller <id>', "only this reseller's statement (with what its customers received)")
    .addOption(
      new Option('--format <format>', 'file format').choices(['xlsx', 'csv', 'both']).default('both'),
    )
    .option('--out <dir>', 'folder to write them to', 'statements')
    .action(async (opts) => {
      const { runStatement }: typeof import('../../jobs/statement') = require('../../jobs/statement');
      const party = opts.customer
        ? { role: 'customer' as const, id: String(opts.customer) }
        : opts.reseller
          ? { role: 'reseller' as const, id: String(opts.reseller) }
          : undefined;
      // --period chooses the statements' period here; it is not the sync's target period setting.
      const settings = settingsOf({ ...opts, period: undefined });
      const result = await withSink(
        settings,
        ctx,
        (sink) =>
          runStatement(
            {
              period: opts.period,
              usageFileId: opts.usageFile,
              party,
              outDir: opts.out,
              formats: opts.format === 'both' ? ['xlsx', 'csv'] : [opts.format],
            },
            { sink, usageDir: settings.usageDir, reporter: ctx.reporter },
          ),
        { readOnly: true },
      );
      ctx.reporter.info(
        `${result.statements.length} statement(s), ${result.files.length} file(s) in ${opts.out}` +
          (result.skipped.length
            ? `; ${result.skipped.length} credit(s) whose allocation no longer resolves are in none: ${result.skipped.slice(0, 5).join(', ')}`
            : ''),
      );
      for (const f of result.files) console.log(f);
    });
}
