/**
 * The CLI wiring of issue 13's commands (report, run-month), kept out of cli.ts so that file only gains one
 * call; `kit` hands over cli.ts's shared option sets and helpers.
 */
import { Option, type Command } from 'commander';
import { openSink, openSource } from '../connect';
import { createJsonReporter } from '../log-json';
import { checkWebhookUrl, postWebhook, WEBHOOK_ENV } from '../notify/webhook';
import type { Reporter } from '../progress';
import type { Settings } from '../settings';
import { summaryJson } from '../../core/summary';
import { formatReport, loadSummary, type ReportFormat } from './report';
import { failureText, runMonth } from './run-month';
import { formatSyncReport } from './sync';
import { runArchive } from './archive';
import { defaultArchiveDir, readArchivedIndex } from '../archive/archive-files';

export interface CliKit {
  reporter: Reporter;
  signal: AbortSignal;
  sheetOptions(cmd: Command): Command;
  sourceOptions(cmd: Command): Command;
  settingsOf(opts: Record<string, unknown>): Settings;
  setExitCode(code: number): void;
}

export function registerMonthCommands(program: Command, kit: CliKit): void {
  kit
    .sheetOptions(program.command('report'))
    .description('the Summary figures: per period and currency by status, passed on, usage files, flags')
    .option('--period <YYYY-MM>', 'only this billing period')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'),
    )
    .action(async (opts) => {
      const sink = await openSink(kit.settingsOf({ ...opts, period: undefined }), kit.reporter);
      try {
        const summary = await loadSummary({ sink, now: new Date() }, opts.period);
        process.stdout.write(formatReport(summary, opts.format as ReportFormat));
      } finally {
        await sink.close();
      }
    });

  kit
    .sheetOptions(program.command('archive'))
    .description(
      'move PROCESSED credits of periods before YYYY-MM, and their Audit rows, to archive/credits-YYYY.xlsx',
    )
    .requiredOption('--before <YYYY-MM>', 'archive credits of billing periods before this one')
    .option('--archive-dir <dir>', 'archive folder (default archive, or CREDIT_DESK_ARCHIVE_DIR)')
    .option('--dry-run', 'say what would move; change nothing')
    .action(async (opts) => {
      const sink = await openSink(kit.settingsOf({ ...opts, period: undefined }), kit.reporter);
      try {
        const r = await runArchive(
          { before: opts.before, dir: opts.archiveDir || defaultArchiveDir(), dryRun: opts.dryRun },
          { sink, reporter: kit.reporter, now: new Date() },
        );
        console.log(
          `${opts.dryRun ? 'Would archive' : 'Archived'} ${r.credits} PROCESSED credits and ${r.auditRows} Audit rows${r.files.length ? ` → ${r.files.join(', ')}` : ''}.`,
        );
      } finally {
        await sink.close();
      }
    });

  kit
    .sourceOptions(kit.sheetOptions(program.command('run-month')))
    .description(
      'the month, unattended: sync, apply rules, [collect], Summary, cell budget, chat webhook. Exit 0 done, 3 needs attention, 1 failed, 2 bad settings',
    )
    .option('--period <YYYY-MM>', 'billing period (default: the most recent closed one in the data)')
    .option('--accounts <file>', 'accounts CSV to load into the Accounts tab')
    .option('--rules <file>', 'rules CSV to load into the Rules tab')
    .option('--collect', 'also collect every ASSIGNED credit into a usage file')
    .option('--skip-invalid', 'import valid credits even if some CUR rows are invalid')
    .option('--no-previous', 'do not re-read the previous period for late credits')
    .option('--webhook-url <url>', `chat webhook for the run's summary (or ${WEBHOOK_ENV}); never printed`)
    .addOption(
      new Option('--log-format <format>', 'log lines on stderr').choices(['text', 'json']).default('text'),
    )
    .action(async (opts) => {
      const json = opts.logFormat === 'json';
      const reporter = json ? createJsonReporter() : kit.reporter;
      const rawUrl = (opts.webhookUrl as string | undefined) || process.env[WEBHOOK_ENV] || '';
      const webhook = rawUrl ? checkWebhookUrl(rawUrl) : null;
      const settings = kit.settingsOf(opts);
      try {
        const source = await openSource(settings, reporter, kit.signal);
        const sink = await openSink(settings, reporter);
        try {
          const r = await runMonth(
            settings,
            {
              collect: opts.collect,
              skipInvalid: opts.skipInvalid,
              previous: opts.previous,
              usageDir: settings.usageDir,
              webhook,
            },
            { source, sink, reporter, now: new Date(), archived: readArchivedIndex(defaultArchiveDir()) },
          );
          if (json) {
            const target = [...r.sync.periods].sort().pop();
            process.stdout.write(
              JSON.stringify({
                event: 'run-month',
                status: r.attention.length ? 'attention' : 'ok',
                exitCode: r.exitCode,
                periods: r.sync.periods,
                added: r.sync.merge.adds.length,
                updated: r.sync.merge.updates.length,
                assigned: r.sync.rules?.outcomes.length ?? 0,
                unassigned: r.sync.rules?.failed.length ?? 0,
                usageFile: r.collected?.file?.usageFileId ?? null,
                cells: r.sync.budget
                  ? { used: r.sync.budget.used, limit: r.sync.budget.limit, ratio: r.sync.budget.ratio }
                  : null,
                attention: r.attention,
                webhook: r.webhook ? r.webhook.detail : null,
                summary: summaryJson({
                  ...r.summary,
                  periods: r.summary.periods.filter((p) => p.period === target),
                }),
              }) + '\n',
            );
          } else {
            console.log(formatSyncReport(r.sync, false));
            if (r.collected?.file)
              console.log(
                `Usage file ${r.collected.file.usageFileId}: ${r.collected.file.records.length} credits`,
              );
            console.log(r.attention.length ? `Needs attention:\n  ${r.attention.join('\n  ')}` : 'Done.');
          }
          kit.setExitCode(r.exitCode);
        } finally {
          await source.close();
          await sink.close();
        }
      } catch (err) {
        // Unattended: the people who would read the terminal are not there, so a failure is posted too.
        if (webhook) {
          const posted = await postWebhook(webhook, {
            text: failureText((err as Error)?.message ?? String(err)),
            status: 'failed',
          });
          if (!posted.ok)
            reporter.warn(`the chat webhook did not take the failure notice (${posted.detail})`);
        }
        throw err;
      }
    });
}
