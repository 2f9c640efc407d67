/**
 * changedFields: the fields whose cells differ between two versions of a credit. It compares values first and
 * turns into cells only the ones that differ; this checks it against comparing every field's cell, including a
 * change of currency alone (the same minor units are another cell in a currency with other decimals).
 */
import fc from 'fast-check';
import { changedFields } from '../../core/sheet-state';
import { creditCell } from '../../core/table';
import { CREDIT_COLUMNS, type CreditField } from '../../core/sheet-contract';
import { credit } from '../helpers/domain';

const byCells = (a: ReturnType<typeof credit>, b: ReturnType<typeof credit>) =>
  CREDIT_COLUMNS.map((c) => c.field as CreditField).filter((f) => creditCell(a, f) !== creditCell(b, f));

describe('changedFields', () => {
  it('names a money field when only the currency changed (USD 10.00 and JPY 1000 are other cells)', () => {
    const before = credit({ amount: 1000, distributorKeeps: 400, currency: 'USD' });
    const after = { ...before, currency: 'JPY' };
    expect(changedFields(before, after).sort()).toEqual(['amount', 'currency', 'distributorKeeps']);
  });

  it('is every field whose cell differs, whatever changed', () => {
    const money = fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null });
    const change = fc.record(
      {
        amount: fc.integer({ min: 0, max: 10_000 }),
        distributorKeeps: money,
        currency: fc.constantFrom('USD', 'JPY', 'EUR', 'BHD'),
        status: fc.constantFrom('ASSIGNED', 'PROCESSING'),
        allocation: fc.constantFrom('', 'customer 100%', 'reseller 40%, customer 60%'),
        usageFileId: fc.constantFrom('', 'UF-1'),
        notes: fc.string({ maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(change, change, (a, b) => {
        const before = credit(a);
        const after = { ...before, ...b };
        expect(changedFields(before, after).sort()).toEqual(byCells(before, after).sort());
      }),
      { numRuns: 2000, seed: 25 },
    );
  });
});
