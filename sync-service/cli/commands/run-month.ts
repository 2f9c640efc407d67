/**
 * `credit-desk run-month`: the month, unattended (sync, apply rules, [collect], Summary, cell budget, chat
 * webhook). The work is in commands/run-month.ts; this file declares the options and shapes the output.
 */
import { Command, Option } from 'commander';
import { withSink, withSource, type CliContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { settingOption, settingsOf, sheetOptions, sourceOptions } from '../options';

export function runMonthCommand(ctx: CliContext): Command {
  return sourceOptions(sheetOptions(new Command('run-month')))
    .description(
      'the month, unattended: sync, apply rules, [collect], Summary, cell budget, chat webhook. Exit 0 done, 3 needs attention, 1 failed, 2 bad settings',
    )
    .addOption(settingOption('period'))
    .addOption(settingOption('accounts'))
    .addOption(settingOption('rules'))
    .option('--collect', 'also collect every ASSIGNED credit into a usage file')
    .option(
      '--skip-invalid',
      'deprecated, does nothing: awkward CUR lines are imported and flagged for review',
    )
    .option('--no-previous', 'do not re-read the previous period for late credits')
    .option(
      '--statements <dir>',
      "also write the period's credit statements (.xlsx and .csv per customer and reseller) into this folder",
    )
    .option(
      '--webhook-url <url>',
      `chat webhook for the run's summary (or CREDIT_DESK_WEBHOOK_URL); never printed`,
    )
    .addOption(
      new Option('--log-format <format>', 'log lines on stderr').choices(['text', 'json']).default('text'),
    )
    .action(async (opts) => {
      const { createJsonReporter }: typeof import('../../log-json') = require('../../log-json');
      const webhooks: typeof import('../../notify/webhook') = require('../../notify/webhook');
      const { summaryJson }: typeof import('../../../core/summary') = require('../../../core/summary');
      const {
        failureText,
        runMonth,
      }: typeof import('../../jobs/run-month') = require('../../jobs/run-month');
      const { formatSyncReport }: typeof import('../../jobs/sync') = require('../../jobs/sync');
      const {
        statementLines,
      }: typeof import('../../jobs/month-statements') = require('../../jobs/month-statements');
      const archives: typeof import('../../archive/archive-files') = require('../../archive/archive-files');
      const { connectApiOf }: typeof import('../../usage/connect-open') = require('../../usage/connect-open');

      const json = opts.logFormat === 'json';
      const reporter = json ? createJsonReporter() : ctx.reporter;
      const runCtx: CliContext = { ...ctx, reporter };
      const rawUrl = (opts.webhookUrl as string | undefined) || process.env[webhooks.WEBHOOK_ENV] || '';
      const webhook = rawUrl ? webhooks.checkWebhookUrl(rawUrl) : null;
      const settings = settingsOf(opts);
      try {
        const r = await withSource(settings, runCtx, (source) =>
          withSink(
            settings,
            runCtx,
            (sink) =>
              runMonth(
                settings,
                {
                  collect: opts.collect,
                  skipInvalid: opts.skipInvalid,
                  previous: opts.previous,
                  usageDir: settings.usageDir,
                  webhook,
                  statementsDir: opts.statements,
                },
                {
                  source,
                  sink,
                  reporter,
                  now: new Date(),
                  archived: archives.readArchivedIndex(archives.defaultArchiveDir()),
                  connectApi: connectApiOf(settings),
                },
              ),
            { missingWorkbook: 'create' },
          ),
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
              statements: r.statements?.files ?? null,
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
          if (r.statements) console.log(statementLines(r.statements).join('\n'));
          console.log(r.attention.length ? `Needs attention:\n  ${r.attention.join('\n  ')}` : 'Done.');
        }
        if (r.exitCode !== EXIT.ok) ctx.setExitCode(r.exitCode as ExitCode);
      } catch (err) {
        // Unattended: the people who would read the terminal are not there, so a failure is posted too.
        if (webhook) {
          const posted = await webhooks.postWebhook(webhook, {
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
