/**
 * Whether AWS has finalised a month (core/aws-bill.ts): read from the credits query's invoice count, recorded in
 * the Config tab, and used by the screening before a collection (core/collect-check.ts) and by the plan of a
 * usage file (core/usage.ts) for a credit taken with --allow-estimated.
 */
import fc from 'fast-check';
import {
  awsBillOfRows,
  awsBillSetting,
  notFinalReason,
  readAwsBills,
  withAwsBills,
  type AwsBill,
} from '../../core/aws-bill';
import { screenForCollect } from '../../core/collect-check';
import { buildSummary } from '../../core/summary';
import { summaryTables } from '../../core/summary-layout';
import { applyCollect, planCollect } from '../../core/usage';
import { configSeed } from '../../core/desk-id';
import { headersOf } from '../../core/sheet-contract';
import type { Grid } from '../../core/table';
import { credit, directory, NOW } from '../helpers/domain';

const DIR = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
]);

const seeded = (): Grid => ({ headers: headersOf('config'), rows: configSeed('CD-test') });

describe('the state of a month from the credits query', () => {
  it('final when any line of the period carries an invoice ID, estimated when none does, unknown without the column', () => {
    expect(awsBillOfRows([{ invoiced_lines: '0' }, { invoiced_lines: '12' }])).toBe('final');
    expect(awsBillOfRows([{ invoiced_lines: 3 }])).toBe('final');
    expect(awsBillOfRows([{ invoiced_lines: '0' }, { invoiced_lines: 0 }])).toBe('estimated');
    expect(awsBillOfRows([{ invoiced_lines: null }, {}])).toBe('unknown');
    // No credit rows: nothing to collect, so nothing to record.
    expect(awsBillOfRows([])).toBeNull();
  });
});

describe('the Config rows', () => {
  it('adds one row per period, keeps every other row, and rewrites only what changed', () => {
    const first = withAwsBills(seeded(), [
      { period: '2026-11', bill: 'estimated' },
      { period: '2026-10', bill: 'final' },
    ])!;
    expect(first.rows.slice(0, 3)).toEqual(seeded().rows);
    expect(first.rows.slice(3).map((r) => [r[0], r[1]])).toEqual([
      ['AWS bill 2026-10', 'final'],
      ['AWS bill 2026-11', 'estimated'],
    ]);
    expect(readAwsBills(first)).toEqual(
      new Map([
        ['2026-10', 'final'],
        ['2026-11', 'estimated'],
      ]),
    );
    // The same states again: nothing to write (a re-sync of a final month does not rewrite the tab).
    expect(withAwsBills(first, [{ period: '2026-10', bill: 'final' }])).toBeNull();
    // AWS finalises November: its row changes in place.
    const later = withAwsBills(first, [{ period: '2026-11', bill: 'final' }])!;
    expect(later.rows).toHaveLength(first.rows.length);
    expect(readAwsBills(later).get('2026-11')).toBe('final');
  });

  it('reads a row typed by hand as written, whatever its case and spacing', () => {
    const grid = seeded();
    grid.rows.push(['  aws  BILL 2026-09 ', ' Final ', ''], ['AWS bill 2026-08', 'yes', '']);
    expect(readAwsBills(grid)).toEqual(
      new Map([
        ['2026-09', 'final'],
        ['2026-08', 'yes'],
      ]),
    );
    expect(notFinalReason('2026-08', 'yes')).toMatch(/"AWS bill 2026-08" row says "yes", not final/);
  });

  it('property: the rows read back are the states written, last write winning', () => {
    const period = fc
      .tuple(fc.integer({ min: 2020, max: 2030 }), fc.integer({ min: 1, max: 12 }))
      .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
    const bill = fc.constantFrom<AwsBill>('final', 'estimated', 'unknown');
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.record({ period, bill }), { maxLength: 5 }), { maxLength: 4 }),
        (runs) => {
          let grid = seeded();
          const expected = new Map<string, string>();
          for (const run of runs) {
            // One sync reads each period once.
            const once = [...new Map(run.map((b) => [b.period, b])).values()];
            grid = withAwsBills(grid, once) ?? grid;
            for (const b of once) expected.set(b.period, b.bill);
          }
          expect(readAwsBills(grid)).toEqual(expected);
          expect(grid.rows.filter((r) => String(r[0]).startsWith('AWS bill'))).toHaveLength(expected.size);
        },
      ),
    );
  });
});

