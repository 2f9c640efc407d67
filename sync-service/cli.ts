/**
 * The `credit-desk` command. This file only wires options to commands; the work happens in commands/ and core/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { isCreditDeskError } from '../core/errors';
import { validateRules } from '../core/rules';
import { openSink, openSource } from './connect';
import { createReporter } from './progress';
import { resolveSettings, settingsHelp, SettingsError, type Settings } from './settings';
import { formatSyncReport, runSync } from './commands/sync';
import { formatRulesOutcome, runApplyRules } from './commands/apply-rules';
import { runAssign, runUnassign } from './commands/assign';
import { runExport } from './commands/export';
import { listUsageFiles, runClose, runCollect } from './commands/usage';
import { runDemoData } from './commands/demo-data';
import { readState } from './sheet-state';
import { displayMoney } from '../core/money';
import { usageTotalsText } from '../core/usage';

import { LEAST_PRIVILEGE_IAM_POLICY } from './sources/athena-policy';
import { registerMonthCommands } from './commands/month-cli';
import { defaultArchiveDir, readArchivedIndex } from './archive/archive-files';

function actor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // some containers have no passwd entry
  }
  return `credit-desk cli (${name})`;
}

/** Options shared by every command that opens the sheet. */
function sheetOptions(cmd: Command): Command {
  return cmd
    .option('--workbook <file>', 'local .xlsx workbook (default credits.xlsx)')
    .option('--spreadsheet <id>', 'Google Sheet ID (uses Application Default Credentials)')
    .option(
      '--sync-identity <email>',
      'Google: the service account email that alone may edit locked rows (default: from the credentials)',
    )
    .option('--usage-dir <dir>', 'where usage files are written (default usage-files)')
    .option('--config <file>', 'config file (default credit-desk.config.json if present)');
}

function sourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--source <engine>', 'where the CUR is read').choices(['duckdb', 'athena']))
    .option('--cur <dir>', 'local CUR folder for --source duckdb (default demo-data/cur)')
    .addOption(new Option('--layout <layout>', 'CUR table layout').choices(['auto', 'cur2', 'legacy']))
    .option('--database <name>', 'Athena: Glue database')
    .option('--table <name>', 'Athena: CUR table')
    .option('--workgroup <name>', 'Athena: workgroup (default primary)')
    .option('--catalog <name>', 'Athena: data catalog (default AwsDataCatalog)')
    .option('--output <s3uri>', 'Athena: query result location (omit for managed results)')
    .option('--region <region>', 'Athena: AWS region (default from the AWS config chain)');
}

