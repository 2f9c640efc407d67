/**
 * The archive round trip on a workbook: PROCESSED credits of closed periods and their Audit rows move to
 * archive/credits-YYYY.xlsx; a run killed after writing the archive (simulated, and a real kill -9 of the CLI
 * at several moments) is finished by the next run with nothing lost and nothing in both places; a re-sync of
 * the same periods imports nothing again; `export --include-archive` equals the export before archiving.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkArchiveBefore, withoutArchived } from '../../core/archive';
import { creditKey } from '../../core/ids';
import { readArchive, readArchivedIndex } from '../../sync-service/archive/archive-files';
import { runArchive } from '../../sync-service/commands/archive';
import { runExport } from '../../sync-service/commands/export';
import { runSync } from '../../sync-service/commands/sync';
import { runClose, runCollect } from '../../sync-service/commands/usage';
import { silentReporter } from '../../sync-service/progress';
import { resolveSettings } from '../../sync-service/settings';
import { readState } from '../../core/sheet-state';
import { createWorkbookSink } from '../../sync-service/sinks/workbook';
import type { CreditSource, RawCreditRow } from '../../sync-service/sources/source';
import { cur } from '../helpers/domain';
import { IDENTITY, lockRanges, makeSink, oneAtATime, SHEET_ID, startServer } from './sheets-helpers';

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
  await runClose(r.file!.usageFileId, { ...deps, sink: createWorkbookSink({ path: workbook }) });
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

/** Nothing lost, nothing in both places: each credit once in live ∪ archive, each Audit row once. */
async function checkInvariants(expectedCredits: number, expectedAudit: number) {
  const state = await live();
  const archived = await readArchive(join(archiveDir(), 'credits-2026.xlsx'));
  const liveKeys = state.credits.map((e) => e.credit.key);
  const archivedKeys = archived.credits.map((c) => c.key);
  expect(new Set([...liveKeys, ...archivedKeys]).size).toBe(expectedCredits);
  expect(liveKeys.length + archivedKeys.length).toBe(expectedCredits);
  const liveAudit = state.snapshot.tabs.audit.rows.filter((r) =>
    r.some((c) => c !== null && c !== ''),
  ).length;
  expect(liveAudit + archived.audit.length).toBe(expectedAudit);
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
    expect((await readArchive(join(archiveDir(), 'credits-2026.xlsx'))).credits).toHaveLength(8);
    expect((await live()).credits).toHaveLength(12);

    const r = await runArchive({ before: '2026-10', dir: archiveDir() }, { ...deps, sink: sink() });
    expect(r.credits).toBe(8);
    await checkInvariants(12, auditRows);
    const left = (await live()).credits.map((e) => e.credit.period);
    expect(new Set(left)).toEqual(new Set(['2026-10']));

    // A second run finds nothing more to archive and changes nothing.
    expect(
      (await runArchive({ before: '2026-10', dir: archiveDir() }, { ...deps, sink: sink() })).credits,
    ).toBe(0);
    await checkInvariants(12, auditRows);

    // Re-sync the archived periods: nothing comes back.
    const archived = readArchivedIndex(archiveDir());
    expect(archived.keys.size).toBe(8);
    for (const period of ['2026-08', '2026-09']) {
      const settings = resolveSettings({ usageDir: ISOLATED_USAGE_DIR, workbook: wbPath(), period }, {});
      const rep = await runSync(
        settings,
        { applyRules: true, previous: false },
        { source, sink: sink(), reporter: silentReporter, now, archived },
      );
      expect(rep.merge.adds).toHaveLength(0);
    }
    expect((await live()).credits).toHaveLength(4);

    expect(await exportAll(archiveDir())).toEqual(before);
    const archivedPeriods = (await readArchive(join(archiveDir(), 'credits-2026.xlsx'))).credits.map(
      (c) => c.period,
    );
    expect(new Set(archivedPeriods)).toEqual(new Set(['2026-08', '2026-09']));
  });

  test('kill -9 of the CLI at several moments: the next run finishes, nothing lost, nothing in both places', async () => {
    const auditRows = (await live()).snapshot.tabs.audit.rows.length;
    const bin = join(__dirname, '../../bin/credit-desk.cjs');
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
      if (existsSync(join(archiveDir(), 'credits-2026.xlsx'))) await checkInvariantsLoose(auditRows);
    }
    await runArchive(
      { before: '2026-10', dir: archiveDir() },
      { sink: sink(), reporter: silentReporter, now },
    );
    await checkInvariants(12, auditRows);
    // Each kill starts a fresh CLI (tsx start-up); on a busy machine that is slow, hence the generous limit.
  }, 240_000);

  test('refuses an open or malformed period, and the re-import check drops exactly the archived keys', () => {
    expect(() => checkArchiveBefore('2026-12', '2026-11')).toThrow(/future/);
    expect(() => checkArchiveBefore('2026-13', '2026-11')).toThrow(/not a billing period/);
    const a = cur({ description: 'A' });
    const b = cur({ description: 'B' });
    const r = withoutArchived([a, b], new Set([creditKey(a)]));
    expect(r).toEqual({ kept: [b], skipped: 1 });
  });
});

