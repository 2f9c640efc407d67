/**
 * One spreadsheet on the emulator's one store with two fronts (scenario.test.ts, month-people.property.test.ts):
 * the sync's commands through the local Sheets v4 server, each with a sink of its own that it closes (its writer
 * lock and the sync's lock go with it), as the CLI does; and people through SpreadsheetApp, as one user or another.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSettings, type Settings } from '../../sync-service/settings';
import type { Sink } from '../../sync-service/sinks/sink';
import type { SheetsServer } from '../../emulators/sheets-server';
import type { FakeSpreadsheet } from '../../emulators/spreadsheet-app';
import { writeAccounts } from '../sync-service/jobs/ledger-helpers';
import { makeSink } from '../sync-service/sinks/google/sheets-helpers';

/** One rule that splits every credit 60/40 between customer and reseller. */
export const RULES_CSV =
  'Rule ID,Name,Credit Description,Match,Customer %,Reseller %,From,To,Customer Context,Customers,Reseller Context,Resellers,Service Context,Services,Created,Enabled\n' +
  'R1,Split,Credit,contains,60,40,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\n';

export interface SyncSide {
  settings: Settings;
  usageDir: string;
  sink: () => Sink;
  /** Runs `work` with a sink of its own, closed after it. */
  closing<T>(work: (s: Sink) => Promise<T>): Promise<T>;
}

/** The sync's side: settings (accounts, RULES_CSV, a usage folder in `dir`) and sinks on the server's sheet. */
export function syncSide(server: SheetsServer, dir: string): SyncSide {
  const rules = join(dir, 'rules.csv');
  writeFileSync(rules, RULES_CSV);
  const usageDir = join(dir, 'usage');
  const settings = resolveSettings({ period: '2026-10', accounts: writeAccounts(dir), rules, usageDir }, {});
  const sink = () => makeSink(server);
  return {
    settings,
    usageDir,
    sink,
    async closing<T>(work: (s: Sink) => Promise<T>): Promise<T> {
      const s = sink();
      try {
        return await work(s);
      } finally {
        await s.close();
      }
    },
  };
}

/** Acts as `who` for the duration of `work` (the SpreadsheetApp front's acting user: protections and Session). */
export function as<T>(ss: FakeSpreadsheet, who: string, work: () => T): T {
  const before = ss._activeUser;
  ss._activeUser = who;
  try {
    return work();
  } finally {
    ss._activeUser = before;
  }
}
