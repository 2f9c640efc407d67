/** `credit-desk rules validate`: the Rules tab's problems, each with its row; exit 1 when one is an error. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { settingsOf, sheetOptions } from '../options';

export function rulesValidateCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('validate'))
    .description(
      'report bad regular expressions, percentages over 100, unknown IDs, rules that can never win',
    )
    .action(async (opts) => {
      const {
        formatRuleProblems,
        runValidateRules,
      }: typeof import('../../jobs/rules-validate') = require('../../jobs/rules-validate');
      const result = await withSink(settingsOf(opts), ctx, (sink) => runValidateRules(sink), {
        readOnly: true,
      });
      console.log(formatRuleProblems(result));
      if (result.problems.some((p) => p.severity === 'error')) ctx.setExitCode(EXIT.dataProblem);
    });
}
