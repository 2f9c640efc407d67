/**
 * `npm start` / `credit-desk start`: the embedded default in one go, for a first look — demo data if there is
 * none, a sync into the workbook with rules applied, and the next commands to try with real IDs from the data
 * it just made. `--fresh` first removes the workbook, the usage files and the archive, so the walk can be
 * repeated.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHIVE_DIR_ENV, defaultArchiveDir } from '../archive/archive-files';
import { chunkMapPath } from '../sinks/workbook/workbook-chunk-maps';
import type { Reporter } from '../progress';
import { SettingsError, type Settings } from '../settings';
import { readState } from '../../core/sheet-state';
import type { Sink } from '../sinks/sink';
import type { CreditSource } from '../sources/source';
import { runDemoData } from './demo-data';
import { formatSyncReport, runSync } from './sync';
import { maxOf } from '../../core/arrays';

export const DEMO_DIR = 'demo-data';

/** The settings of the demo: its CUR folder, and its accounts and rules the first time. */
export function demoSettings(settings: Settings): Settings {
  return {
    ...settings,
    cur: join(DEMO_DIR, 'cur'),
    accounts: settings.accounts || join(DEMO_DIR, 'accounts.csv'),
    // Rules are loaded once: staff edits to the Rules tab survive the next `npm start`.
    rules: settings.rules || (existsSync(settings.workbook) ? '' : join(DEMO_DIR, 'rules.csv')),
  };
}

/**
 * Makes the demo data if it is missing; with `fresh`, removes the workbook (with its backup and its chunk map), the
 * usage files and the archive folder.
 */
export async function prepareDemo(settings: Settings, fresh: boolean, reporter: Reporter): Promise<void> {
  if (fresh) {
    if (settings.sink === 'google')
      throw new SettingsError(
        '--fresh removes the local demo workbook; it does not clear a Google Sheet. Leave out --spreadsheet (or --fresh).',
      );
    // The demo's archive too: it holds credits that left this workbook, and the sheet that lists them as
    // archived (its Ledger) goes with the workbook, so the re-synced demo would import them again and
    // `export --include-archive` would have each twice. Only the default folder: one named by
    // CREDIT_DESK_ARCHIVE_DIR may be a real archive's only copy, and is kept.
    const removable = [
      settings.workbook,
      `${settings.workbook}.bak`,
      chunkMapPath(settings.workbook),
      settings.usageDir,
      ...(process.env[ARCHIVE_DIR_ENV] ? [] : [defaultArchiveDir()]),
    ];
    for (const path of removable) {
      if (!existsSync(path)) continue;
      rmSync(path, { recursive: true, force: true });
      reporter.info(`Removed ${path}.`);
    }
  }
  if (!existsSync(join(DEMO_DIR, 'cur'))) {
    reporter.info(`No CUR data yet: generating demo data in ${DEMO_DIR}/ …`);
    await runDemoData({ out: DEMO_DIR });
  }
}

export async function runStart(
  settings: Settings,
  deps: { source: CreditSource; sink: Sink; reporter: Reporter; now: Date },
): Promise<string> {
  const report = await runSync(settings, { applyRules: true }, deps);
  // Nothing here looks in the Audit: its Credit ID and Action only (sink.ts auditColumns), not every cell.
  const state = readState(await deps.sink.read({ auditColumns: ['creditId', 'action'] }));
  // A credit that can still be assigned and has both a customer and a reseller, so the suggested split
  // resolves; a pending one if there is one, since assigning it shows the most.
  const candidates = state.credits
    .map((e) => e.credit)
    .filter(
      (c) => (c.status === 'PENDING_ASSIGN' || c.status === 'ASSIGNED') && c.customerId && c.resellerId,
    );
  const example = candidates.find((c) => c.status === 'PENDING_ASSIGN') ?? candidates[0];
  return [
    formatSyncReport(report, false),
    '',
    `Open ${settings.workbook} to see the credits. Then try:`,
    ...nextCommands(example?.creditId),
  ].join('\n');
}

function nextCommands(creditId: string | undefined): string[] {
  // Each line works pasted as it is, from the folder `npm start` ran in (test/sync-service/cli/pasted-commands.test.ts
  // runs them); `./credit-desk` rather than `npx credit-desk`, which spends about 2 s before starting.
  const lines: [string, string][] = [
    ['./credit-desk export --status ASSIGNED | head', 'what the rules assigned'],
  ];
  if (creditId)
    lines.push([
      `./credit-desk assign ${creditId} "customer 60%, reseller 40%"`,
      'assign one by hand (Rule: manual)',
    ]);
  lines.push(
    ['./credit-desk usage collect', 'every ASSIGNED credit → a usage file per currency; those rows lock'],
    [
      `UF=$(./credit-desk usage list | awk '$2 == "ready" { print $1 }' | tail -1)`,
      'the file just collected',
    ],
    ['./credit-desk usage close "$UF"', 'invoiced: its credits become PROCESSED'],
    ['npm start -- --fresh', 'put the demo back as it was'],
  );
  const width = maxOf(lines.map(([cmd]) => cmd.length));
  return lines.map(([cmd, what]) => `  ${cmd.padEnd(width)}   # ${what}`);
}
