/**
 * The whole lifecycle through the real `credit-desk` command, as a user runs it: demo data → sync with rules →
 * re-sync changes nothing → assign by hand → usage collect (rows lock) → usage close → locked rows refuse edits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';

const BIN = join(__dirname, '../../../bin/credit-desk.cjs');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CREDIT_DESK_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JsonCredit {
  creditId: string;
  status: string;
  amount: string;
  currency: string;
  allocations: { role: string; targetId: string; percent: string | null; amount: string }[];
  usageFileId: string;
  usageRecordId: string;
  processingDate: string;
}

describe('credit-desk end to end on the embedded default', () => {
  let dir: string;
  let common: string[];
  const exportJson = (): JsonCredit[] => {
    const r = run(['export', '--format', 'json', ...common], dir);
    expect(r.code).toBe(0);
    return JSON.parse(r.out);
  };
  const cents = (s: string) => Math.round(Number(s) * 100);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-e2e-'));
    const demo = run(['demo-data', '--out', 'demo', '--months', '2', '--lines', '4000', '--seed', '7'], dir);
    expect(demo.code).toBe(0);
    common = ['--workbook', join(dir, 'credits.xlsx'), '--usage-dir', join(dir, 'usage')];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('syncs the most recent closed period with rules applied, and the workbook opens with the tabs and filters', async () => {
    const r = run(
      [
        'sync',
        '--cur',
        'demo/cur',
        '--accounts',
        'demo/accounts.csv',
        '--rules',
        'demo/rules.csv',
        '--apply-rules',
        ...common,
      ],
      dir,
    );
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/added\s+[1-9]/);
    expect(r.out).toMatch(/reconciled/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'credits.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(
      expect.arrayContaining(['Credits', 'Accounts', 'Rules', 'Config', 'Audit']),
    );
    const credits = wb.getWorksheet('Credits')!;
    expect(credits.autoFilter).toBeTruthy();
    const credits2 = exportJson();
    expect(credits2.length).toBeGreaterThan(10);
    const assigned = credits2.filter((c) => c.status === 'ASSIGNED');
    expect(assigned.length).toBeGreaterThan(0);
    for (const c of assigned)
      expect(c.allocations.reduce((s, a) => s + cents(a.amount), 0)).toBe(cents(c.amount));
  });

  it('a second sync changes nothing', () => {
    const before = readFileSync(join(dir, 'credits.xlsx'));
    const mtime = statSync(join(dir, 'credits.xlsx')).mtimeMs;
    const r = run(['sync', '--cur', 'demo/cur', ...common], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/added\s+0\b/);
    expect(r.out).toMatch(/updated\s+0\b/);
    expect(statSync(join(dir, 'credits.xlsx')).mtimeMs).toBe(mtime);
    expect(readFileSync(join(dir, 'credits.xlsx')).equals(before)).toBe(true);
  });

  it('assigns by hand with an exact split, and explains a bad allocation', () => {
    const pending = exportJson().find((c) => c.status === 'PENDING_ASSIGN' || c.status === 'ASSIGNED')!;
    const ok = run(['assign', pending.creditId, 'customer 50%, reseller 33.33%', ...common], dir);
    expect(ok.err).not.toMatch(/error/);
    expect(ok.code).toBe(0);
    const after = exportJson().find((c) => c.creditId === pending.creditId)!;
    expect(after.status).toBe('ASSIGNED');
    expect(after.allocations.map((a) => a.role)).toEqual(['customer', 'reseller', 'distributor']);
    expect(after.allocations.reduce((s, a) => s + cents(a.amount), 0)).toBe(cents(after.amount));
    const bad = run(['assign', pending.creditId, 'customer 80%, reseller 40%', ...common], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/100/);
  });

  it('usage collect puts every ASSIGNED credit in one file and locks them; close marks them PROCESSED', () => {
    const assignedIds = exportJson()
      .filter((c) => c.status === 'ASSIGNED')
      .map((c) => c.creditId);
    const collect = run(['usage', 'collect', ...common], dir);
    expect(collect.code).toBe(0);
    const ufId = /(UF-\d{4}-\d{2}-\d{4}-\d{4})/.exec(collect.out)![1];
    const collected = exportJson().filter((c) => c.usageFileId === ufId);
    expect(collected.map((c) => c.creditId).sort()).toEqual(assignedIds.sort());
    for (const c of collected) {
      expect(c.status).toBe('PROCESSING');
      expect(c.usageRecordId).toMatch(/^UR-/);
      expect(c.processingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(statSync(join(dir, 'usage', `${ufId}.xlsx`)).size).toBeGreaterThan(0);
    // collecting again finds nothing: a credit is never in two files
    expect(run(['usage', 'collect', ...common], dir).out).toMatch(/Nothing to collect/);
    // a re-sync leaves locked rows alone
    const resync = run(['sync', '--cur', 'demo/cur', ...common], dir);
    expect(resync.out).toMatch(new RegExp(`locked\\s+${collected.length}\\b`));
    expect(resync.out).toMatch(/updated\s+0\b/);
    const refused = run(['unassign', collected[0].creditId, ...common], dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/PROCESSING/);
    const close = run(['usage', 'close', ufId, ...common], dir);
    expect(close.code).toBe(0);
    expect(
      exportJson()
        .filter((c) => c.usageFileId === ufId)
        .every((c) => c.status === 'PROCESSED'),
    ).toBe(true);
  });

  it('says what to do when the CUR folder is missing or the period has no data', () => {
    const missing = run(['sync', '--cur', 'nowhere', ...common], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nowhere/);
    const noPeriod = run(['sync', '--cur', 'demo/cur', '--period', '2019-01', ...common], dir);
    expect(noPeriod.code).toBe(1);
    expect(noPeriod.err).toMatch(/2019-01/);
    expect(noPeriod.err).toMatch(/Periods with data/);
  });
});
