/**
 * checkLedgerKeys (decision 0031): with no usage file to prove it, a Ledger row under another credit's Key is
 * told by the Credits row with that Key holding the Credit ID issued to it; the row gets back the Key its own
 * cells and Credit ID give, or, when another row already holds that Key, is a copy and is not taken.
 */
import fc from 'fast-check';
import { correctionDescription, correctionKey } from '../../core/correction-key';
import { creditIdCandidate, creditKey } from '../../core/ids';
import { checkLedgerKeys } from '../../core/ledger-key-check';
import type { LedgerEntry } from '../../core/ledger';
import { ledgerEntry } from '../helpers/domain';

/** A credit as the sync makes it: its Key from its cells, its Credit ID the first candidate of that Key. */
function real(n: number, period = '2026-10'): LedgerEntry {
  const cells = {
    period,
    payerAccountId: '111111111111',
    accountId: String(222222222200 + n),
    service: 'AmazonEC2',
    currency: 'USD',
    description: `Credit ${n}`,
  };
  const key = creditKey(cells);
  return ledgerEntry({ ...cells, key, creditId: creditIdCandidate(key, period, 0) });
}

/** The Credits tab's Key index over `credits`, as reconcile gives it. */
const rowsOf = (credits: readonly LedgerEntry[]) => {
  const byKey = new Map(credits.map((c) => [c.key, { creditId: c.creditId, period: c.period }]));
  return (key: string) => byKey.get(key);
};

describe('checkLedgerKeys', () => {
  const collected = real(1);
  const pending = real(2);

  it('leaves a Ledger whose rows are their Keys’ as it is', () => {
    const out = checkLedgerKeys([collected], rowsOf([collected, pending]));
    expect(out).toEqual({ ledger: [collected], keysPutBack: [], copies: [], unproven: [] });
  });

  it('puts back the Key of a row typed over with a pending credit’s', () => {
    const typed = { ...collected, key: pending.key };
    const out = checkLedgerKeys([typed], rowsOf([collected, pending]));
    expect(out.ledger).toEqual([collected]);
    expect(out.keysPutBack).toEqual([{ entry: collected, was: typed }]);
  });

  it('leaves out a copy of a collected credit’s row under a pending credit’s Key', () => {
    const copy = { ...collected, key: pending.key, usageRecordId: 'UR-made-up' };
    const out = checkLedgerKeys([collected, copy], rowsOf([collected, pending]));
    expect(out.ledger).toEqual([collected]);
    expect(out.copies).toEqual([copy]);
  });

  it('keeps, and names, a row whose cells give no Key its Credit ID belongs to (nothing proves which credit it is)', () => {
    const typed = { ...collected, key: pending.key, description: 'Credit typed too' };
    const out = checkLedgerKeys([typed], rowsOf([collected, pending]));
    expect(out.ledger).toEqual([typed]);
    expect(out.unproven).toEqual([typed]);
  });

  it('suspects nothing where the Credits row’s ID is not its Key’s either (an ID edited on the sheet: reconcile puts it back)', () => {
    const edited = { ...collected, creditId: 'AWSC-202610-0000-0000' };
    expect(checkLedgerKeys([collected], rowsOf([edited])).keysPutBack).toEqual([]);
  });

  it('puts back a correction’s Key from its original’s', () => {
    const original = real(3);
    const n = 1;
    const key = correctionKey(original.key, n);
    const correction = ledgerEntry({
      ...original,
      key,
      creditId: creditIdCandidate(key, original.period, 0),
      description: correctionDescription(original, n),
    });
    const typed = { ...correction, key: pending.key };
    const out = checkLedgerKeys([original, typed], rowsOf([original, correction, pending]));
    expect(out.keysPutBack.map((k) => k.entry)).toEqual([correction]);
  });

  it('property: any one row’s Key typed over with another credit’s, collected or not, comes back; nothing else changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        fc.nat(),
        (credits, collectedCount, typedAt, from) => {
          const all = Array.from({ length: credits }, (_, i) => real(i, i % 2 ? '2026-09' : '2026-10'));
          const ledger = all.slice(0, Math.min(collectedCount, credits));
          const t = typedAt % ledger.length;
          const other = all.filter((c) => c.key !== ledger[t].key)[from % (credits - 1)];
          const tab = ledger.map((e, i) => (i === t ? { ...e, key: other.key } : e));
          const out = checkLedgerKeys(tab, rowsOf(all));
          expect(out.ledger).toEqual(ledger);
          expect(out.keysPutBack).toEqual([{ entry: ledger[t], was: tab[t] }]);
          expect(out.copies).toEqual([]);
          expect(checkLedgerKeys(ledger, rowsOf(all)).keysPutBack).toEqual([]);
        },
      ),
    );
  });
});
