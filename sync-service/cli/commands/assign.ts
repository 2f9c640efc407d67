/** `credit-desk assign <credit-id> <allocation>`: assign or edit one credit by hand. */
import { Command } from 'commander';
import { actor, withSink, type CliContext } from '../context';
import { settingsOf, sheetOptions } from '../options';

export function assignCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('assign'))
    .description(
      'assign (or edit) one credit: credit-desk assign AWSC-202610-1234-5678 "customer 60%, reseller 40%"',
    )
    .argument('<credit-id>', 'a Credit ID (`credit-desk export --status PENDING_ASSIGN | head` lists some)')
    .argument(
      '<allocation>',
      'e.g. "customer 100%", "customer 60%, reseller 40%", "customer CUST-000042 25.00 USD"',
    )
    .action(async (creditId: string, allocation: string, opts) => {
      const { displayMoney }: typeof import('../../../core/money') = require('../../../core/money');
      const { runAssign }: typeof import('../../jobs/assign') = require('../../jobs/assign');
      const settings = settingsOf(opts);
      const o = await withSink(settings, ctx, (sink) =>
        runAssign(creditId, allocation, {
          sink,
          now: new Date(),
          actor: actor(),
          usageDir: settings.usageDir,
          reporter: ctx.reporter,
        }),
      );
      console.log(`${o.credit.creditId} is ASSIGNED: ${o.credit.allocation}`);
      for (const l of o.resolved?.lines ?? [])
        console.log(
          `  ${l.role.padEnd(11)} ${(l.targetId || '').padEnd(16)} ${displayMoney(l.amount, o.credit.currency)}`,
        );
    });
}
