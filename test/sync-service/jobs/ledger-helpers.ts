/**
 * Shared set-up for the Ledger tests on both sinks: a small CUR, a sheet synced from it, some credits collected
 * and closed, and readers for what the sheet and the Ledger hold afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Credit } from '../../../core/credit';
import { readLedger, type LedgerEntry } from '../../../core/ledger';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import type { SyncReport } from '../../../sync-service/jobs/sync-report';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter, type Reporter } from '../../../sync-service/progress';
import { resolveSettings, type Settings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import type { Sink } from '../../../sync-service/sinks/sink';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { oneAtATime } from '../../helpers/sinks';
import type { CreditSource, RawCreditRow } from '../../../sync-service/sources/source';

export const NOW = new Date('2026-11-26T10:00:00Z');

/** The usage account of every credit sourceOf() gives. */
export const CUR_ACCOUNT = '222222222222';

export function sourceOf(n: number, currencies: readonly string[] = ['USD']): CreditSource {
  const rows: RawCreditRow[] = Array.from({ length: n }, (_, i) => ({
    billing_period: '2026-10',
    payer_account_id: '111111111111',
    usage_account_id: CUR_ACCOUNT,
    product_code: 'AmazonEC2',
    description: `Credit ${i + 1}`,
    currency_code: currencies[i % currencies.length],
    amount: `-${i + 1}0.25`,
    line_count: 1,
    bad_cost_lines: 0,
    invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
  }));
  return {
    listPeriods: async () => ['2026-10'],
    fetchCredits: async () => ({ rows, label: 'test CUR' }),
    close: async () => {},
  };
}

/**
 * The parties the Accounts tab gives each account of writeAccounts(): 222222222222 is the one sourceOf() uses;
 * 333333333333 has no credits, so another customer and reseller are known (a party typed over a row's cell can
 * be a real one, with an asset to bill).
 */
export const ACCOUNT_PARTIES: ReadonlyMap<string, { customerId: string; resellerId: string }> = new Map([
  ['222222222222', { customerId: 'CUST-1', resellerId: 'RES-1' }],
  ['333333333333', { customerId: 'CUST-2', resellerId: 'RES-2' }],
]);

/** accounts.csv for the accounts of ACCOUNT_PARTIES; returns its path. */
export function writeAccounts(dir: string): string {
  const accounts = join(dir, 'accounts.csv');
  writeFileSync(
    accounts,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n' +
      '222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n' +
      '333333333333,Test,CUST-2,Beta,AS-2,RES-2,Other Partner\n',
  );
  return accounts;
}

/** A new workbook in `dir` with sourceOf(n)'s credits synced, each then assigned `allocation` if one is given. */
export async function syncedWorkbook(
  dir: string,
  { n = 3, allocation }: { n?: number; allocation?: string } = {},
): Promise<{ path: string; usageDir: string; settings: Settings; sink: () => Sink }> {
  const path = join(dir, 'credits.xlsx');
  const usageDir = join(dir, 'usage');
  const settings = resolveSettings(
    { period: '2026-10', workbook: path, usageDir, accounts: writeAccounts(dir) },
    {},
  );
  const sink = () => createWorkbookSink({ path });
  await runSync(
    settings,
    { previous: false },
    { source: sourceOf(n), sink: sink(), reporter: silentReporter, now: NOW },
  );
  if (allocation)
    for (const { credit } of readState(await sink().read()).credits)
      await runAssign(credit.creditId, allocation, { sink: sink(), now: NOW, actor: 'a@x' });
  return { path, usageDir, settings, sink };
}

export interface World {
  sink: () => Sink;
  usageDir: string;
  settings: Settings;
  source: CreditSource;
  /** File IDs: `closed` holds PROCESSED credits, `open` PROCESSING ones. */
  closed: string;
  open: string;
}

/** Messages the run warned, for assertions on what it said. */
export function recordingReporter(): Reporter & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentReporter, warn: (m: string) => warnings.push(m), warnings };
}

