import fc from 'fast-check';
import {
  accountText,
  CREDIT_ID_PATTERN,
  creditIdCandidate,
  creditKey,
  issueCreditIds,
  usageFileId,
  usageRecordId,
  USAGE_FILE_ID_PATTERN,
} from '../../core/ids';
import { cur } from '../helpers/domain';

describe('credit key', () => {
  it('is deterministic and ignores whitespace and Unicode normalisation differences in the description', () => {
    const a = creditKey(cur({ description: 'MAP 2.0  Migration Credit ' }));
    const b = creditKey(cur({ description: 'MAP 2.0 Migration Credit' }));
    expect(a).toBe(b);
    expect(creditKey(cur({ description: 'Cafe\u0301' }))).toBe(creditKey(cur({ description: 'Café' })));
  });

  it('differs when any identifying field differs', () => {
    const base = cur();
    const variants = [
      cur({ period: '2026-09' }),
      cur({ payerAccountId: '999999999999' }),
      cur({ accountId: '333333333333' }),
      cur({ service: 'AmazonS3' }),
      cur({ currency: 'EUR' }),
      cur({ description: 'AWS Activate Credit' }),
    ];
    const keys = new Set([creditKey(base), ...variants.map(creditKey)]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('is the same whether an account ID kept its leading zeros or was typed as a number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 999_999_999_999n }), (n) => {
        const padded = String(n).padStart(12, '0');
        expect(accountText(Number(n))).toBe(padded);
        expect(accountText(` ${String(n)} `)).toBe(padded);
        expect(creditKey(cur({ accountId: String(n), payerAccountId: String(n) }))).toBe(
          creditKey(cur({ accountId: padded, payerAccountId: padded })),
        );
      }),
    );
    // Not an account ID: left as it is (trimmed) for the reader to flag.
    expect(['', '12ab', '1234567890123'].map(accountText)).toEqual(['', '12ab', '1234567890123']);
    expect(accountText(null)).toBe('');
  });

  it('does not depend on the amount (a late line changes the amount, not the credit)', () => {
    expect(creditKey(cur({ amount: 1 }))).toBe(creditKey(cur({ amount: 99999 })));
  });
});

describe('credit IDs', () => {
  it('have the AWSC-YYYYMM-NNNN-NNNN shape with the period', () => {
    const ids = issueCreditIds([{ key: 'k1-a', period: '2026-10' }], new Set());
    expect(ids.get('k1-a')).toMatch(CREDIT_ID_PATTERN);
    expect(ids.get('k1-a')!.startsWith('AWSC-202610-')).toBe(true);
  });

  it('are unique, never reuse a taken ID, and are the same for the same input', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 4, maxLength: 12 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 99999999 }), { maxLength: 50 }),
        (keys, takenNums) => {
          const taken = new Set(
            takenNums.map(
              (n) =>
                `AWSC-202610-${String(n).padStart(8, '0').slice(0, 4)}-${String(n).padStart(8, '0').slice(4)}`,
            ),
          );
          const before = new Set(taken);
          const input = keys.map((k) => ({ key: k, period: '2026-10' }));
          const a = issueCreditIds(input, new Set(before));
          const b = issueCreditIds([...input].reverse(), new Set(before));
          const issued = [...a.values()];
          expect(new Set(issued).size).toBe(issued.length);
          for (const id of issued) expect(before.has(id)).toBe(false);
          expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
        },
      ),
    );
  });

  it('give a returning key the ID it was issued when that ID is reissuable, and never hand out any other taken ID', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 4, maxLength: 12 }), { minLength: 2, maxLength: 120 }),
        fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }),
        fc.array(fc.string({ minLength: 4, maxLength: 12 }), { maxLength: 30 }),
        (keys, goneFlags, fresh) => {
          const period = '2026-10';
          // The first issuance, with some IDs already taken so that some keys sit past attempt 0.
          const blockers = new Set(
            keys.filter((_, i) => i % 5 === 0).map((k) => creditIdCandidate(k, period, 0)),
          );
          const taken = new Set(blockers);
          const first = issueCreditIds(
            keys.map((key) => ({ key, period })),
            taken,
          );
          const gone = keys.filter((_, i) => goneFlags[i]);
          const reissuable = new Set(gone.map((k) => first.get(k)!));
          const newKeys = fresh.filter((k) => !first.has(k));
          const takenNow = new Set(taken);
          const again = issueCreditIds(
            [...gone, ...newKeys].map((key) => ({ key, period })),
            takenNow,
            reissuable,
          );
          for (const k of gone) expect(again.get(k)).toBe(first.get(k));
          for (const k of newKeys) expect(taken.has(again.get(k)!)).toBe(false);
          const handed = [...again.values()];
          expect(new Set(handed).size).toBe(handed.length);
          for (const id of handed) expect(takenNow.has(id)).toBe(true);
        },
      ),
    );
  });

  it('probes past collisions instead of failing', () => {
    const first = issueCreditIds([{ key: 'same', period: '2026-10' }], new Set()).get('same')!;
    const second = issueCreditIds([{ key: 'same', period: '2026-10' }], new Set([first])).get('same')!;
    expect(second).not.toBe(first);
    expect(second).toMatch(CREDIT_ID_PATTERN);
  });
});

describe('usage IDs', () => {
  it('file IDs follow UF-YYYY-MM-NNNN-NNNN and avoid taken ones; record IDs belong to their file', () => {
    const id = usageFileId('2026-11-26T10:00:00Z', 'seed', new Set());
    expect(id).toMatch(USAGE_FILE_ID_PATTERN);
    expect(id.startsWith('UF-2026-11-')).toBe(true);
    expect(usageFileId('2026-11-26T10:00:00Z', 'seed', new Set([id]))).not.toBe(id);
    expect(usageRecordId(id, 0)).toBe(`${id.replace('UF-', 'UR-')}-00001`);
  });
});
