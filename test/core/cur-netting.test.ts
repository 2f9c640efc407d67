/**
 * Netting before rounding (issue 21, item 7). The query sums the lines of one GROUP BY row exactly, but rows
 * whose descriptions differ only in whitespace or Unicode form are one credit (core/ids.ts creditKey): their
 * amounts must be summed exactly too and rounded once, and the CUR total must not carry a per-row rounding.
 */
import { formatReconciliation, readCurRows, type RawCurRow } from '../../core/cur';
import { displayMoney } from '../../core/money';

const row = (p: Partial<RawCurRow> = {}): RawCurRow => ({
  billing_period: '2026-10',
  payer_account_id: '111111111111',
  usage_account_id: '222222222222',
  product_code: 'AmazonEC2',
  description: 'MAP credit',
  currency_code: 'USD',
  amount: '-0.0150000000',
  line_count: 1,
  bad_cost_lines: 0,
  line_id: null,
  ...p,
});

describe('netting before rounding', () => {
  it.each([
    ['whitespace', 'MAP credit', ' MAP \t credit'],
    ['Unicode form (NFC and NFD)', 'Crédit MAP'.normalize('NFC'), 'Crédit MAP'.normalize('NFD')],
  ])('two lines of -0.015 USD whose descriptions differ only in %s are one credit of 0.03', (_what, a, b) => {
    expect(a).not.toBe(b); // two rows of the query, as its GROUP BY sees them
    const { credits, leftOut, reconciliation } = readCurRows(
      [row({ description: a }), row({ description: b })],
      '2026-10',
    );
    expect(leftOut).toEqual([]);
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ amount: 3, description: a, review: [] });
    expect(reconciliation).toEqual([
      expect.objectContaining({
        cur: 3,
        imported: 3,
        flagged: 0,
        leftOut: 0,
        rounding: 0,
        importedCredits: 1,
      }),
    ]);
    expect(formatReconciliation(reconciliation[0], displayMoney)).toMatch(
      /^2026-10 USD {2}CUR 0\.03 USD = imported 0\.03 USD \+ held 0\.00 USD \+ left out 0\.00 USD {2}\(/,
    );
  });

  it('nets a reversal exactly before rounding: -0.015 - 0.015 + 0.005 is 0.025, rounded half to even to 0.02', () => {
    const { credits } = readCurRows(
      [
        row({ description: 'MAP credit' }),
        row({ description: 'MAP  credit' }),
        row({ description: 'MAP credit ', amount: '0.0050000000' }),
      ],
      '2026-10',
    );
    expect(credits.map((c) => c.amount)).toEqual([2]);
  });

  it('rounds each currency to its own minor unit, once', () => {
    const { credits } = readCurRows(
      [
        row({ currency_code: 'JPY', amount: '-0.3' }),
        row({ currency_code: 'JPY', description: 'MAP  credit', amount: '-0.3' }),
        row({ currency_code: 'KWD', amount: '-0.0004' }),
        row({ currency_code: 'KWD', description: 'MAP  credit', amount: '-0.0004' }),
      ],
      '2026-10',
    );
    expect(credits.map((c) => [c.currency, c.amount])).toEqual([
      ['JPY', 1],
      ['KWD', 1],
    ]);
  });

  it('prints the CUR total as the exact sum rounded once, with the rounding of separate credits as its own term', () => {
    // Two different credits of 0.005 each: each rounds to 0.00 (half to even) and is imported as a credit worth
    // less than a cent, but the CUR holds 0.01 of credit; the 0.01 shows as rounding instead of vanishing.
    const { credits, reconciliation } = readCurRows(
      [row({ amount: '-0.005' }), row({ description: 'Promo', amount: '-0.005' })],
      '2026-10',
    );
    expect(credits.map((c) => c.amount)).toEqual([0, 0]);
    expect(reconciliation[0]).toMatchObject({ cur: 1, imported: 0, flagged: 0, leftOut: 0, rounding: 1 });
    expect(formatReconciliation(reconciliation[0], displayMoney)).toMatch(
      /CUR 0\.01 USD = imported 0\.00 USD \+ held 0\.00 USD \+ left out 0\.00 USD \+ rounding 0\.01 USD {2}\(2 imported, 2 of them worth less than 0\.01 USD and shown as 0\.00 USD, 0 held\)$/,
    );
  });

  it('lists left-out rows with their own rounded values and keeps the balance through rounding', () => {
    const nobody = { usage_account_id: null, payer_account_id: null };
    const { leftOut, reconciliation } = readCurRows(
      [row({ ...nobody }), row({ ...nobody, description: 'MAP  credit' })],
      '2026-10',
    );
    expect(leftOut.map((l) => l.amount)).toEqual([2, 2]);
    expect(reconciliation[0]).toMatchObject({ cur: 3, leftOut: 4, rounding: -1 });
  });

  it('still leaves out a row too large for exact minor units instead of stopping the month', () => {
    const { credits, leftOut } = readCurRows(
      [row({ amount: '-100000000000000.00' }), row({ description: 'Promo' })],
      '2026-10',
    );
    expect(credits.map((c) => c.description)).toEqual(['Promo']);
    expect(leftOut).toEqual([
      expect.objectContaining({
        amount: null,
        reason: 'the summed cost "-100000000000000.00" is not a number',
      }),
    ]);
  });
});