/** Mid-way (after a kill): every credit at least once, and the live sheet still whole or already trimmed. */
async function checkInvariantsLoose(auditRows: number) {
  const state = await live();
  const archived = await readArchive(join(archiveDir(), 'credits-2026.xlsx'));
  const all = new Set([...state.credits.map((e) => e.credit.key), ...archived.credits.map((c) => c.key)]);
  expect(all.size).toBe(12);
  expect(new Set(archived.credits.map((c) => c.key)).size).toBe(archived.credits.length);
  const liveAudit = state.snapshot.tabs.audit.rows.length;
  expect(liveAudit + archived.audit.length).toBeGreaterThanOrEqual(auditRows);
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
      await runClose(collected.file!.usageFileId, { ...deps, sink: gsink() });
      const before = (await runExport({ format: 'json' }, { sink: gsink() })).text;
      const auditBefore = readState(await gsink().read()).snapshot.tabs.audit.rows.length;

      const r = await runArchive(
        { before: '2026-10', dir: join(dir, 'archive-g') },
        { sink: gsink(), reporter: silentReporter, now },
      );
      expect(r.credits).toBe(8);
      const state = readState(await gsink().read());
      expect(state.credits.map((e) => e.credit.period)).toEqual(['2026-10', '2026-10', '2026-10', '2026-10']);
      const archived = await readArchive(join(dir, 'archive-g', 'credits-2026.xlsx'));
      expect(archived.credits).toHaveLength(8);
      expect(state.snapshot.tabs.audit.rows.length + archived.audit.length).toBe(auditBefore);
      // The four PROCESSED rows left are protected as one range right under the header.
      expect(lockRanges(server.state.sheet(SHEET_ID))).toEqual([`1-5:${IDENTITY}`]);

      const restored = JSON.parse(
        (await runExport({ format: 'json', includeArchive: join(dir, 'archive-g') }, { sink: gsink() })).text,
      );
      const byId = (a: { creditId: string }, b: { creditId: string }) => a.creditId.localeCompare(b.creditId);
      expect(restored.sort(byId)).toEqual(JSON.parse(before).sort(byId));

      const settings = resolveSettings(
        { usageDir: ISOLATED_USAGE_DIR, workbook: join(dir, 'unused.xlsx'), period: '2026-09', accounts },
        {},
      );
      const rep = await runSync(
        settings,
        { applyRules: true, previous: true },
        {
          source,
          sink: gsink(),
          reporter: silentReporter,
          now,
          archived: readArchivedIndex(join(dir, 'archive-g')),
        },
      );
      expect(rep.merge.adds).toHaveLength(0);
    } finally {
      server.close();
    }
  }, 60_000);
});
