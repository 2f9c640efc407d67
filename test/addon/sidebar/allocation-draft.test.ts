import fc from 'fast-check';
import { parseAllocation, resolveAllocation } from '../../../core/allocation';
import { parseDecimal } from '../../../core/money';
import type { TargetOption } from '../../../addon/api';
import {
  draftFromAllocation,
  emptyDraft,
  evaluateDraft,
  type AllocationDraft,
  type DraftCredit,
} from '../../../addon/sidebar/allocation-draft';

const credit: DraftCredit = {
  creditId: 'CR-1',
  amount: '100.01',
  currency: 'USD',
  customerId: 'CUST-1',
  resellerId: 'RES-1',
};
const targets: TargetOption[] = [
  { role: 'customer', id: 'CUST-1', name: 'Acme' },
  { role: 'customer', id: 'CUST-2', name: 'Globex' },
  { role: 'reseller', id: 'RES-1', name: 'Resell Co' },
];

describe('evaluateDraft', () => {
  it('builds the canonical text and exact lines for a three-way split', () => {
    const draft: AllocationDraft = {
      customerPercent: '50',
      resellerPercent: '30',
      extras: [{ role: 'customer', targetId: 'CUST-2', mode: 'amount', value: '5.5' }],
    };
    const out = evaluateDraft(draft, credit, targets);
    expect(out.errors).toEqual({});
    expect(out.text).toBe('customer 50%, reseller 30%, customer CUST-2 5.50');
    expect(out.lines.map((l) => [l.role, l.targetId, l.name, l.amount])).toEqual([
      ['customer', 'CUST-1', 'Acme', '50.01'],
      ['reseller', 'RES-1', 'Resell Co', '30.00'],
      ['customer', 'CUST-2', 'Globex', '5.50'],
      ['distributor', '', '', '14.50'],
    ]);
    expect(out.distributorKeeps).toBe('14.50');
  });

  it('puts an over-100 % input error next to that input', () => {
    const out = evaluateDraft({ ...emptyDraft(), customerPercent: '120' }, credit, targets);
    expect(out.text).toBeNull();
    expect(out.errors.customerPercent).toMatch(/over 100 %/);
    expect(out.errors.resellerPercent).toBeUndefined();
  });

  it('reports percentages that add up to more than 100 % on the whole allocation', () => {
    const out = evaluateDraft({ customerPercent: '70', resellerPercent: '40', extras: [] }, credit, targets);
    expect(out.errors.total).toMatch(/110 %, over 100 %/);
    expect(out.lines).toEqual([]);
  });

  it('marks a missing target and a bad amount on their extra row', () => {
    const out = evaluateDraft(
      {
        ...emptyDraft(),
        extras: [
          { role: 'customer', targetId: '', mode: 'percent', value: '10' },
          { role: 'reseller', targetId: 'RES-1', mode: 'amount', value: '1.234' },
        ],
      },
      credit,
      targets,
    );
    expect(out.errors['extra.0.targetId']).toMatch(/Choose the customer/);
    expect(out.errors['extra.1.value']).toMatch(/more than 2 decimals/);
  });

  it('refuses fixed amounts over the credit with the core message', () => {
    const out = evaluateDraft(
      {
        ...emptyDraft(),
        extras: [{ role: 'customer', targetId: 'CUST-2', mode: 'amount', value: '100.02' }],
      },
      credit,
      targets,
    );
    expect(out.errors.total).toMatch(/over the 100.01 USD credit by 0.01 USD/);
  });

  it('refuses an explicit ID that is not among the targets', () => {
    const out = evaluateDraft(
      { ...emptyDraft(), extras: [{ role: 'customer', targetId: 'CUST-404', mode: 'percent', value: '10' }] },
      credit,
      targets,
    );
    expect(out.errors.total).toMatch(/CUST-404, which is not in the Accounts tab/);
  });

  it('treats empty percent inputs as 0 and gives everything to the distributor ("none")', () => {
    const out = evaluateDraft(emptyDraft(), credit, targets);
    expect(out.text).toBe('none');
    expect(out.distributorKeeps).toBe('100.01');
  });

  it('always matches the core on the text it sends, and the lines add up to the credit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (amountCents, customerBp, resellerBp, fixedCents) => {
          const c = { ...credit, amount: (amountCents / 100).toFixed(2) };
          const draft: AllocationDraft = {
            customerPercent: (customerBp / 100).toString(),
            resellerPercent: (resellerBp / 100).toString(),
            extras: [
              { role: 'customer', targetId: 'CUST-2', mode: 'amount', value: (fixedCents / 100).toFixed(2) },
            ],
          };
          const out = evaluateDraft(draft, c, targets);
          const fits =
            BigInt(amountCents) * BigInt(customerBp + resellerBp) + BigInt(fixedCents) * 10000n <=
            BigInt(amountCents) * 10000n;
          if (customerBp + resellerBp > 10000 || !fits) {
            expect(out.text).toBeNull();
            return;
          }
          expect(out.text).not.toBeNull();
          const resolved = resolveAllocation(parseAllocation(out.text as string, 'USD'), {
            creditId: c.creditId,
            amount: amountCents,
            currency: 'USD',
            customerId: c.customerId,
            resellerId: c.resellerId,
          });
          const sum = out.lines.reduce((s, l) => s + parseDecimal(l.amount, 'USD'), 0);
          expect(sum).toBe(amountCents);
          expect(out.lines.map((l) => parseDecimal(l.amount, 'USD'))).toEqual(
            resolved.lines.map((l) => l.amount),
          );
        },
      ),
    );
  });
});

describe('draftFromAllocation', () => {
  it('puts own percent shares in the two inputs and the rest in extra rows', () => {
    const { draft, warning } = draftFromAllocation(
      'customer 50%, reseller RES-1 30%, customer CUST-2 5.50',
      credit,
    );
    expect(warning).toBeNull();
    expect(draft).toEqual({
      customerPercent: '50',
      resellerPercent: '30',
      extras: [{ role: 'customer', targetId: 'CUST-2', mode: 'amount', value: '5.50' }],
    });
  });

  it('round-trips: the text built from a prefilled draft is the canonical form of the original', () => {
    const original = 'reseller 12.5%, customer CUST-2 10%, customer 1.00';
    const { draft } = draftFromAllocation(original, credit);
    expect(evaluateDraft(draft, credit, targets).text).toBe(
      'reseller 12.5%, customer CUST-2 10%, customer CUST-1 1.00',
    );
  });

  it('starts empty with the parser message when the cell text does not parse', () => {
    const { draft, warning } = draftFromAllocation('cusomer 50%', credit);
    expect(draft).toEqual(emptyDraft());
    expect(warning).toMatch(/"cusomer" is not a role/);
  });

  it('resolves a negative correction credit as the mirror of its positive split; refuses any other negative one', () => {
    const draft: AllocationDraft = { customerPercent: '60', resellerPercent: '40', extras: [] };
    const back = evaluateDraft(draft, { ...credit, amount: '-35.50', correction: true }, targets);
    expect(back.errors).toEqual({});
    expect(back.lines.map((l) => l.amount)).toEqual(['-21.30', '-14.20', '0.00']);
    const refused = evaluateDraft(draft, { ...credit, amount: '-35.50' }, targets);
    expect(refused.text).toBeNull();
    expect(refused.errors.total).toMatch(/its amount is negative/);
  });
});