/** n credits synced; 2 collected and closed (PROCESSED), 2 more collected (PROCESSING), 1 ASSIGNED, the rest pending. */
export async function collectedWorld(
  dir: string,
  openSink: () => Sink,
  extra: Record<string, string> = {},
  n = 7,
): Promise<World> {
  // One sink per command, each closed before the next one reads, as the CLI does it.
  const sink = oneAtATime(openSink);
  const accounts = writeAccounts(dir);
  const usageDir = join(dir, 'usage');
  const settings = resolveSettings({ period: '2026-10', accounts, usageDir, ...extra }, {});
  const source = sourceOf(n);
  await runSync(settings, { previous: false }, { source, sink: sink(), reporter: silentReporter, now: NOW });
  const noAccounts = { ...settings, accounts: '' };
  const deps = { usageDir, reporter: silentReporter, now: NOW };
  const ids = (await creditsOf(sink())).map((c) => c.creditId).sort();
  for (const id of ids.slice(0, 2))
    await runAssign(id, 'customer 60%, reseller 40%', { sink: sink(), now: NOW, actor: 'a@x' });
  const first = await runCollect({}, { ...deps, sink: sink() });
  await runClose([first.file!.usageFileId], { ...deps, sink: sink() });
  for (const id of ids.slice(2, 5))
    await runAssign(id, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });
  // one of those three is unassigned again, so one stays ASSIGNED after the second collection
  const second = await runCollect({}, { ...deps, sink: sink(), now: new Date('2026-11-27T10:00:00Z') });
  await runAssign(ids[5], 'reseller 50%', { sink: sink(), now: NOW, actor: 'a@x' });
  return {
    sink,
    usageDir,
    settings: noAccounts,
    source,
    closed: first.file!.usageFileId,
    open: second.file!.usageFileId,
  };
}

/** Reads and closes: a sink opened for writing holds the writer lock from its read until it is closed. */
export async function creditsOf(sink: Sink): Promise<Credit[]> {
  try {
    return readState(await sink.read()).credits.map((e) => e.credit);
  } finally {
    await sink.close();
  }
}

export async function ledgerOf(sink: Sink): Promise<LedgerEntry[]> {
  try {
    return readLedger((await sink.read()).tabs.ledger);
  } finally {
    await sink.close();
  }
}

/** `assign` through a sink of the world's own, closed after it (its writer lock goes with it), as the CLI does. */
export async function assignIn(
  w: World,
  creditId: string,
  allocation: string,
  reporter: Reporter = silentReporter,
): Promise<void> {
  const sink = w.sink();
  try {
    await runAssign(creditId, allocation, { sink, now: NOW, actor: 'a@x', usageDir: w.usageDir, reporter });
  } finally {
    await sink.close();
  }
}

export function sync(w: World, reporter: Reporter = silentReporter, flags = {}): Promise<SyncReport> {
  return runSync(
    w.settings,
    { previous: false, ...flags },
    { source: w.source, sink: w.sink(), reporter, now: new Date('2026-12-02T08:00:00Z') },
  );
}

/** Every collected credit is in the sheet once, exactly as the Ledger says. */
export function expectSheetMatchesLedger(credits: Credit[], ledger: LedgerEntry[]): void {
  expect(ledger.length).toBeGreaterThan(0);
  for (const e of ledger) {
    const rows = credits.filter((c) => c.key === e.key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      creditId: e.creditId,
      status: e.status,
      allocation: e.allocation,
      amount: e.amount,
      distributorKeeps: e.distributorKeeps,
      usageFileId: e.usageFileId,
      usageRecordId: e.usageRecordId,
      processingDate: e.processingDate,
    });
  }
  const keys = credits.map((c) => c.key);
  expect(new Set(keys).size).toBe(keys.length);
  const ledgerKeys = new Set(ledger.map((e) => e.key));
  for (const c of credits)
    if (!ledgerKeys.has(c.key)) expect(['PENDING_ASSIGN', 'ASSIGNED']).toContain(c.status);
}
