/** `credit-desk apply-rules`: every PENDING_ASSIGN credit gets its most appropriate rule or the default configuration. */
import { Command } from 'commander';
import { actor, withSink, type CliContext } from '../context';
import { periodOption, settingsOf, sheetOptions } from '../options';

export function applyRulesCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('apply-rules'))
    .description(
      'assign every PENDING_ASSIGN credit with its most appropriate rule, else the default configuration',
    )
    .addOption(periodOption('only credits of this period'))
    .option('--dry-run', 'show the plan; write nothing')
    .option('--allow-broken-rules', 'apply the valid rules even if some are broken (they are listed)')
    .action(async (opts) => {
      const {
        formatRulesOutcome,
        runApplyRules,
      }: typeof import('../../jobs/apply-rules') = require('../../jobs/apply-rules');
      const settings = settingsOf(opts);
      const { outcome } = await withSink(settings, ctx, (sink) =>
        runApplyRules(
          { dryRun: opts.dryRun, period: opts.period, allowBrokenRules: opts.allowBrokenRules },
          { sink, reporter: ctx.reporter, now: new Date(), actor: actor(), usageDir: settings.usageDir },
        ),
      );
      console.log(formatRulesOutcome(outcome, Boolean(opts.dryRun)));
    });
}
