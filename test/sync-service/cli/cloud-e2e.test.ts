/**
 * The cloud path through the real `credit-desk` command: `sync --source athena … --spreadsheet …` with the real
 * @aws-sdk/client-athena and @googleapis/sheets clients talking to the local protocol servers, then the usage
 * process against the Google sheet (protected ranges for the locked rows), then a re-sync that changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoData } from '../../../sync-service/demo/generate';
import { startAthenaServer, type AthenaServer } from '../../../emulators/athena-server';
import { startSheetsServer, type SheetsServer } from '../../../emulators/sheets-server';

const BIN = join(__dirname, '../../../bin/credit-desk.cjs');
const SHEET_ID = 'cloud-e2e-spreadsheet-00001';
const IDENTITY = 'credit-desk@example-project.iam.gserviceaccount.com';

function run(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('credit-desk sync --source athena --spreadsheet (local Athena and Sheets v4 servers)', () => {
  let dir: string;
  let athena: AthenaServer;
  let sheets: SheetsServer;
  let env: Record<string, string>;
  const cloud = [
    '--source',
    'athena',
    '--database',
    'cur',
    '--table',
    'cur2',
    '--region',
    'us-east-1',
    '--spreadsheet',
    SHEET_ID,
    '--sync-identity',
    IDENTITY,
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-cloud-'));
    const demo = await generateDemoData({
      outDir: join(dir, 'demo'),
      months: 2,
      linesPerMonth: 3000,
      seed: 11,
    });
    athena = await startAthenaServer({ tables: { 'cur.cur2': { dir: demo.curDir, layout: 'cur2' } } });
    // The calling account is the sync's identity, as with its service account key (Google adds it to editors).
    sheets = await startSheetsServer({ spreadsheetId: SHEET_ID, callerEmail: IDENTITY });
    env = {
      CREDIT_DESK_ATHENA_ENDPOINT: athena.endpoint,
      CREDIT_DESK_SHEETS_ROOT_URL: sheets.rootUrl,
      AWS_ACCESS_KEY_ID: 'local-test',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      CREDIT_DESK_USAGE_DIR: join(dir, 'usage'),
    };
  });
  afterAll(async () => {
    await athena?.close();
    await sheets?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const creditsTab = () => sheets.state.sheet(SHEET_ID).sheets.find((s) => s.properties.title === 'Credits')!;
  const statusColumn = () => creditsTab().cells[0].indexOf('Status');

  it('syncs, applies rules, and locks collected rows with protected ranges that only the sync may edit', async () => {
    const first = await run(
      ['sync', ...cloud, '--accounts', 'demo/accounts.csv', '--rules', 'demo/rules.csv', '--apply-rules'],
      env,
      dir,
    );
    expect(first.err).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/added\s+[1-9]/);
    expect(first.out).toMatch(/athena/i);
    // the period went to Athena as an execution parameter, never inside the SQL text
    for (const e of athena.executions()) expect(e.query).not.toMatch(/20\d\d-\d\d/);
    const rows = creditsTab()
      .cells.slice(1)
      .filter((r) => r.length && r[0]);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.some((r) => r[statusColumn()] === 'ASSIGNED')).toBe(true);

    const collect = await run(
      ['usage', 'collect', '--spreadsheet', SHEET_ID, '--sync-identity', IDENTITY],
      env,
      dir,
    );
    expect(collect.code).toBe(0);
    const locked = creditsTab()
      .cells.slice(1)
      .filter((r) => r[statusColumn()] === 'PROCESSING').length;
    expect(locked).toBeGreaterThan(0);
    const ranges = creditsTab().protectedRanges;
    expect(ranges.length).toBeGreaterThan(0);
    const protectedRows = ranges.reduce(
      (n, r) => n + ((r.range?.endRowIndex ?? 0) - (r.range?.startRowIndex ?? 0)),
      0,
    );
    expect(protectedRows).toBe(locked);
    for (const r of ranges) expect(r.editors?.users).toEqual([IDENTITY]);
  });

  it('a second sync through Athena changes nothing in the sheet', async () => {
    sheets.stats.reset();
    const again = await run(['sync', ...cloud], env, dir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/added\s+0\b/);
    expect(again.out).toMatch(/updated\s+0\b/);
    const writes = sheets.stats.requests.filter(
      (r) => r.method === 'POST' && /values:batchUpdate|values:append/.test(r.path),
    );
    expect(writes).toHaveLength(0);
  });

  it('explains an unknown Athena table and a sheet that does not exist', async () => {
    const noTable = await run(['sync', ...cloud.map((a) => (a === 'cur2' ? 'nope' : a))], env, dir);
    expect(noTable.code).toBe(1);
    expect(noTable.err).toMatch(/nope/);
    const noSheet = await run(
      ['sync', ...cloud.map((a) => (a === SHEET_ID ? 'missing-spreadsheet-000001' : a))],
      env,
      dir,
    );
    expect(noSheet.code).toBe(1);
    expect(noSheet.err).toMatch(/missing-spreadsheet-000001|not found|404/i);
    expect(noSheet.err).not.toMatch(/local-test-secret/);
  });
});
