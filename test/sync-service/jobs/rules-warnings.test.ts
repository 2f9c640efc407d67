/**
 * apply-rules' warnings about the credits it left alone (sync-service/jobs/rules-warnings.ts): by default one line
 * per reason with its count, most frequent first, at most ten lines whatever the number of reasons; with
 * details one line per credit, each naming it once. Property: the grouped counts always add up to the credits.
 */
import fc from 'fast-check';
import type { Credit } from '../../../core/credit';
import { HOLD_FLAGS } from '../../../core/flags';
import { countReasons, creditWarnings, failedReason } from '../../../sync-service/jobs/rules-warnings';

const credit = (i: number, flags = ''): Credit => ({ creditId: `AWSC-202610-0000-${i}`, flags }) as Credit;

/** An outcome with these failure messages and held credits' flags, as planRules leaves them. */
function outcome(messages: string[], held: string[] = []) {
  return {
    failed: messages.map((m, i) => ({ credit: credit(i), message: m.replace('{id}', credit(i).creditId) })),
    plan: { skippedHeld: held.map((f, i) => credit(1000 + i, f)) },
  } as unknown as Parameters<typeof creditWarnings>[0];
}

const count = (line: string) => Number(/^([\d,]+) credits? /.exec(line)![1].replace(/,/g, ''));

describe('apply-rules warnings', () => {
  const noCustomer =
    "credit {id}: share 1 goes to the credit's own customer, but its AWS account has no customer.";
  const noReseller =
    "credit {id}: share 1 goes to the credit's own reseller, but its AWS account has no reseller.";

  it('groups by reason with a count, most credits first, the Credit ID left out', () => {
    const o = outcome([noReseller, noCustomer, noCustomer, noCustomer], [HOLD_FLAGS[0], HOLD_FLAGS[0]]);
    const lines = creditWarnings(o, false);
    expect(lines).toEqual([
      "3 credits could not be assigned: share 1 goes to the credit's own customer, but its AWS account has no customer.",
      expect.stringMatching(
        new RegExp(`^2 credits held for review \\(${HOLD_FLAGS[0]} \\(.+\\)\\); not assigned by rules\\.$`),
      ),
      "1 credit could not be assigned: share 1 goes to the credit's own reseller, but its AWS account has no reseller.",
    ]);
    expect(lines.join('\n')).not.toMatch(/AWSC-/);
  });

  it('with details, one line per credit naming it once, in the order the plan has them', () => {
    const o = outcome([noReseller, noCustomer], [HOLD_FLAGS[1]]);
    const lines = creditWarnings(o, true);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      "AWSC-202610-0000-0: share 1 goes to the credit's own reseller, but its AWS account has no reseller.",
    );
    expect(lines[2]).toMatch(new RegExp(`^AWSC-202610-0000-1000: held for review \\(${HOLD_FLAGS[1]} `));
    for (const l of lines) expect(l.match(/AWSC-/g)).toHaveLength(1);
  });

  it('a message that does not start with its credit is kept whole; only its first line is the reason', () => {
    expect(failedReason('AWSC-1', 'the amount is negative\nhint')).toBe('the amount is negative');
    expect(failedReason('AWSC-1', 'credit AWSC-1: over by 2.00 USD')).toBe('over by 2.00 USD');
  });

  it('never more than ten lines, and the counts add up to the credits left alone (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 200 }),
        fc.array(fc.constantFrom(...HOLD_FLAGS), { maxLength: 20 }),
        (reasons, held) => {
          const o = outcome(
            reasons.map((r) => `credit {id}: reason ${r}`),
            held,
          );
          const lines = creditWarnings(o, false);
          const distinct = new Set(reasons).size + new Set(held).size;
          expect(lines.length).toBe(Math.min(distinct, 10));
          expect(lines.reduce((n, l) => n + count(l), 0)).toBe(reasons.length + held.length);
          if (distinct > 10)
            expect(lines[9]).toMatch(/left alone for \d+ other reasons \(listed with --details\)/);
          // Most credits first, until the line that counts the rest.
          const counts = lines.slice(0, distinct > 10 ? 9 : lines.length).map(count);
          expect(counts).toEqual([...counts].sort((a, b) => b - a));
        },
      ),
    );
  });

  it('counts reasons in first-met order on a tie', () => {
    expect(countReasons(['b', 'a', 'a', 'b', 'c'])).toEqual([
      { reason: 'b', credits: 2 },
      { reason: 'a', credits: 2 },
      { reason: 'c', credits: 1 },
    ]);
  });
});
