/**
 * The archive round trip on a workbook: PROCESSED credits of closed periods, their Audit rows and their Ledger
 * rows move to archive/credits-YYYY.xlsx, and the Ledger keeps only their packed key / Credit ID list; a run
 * killed after writing the archive (simulated, and a real kill -9 of the CLI at several moments) is finished by
 * the next run with nothing lost and nothing in both places; a re-sync of the same periods, with the usage files
 * on disk, imports nothing again and restores nothing; `export --include-archive` equals the export before.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkArchiveBefore, planArchive, withoutArchived } from '../../../core/archive';
import { archivedLedgerRows } from '../../../core/archived-ledger';
import { creditKey } from '../../../core/ids';
import { readLedger } from '../../../core/ledger';
import { minorDigits } from '../../../core/money';
import type { AuditField } from '../../../core/sheet-contract';
import { readRecords } from '../../../core/table';
import {
  archiveFiles,
  readAllArchiveContent,
  writeArchive,
} from '../../../sync-service/archive/archive-files';
import { runArchive } from '../../../sync-service/jobs/archive';
import { runExport } from '../../../sync-service/jobs/export';
import { runSync } from '../../../sync-service/jobs/sync';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../../../sync-service/sources/source';
import { cur } from '../../helpers/domain';
import {
  IDENTITY,
  lockRanges,
  makeSink,
  oneAtATime,
  SHEET_ID,
  startServer,
} from '../sinks/google/sheets-helpers';

// Never the repo's own usage-files/ (a developer's `npm start` walk leaves one there): an empty folder of its own.
const ISOLATED_USAGE_DIR = mkdtempSync(join(tmpdir(), 'credit-desk-usage-'));

const PERIODS = ['2026-08', '2026-09', '2026-10'];
const rows: RawCreditRow[] = PERIODS.flatMap((p, k) =>
  [1, 2, 3, 4].map((i) => ({
    billing_period: p,
    payer_account_id: '111111111111',
    usage_account_id: '222222222222',
    product_code: 'AmazonEC2',
    description: `Credit ${k}-${i}`,
    currency_code: 'USD',
    amount: `-${i}${k}.05`,
    line_count: 1,
    bad_cost_lines: 0,
    invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
  })),
);
const source: CreditSource = {
  listPeriods: async () => [...PERIODS].reverse(),
  fetchCredits: async (p) => ({ rows: rows.filter((r) => r.billing_period === p), label: 'test' }),
  close: async () => {},
};
const now = new Date('2026-11-26T10:00:00Z');

let template: string;
beforeAll(async () => {
  // One prepared workbook: every credit synced, assigned by the default configuration, collected, closed.
  template = mkdtempSync(join(tmpdir(), 'credit-desk-archive-tpl-'));
  const accounts = join(template, 'accounts.csv');
  writeFileSync(
    accounts,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
  );
  const workbook = join(template, 'credits.xlsx');
  for (const period of PERIODS) {
    const settings = resolveSettings({ usageDir: ISOLATED_USAGE_DIR, workbook, period, accounts }, {});
    await runSync(
      settings,
      { applyRules: true, previous: false },
      { source, sink: createWorkbookSink({ path: workbook }), reporter: silentReporter, now },
    );
  }
  const deps = { usageDir: join(template, 'usage'), reporter: silentReporter, now };
  const r = await runCollect({}, { ...deps, sink: createWorkbookSink({ path: workbook }) });
  await runClose([r.file!.usageFileId], { ...deps, sink: createWorkbookSink({ path: workbook }) });
});
afterAll(() => rmSync(template, { recursive: true, force: true }));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'credit-desk-archive-'));
  cpSync(template, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const wbPath = () => join(dir, 'credits.xlsx');
const archiveDir = () => join(dir, 'archive');
const sink = () => createWorkbookSink({ path: wbPath() });
const live = async () => readState(await sink().read());
const exportAll = async (includeArchive?: string) => {
  const { text } = await runExport({ format: 'json', includeArchive }, { sink: sink() });
  return (JSON.parse(text) as { creditId: string }[]).sort((a, b) => a.creditId.localeCompare(b.creditId));
};

/**
 * Nothing lost, nothing in both places: each credit once in live ∪ archive, each Audit row once, each collected
 * credit's full Ledger row once (live Ledger or archive), and every archived credit listed in the live Ledger.
 */
