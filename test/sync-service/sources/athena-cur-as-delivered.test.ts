/**
 * The Athena path reads the CUR as AWS delivers it (issue #26 item 4). Real CUR files (shared/real-cur, see its
 * README) are laid out as AWS delivers each layout its Athena set-up supports, served by the local Athena server
 * from that folder (`cur`: tables made and named as AWS's set-up makes them), and synced through the Athena
 * source with the real command. The sheet must be the one the DuckDB path makes of the same folder: same
 * credits, amounts and flags. CSV, for which AWS has no Athena table, and bad folders are refused with a message
 * and an exit code, never a stack trace; and the command `npm run servers -- --cur DIR` prints runs as pasted.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import ExcelJS from 'exceljs';
import { startAthenaServer, type AthenaServer } from '../../../emulators/athena-server';
import { makeCheckoutCopy, runPasted, startNpmScript } from '../../helpers/checkout-copy';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';

const REAL = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'real-cur');
const CUR2_CSV = path.join(REAL, 'ola-ha-project-CUR-daily-1-00001.csv');
const CUR2_MANIFEST = path.join(REAL, 'ola-ha-project-CUR-daily-1-Manifest.json');
const ATHENA_PARQUET = ['Oct2018', 'Nov2018', 'Dec2018'].map((m) =>
  path.join(REAL, `${m}-WorkshopCUR-00001.snappy.parquet`),
);
const BIN = path.join(__dirname, '../../../bin/credit-desk.cjs');

const tmpDir = useTempDirs('credit-desk-athena-cur-');
const db = useDuckDb();
const sql = (p: string): string => `'${p.replace(/'/g, "''")}'`;

function put(file: string, content: Buffer | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

function touch(file: string, iso: string): void {
  const t = new Date(iso);
  fs.utimesSync(file, t, t);
}

// ---- the layouts, as AWS delivers them ----

const EXPORT = 'ha-project-CUR-daily-1';
const EXEC = '2026-04-16T15:24:15.653Z-04e9e487-79a7-42b1-a680-1de7c660dc8f';
const OLD_EXEC = '2026-04-15T09:02:11.104Z-5b1f0a2e-0000-4000-8000-000000000001';

/**
 * The real CUR 2.0 export as a Parquet export delivers it: `…/data/BILLING_PERIOD=2026-04/<execution>/…parquet`
 * beside `…/metadata/BILLING_PERIOD=2026-04/<export>-Manifest.json`. AWS delivered this one as CSV, so this test
 * converts it (every column as the text AWS wrote) and gives the export's own manifest the Parquet file's key. An
 * older refresh with only the first 900 lines sits beside it ("create new" mode): reading it, or both, changes the
 * sums.
 */
