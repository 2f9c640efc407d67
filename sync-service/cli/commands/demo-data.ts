/** `credit-desk demo-data`: synthetic CUR data, accounts and rules to try everything offline. */
import { Command } from 'commander';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { wholeNumber } from '../options';

export function demoDataCommand(ctx: CliContext): Command {
  return new Command('demo-data')
    .description('write realistic synthetic CUR data (Parquet), an accounts file and sample rules')
    .option('--out <dir>', 'output folder', 'demo-data')
    .option('--months <n>', 'months of data', wholeNumber(1), 3)
    .option('--lines <n>', 'CUR lines per month', wholeNumber(1), 20000)
    .option('--seed <n>', 'random seed (same seed, same data)', wholeNumber(0), 42)
    .option('--legacy', 'legacy CUR layout (year=/month= partitions) instead of CUR 2.0')
    .action(async (opts) => {
      const { runDemoData }: typeof import('../../jobs/demo-data') = require('../../jobs/demo-data');
      const code = await runDemoData({
        out: opts.out,
        months: opts.months,
        lines: opts.lines,
        seed: opts.seed,
        legacy: opts.legacy,
      });
      if (code !== EXIT.ok) ctx.setExitCode(EXIT.dataProblem);
    });
}