async function checkInvariants(expectedCredits: number, expectedAudit: number) {
  const state = await live();
  const archived = await readAllArchiveContent(archiveDir());
  const liveKeys = state.credits.map((e) => e.credit.key);
  const archivedKeys = archived.credits.map((c) => c.key);
  expect(new Set([...liveKeys, ...archivedKeys]).size).toBe(expectedCredits);
  expect(liveKeys.length + archivedKeys.length).toBe(expectedCredits);
  const liveAudit = state.snapshot.tabs.audit.rows.filter((r) =>
    r.some((c) => c !== null && c !== ''),
  ).length;
  expect(liveAudit + archived.audit.length).toBe(expectedAudit);
  checkLedger(state, archived, expectedCredits);
}

/** The Ledger after an archive: full rows of live credits only; archived ones in the archive and listed. */
function checkLedger(
  state: ReturnType<typeof readState>,
  archived: Awaited<ReturnType<typeof readAllArchiveContent>>,
  collected: number,
) {
  const liveLedger = readLedger(state.snapshot.tabs.ledger).map((e) => e.key);
  const archivedLedger = archived.ledger.map((e) => e.key);
  expect(liveLedger.length + archivedLedger.length).toBe(collected);
  expect(new Set([...liveLedger, ...archivedLedger]).size).toBe(collected);
  expect(new Set(liveLedger)).toEqual(new Set(state.credits.map((e) => e.credit.key)));
  expect(state.archived.keys).toEqual(new Set(archived.credits.map((c) => c.key)));
  expect(state.archived.creditIds).toEqual(new Set(archived.credits.map((c) => c.creditId)));
  // Archived Credit IDs are still taken: never issued to a new credit.
  for (const c of archived.credits) expect(state.takenIds.has(c.creditId)).toBe(true);
  // The archive's Ledger rows are the usage record of exactly the archived credits, money exact.
  const byKey = new Map(archived.credits.map((c) => [c.key, c]));
  for (const e of archived.ledger) {
    const c = byKey.get(e.key)!;
    expect([e.creditId, e.amount, e.allocation, e.distributorKeeps, e.usageRecordId, e.status]).toEqual([
      c.creditId,
      c.amount,
      c.allocation,
      c.distributorKeeps,
      c.usageRecordId,
      'PROCESSED',
    ]);
  }
}