async function layCur2ParquetExport(): Promise<string> {
  const bucket = tmpDir();
  const exportRoot = path.join(bucket, 'CUR-daily-1.0', EXPORT);
  const part = path.join(exportRoot, 'data', 'BILLING_PERIOD=2026-04');
  const write = async (exec: string, limit: string, mtime: string): Promise<string> => {
    const file = path.join(part, exec, `${EXPORT}-00001.snappy.parquet`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await db().run(
      `COPY (SELECT * FROM read_csv(${sql(CUR2_CSV)}, header = true, all_varchar = true) ${limit}) TO ${sql(file)} (FORMAT PARQUET)`,
    );
    touch(file, mtime);
    return file;
  };
  await write(EXEC, '', '2026-04-16T15:30:00Z');
  await write(OLD_EXEC, 'LIMIT 900', '2026-04-17T09:10:00Z'); // newer on disk: only the manifest says which is current
  const manifest = JSON.parse(fs.readFileSync(CUR2_MANIFEST, 'utf8')) as Record<string, unknown>;
  manifest.dataFiles = [
    `s3://ha-s3-bucket-1/CUR-daily-1.0/${EXPORT}/data/BILLING_PERIOD=2026-04/${EXEC}/${EXPORT}-00001.snappy.parquet`,
  ];
  put(
    path.join(exportRoot, 'metadata', 'BILLING_PERIOD=2026-04', `${EXPORT}-Manifest.json`),
    JSON.stringify(manifest),
  );
  return bucket;
}

/**
 * The real legacy CUR with the Athena integration: `<report>/<report>/year=2018/month=10…12/` beside
 * `<report>/cost_and_usage_data_status/`. The real months hold no credits, so this test adds a second file of
 * the real schema to 2018-10 and 2018-12 with three lines turned into credits (-1.25, -0.5 and a 0.25 reversal).
 */
async function layLegacyAthena(): Promise<string> {
  const report = path.join(tmpDir(), 'WorkshopCUR');
  ATHENA_PARQUET.forEach((file, i) =>
    put(
      path.join(report, 'WorkshopCUR', 'year=2018', `month=${10 + i}`, path.basename(file)),
      fs.readFileSync(file),
    ),
  );
  for (const [month, src] of [
    [10, ATHENA_PARQUET[0]],
    [12, ATHENA_PARQUET[2]],
  ] as const) {
    const extra = path.join(
      report,
      'WorkshopCUR',
      'year=2018',
      `month=${month}`,
      'added-credits.snappy.parquet',
    );
    await db().run(`COPY (
      SELECT * REPLACE ('Credit' AS line_item_line_item_type, 'Test credit' AS line_item_line_item_description,
        CASE row_number() OVER () WHEN 1 THEN -1.25 WHEN 2 THEN -0.5 ELSE 0.25 END AS line_item_unblended_cost)
      FROM read_parquet(${sql(src)}) LIMIT 3) TO ${sql(extra)} (FORMAT PARQUET)`);
  }
  const status = path.join(report, 'cost_and_usage_data_status', 'cost_and_usage_data_status.parquet');
  fs.mkdirSync(path.dirname(status), { recursive: true });
  await db().run(`COPY (SELECT 'READY' AS status) TO ${sql(status)} (FORMAT PARQUET)`);
  return report;
}

// ---- syncing, and reading the sheet back ----

function run(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  // Not spawnSync: the Athena server answers from this process.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, CREDIT_DESK_DEBUG: '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

type Row = Record<string, string>;

/** The Credits tab, one object per row by header, sorted by Key; Last Change is when it ran, so it is left out. */
async function creditsTab(file: string): Promise<Row[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.getWorksheet('Credits')!;
  const headers = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
  const rows: Row[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const r: Row = {};
    headers.forEach((h, i) => {
      if (h && h !== 'Last Change') r[h] = String(row.getCell(i).value ?? '');
    });
    rows.push(r);
  });
  return rows.sort((a, b) => a.Key.localeCompare(b.Key));
}

/** The same folder synced through DuckDB and through the Athena server: both Credits tabs. */
async function bothSheets(curDir: string, period: string): Promise<{ duckdb: Row[]; athena: Row[] }> {
  const dir = tmpDir();
  const common = ['--period', period, '--usage-dir', path.join(dir, 'usage')];
  const viaDuckDb = await run(
    ['sync', '--cur', curDir, '--workbook', path.join(dir, 'duckdb.xlsx'), ...common],
    dir,
  );
  expect(viaDuckDb.err).not.toMatch(/^error/m);
  expect(viaDuckDb.code).toBe(0);

  const server = await startAthenaServer({ cur: curDir });
  try {
    const { database, table } = server.cur!;
    const viaAthena = await run(
      [
        'sync',
        '--source',
        'athena',
        '--database',
        database,
        '--table',
        table,
        '--region',
        'us-east-1',
        '--workbook',
        path.join(dir, 'athena.xlsx'),
        ...common,
      ],
      dir,
      {
        CREDIT_DESK_ATHENA_ENDPOINT: server.endpoint,
        AWS_ACCESS_KEY_ID: 'local-test',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      },
    );
    expect(viaAthena.err).not.toMatch(/^error/m);
    expect(viaAthena.code).toBe(0);
    expect(viaAthena.out).toMatch(/athena/i);
  } finally {
    await server.close();
  }
  return {
    duckdb: await creditsTab(path.join(dir, 'duckdb.xlsx')),
    athena: await creditsTab(path.join(dir, 'athena.xlsx')),
  };
}

async function query(server: AthenaServer, database: string, text: string): Promise<string[][]> {
  const client = new AthenaClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const { QueryExecutionId } = await client.send(
      new StartQueryExecutionCommand({ QueryString: text, QueryExecutionContext: { Database: database } }),
    );
    for (;;) {
      const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = QueryExecution?.Status?.State;
      if (state === 'FAILED') throw new Error(QueryExecution?.Status?.StateChangeReason);
      if (state === 'SUCCEEDED') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId }));
    return (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? ''));
  } finally {
    client.destroy();
  }
}

