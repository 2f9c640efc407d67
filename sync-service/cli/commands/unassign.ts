/** `credit-desk unassign <credit-id>`: an ASSIGNED credit goes back to PENDING_ASSIGN. */
import { Command } from 'commander';
import { actor, withSink, type CliContext } from '../context';
import { settingsOf, sheetOptions } from '../options';

export function unassignCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('unassign'))
    .description('delete the assignment of an ASSIGNED credit (back to PENDING_ASSIGN)')
    .argument('<credit-id>')
    .action(async (creditId: string, opts) => {
      const { runUnassign }: typeof import('../../jobs/assign') = require('../../jobs/assign');
      const settings = settingsOf(opts);
      const o = await withSink(settings, ctx, (sink) =>
        runUnassign(creditId, {
          sink,
          now: new Date(),
          actor: actor(),
          usageDir: settings.usageDir,
          reporter: ctx.reporter,
        }),
      );
      console.log(`${o.credit.creditId} is ${o.credit.status}.`);
    });
}