describe('collect takes only credits of final months', () => {
  const assigned = (period: string, n: number) =>
    credit({
      key: `k-${period}-${n}`,
      creditId: `AWSC-${period.replace('-', '')}-0000-000${n}`,
      period,
      status: 'ASSIGNED',
      allocation: 'customer 100%',
      distributorKeeps: 0,
    });
  const rows = [
    { sheetRow: 2, credit: assigned('2026-10', 1) },
    { sheetRow: 3, credit: assigned('2026-11', 2) },
    { sheetRow: 4, credit: assigned('2026-09', 3) },
    { sheetRow: 5, credit: assigned('2026-08', 4) },
  ];
  const bills = new Map([
    ['2026-10', 'final'],
    ['2026-11', 'estimated'],
    ['2026-09', 'unknown'],
  ]);

  it('skips and names the credits of estimated, unknown and unrecorded months, with what to do', () => {
    const screened = screenForCollect(rows, DIR, { awsBills: bills });
    expect(screened.collectable.map((c) => c.period)).toEqual(['2026-10']);
    const why = new Map(screened.skipped.map((s) => [s.creditId, s.reason]));
    expect(why.get('AWSC-202611-0000-0002')).toMatch(
      /^AWS has not finalised 2026-11 \(no invoice ID in the CUR yet\).*sync --period 2026-11.*usage collect --allow-estimated/,
    );
    expect(why.get('AWSC-202609-0000-0003')).toMatch(
      /finalised 2026-09 is unknown: .* no invoice ID column .*a FOCUS 1\.0 export has none\)\. Sync 2026-09 again from a CUR 2\.0 or legacy CUR export that includes it/,
    );
    expect(why.get('AWSC-202608-0000-0004')).toMatch(/no sync has recorded .* "AWS bill 2026-08" row/);
  });

  it('takes them all with --allow-estimated, and the usage file and its Audit rows say which were estimated', () => {
    const screened = screenForCollect(rows, DIR, { awsBills: bills, allowEstimated: true });
    expect(screened.skipped).toEqual([]);
    const file = planCollect(screened.collectable, {
      now: NOW,
      takenFileIds: new Set(),
      directory: DIR,
      deskId: 'CD-test',
      awsBills: bills,
    })!;
    expect(Object.fromEntries(file.records.map((r) => [r.period, r.awsBill]))).toEqual({
      '2026-08': 'not recorded',
      '2026-09': 'unknown',
      '2026-10': undefined,
      '2026-11': 'estimated',
    });
    const audit = applyCollect(file, screened.collectable, NOW).audit.filter((a) => a.field === 'awsBill');
    expect(audit.map((a) => [a.creditId, a.before])).toEqual([
      ['AWSC-202608-0000-0004', 'not recorded'],
      ['AWSC-202609-0000-0003', 'unknown'],
      ['AWSC-202611-0000-0002', 'estimated'],
    ]);
    expect(audit[0].after).toMatch(/--allow-estimated: AWS had not finalised 2026-08/);
  });

  it('leaves the check out when no records are given (callers that screen for other reasons)', () => {
    expect(screenForCollect(rows, DIR).skipped).toEqual([]);
  });
});

describe('the Summary', () => {
  it('shows each period as the Config tab records it, on every row of the period', () => {
    const credits = [
      credit({ key: 'a', period: '2026-10' }),
      credit({ key: 'b', period: '2026-11' }),
      credit({ key: 'c', period: '2026-09' }),
    ];
    const s = buildSummary(credits, {
      directory: DIR,
      currentPeriod: '2026-12',
      awsBills: new Map([
        ['2026-10', 'final'],
        ['2026-11', 'estimated'],
      ]),
    });
    expect(s.periods.map((p) => [p.period, p.awsBill])).toEqual([
      ['2026-11', 'estimated'],
      ['2026-10', 'final'],
      ['2026-09', 'not recorded'],
    ]);
    const table = summaryTables(s).find((t) => t.id === 'periods')!;
    const col = table.headers.indexOf('AWS bill');
    expect(col).toBeGreaterThan(0);
    const byPeriod = new Map<string, Set<unknown>>();
    for (const r of table.rows)
      byPeriod.set(String(r[0]), (byPeriod.get(String(r[0])) ?? new Set()).add(r[col]));
    expect(byPeriod).toEqual(
      new Map([
        ['2026-11', new Set(['estimated'])],
        ['2026-10', new Set(['final'])],
        ['2026-09', new Set(['not recorded'])],
      ]),
    );
  });
});

describe('the setting name', () => {
  it('is the one the reasons name', () => {
    expect(awsBillSetting('2026-10')).toBe('AWS bill 2026-10');
  });
});