describe('archive', () => {
  test('round trip: crash after the archive, re-run, re-sync imports nothing, export --include-archive is unchanged', async () => {
    const before = await exportAll();
    const state0 = await live();
    const auditRows = state0.snapshot.tabs.audit.rows.length;
    expect(before).toHaveLength(12);
    expect(state0.credits.every((e) => e.credit.status === 'PROCESSED')).toBe(true);

    const deps = { sink: sink(), reporter: silentReporter, now };
    await expect(
      runArchive({ before: '2026-10', dir: archiveDir(), crashAfterArchive: true }, deps),
    ).rejects.toThrow(/simulated crash/);
    // Killed after the archive: everything is in the archive, and still in the live sheet.
    expect((await readAllArchiveContent(archiveDir())).credits).toHaveLength(8);
    expect((await live()).credits).toHaveLength(12);

    const r = await runArchive({ before: '2026-10', dir: archiveDir() }, { ...deps, sink: sink() });
    expect(r.credits).toBe(8);
    await checkInvariants(12, auditRows);
    // One workbook per billing period, in a folder per year.
    expect(archiveFiles(archiveDir())).toEqual(
      ['2026-08', '2026-09'].map((p) => join(archiveDir(), '2026', `credits-${p}.xlsx`)),
    );
    const left = (await live()).credits.map((e) => e.credit.period);
    expect(new Set(left)).toEqual(new Set(['2026-10']));

    // A second run finds nothing more to archive and changes nothing.
    expect(
      (await runArchive({ before: '2026-10', dir: archiveDir() }, { ...deps, sink: sink() })).credits,
    ).toBe(0);
    await checkInvariants(12, auditRows);

    // The Ledger's cells: 8 full rows became one packed row.
    const ledgerRows = (await live()).snapshot.tabs.ledger.rows.length;
    expect(ledgerRows).toBe(4 + 1);

    // Re-sync the archived periods, with the usage files (which still hold the archived credits) on disk and
    // no archived-keys.tsv: nothing comes back, nothing is restored, the Ledger stays as it is.
    expect(existsSync(join(archiveDir(), 'archived-keys.tsv'))).toBe(false);
    for (const period of ['2026-08', '2026-09']) {
      const settings = resolveSettings({ usageDir: join(dir, 'usage'), workbook: wbPath(), period }, {});
      const rep = await runSync(
        settings,
        { applyRules: true, previous: false },
        { source, sink: sink(), reporter: silentReporter, now },
      );
      expect(rep.merge.adds).toHaveLength(0);
    }
    await checkInvariants(12, auditRows);
    expect((await live()).snapshot.tabs.ledger.rows.length).toBe(ledgerRows);
    expect((await live()).credits).toHaveLength(4);

    expect(await exportAll(archiveDir())).toEqual(before);
    const archivedPeriods = (await readAllArchiveContent(archiveDir())).credits.map((c) => c.period);
    expect(new Set(archivedPeriods)).toEqual(new Set(['2026-08', '2026-09']));

    // Parquet beside the workbook, read back with DuckDB: the archived credits once each (the crashed run and
    // its re-run wrote the same files), money exact, and their Audit rows.
    const archivedNow = await readAllArchiveContent(archiveDir());
    const fromParquet = await duckRows(
      `SELECT credit_id, CAST(amount AS VARCHAR) AS amount, CAST(distributor_keeps AS VARCHAR) AS keeps,
              currency, allocation, status, usage_record_id, closed_at <> '' AS closed
         FROM read_parquet('${join(archiveDir(), '*', 'credits-*.parquet')}') ORDER BY credit_id`,
    );
    const closedKeys = new Set(archivedNow.ledger.filter((e) => e.closedAt).map((e) => e.key));
    expect(fromParquet).toEqual(
      [...archivedNow.credits]
        .sort((a, b) => a.creditId.localeCompare(b.creditId))
        .map((c) => ({
          credit_id: c.creditId,
          amount: decimal4(c.amount, c.currency),
          keeps: c.distributorKeeps === null ? null : decimal4(c.distributorKeeps, c.currency),
          currency: c.currency,
          allocation: c.allocation,
          status: 'PROCESSED',
          usage_record_id: c.usageRecordId,
          closed: closedKeys.has(c.key),
        })),
    );
    const auditCount = await duckRows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(archiveDir(), '*', 'audit-*.parquet')}')`,
    );
    expect(auditCount).toEqual([{ n: archivedNow.audit.length }]);
    // The credits file's schema, which queries over the year folders rely on: its columns are now made from the
    // contract's (archive-parquet.ts), and must stay these, in this order, with money exact.
    const schema = await duckRows(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${join(archiveDir(), '*', 'credits-*.parquet')}'))`,
    );
    const money = new Set(['amount', 'distributor_keeps']);
    expect(schema).toEqual(
      [
        ...['credit_id', 'period', 'aws_account', 'payer_account', 'customer_id', 'asset_id', 'reseller_id'],
        ...['service', 'description', 'amount', 'currency', 'status', 'allocation', 'distributor_keeps'],
        ...['rule_id', 'usage_file_id', 'usage_record_id', 'processing_date', 'collected_at', 'closed_at'],
        ...['flags', 'notes', 'key'],
      ].map((name) => ({ column_name: name, column_type: money.has(name) ? 'DECIMAL(18,4)' : 'VARCHAR' })),
    );
  });

  test('kill -9 of the CLI at several moments: the next run finishes, nothing lost, nothing in both places', async () => {
    const auditRows = (await live()).snapshot.tabs.audit.rows.length;
    const bin = join(__dirname, '../../../bin/credit-desk.cjs');
    const args = ['archive', '--before', '2026-10', '--workbook', wbPath(), '--archive-dir', archiveDir()];
    // How long a whole run takes here (start-up included), on a copy, so the kills land during the run.
    const copy = mkdtempSync(join(tmpdir(), 'credit-desk-archive-timing-'));
    cpSync(template, copy, { recursive: true });
    const t0 = Date.now();
    await new Promise((done) =>
      spawn(
        process.execPath,
        [
          bin,
          'archive',
          '--before',
          '2026-10',
          '--workbook',
          join(copy, 'credits.xlsx'),
          '--archive-dir',
          join(copy, 'archive'),
        ],
        { cwd: copy, stdio: 'ignore' },
      ).once('exit', done),
    );
    const whole = Date.now() - t0;
    rmSync(copy, { recursive: true, force: true });
    for (const delayMs of [0.6, 0.85, 0.97].map((f) => Math.round(whole * f))) {
      const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: 'ignore' });
      // Listen from the start: a run faster than the delay has already exited when the kill comes.
      const exited = new Promise((done) => child.once('exit', done));
      await new Promise((done) => setTimeout(done, delayMs));
      child.kill('SIGKILL');
      await exited;
      if (archiveFiles(archiveDir()).length) await checkInvariantsLoose(auditRows);
    }
    await runArchive(
      { before: '2026-10', dir: archiveDir() },
      { sink: sink(), reporter: silentReporter, now },
    );
    await checkInvariants(12, auditRows);
    // The Parquet files hold each archived credit once, whatever moment the kills landed on.
    expect(
      await duckRows(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT credit_id)::INTEGER AS ids FROM read_parquet('${join(archiveDir(), '*', 'credits-*.parquet')}')`,
      ),
    ).toEqual([{ n: 8, ids: 8 }]);
    // Each kill starts a fresh CLI (tsx start-up); on a busy machine that is slow, hence the generous limit.
  }, 240_000);

  test('killed between listing the archived credits and removing their rows (Google: two requests): nothing is reverted, the re-run finishes', async () => {
    const auditRows = (await live()).snapshot.tabs.audit.rows.length;
    const deps = { reporter: silentReporter, now };
    await expect(
      runArchive(
        { before: '2026-10', dir: archiveDir(), crashAfterArchive: true },
        { ...deps, sink: sink() },
      ),
    ).rejects.toThrow(/simulated crash/);
    // The state a kill leaves between the Google sink's two requests: the list written, no row removed yet.
    const state = await live();
    const plan = planArchive(
      state.credits.map((e) => e.credit),
      [],
      '2026-10',
      { ledger: readLedger(state.snapshot.tabs.ledger) },
    );
    await sink().write({
      updates: [],
      appends: [],
      audit: [],
      ledger: { appends: archivedLedgerRows(plan.listed, state.archived, 'test'), updates: [] },
    });
    // A sync now (usage files on disk) must neither revert the listed PROCESSED rows nor restore anything.
    const settings = resolveSettings(
      { usageDir: join(dir, 'usage'), workbook: wbPath(), period: '2026-09' },
      {},
    );
    const rep = await runSync(
      settings,
      { applyRules: true, previous: true },
      { ...deps, source, sink: sink() },
    );
    expect(rep.merge.adds).toHaveLength(0);
    const mid = await live();
    expect(mid.credits.map((e) => e.credit.status)).toEqual(Array(12).fill('PROCESSED'));
    expect(mid.credits.some((e) => e.credit.flags.includes('RESTORED'))).toBe(false);
    // The next archive run removes them (the list already names them: not listed twice).
    await runArchive({ before: '2026-10', dir: archiveDir() }, { ...deps, sink: sink() });
    await checkInvariants(12, auditRows);
    expect((await live()).snapshot.tabs.ledger.rows).toHaveLength(4 + 1);
  });

  test('an archive made by an older version (archived-keys.tsv, full Ledger rows left in the sheet) is completed', async () => {
    const auditRows = (await live()).snapshot.tabs.audit.rows.length;
    const state = await live();
    const audit = readRecords<AuditField>('audit', state.snapshot.tabs.audit).map((r) => r.record);
    const plan = planArchive(
      state.credits.map((e) => e.credit),
      audit,
      '2026-10',
    );
    // What the older version did: Credits and Audit to the archive (no Ledger tab), keys to the tsv, rows removed.
    // (one workbook per year then: the year files are still read)
    await writeArchive(join(archiveDir(), 'credits-2026.xlsx'), {
      credits: plan.batches.flatMap((b) => b.credits),
      audit: plan.batches.flatMap((b) => b.audit),
      ledger: [],
    });
    const legacy = plan.batches.flatMap((b) => b.credits.map((c) => `${c.key}\t${c.creditId}`));
    writeFileSync(join(archiveDir(), 'archived-keys.tsv'), legacy.join('\n') + '\n');
    await sink().write({
      updates: [],
      appends: [],
      audit: [],
      remove: { keys: [...plan.keys], auditCreditIds: [...plan.creditIds] },
    });
    expect(readLedger((await live()).snapshot.tabs.ledger)).toHaveLength(12);

    const r = await runArchive(
      { before: '2026-10', dir: archiveDir() },
      { sink: sink(), reporter: silentReporter, now },
    );
    expect(r).toMatchObject({ credits: 0, ledgerRows: 8 });
    await checkInvariants(12, auditRows);
  });

  test('refuses an open or malformed period, and the re-import check drops exactly the archived keys', () => {
    expect(() => checkArchiveBefore('2026-12', '2026-11')).toThrow(/future/);
    expect(() => checkArchiveBefore('2026-13', '2026-11')).toThrow(/not a billing period/);
    const a = cur({ description: 'A' });
    const b = cur({ description: 'B' });
    const r = withoutArchived([a, b], new Set([creditKey(a)]));
    expect(r).toEqual({ kept: [b], skipped: 1 });
  });
});

/** Rows of a DuckDB query, as JSON-safe objects. */
async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Minor units as the DECIMAL(18,4) text DuckDB prints, computed exactly with integers. */
function decimal4(minor: number, currency: string): string {
  const scaled = BigInt(minor) * 10n ** BigInt(4 - minorDigits(currency));
  const abs = scaled < 0n ? -scaled : scaled;
  return `${scaled < 0n ? '-' : ''}${abs / 10_000n}.${String(abs % 10_000n).padStart(4, '0')}`;
}

/** Mid-way (after a kill): every credit at least once, and the live sheet still whole or already trimmed. */
async function checkInvariantsLoose(auditRows: number) {
  const state = await live();
  const archived = await readAllArchiveContent(archiveDir());
  const all = new Set([...state.credits.map((e) => e.credit.key), ...archived.credits.map((c) => c.key)]);
  expect(all.size).toBe(12);
  expect(new Set(archived.credits.map((c) => c.key)).size).toBe(archived.credits.length);
  const liveAudit = state.snapshot.tabs.audit.rows.length;
  expect(liveAudit + archived.audit.length).toBeGreaterThanOrEqual(auditRows);
  // Every collected credit's Ledger row is somewhere, and a key is listed as archived only once it is archived.
  const ledgerKeys = new Set([
    ...readLedger(state.snapshot.tabs.ledger).map((e) => e.key),
    ...archived.ledger.map((e) => e.key),
  ]);
  expect(ledgerKeys.size).toBe(12);
  const inArchive = new Set(archived.ledger.map((e) => e.key));
  for (const k of state.archived.keys) expect(inArchive.has(k)).toBe(true);
}

describe('archive from a Google Sheet (local Sheets server)', () => {
  test('rows leave the sheet only after the archive is written; protections follow; re-sync imports nothing', async () => {
    const server = await startServer();
    try {
      const gsink = oneAtATime(() => makeSink(server));
      const accounts = join(dir, 'accounts.csv');
      for (const period of PERIODS) {
        const settings = resolveSettings(
          { usageDir: ISOLATED_USAGE_DIR, workbook: join(dir, 'unused.xlsx'), period, accounts },
          {},
        );
        await runSync(
          settings,
          { applyRules: true, previous: false },
          { source, sink: gsink(), reporter: silentReporter, now },
        );
      }
      const deps = { usageDir: join(dir, 'usage-g'), reporter: silentReporter, now };
      const collected = await runCollect({}, { ...deps, sink: gsink() });
      await runClose([collected.file!.usageFileId], { ...deps, sink: gsink() });
      const before = (await runExport({ format: 'json' }, { sink: gsink() })).text;
      const auditBefore = readState(await gsink().read()).snapshot.tabs.audit.rows.length;

      const r = await runArchive(
        { before: '2026-10', dir: join(dir, 'archive-g') },
        { sink: gsink(), reporter: silentReporter, now },
      );
      expect(r.credits).toBe(8);
      const state = readState(await gsink().read());
      expect(state.credits.map((e) => e.credit.period)).toEqual(['2026-10', '2026-10', '2026-10', '2026-10']);
      const archived = await readAllArchiveContent(join(dir, 'archive-g'));
      expect(archived.credits).toHaveLength(8);
      expect(state.snapshot.tabs.audit.rows.length + archived.audit.length).toBe(auditBefore);
      // The four PROCESSED rows left are protected as one range right under the header.
      expect(lockRanges(server.state.sheet(SHEET_ID))).toEqual([`1-5:${IDENTITY}`]);

      const restored = JSON.parse(
        (await runExport({ format: 'json', includeArchive: join(dir, 'archive-g') }, { sink: gsink() })).text,
      );
      const byId = (a: { creditId: string }, b: { creditId: string }) => a.creditId.localeCompare(b.creditId);
      expect(restored.sort(byId)).toEqual(JSON.parse(before).sort(byId));

      // The Ledger: full rows of the four live credits, the eight archived ones packed in one row.
      expect(
        readLedger(state.snapshot.tabs.ledger)
          .map((e) => e.key)
          .sort(),
      ).toEqual(state.credits.map((e) => e.credit.key).sort());
      expect(state.snapshot.tabs.ledger.rows).toHaveLength(5);
      expect(state.archived.keys).toEqual(new Set(archived.credits.map((c) => c.key)));
      expect(archived.ledger.map((e) => e.key).sort()).toEqual(archived.credits.map((c) => c.key).sort());

      // Re-sync with the usage files on disk and no archive folder at all (a fresh container): the sheet's
      // own list keeps the archived credits out, and reconciliation restores none of them.
      const settings = resolveSettings(
        { usageDir: deps.usageDir, workbook: join(dir, 'unused.xlsx'), period: '2026-09', accounts },
        {},
      );
      const rep = await runSync(
        settings,
        { applyRules: true, previous: true },
        { source, sink: gsink(), reporter: silentReporter, now },
      );
      expect(rep.merge.adds).toHaveLength(0);
      const after = readState(await gsink().read());
      expect(after.credits).toHaveLength(4);
      expect(after.snapshot.tabs.ledger.rows).toHaveLength(5);
    } finally {
      server.close();
    }
  }, 60_000);

  test('killed after the Ledger lists the archived credits and before their rows are deleted: a sync reverts nothing, the re-run finishes', async () => {
    const server = await startServer();
    try {
      const gsink = oneAtATime(() => makeSink(server));
      const accounts = join(dir, 'accounts.csv');
      const usageDir = join(dir, 'usage-k');
      for (const period of PERIODS) {
        const settings = resolveSettings(
          { usageDir, workbook: join(dir, 'unused.xlsx'), period, accounts },
          {},
        );
        await runSync(
          settings,
          { applyRules: true, previous: false },
          { source, sink: gsink(), reporter: silentReporter, now },
        );
      }
      const collected = await runCollect({}, { usageDir, reporter: silentReporter, now, sink: gsink() });
      await runClose([collected.file!.usageFileId], {
        usageDir,
        reporter: silentReporter,
        now,
        sink: gsink(),
      });
      const killed = oneAtATime(() =>
        makeSink(server, {
          afterWriteRequest: (n) => {
            if (n === 0) throw new Error('killed after the Ledger write');
          },
        }),
      );
      await expect(
        runArchive(
          { before: '2026-10', dir: join(dir, 'archive-k') },
          { sink: killed(), reporter: silentReporter, now },
        ),
      ).rejects.toThrow(/killed after the Ledger write/);
      const mid = readState(await gsink().read());
      expect(mid.credits).toHaveLength(12);
      expect(mid.archived.keys.size).toBe(8);

      const settings = resolveSettings(
        { usageDir, workbook: join(dir, 'unused.xlsx'), period: '2026-09', accounts },
        {},
      );
      const rep = await runSync(
        settings,
        { applyRules: true, previous: true },
        { source, sink: gsink(), reporter: silentReporter, now },
      );
      expect(rep.merge.adds).toHaveLength(0);
      const synced = readState(await gsink().read());
      expect(synced.credits.map((e) => e.credit.status)).toEqual(Array(12).fill('PROCESSED'));

      await runArchive(
        { before: '2026-10', dir: join(dir, 'archive-k') },
        { sink: gsink(), reporter: silentReporter, now },
      );
      const done = readState(await gsink().read());
      expect(done.credits).toHaveLength(4);
      expect(done.snapshot.tabs.ledger.rows).toHaveLength(5); // 4 live, the 8 archived listed once
      expect(done.archived.keys.size).toBe(8);
      const archived = await readAllArchiveContent(join(dir, 'archive-k'));
      expect(new Set(archived.ledger.map((e) => e.key))).toEqual(done.archived.keys);
    } finally {
      server.close();
    }
  }, 60_000);
});
