import { buildDirectory } from '../../core/accounts';
import { readCurRows, type RawCurRow } from '../../core/cur';
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
    const { credits, leftOut } = readCurRows(
      [row(), row({ amount: '-0.005', description: 'b' }), row({ amount: '-0.015', description: 'c' })],
      '2026-10',
    );
    expect(leftOut).toEqual([]);
    expect(credits.map((c) => c.amount)).toEqual([1235, 0, 2]);
    // The credit whose lines round to nothing is kept, held for review: money is never dropped silently.
    expect(credits[1].review.map((r) => r.flag)).toEqual(['REVIEW_NOT_POSITIVE']);
  });

  it('imports awkward rows and holds them for review, saying why; leaves out only what cannot be read', () => {
    const { credits, leftOut } = readCurRows(
      [
        row({ usage_account_id: null, description: 'no usage' }),
        row({ payer_account_id: '12ab', description: 'bad payer' }),
        row({
          bad_cost_lines: 1,
          line_count: 1,
          amount: null,
          line_id: 'abc123',
          bad_cost: 'n/a',
          description: 'x',
        }),
        row({ amount: '5.00', description: 'reversed' }),
        row({ currency_code: 'dollars', description: 'currency' }),
        row({ usage_account_id: null, payer_account_id: null, description: 'nobody' }),
        row({ description: 'ok' }),
      ],
      '2026-10',
    );
    const by = new Map(credits.map((c) => [c.description, c]));
    expect(by.get('no usage')).toMatchObject({ accountId: '111111111111', amount: 1235 });
    expect(by.get('no usage')!.review[0]).toMatchObject({
      flag: 'REVIEW_NO_USAGE_ACCOUNT',
      detail: expect.stringMatching(/usage account NULL; the payer 111111111111 is shown instead/),
    });
    expect(by.get('bad payer')!.review.map((r) => r.flag)).toEqual(['REVIEW_NO_PAYER_ACCOUNT']);
    expect(by.get('reversed')).toMatchObject({ amount: -500 });
    expect(by.get('reversed')!.review[0].detail).toMatch(/net to 5.00 USD/);
    expect(by.get('currency')).toMatchObject({ currency: 'XXX' });
    expect(by.get('currency')!.review[0].detail).toMatch(/"dollars" is not an ISO 4217 code/);
    expect(by.get('ok')!.review).toEqual([]);
    expect(leftOut).toEqual([
      expect.objectContaining({
        lineId: 'abc123',
        lines: 1,
        amount: null,
        reason: 'the cost "n/a" is not a number',
      }),
      expect.objectContaining({
        lineId: '',
        amount: 1235,
        reason: expect.stringMatching(/neither a usage account nor a payer/),
      }),
    ]);
  });

  it('nets the rows of one key (whitespace variants of a description), reversal included', () => {
    const { credits, reconciliation } = readCurRows(
      [
        row({ amount: '-10.00', description: 'MAP  credit' }),
        row({ amount: '4.00', description: 'MAP credit' }),
      ],
      '2026-10',
    );
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ amount: 600, review: [] });
    expect(reconciliation).toEqual([
      expect.objectContaining({ cur: 600, imported: 600, flagged: 0, leftOut: 0, importedCredits: 1 }),
    ]);
  });

  it("does not merge a credit with no usage account into the payer's own credit of the same description", () => {
    const { credits } = readCurRows(
      [row({ usage_account_id: '111111111111' }), row({ usage_account_id: null })],
      '2026-10',
    );
    expect(credits).toHaveLength(2);
    expect(new Set(credits.map((c) => c.key)).size).toBe(2);
  });

  it('reads account IDs that lost their leading zeros (a numeric CUR column) as the 12-digit text, same key', () => {
    const text = readCurRows(
      [row({ payer_account_id: '011111111111', usage_account_id: '002222222222' })],
      '2026-10',
    ).credits[0];
    // As DuckDB or Athena hand over a BIGINT column, and as a number would reach the reader.
    const numeric = readCurRows(
      [row({ payer_account_id: '11111111111', usage_account_id: 2222222222 as unknown as string })],
      '2026-10',
    ).credits[0];
    expect(numeric).toEqual(text);
    expect(numeric).toMatchObject({ payerAccountId: '011111111111', accountId: '002222222222', review: [] });
  });

  it('keeps non-Latin and formula-like descriptions exactly as they are', () => {
    const { credits } = readCurRows(
      [row({ description: '=HYPERLINK("http://x")' }), row({ description: 'ائتمان クレジット' })],
      '2026-10',
    );
    expect(credits.map((c) => c.description)).toEqual(['=HYPERLINK("http://x")', 'ائتمان クレジット']);
  });

  it('replaces characters a spreadsheet cannot hold by a visible form, once, and keeps the key of the raw text', () => {
    const raw = 'a\u0000b\u001bc\u007fd\ud800e _x0041_ \r\n\t';
    const { credits } = readCurRows([row({ description: raw })], '2026-10');
    expect(credits[0].description).toBe('a\u2400b\u241bc\u2421d\ufffde _x0041_ \r\n\t');
    expect(credits[0].key).toBe(readCurRows([row({ description: raw })], '2026-10').credits[0].key);
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