describe('a CUR 2.0 Data Export in Parquet (BILLING_PERIOD= folders, a manifest, an older refresh beside it)', () => {
  it('is table cur.cur2 partitioned by billing_period, holding the manifest’s version only', async () => {
    const bucket = await layCur2ParquetExport();
    const server = await startAthenaServer({ cur: bucket });
    try {
      expect(server.cur).toMatchObject({
        database: 'cur',
        table: 'cur2',
        layout: 'cur2',
        periods: ['2026-04'],
      });
      // 1,882 lines in the current version; the older refresh (900 lines) is not in the table.
      expect(await query(server, 'cur', 'SELECT billing_period, COUNT(*) AS n FROM cur2 GROUP BY 1')).toEqual(
        [
          ['billing_period', 'n'],
          ['2026-04', '1882'],
        ],
      );
    } finally {
      await server.close();
    }
  });

  it('syncs through Athena to the sheet the DuckDB path makes: 7 credits, 47.68 USD, the same flags', async () => {
    const { duckdb, athena } = await bothSheets(await layCur2ParquetExport(), '2026-04');
    expect(duckdb).toHaveLength(7);
    const cents = duckdb.reduce((s, r) => s + Math.round(Number(r.Amount) * 100), 0);
    expect(cents).toBe(4768);
    expect(duckdb.filter((r) => r.Flags.includes('BELOW_MINOR_UNIT'))).toHaveLength(2);
    expect(athena).toEqual(duckdb);
  }, 60_000);
});

