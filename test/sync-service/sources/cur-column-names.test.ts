/**
 * Telling a FOCUS export from a CUR by its header, and the renaming that lets the one credits query read it
 * (sync-service/sources/cur-column-names.ts). The files themselves are read in cur-as-delivered.test.ts.
 */
import fc from 'fast-check';
import {
  athenaColumnName,
  focusColumns,
  isFocusHeader,
  missingFocusColumns,
} from '../../../sync-service/sources/cur-column-names';

/** What a credit needs, in AWS's FOCUS 1.0 names (data dictionary), written out here rather than imported. */
const NEEDED = [
  'ChargeCategory',
  'BillingAccountId',
  'SubAccountId',
  'x_ServiceCode',
  'ChargeDescription',
  'BillingCurrency',
  'BilledCost',
];
const OTHERS = ['ServiceName', 'BillingPeriodStart', 'ChargeClass', 'Tags', 'x_UsageType', 'RegionId'];
const QUERY_NAMES = [
  'line_item_line_item_type',
  'bill_payer_account_id',
  'line_item_usage_account_id',
  'line_item_product_code',
  'line_item_line_item_description',
  'line_item_currency_code',
  'line_item_unblended_cost',
];

const anyCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((ch, i) => (up[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));

describe('FOCUS 1.0 headers', () => {
  it('renames each column a credit needs to the name the query reads, in any case and order, and keeps the rest', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...NEEDED, ...OTHERS], { minLength: NEEDED.length + OTHERS.length }),
        fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
        (order, lower) => {
          const headers = order.map((h, i) => (lower[i] ? h.toLowerCase() : h));
          const out = focusColumns(headers);
          expect(out.map((c) => c.header)).toEqual(headers);
          for (const c of out) {
            const at = NEEDED.findIndex((n) => n.toLowerCase() === c.header.toLowerCase());
            expect(c.name).toBe(at >= 0 ? QUERY_NAMES[at] : c.header);
          }
          expect(isFocusHeader(headers)).toBe(true);
          expect(missingFocusColumns(headers)).toEqual([]);
        },
      ),
    );
  });

  it('names exactly the needed columns a header lacks, and still knows it for FOCUS while two are there', () => {
    fc.assert(
      fc.property(fc.subarray(NEEDED), (present) => {
        const headers = [...present, ...OTHERS];
        expect(missingFocusColumns(headers)).toEqual(NEEDED.filter((n) => !present.includes(n)));
        expect(isFocusHeader(headers)).toBe(present.length >= 2);
      }),
    );
  });

  it('never takes a CUR for FOCUS: a CUR 2.0 or legacy line type column rules it out', () => {
    fc.assert(
      fc.property(anyCase('line_item_line_item_type'), (type) => {
        expect(isFocusHeader([type, ...NEEDED])).toBe(false);
      }),
    );
    expect(isFocusHeader(['lineItem/LineItemType', ...NEEDED])).toBe(false);
    expect(isFocusHeader(QUERY_NAMES)).toBe(false);
    // The legacy rule is untouched: FOCUS names have no `category/` part.
    expect(athenaColumnName('lineItem/UnblendedCost')).toBe('line_item_unblended_cost');
  });
});
