import { buildDirectory } from '../../core/accounts';
import { validateCurRows, type RawCurRow } from '../../core/cur';
import { parseConfig } from '../../core/config';
import { parseRules } from '../../core/rules';
import { ruleRecord } from './rules/fixtures';

const row = (p: Partial<RawCurRow> = {}): RawCurRow => ({
  billing_period: '2026-10',
  payer_account_id: '111111111111',
  usage_account_id: '222222222222',
  product_code: 'AmazonEC2',
  description: 'AWS Promotional Credit',
  currency_code: 'USD',
  amount: '-12.3456789012',
  line_count: 3,
  bad_cost_lines: 0,
  ...p,
});

describe('CUR rows', () => {
  it('turns negative costs into positive credits, rounded half to even to the cent', () => {
    const { credits, rejected } = validateCurRows(
      [row(), row({ amount: '-0.005', description: 'b' }), row({ amount: '-0.015', description: 'c' })],
      '2026-10',
    );
    expect(rejected).toEqual([]);
    expect(credits.map((c) => c.amount)).toEqual([1235, 0, 2].filter((a) => a !== 0));
  });

  it('rejects null accounts, non-numeric costs, positive "credits" and bad currencies, saying which row', () => {
    const { credits, rejected } = validateCurRows(
      [
        row({ usage_account_id: null }),
        row({ payer_account_id: '12ab' }),
        row({ bad_cost_lines: 2 }),
        row({ amount: 'abc' }),
        row({ amount: '5.00' }),
        row({ currency_code: 'dollars' }),
        row({ description: 'ok' }),
      ],
      '2026-10',
    );
    expect(credits).toHaveLength(1);
    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rejected[0].reason).toMatch(/usage account is NULL.*payer 111111111111/);
    expect(rejected[2].reason).toMatch(/2 CUR line\(s\) have a cost that is not a number/);
    expect(rejected[4].reason).toMatch(/positive cost/);
    expect(rejected[5].reason).toMatch(/ISO 4217/);
  });

  it('keeps non-Latin and formula-like descriptions exactly as they are', () => {
    const { credits } = validateCurRows(
      [row({ description: '=HYPERLINK("http://x")' }), row({ description: 'ائتمان クレジット' })],
      '2026-10',
    );
    expect(credits.map((c) => c.description)).toEqual(['=HYPERLINK("http://x")', 'ائتمان クレジット']);
  });
});

describe('accounts and config', () => {
  const rec = (row: number, accountId: string, customerId = 'C') => ({
    row,
    record: {
      accountId,
      accountName: '',
      customerId,
      customerName: '',
      assetId: '',
      resellerId: 'R',
      resellerName: '',
    },
  });
  it('refuses duplicate and malformed accounts, naming the source and rows', () => {
    expect(() => buildDirectory([rec(2, '222222222222'), rec(3, '222222222222')], 'accounts.csv')).toThrow(
      /accounts.csv.*row 3.*already listed on row 2/s,
    );
    expect(() => buildDirectory([rec(2, '12-34')], 'Accounts tab')).toThrow(/row 2.*12 digits|12-digit/);
    const dir = buildDirectory([rec(2, '22222222222'), rec(3, '333333333333', 'C2')], 'x');
    expect([...dir.byAccount.keys()]).toEqual(['022222222222', '333333333333']);
    expect([...dir.customers]).toEqual(['C', 'C2']);
  });
  it('reads the default configuration and refuses one over 100%', () => {
    const cfg = (c: string, r: string) => [
      { row: 2, record: { setting: 'Default customer %', value: c, notes: '' } },
      { row: 3, record: { setting: 'Default reseller %', value: r, notes: '' } },
    ];
    expect(parseConfig(cfg('70', '30%'))).toEqual({ customerBp: 7000, resellerBp: 3000 });
    expect(parseConfig([])).toEqual({ customerBp: 10000, resellerBp: 0 });
    expect(() => parseConfig(cfg('80', '30'))).toThrow(/over 100%/);
    expect(() => parseConfig(cfg('abc', '0'))).toThrow(/Config row 2/);
  });
});

describe('percentages typed into percent-formatted cells', () => {
  it("refuses a numeric 0.7 (a spreadsheet's 70%) instead of reading 0.7 %, in rules and config", () => {
    const { rules, problems } = parseRules([
      { row: 4, record: ruleRecord({ customerPercent: 0.7, resellerPercent: 0.3 }) },
    ]);
    expect(rules).toHaveLength(0);
    expect(problems[0]).toMatchObject({ row: 4, field: 'Customer %' });
    expect(problems[0].message).toMatch(/formatted as a percentage stores 70%/);
    expect(() =>
      parseConfig([{ row: 2, record: { setting: 'Default customer %', value: 1, notes: '' } }]),
    ).toThrow(/Config row 2.*100%/s);
    expect(
      parseConfig([{ row: 2, record: { setting: 'Default customer %', value: 70, notes: '' } }]).customerBp,
    ).toBe(7000);
  });
});