describe('a legacy CUR with the Athena integration (AWS Parquet, year=/month= folders)', () => {
  it('is made as crawler-cfn.yml makes it: athenacurcfn_<report>.<report>, year and month as text, and the status table', async () => {
    const report = await layLegacyAthena();
    const server = await startAthenaServer({ cur: report });
    try {
      expect(server.cur).toMatchObject({
        database: 'athenacurcfn_workshop_c_u_r',
        table: 'workshopcur',
        layout: 'legacy',
        periods: ['2018-12', '2018-11', '2018-10'],
      });
      const db = 'athenacurcfn_workshop_c_u_r';
      expect(await query(server, db, 'SELECT status FROM cost_and_usage_data_status')).toEqual([
        ['status'],
        ['READY'],
      ]);
      expect(await query(server, db, 'SELECT DISTINCT year, month FROM workshopcur ORDER BY 2')).toEqual([
        ['year', 'month'],
        ['2018', '10'],
        ['2018', '11'],
        ['2018', '12'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('syncs through Athena to the sheet the DuckDB path makes, each month with its own schema', async () => {
    const { duckdb, athena } = await bothSheets(await layLegacyAthena(), '2018-10');
    expect(duckdb).toHaveLength(1);
    expect(duckdb[0]).toMatchObject({ Description: 'Test credit', Amount: '1.5', Period: '2018-10' });
    expect(athena).toEqual(duckdb);
  }, 60_000);
});

describe('folders the Athena server does not serve', () => {
  async function refusal(dir: string): Promise<string> {
    const err = (await startAthenaServer({ cur: dir }).then(
      (s) => s.close().then(() => new Error('served')),
      (e: unknown) => e,
    )) as Error;
    expect(err.name).toBe('CreditDeskError');
    return err.message;
  }

  it('refuses CSV, legacy or CUR 2.0, naming what AWS’s Athena set-up supports and the command that reads it', async () => {
    const legacy = path.join(tmpDir(), 'test-billing-report');
    put(
      path.join(legacy, '20180201-20180301', 'assembly-1', 'test-billing-report-1.csv.gz'),
      fs.readFileSync(path.join(REAL, 'logzio-test-billing-report-1.csv.gz')),
    );
    const msg = await refusal(legacy);
    expect(msg).toMatch(
      /holds a legacy CUR in CSV \(2018-02\), and AWS's Athena set-up has no table for CSV/,
    );
    expect(msg).toContain(`./credit-desk sync --cur ${legacy}`);

    const cur2 = tmpDir();
    put(
      path.join(cur2, 'data', 'BILLING_PERIOD=2026-04', 'x-00001.csv.gz'),
      zlib.gzipSync(fs.readFileSync(CUR2_CSV)),
    );
    expect(await refusal(cur2)).toMatch(/holds a CUR 2\.0 export in CSV \(2026-04\)/);
  });

  it('refuses a missing, an empty and a non-CUR folder, and a file that is not Parquet, with what to do', async () => {
    const empty = tmpDir();
    expect(await refusal(path.join(empty, 'nope'))).toMatch(/does not exist\.\n {2}→ Point --cur at the CUR/);
    expect(await refusal(empty)).toMatch(/is empty/);
    put(path.join(empty, 'notes', 'costs.xlsx'), 'x');
    expect(await refusal(empty)).toMatch(/holds no CUR: .*\(found: notes\)/);
    const broken = tmpDir();
    put(path.join(broken, 'billing_period=2026-04', 'part-0.parquet'), 'not parquet');
    expect(await refusal(broken)).toMatch(
      /The files of table cur\.cur2 .* cannot be read as Parquet: .*part-0\.parquet.*\n {2}→ A file named above is damaged/s,
    );
  });
});

describe('`npm run servers -- --cur DIR`', () => {
  it('prints a command that syncs through the served CUR when pasted', async () => {
    const checkout = makeCheckoutCopy(tmpDir());
    const report = await layLegacyAthena();
    const servers = await startNpmScript('servers', checkout, /In another shell:\n\n[\s\S]*?\n\n/, [
      '--cur',
      report,
    ]);
    try {
      expect(servers.out).toContain('table athenacurcfn_workshop_c_u_r.workshopcur');
      const printed = /In another shell:\n\n([\s\S]*?)\n\n/.exec(servers.out)![1];
      expect(printed).toMatch(/--database athenacurcfn_workshop_c_u_r --table workshopcur/);
      const r = runPasted(printed, checkout);
      expect(r.err).not.toMatch(/^(error|FAILED)/m);
      expect(r.code).toBe(0);
      // The newest closed month, 2018-12, holds the added credit.
      expect(r.out).toMatch(/added\s+1\b/);
    } finally {
      servers.stop();
    }
  }, 120_000);

  it('a bad folder or argument is one message and an exit code, no stack trace', () => {
    const checkout = makeCheckoutCopy(tmpDir());
    const missing = runPasted(`npm run --silent servers -- --cur ${path.join(tmpDir(), 'nope')}`, checkout);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: The CUR folder .*nope does not exist\./m);
    expect(missing.err).not.toMatch(/^\s+at /m);
    // A relative folder is the user's, from where npm was run, not the package's folder.
    fs.mkdirSync(path.join(checkout, 'sub'));
    const relative = runPasted('cd sub && npm run --silent servers -- --cur ./nope', checkout);
    expect(relative.code).toBe(1);
    expect(relative.err).toContain(
      `The CUR folder ${path.join(fs.realpathSync(checkout), 'sub', 'nope')} does not exist.`,
    );
    const wrong = runPasted('npm run --silent servers -- --cru x', checkout);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(
      /unknown argument "--cru"\.\n {2}→ Run `npm run servers` .*add `-- --cur` and the folder/,
    );
    expect(wrong.err).not.toMatch(/^\s+at /m);
  }, 60_000);
});
