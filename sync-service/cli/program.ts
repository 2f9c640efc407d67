/**
 * The `credit-desk` program: every command, in the order `--help` lists them. A command is one file in
 * cli/commands/ that declares its options and calls a run* function in sync-service/jobs/; this file only
 * lists them and sets what they share (usage errors exit 2, help after an error, the settings help).
 */
import { Command } from 'commander';
import { settingsHelp } from '../settings';
import { applyRulesCommand } from './commands/apply-rules';
import { archiveCommand } from './commands/archive';
import { assignCommand } from './commands/assign';
import { demoDataCommand } from './commands/demo-data';
import { exportCommand } from './commands/export';
import { iamPolicyCommand } from './commands/iam-policy';
import { reportCommand } from './commands/report';
import { statementCommand } from './commands/statement';
import { runMonthCommand } from './commands/run-month';
import { rulesValidateCommand } from './commands/rules-validate';
import { startCommand } from './commands/start';
import { syncCommand } from './commands/sync';
import { unassignCommand } from './commands/unassign';
import { usageCloseCommand } from './commands/usage-close';
import { usageCollectCommand } from './commands/usage-collect';
import { usageListCommand } from './commands/usage-list';
import { usageStatusCommand } from './commands/usage-status';
import { usageSubmitCommand } from './commands/usage-submit';
import type { CliContext } from './context';

export function makeProgram(ctx: CliContext): Command {
  const program = new Command('credit-desk')
    .description('Pass AWS credits from the CUR on to the customers and resellers who earned them.')
    // Commander would call process.exit(1) itself; thrown, its errors become exit code 2 (see exit-codes.ts).
    .exitOverride()
    .showHelpAfterError('(run with --help for the options)')
    .addHelpText(
      'after',
      `\nSettings can also come from environment variables or credit-desk.config.json:\n${settingsHelp()}\n`,
    );

  add(program, syncCommand(ctx));
  add(program, applyRulesCommand(ctx));
  add(program, assignCommand(ctx));
  add(program, unassignCommand(ctx));
  add(program, exportCommand(ctx));
  const usage = add(
    program,
    new Command('usage').description(
      'the usage process: collect assigned credits for invoicing, send them to Connect and follow them, close invoiced files',
    ),
  );
  add(usage, usageCollectCommand(ctx));
  add(usage, usageSubmitCommand(ctx));
  add(usage, usageStatusCommand(ctx));
  add(usage, usageCloseCommand(ctx));
  add(usage, usageListCommand());
  const rules = add(program, new Command('rules').description('credit rules'));
  add(rules, rulesValidateCommand(ctx));
  add(program, reportCommand(ctx));
  add(program, statementCommand(ctx));
  add(program, runMonthCommand(ctx));
  add(program, archiveCommand(ctx));
  add(program, demoDataCommand(ctx));
  add(program, iamPolicyCommand());
  add(program, startCommand(ctx));
  return program;
}

/** Adds a command that inherits the parent's settings (exit override, help after error, output). */
function add(parent: Command, child: Command): Command {
  child.copyInheritedSettings(parent);
  parent.addCommand(child);
  return child;
}
