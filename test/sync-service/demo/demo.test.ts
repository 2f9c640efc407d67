import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { buildDirectory } from '../../../core/accounts';
import { ACCOUNT_COLUMNS, RULE_COLUMNS } from '../../../core/sheet-contract';
import { parseRules } from '../../../core/rules';
import { readRecords } from '../../../core/table';
import { runDemoData } from '../../../sync-service/jobs/demo-data';
import { AWKWARD_CREDIT_DESCRIPTIONS, LINE_TYPE_SHARES } from '../../../sync-service/demo/catalog';
import { generateDemoData, monthsEnding, previousMonth } from '../../../sync-service/demo/generate';
import { createDuckDbSource } from '../../../sync-service/sources/duckdb';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';

const tmpDir = useTempDirs('credit-desk-demo-');
const db = useDuckDb();

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await db().runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

function csvPath(p: string): string {
  return `'${p.replace(/'/g, "''")}'`;
}

/** Reads a CSV the way a sheet import would: every cell as text, header row kept apart. */
async function readCsv(file: string): Promise<{ headers: string[]; rows: string[][] }> {
  const reader = await db().runAndReadAll(
    `SELECT * FROM read_csv(${csvPath(file)}, all_varchar = true, header = true)`,
  );
  return {
    headers: reader.columnNames(),
    rows: reader.getRowsJson().map((r) => r.map((c) => (c === null ? '' : String(c)))),
  };
}

