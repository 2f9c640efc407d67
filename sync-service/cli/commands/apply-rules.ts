/** `credit-desk apply-rules`: every PENDING_ASSIGN credit gets its most appropriate rule or the default configuration. */
import { Command } from 'commander';
import type { Settings } from '../../settings';
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
    .option('--details', 'warn about each credit left alone, not one line per reason')
    .action(async (opts) => {
      const {
        formatRulesOutcome,
        runApplyRules,
      }: typeof import('../../jobs/apply-rules') = require('../../jobs/apply-rules');
      const settings = settingsOf(opts);
      const { outcome } = await withSink(settings, ctx, (sink) =>
        runApplyRules(
          {
            dryRun: opts.dryRun,
            period: opts.period,
            allowBrokenRules: opts.allowBrokenRules,
            details: opts.details,
          },
          { sink, reporter: ctx.reporter, now: new Date(), actor: actor(), usageDir: settings.usageDir },
        ),
      );
      const commands = opts.details
        ? {}
        : { details: detailsCommand(settings, opts), report: reportCommand(settings, opts) };
      console.log(formatRulesOutcome(outcome, Boolean(opts.dryRun), commands));
    });
}

type CommandOpts = { period?: string; allowBrokenRules?: boolean; usageDir?: string; config?: string };

/** The options that name the same sheet, folder and period as this run, as they are typed. */
function sameSheetArgs(settings: Settings, opts: CommandOpts): string {
  const {
    sheetArgs,
    shellWord,
  }: typeof import('../../jobs/sync-corrections') = require('../../jobs/sync-corrections');
  return [
    opts.config ? ` --config ${shellWord(opts.config)}` : '',
    sheetArgs(settings),
    opts.usageDir ? ` --usage-dir ${shellWord(settings.usageDir)}` : '',
    opts.period ? ` --period ${opts.period}` : '',
  ].join('');
}

/**
 * The command that lists each credit this run left alone: a dry run (it writes nothing, and the credits it
 * lists are the ones still PENDING_ASSIGN) with --details, against the same sheet and with the same choices.
 */
function detailsCommand(settings: Settings, opts: CommandOpts): string {
  const broken = opts.allowBrokenRules ? ' --allow-broken-rules' : '';
  return `./credit-desk apply-rules${sameSheetArgs(settings, opts)}${broken} --dry-run --details`;
}

/** The command that shows what each target is passed on in the period (the Summary's figures). */
export function reportCommand(settings: Settings, opts: CommandOpts): string {
  return `./credit-desk report${sameSheetArgs(settings, opts)}`;
}
