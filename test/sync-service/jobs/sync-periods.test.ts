/**
 * `sync --period P` needs no discovery query (listPeriods is a whole Athena query): the target is read
 * directly, the period before it is optional, and an absent target is still reported as one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreditDeskError } from '../../../core/errors';
import { runSync } from '../../../sync-service/jobs/sync';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../../../sync-service/sources/source';

const row = (period: string, i: number): RawCreditRow => ({
  billing_period: period,
  payer_account_id: '999999999999',
  usage_account_id: '123456789012',
  product_code: 'AmazonEC2',
  description: `Credit ${i}`,
  currency_code: 'USD',
  amount: '-12.34',
  line_count: 1,
  bad_cost_lines: 0,
});

/** A source holding `periods`; asking for another one fails like the DuckDB source does. */
function source(periods: string[]) {
  const calls = { listPeriods: 0, fetched: [] as string[] };
  const s: CreditSource = {
    listPeriods: async () => {
      calls.listPeriods++;
      return periods;
    },
    fetchCredits: async (period) => {
      calls.fetched.push(period);
      if (!periods.includes(period)) throw new CreditDeskError('NO_DATA', `No CUR data for ${period}.`);
      return { rows: [row(period, 1), row(period, 2)], label: 'fake' };
    },
    close: async () => {},
  };
  return { s, calls };
}

describe('sync --period', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'credit-desk-periods-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sync = (src: CreditSource, period: string, previous = true) =>
    runSync(
      resolveSettings({ workbook: join(dir, 'credits.xlsx'), period }, {}),
      { previous, dryRun: true },
      {
        source: src,
        sink: createWorkbookSink({ path: join(dir, 'credits.xlsx') }),
        reporter: silentReporter,
        now: new Date('2026-11-26T00:00:00Z'),
      },
    );

  it('reads the period and the one before without a discovery query', async () => {
    const { s, calls } = source(['2026-09', '2026-10']);
    const report = await sync(s, '2026-10');
    expect(calls.listPeriods).toBe(0);
    expect(report.periods).toEqual(['2026-09', '2026-10']);
    expect(report.merge.adds).toHaveLength(4);
  });

  it('skips a previous period the source does not have', async () => {
    const { s, calls } = source(['2026-10']);
    const report = await sync(s, '2026-10');
    expect(calls.listPeriods).toBe(0);
    expect(calls.fetched.sort()).toEqual(['2026-09', '2026-10']);
    expect(report.periods).toEqual(['2026-10']);
    expect(report.merge.adds).toHaveLength(2);
  });

  it('with --no-previous, one query in all', async () => {
    const { s, calls } = source(['2026-09', '2026-10']);
    await sync(s, '2026-10', false);
    expect(calls).toEqual({ listPeriods: 0, fetched: ['2026-10'] });
  });

  it('an absent period is still refused with the periods that have data', async () => {
    const { s } = source(['2026-10']);
    const empty: CreditSource = { ...s, fetchCredits: async () => ({ rows: [], label: 'fake' }) };
    await expect(sync(empty, '2019-01')).rejects.toThrow(/no billing period 2019-01[\s\S]*2026-10/);
  });
});