describe('generateDemoData, CUR 2.0 layout', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof generateDemoData>>;
  const progress: string[] = [];

  beforeAll(async () => {
    out = tmpDir();
    result = await generateDemoData({
      outDir: out,
      months: 2,
      linesPerMonth: 20_000,
      endPeriod: '2026-01',
      onProgress: (m) => progress.push(m),
    });
  });

  it('writes one hive partition per month, across the year boundary, and reports progress', () => {
    expect(result.periods).toEqual(['2025-12', '2026-01']);
    for (const p of result.periods)
      expect(fs.existsSync(path.join(out, 'cur', `billing_period=${p}`, 'part-0.parquet'))).toBe(true);
    expect(progress).toContain('month 2026-01: 20,000 lines');
  });

  it('uses CUR 2.0 column names and types, with no billing_period column inside the files', async () => {
    const cols = await query(
      `DESCRIBE SELECT * FROM read_parquet(${csvPath(result.parquetFiles[0])}, hive_partitioning = false)`,
    );
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    for (const name of [
      'identity_line_item_id',
      'bill_billing_period_start_date',
      'bill_billing_period_end_date',
      'bill_payer_account_id',
      'bill_invoice_id',
      'bill_billing_entity',
      'line_item_usage_account_id',
      'line_item_line_item_type',
      'line_item_product_code',
      'line_item_line_item_description',
      'line_item_usage_start_date',
      'line_item_usage_end_date',
      'line_item_currency_code',
      'line_item_blended_cost',
      'line_item_usage_amount',
      'product_servicecode',
      'product_region',
    ]) {
      expect(types).toHaveProperty(name);
    }
    expect(types.line_item_unblended_cost).toBe('DOUBLE');
    expect(types).not.toHaveProperty('billing_period');
  });

  it('mixes every line type, with credits at 2-4 % of lines, negative and with up to 10 decimals', async () => {
    const file = csvPath(result.parquetFiles[1]);
    const mix = await query(
      `SELECT line_item_line_item_type AS t, count(*) AS n FROM read_parquet(${file}) GROUP BY 1`,
    );
    const counts = Object.fromEntries(mix.map((r) => [r.t, Number(r.n)]));
    for (const share of LINE_TYPE_SHARES) expect(counts[share.type]).toBeGreaterThan(0);
    expect(counts.Usage).toBeGreaterThan(20_000 / 2);
    expect(counts.Credit / 20_000).toBeGreaterThanOrEqual(0.02);
    expect(counts.Credit / 20_000).toBeLessThanOrEqual(0.04);

    const [credits] = await query(`SELECT max(line_item_unblended_cost) AS mx,
        max(length(split_part(CAST(CAST(line_item_unblended_cost AS DECIMAL(38, 10)) AS VARCHAR), '.', 2))) AS decimals,
        count(DISTINCT line_item_product_code) AS products, count(DISTINCT bill_payer_account_id) AS payers,
        count(DISTINCT line_item_usage_account_id) AS accounts
      FROM read_parquet(${file}) WHERE line_item_line_item_type = 'Credit'`);
    expect(Number(credits.mx)).toBeLessThan(0);
    expect(Number(credits.decimals)).toBe(10);
    expect(Number(credits.products)).toBeGreaterThanOrEqual(3);
    expect(Number(credits.payers)).toBe(3);
    expect(Number(credits.accounts)).toBeGreaterThanOrEqual(20);
  });

  it('repeats the same credit on several lines per account and service, with real and awkward descriptions', async () => {
    const source = await createDuckDbSource({ curDir: result.curDir });
    try {
      const { rows } = await source.fetchCredits('2026-01');
      const lineCounts = rows.map((r) => Number(r.line_count));
      expect(lineCounts.filter((n) => n > 1).length / rows.length).toBeGreaterThan(0.5);
      const descriptions = new Set(rows.map((r) => r.description));
      for (const d of [
        'AWS Promotional Credit',
        'AWS Activate Credit',
        'AWS Support (Business) Credit',
        ...AWKWARD_CREDIT_DESCRIPTIONS,
      ]) {
        expect(descriptions).toContain(d);
      }
      expect([...descriptions].some((d) => d?.startsWith('MAP 2.0 Migration Credit - MPE'))).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('writes accounts.csv that the Accounts tab reader accepts, leaving out accounts that do have credits', async () => {
    const csv = await readCsv(result.accountsCsv);
    expect(csv.headers).toEqual(ACCOUNT_COLUMNS.map((c) => c.header));
    const directory = buildDirectory(readRecords('accounts', csv), 'accounts.csv');
    const ids = [...directory.byAccount.keys()];
    expect(ids.length).toBeGreaterThanOrEqual(20);
    expect(ids.some((id) => id.startsWith('0'))).toBe(true);
    expect(directory.customers.size).toBe(12);
    expect(directory.resellers.size).toBe(4);
    for (const a of directory.byAccount.values()) {
      expect(a.assetId).toMatch(/^AS-\d{4}-\d{4}-\d{4}$/);
      expect(a.customerId).toMatch(/^CUST-\d{6}$/);
      expect(a.resellerId).toMatch(/^RES-\d{4}$/);
    }
    const creditAccounts = await query(
      `SELECT DISTINCT line_item_usage_account_id AS id FROM read_parquet(${csvPath(result.parquetFiles[1])}) WHERE line_item_line_item_type = 'Credit'`,
    );
    const unknown = creditAccounts.map((r) => String(r.id)).filter((id) => !directory.byAccount.has(id));
    expect(unknown.length).toBeGreaterThanOrEqual(1);
    expect(unknown.length).toBeLessThanOrEqual(2);
  });

  it('writes rules.csv with the Rules tab headers and rules that match generated credits', async () => {
    const csv = await readCsv(result.rulesCsv);
    expect(csv.headers).toEqual(RULE_COLUMNS.map((c) => c.header));
    expect(csv.rows.length).toBeGreaterThanOrEqual(5);
    expect(csv.rows.length).toBeLessThanOrEqual(8);
    const col = (h: string): number => csv.headers.indexOf(h);
    const descriptions = (
      await query(
        `SELECT DISTINCT line_item_line_item_description AS d FROM read_parquet(${csvPath(path.join(out, 'cur', '*', '*.parquet'))}) WHERE line_item_line_item_type = 'Credit'`,
      )
    ).map((r) => String(r.d));
    for (const rule of csv.rows) {
      const [text, match] = [rule[col('Credit Description')], rule[col('Match')]];
      const hits = descriptions.filter((d) =>
        text === ''
          ? true
          : match === 'exact'
            ? d === text
            : match === 'contains'
              ? d.includes(text)
              : new RegExp(text).test(d),
      );
      expect({ rule: rule[col('Rule ID')], hits: hits.length > 0 }).toEqual({
        rule: rule[col('Rule ID')],
        hits: true,
      });
    }
    expect(csv.rows.some((r) => r[col('Enabled')] === 'FALSE')).toBe(true);
    expect(csv.rows.some((r) => r[col('Match')] === 'regex')).toBe(true);
    expect(csv.rows.some((r) => r[col('From')] !== '' && r[col('To')] !== '')).toBe(true);
    expect(csv.rows.some((r) => r[col('Reseller Context')] === 'ONLY')).toBe(true);
    const parsed = parseRules(readRecords('rules', csv));
    expect(parsed.problems).toEqual([]);
    expect(parsed.rules).toHaveLength(csv.rows.length);
  });
});

describe('generateDemoData, other options', () => {
  it('is deterministic: the same seed gives the same credit totals, another seed different ones', async () => {
    const runs = await Promise.all(
      [42, 42, 7].map(async (seed) => {
        const r = await generateDemoData({
          outDir: tmpDir(),
          months: 1,
          linesPerMonth: 5_000,
          seed,
          endPeriod: '2026-03',
        });
        const source = await createDuckDbSource({ curDir: r.curDir });
        try {
          return (await source.fetchCredits('2026-03')).rows;
        } finally {
          await source.close();
        }
      }),
    );
    expect(runs[0].length).toBeGreaterThan(10);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).not.toEqual(runs[0]);
  });

  it('writes the legacy layout with unpadded months, and the oldest month padded', async () => {
    const out = tmpDir();
    const r = await generateDemoData({
      outDir: out,
      months: 3,
      linesPerMonth: 1_000,
      layout: 'legacy',
      endPeriod: '2026-09',
    });
    expect(r.parquetFiles.map((f) => path.relative(path.join(out, 'cur'), f))).toEqual([
      path.join('year=2026', 'month=07', 'part-0.parquet'),
      path.join('year=2026', 'month=8', 'part-0.parquet'),
      path.join('year=2026', 'month=9', 'part-0.parquet'),
    ]);
  });

  it('replaces its own earlier output but refuses to delete a folder it did not write', async () => {
    const out = tmpDir();
    await generateDemoData({ outDir: out, months: 1, linesPerMonth: 100, endPeriod: '2026-09' });
    await generateDemoData({
      outDir: out,
      months: 1,
      linesPerMonth: 100,
      layout: 'legacy',
      endPeriod: '2026-09',
    });
    expect(fs.readdirSync(path.join(out, 'cur')).filter((n) => !n.startsWith('.'))).toEqual(['year=2026']);

    const foreign = tmpDir();
    fs.mkdirSync(path.join(foreign, 'cur'));
    fs.writeFileSync(path.join(foreign, 'cur', 'real-export.parquet'), 'x');
    await expect(generateDemoData({ outDir: foreign, months: 1, linesPerMonth: 100 })).rejects.toThrow(
      /refusing to replace/,
    );
    expect(fs.existsSync(path.join(foreign, 'cur', 'real-export.parquet'))).toBe(true);
  });

  it('refuses nonsense sizes with a message that names the option', async () => {
    await expect(generateDemoData({ outDir: tmpDir(), months: 0 })).rejects.toThrow(
      /months must be a whole number/,
    );
    await expect(generateDemoData({ outDir: tmpDir(), linesPerMonth: 1.5 })).rejects.toThrow(
      /lines per month/,
    );
    await expect(generateDemoData({ outDir: tmpDir(), endPeriod: '2026-13' })).rejects.toThrow(
      /not a billing period/,
    );
  });
});

describe('months', () => {
  it('previousMonth is the last closed month in UTC', () => {
    expect(previousMonth(new Date('2026-01-15T00:00:00Z'))).toBe('2025-12');
    expect(previousMonth(new Date('2026-10-01T00:30:00Z'))).toBe('2026-09');
  });

  it('monthsEnding gives `count` consecutive months, oldest first, ending with `end`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        (y, m, count) => {
          const end = `${y}-${String(m).padStart(2, '0')}`;
          const months = monthsEnding(end, count);
          expect(months).toHaveLength(count);
          expect(months[months.length - 1]).toBe(end);
          for (let i = 1; i < months.length; i++) {
            const [py, pm] = months[i - 1].split('-').map(Number);
            const [cy, cm] = months[i].split('-').map(Number);
            expect(cy * 12 + cm - (py * 12 + pm)).toBe(1);
          }
        },
      ),
    );
  });
});

describe('runDemoData', () => {
  it('prints progress to stderr and one summary line to stdout, and returns 0', async () => {
    const out = tmpDir();
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runDemoData(
      { out, months: 2, lines: 500, seed: 3, legacy: true },
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    );
    expect(code).toBe(0);
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(/^Wrote 1,000 CUR lines \(\d{4}-\d{2} to \d{4}-\d{2}, legacy layout\)/);
    expect(stderr.filter((l) => /^month \d{4}-\d{2}: 500 lines$/.test(l))).toHaveLength(2);
    expect(fs.readdirSync(path.join(out, 'cur'))).toContain(`year=${previousMonth().slice(0, 4)}`);
  });
});