export async function main(argv: string[]): Promise<number> {
  const reporter = createReporter();
  const program = new Command();
  const controller = new AbortController();
  const onSigint = () => {
    reporter.warn('interrupted — stopping (a running Athena query is cancelled)…');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let exitCode = 0;

  program
    .name('credit-desk')
    .description('Pass AWS credits from the CUR on to the customers and resellers who earned them.')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `\nSettings can also come from environment variables or credit-desk.config.json:\n${settingsHelp()}\n`,
    );

  const settingsOf = (opts: Record<string, unknown>): Settings => resolveSettings(opts);

  sourceOptions(sheetOptions(program.command('sync')))
    .description('pull the credits of the most recent closed billing period into the sheet')
    .option('--period <YYYY-MM>', 'billing period (default: the most recent closed one in the data)')
    .option(
      '--accounts <file>',
      'accounts CSV to load into the Accounts tab (AWS account → customer, asset, reseller)',
    )
    .option('--rules <file>', 'rules CSV to load into the Rules tab')
    .option(
      '--apply-rules',
      'assign new credits with their most appropriate rule (or the default configuration)',
    )
    .option('--dry-run', 'show what would change; write nothing')
    .option('--skip-invalid', 'import valid credits even if some CUR rows are invalid (they are listed)')
    .option('--no-previous', 'do not re-read the previous period for late credits')
    .action(async (opts) => {
      const settings = settingsOf(opts);
      const source = await openSource(settings, reporter, controller.signal);
      const sink = await openSink(settings, reporter);
      try {
        const report = await runSync(
          settings,
          {
            applyRules: opts.applyRules,
            dryRun: opts.dryRun,
            skipInvalid: opts.skipInvalid,
            previous: opts.previous,
          },
          { source, sink, reporter, now: new Date(), archived: readArchivedIndex(defaultArchiveDir()) },
        );
        console.log(formatSyncReport(report, Boolean(opts.dryRun)));
      } finally {
        await source.close();
        await sink.close();
      }
    });

  sheetOptions(program.command('apply-rules'))
    .description(
      'assign every PENDING_ASSIGN credit with its most appropriate rule, else the default configuration',
    )
    .option('--period <YYYY-MM>', 'only credits of this period')
    .option('--dry-run', 'show the plan; write nothing')
    .action(async (opts) => {
      const sink = await openSink(settingsOf(opts), reporter);
      try {
        const { outcome } = await runApplyRules(
          { dryRun: opts.dryRun, period: opts.period },
          { sink, reporter, now: new Date(), actor: actor() },
        );
        console.log(formatRulesOutcome(outcome, Boolean(opts.dryRun)));
      } finally {
        await sink.close();
      }
    });

  sheetOptions(program.command('assign'))
    .description(
      'assign (or edit) one credit: credit-desk assign AWSC-202610-1234-5678 "customer 60%, reseller 40%"',
    )
    .argument('<credit-id>')
    .argument(
      '<allocation>',
      'e.g. "customer 100%", "customer 60%, reseller 40%", "customer CUST-000042 25.00"',
    )
    .action(async (creditId: string, allocation: string, opts) => {
      const sink = await openSink(settingsOf(opts), reporter);
      try {
        const o = await runAssign(creditId, allocation, { sink, now: new Date(), actor: actor() });
        console.log(`${o.credit.creditId} is ASSIGNED: ${o.credit.allocation}`);
        for (const l of o.resolved?.lines ?? [])
          console.log(
            `  ${l.role.padEnd(11)} ${(l.targetId || '').padEnd(16)} ${displayMoney(l.amount, o.credit.currency)}`,
          );
      } finally {
        await sink.close();
      }
    });

  sheetOptions(program.command('unassign'))
    .description('delete the assignment of an ASSIGNED credit (back to PENDING_ASSIGN)')
    .argument('<credit-id>')
    .action(async (creditId: string, opts) => {
      const sink = await openSink(settingsOf(opts), reporter);
      try {
        const o = await runUnassign(creditId, { sink, now: new Date(), actor: actor() });
        console.log(`${o.credit.creditId} is ${o.credit.status}.`);
      } finally {
        await sink.close();
      }
    });

  sheetOptions(program.command('export'))
    .description('export credits as CSV or JSON (the scripting contract)')
    .option('--status <status>', 'PENDING_ASSIGN, ASSIGNED, PROCESSING or PROCESSED')
    .option('--period <YYYY-MM>', 'billing period')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--include-archive [dir]', 'also the archived credits (default folder: archive)')
    .action(async (opts) => {
      const sink = await openSink(settingsOf({ ...opts, period: undefined }), reporter);
      try {
        const archive = opts.includeArchive === true ? defaultArchiveDir() : opts.includeArchive;
        const { text, count } = await runExport(
          {
            status: opts.status,
            period: opts.period,
            format: opts.format,
            out: opts.out,
            includeArchive: archive,
          },
          { sink },
        );
        if (opts.out) reporter.info(`${count} credits written to ${opts.out}`);
        else process.stdout.write(text);
      } finally {
        await sink.close();
      }
    });

  const usage = program
    .command('usage')
    .description('the usage process: collect assigned credits for invoicing, close invoiced files');
  sheetOptions(usage.command('collect'))
    .description('take every ASSIGNED credit into one usage file; those credits become PROCESSING (locked)')
    .option('--period <YYYY-MM>', 'only credits of this period')
    .action(async (opts) => {
      const settings = settingsOf(opts);
      const sink = await openSink(settings, reporter);
      try {
        const r = await runCollect(
          { period: opts.period },
          { sink, usageDir: settings.usageDir, reporter, now: new Date() },
        );
        for (const id of r.resumed) console.log(`Completed the interrupted collection ${id}.`);
        if (!r.file) console.log('Nothing to collect: no ASSIGNED credit.');
        else
          console.log(
            `Usage file ${r.file.usageFileId}: ${r.file.records.length} credits, ${usageTotalsText(r.file)} → ${r.xlsxPath}\nThose credits are now PROCESSING and locked.`,
          );
      } finally {
        await sink.close();
      }
    });
  sheetOptions(usage.command('close'))
    .description('mark the credits of an invoiced usage file PROCESSED')
    .argument('<usage-file-id>')
    .action(async (fileId: string, opts) => {
      const settings = settingsOf(opts);
      const sink = await openSink(settings, reporter);
      try {
        const r = await runClose(fileId, { sink, usageDir: settings.usageDir, reporter, now: new Date() });
        console.log(
          `${fileId.toUpperCase()}: ${r.closed} credit${r.closed === 1 ? '' : 's'} marked PROCESSED.`,
        );
      } finally {
        await sink.close();
      }
    });
  sheetOptions(usage.command('list'))
    .description('list the usage files and their status')
    .action(async (opts) => {
      console.log(listUsageFiles(settingsOf(opts).usageDir));
    });

  registerMonthCommands(program, {
    reporter,
    signal: controller.signal,
    sheetOptions,
    sourceOptions,
    settingsOf,
    setExitCode: (code) => (exitCode = code),
  });

  const rules = program.command('rules').description('credit rules');
  sheetOptions(rules.command('validate'))
    .description(
      'report bad regular expressions, percentages over 100, unknown IDs, rules that can never win',
    )
    .action(async (opts) => {
      const sink = await openSink(settingsOf(opts), reporter);
      try {
        const state = readState(await sink.read());
        const problems = validateRules(state.ruleRecords, state.directory);
        if (problems.length === 0) console.log(`All ${state.ruleRecords.length} rules are valid.`);
        for (const p of problems)
          console.log(
            `Rules row ${p.row} ${p.ruleId ? `(${p.ruleId}) ` : ''}${p.severity}: ${p.field}: ${p.message}`,
          );
        if (problems.some((p) => p.severity === 'error')) exitCode = 1;
      } finally {
        await sink.close();
      }
    });

  program
    .command('demo-data')
    .description('write realistic synthetic CUR data (Parquet), an accounts file and sample rules')
    .option('--out <dir>', 'output folder', 'demo-data')
    .option('--months <n>', 'months of data', (v) => parseInt(v, 10), 3)
    .option('--lines <n>', 'CUR lines per month', (v) => parseInt(v, 10), 20000)
    .option('--seed <n>', 'random seed (same seed, same data)', (v) => parseInt(v, 10), 42)
    .option('--legacy', 'legacy CUR layout (year=/month= partitions) instead of CUR 2.0')
    .action(async (opts) => {
      exitCode = await runDemoData({
        out: opts.out,
        months: opts.months,
        lines: opts.lines,
        seed: opts.seed,
        legacy: opts.legacy,
      });
    });

  program
    .command('iam-policy')
    .description('print the least IAM policy the Athena sync needs (fill in the ARNs)')
    .action(async () => {
      console.log(JSON.stringify(LEAST_PRIVILEGE_IAM_POLICY, null, 2));
    });

  sheetOptions(program.command('start'))
    .description(
      'the embedded default in one go: demo data if missing, sync into credits.xlsx, apply rules, summary',
    )
    .action(async (opts) => {
      const settings = settingsOf(opts);
      const demoDir = 'demo-data';
      if (!existsSync(join(demoDir, 'cur'))) {
        reporter.info('No CUR data yet: generating demo data in demo-data/ …');
        await runDemoData({ out: demoDir });
      }
      const withFiles: Settings = {
        ...settings,
        cur: join(demoDir, 'cur'),
        accounts: settings.accounts || join(demoDir, 'accounts.csv'),
        rules: settings.rules || (existsSync(settings.workbook) ? '' : join(demoDir, 'rules.csv')),
      };
      const source = await openSource(withFiles, reporter, controller.signal);
      const sink = await openSink(withFiles, reporter);
      try {
        const report = await runSync(
          withFiles,
          { applyRules: true },
          { source, sink, reporter, now: new Date() },
        );
        console.log(formatSyncReport(report, false));
        console.log(
          `\nOpen ${settings.workbook} to see the credits. Next: credit-desk usage collect, then credit-desk usage close <UF-ID>.`,
        );
      } finally {
        await source.close();
        await sink.close();
      }
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    exitCode = reportError(err);
  } finally {
    process.removeListener('SIGINT', onSigint);
    reporter.done();
  }
  return exitCode;
}

function reportError(err: unknown): number {
  if (err instanceof SettingsError) {
    console.error(`error: ${err.message}`);
    return 2;
  }
  if (isCreditDeskError(err)) {
    console.error(`error: ${err.message}`);
    return 1;
  }
  const e = err as Error & { code?: string };
  if (e && e.name === 'CommanderError') return 2;
  console.error(`error: ${e?.message ?? String(err)}`);
  if (process.env.CREDIT_DESK_DEBUG) console.error(e?.stack);
  return 1;
}
