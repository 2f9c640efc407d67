/**
 * What a usage record takes from the row (core/row-proof.ts): the cells the Key is made of and the parties a share
 * without an ID goes to are taken only when they are what the sync wrote — the Key they give is the row's, the
 * parties are the Accounts tab's for the account; a correction's are its original's, from the Ledger — and
 * screenForCollect skips a credit whose row is not proven.
 */
import fc from 'fast-check';
import { screenForCollect } from '../../core/collect-check';
import { correctionKey } from '../../core/correction-key';
import { invoicedCredits, unprovenRow } from '../../core/row-proof';
import { NO_CURRENCY } from '../../core/currencies';
import { creditKey } from '../../core/ids';
import { importedFrom, importText } from '../../core/text';
import { credit, directory } from '../helpers/domain';

const DIR = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
  { accountId: '333333333333', customerId: 'CUST-2', resellerId: 'RES-2', assetId: 'AS-2' },
]);
const NONE = invoicedCredits([]);

describe('a row as the sync wrote it', () => {
  const own = credit({ accountId: '222222222222', status: 'ASSIGNED', allocation: 'customer 100%' });

  it('is proven when its cells give its Key and its parties are the Accounts tab’s', () => {
    expect(unprovenRow(own, DIR, NONE)).toBeNull();
  });

  it('is not when a party was typed over, naming both and the fix', () => {
    expect(unprovenRow({ ...own, customerId: 'CUST-2' }, DIR, NONE)).toBe(
      "its Customer ID CUST-2 is not the CUST-1 the Accounts tab gives AWS account 222222222222 (typed over by hand, or the Accounts tab changed since the last sync). Run credit-desk sync, which writes the Accounts tab's parties into the row, then collect again.",
    );
    expect(unprovenRow({ ...own, customerId: '', resellerId: 'RES-2' }, DIR, NONE)).toContain(
      'Customer ID (blank) is not the CUST-1 and Reseller ID RES-2 is not the RES-1',
    );
  });

  it('is not when a cell of its Key was typed over: the currency, the period, the account (with its parties too)', () => {
    const keyHint =
      "its Period, Payer Account, AWS Account, Service, Currency or Description no longer give its Key (typed over by hand, or a CUR value the sheet cannot show: an unknown currency, a usage account that is not one). Run credit-desk sync, which writes the CUR's values back, then collect again.";
    expect(unprovenRow({ ...own, currency: 'EUR' }, DIR, NONE)).toBe(keyHint);
    expect(unprovenRow({ ...own, period: '2026-09' }, DIR, NONE)).toBe(keyHint);
    // another account and its parties typed together: the parties would be proven, the Key is not
    expect(
      unprovenRow(
        { ...own, accountId: '333333333333', customerId: 'CUST-2', resellerId: 'RES-2' },
        DIR,
        NONE,
      ),
    ).toBe(keyHint);
  });

  it('is proven when the reader showed a CUR value differently: the payer for a missing usage account, a control character as its picture', () => {
    const parts = {
      period: '2026-10',
      payerAccountId: '111111111111',
      service: 'AmazonEC2',
      currency: 'USD',
    };
    const orphan = credit({
      ...parts,
      key: creditKey({ ...parts, accountId: '', description: 'Orphan' }),
      accountId: '111111111111', // the payer, shown for the CUR's NULL usage account
      description: 'Orphan',
      customerId: '',
      resellerId: '',
    });
    expect(unprovenRow(orphan, DIR, NONE)).toBeNull();
    const raw = 'Ctrl\u0001 nul\u0000 DEL\u007f end';
    const pictured = credit({
      ...parts,
      accountId: '222222222222',
      key: creditKey({ ...parts, accountId: '222222222222', description: raw }),
      description: importText(raw),
    });
    expect(pictured.description).not.toBe(raw);
    expect(unprovenRow(pictured, DIR, NONE)).toBeNull();
    // an unknown currency is shown XXX: what the CUR said is lost, so it is never proven (nor billable)
    const odd = credit({ ...parts, accountId: '222222222222', currency: NO_CURRENCY });
    expect(unprovenRow({ ...odd, key: creditKey({ ...odd, currency: 'XYZ1' }) }, DIR, NONE)).toMatch(
      /no longer give its Key/,
    );
  });

  it('property: a description is told back from what importText showed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const shown = importText(raw);
        // lone surrogates, U+FFFE and U+FFFF are lost (U+FFFD); a control picture in the CUR text reads as its control
        fc.pre(shown === raw || !/[\uFFFD\u2400-\u2421]/.test(raw));
        fc.pre(!/[\uD800-\uDFFF\uFFFE\uFFFF]/.test(raw.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));
        expect([shown, importedFrom(shown)]).toContain(raw);
      }),
      { numRuns: 300 },
    );
  });

  it('of an account the Accounts tab does not know has no parties: a typed one is not proven', () => {
    const unknown = credit({ accountId: '999999999999', customerId: '', resellerId: '' });
    expect(unprovenRow(unknown, DIR, NONE)).toBeNull();
    expect(unprovenRow({ ...unknown, customerId: 'CUST-2' }, DIR, NONE)).toContain(
      'Customer ID CUST-2 is not the (blank) the Accounts tab gives AWS account 999999999999',
    );
  });

  it("of a correction is its original's, from the Ledger, whatever the Accounts tab says now", () => {
    const original = credit({ creditId: 'AWSC-202610-0000-0009', customerId: 'CUST-1', resellerId: 'RES-1' });
    const invoiced = invoicedCredits([original]);
    const correction = {
      ...original,
      key: correctionKey(original.key, 1),
      creditId: 'AWSC-202610-0000-0010',
      description: `Correction 1 of ${original.creditId}: ${original.description}`,
    };
    // the account moved to another customer since the original was invoiced: the correction still goes to CUST-1
    const moved = directory([
      { accountId: original.accountId, customerId: 'CUST-2', resellerId: 'RES-2', assetId: 'AS-2' },
    ]);
    expect(unprovenRow(correction, moved, invoiced)).toBeNull();
    expect(unprovenRow({ ...correction, customerId: 'CUST-2' }, moved, invoiced)).toBe(
      'its Customer ID CUST-2 is not the CUST-1 of AWSC-202610-0000-0009, the credit it corrects (typed over by hand?). Type it back, then collect again.',
    );
    expect(unprovenRow({ ...correction, currency: 'EUR', period: '2026-09' }, moved, invoiced)).toBe(
      'its Period 2026-09 is not the 2026-10 and Currency EUR is not the USD of AWSC-202610-0000-0009, the credit it corrects (typed over by hand?). Type them back, then collect again.',
    );
    expect(unprovenRow(correction, moved, NONE)).toMatch(
      /^it is a correction and no usage record of the credit it corrects is left/,
    );
  });

  it('property: a row is proven exactly when none of the cells it is billed by differs from what the sync wrote', () => {
    const edits = fc.record(
      {
        period: fc.constantFrom('2026-10', '2026-09'),
        accountId: fc.constantFrom('222222222222', '333333333333'),
        currency: fc.constantFrom('USD', 'EUR'),
        service: fc.constantFrom(own.service, 'AmazonS3'),
        customerId: fc.constantFrom('', 'CUST-1', 'CUST-2'),
        resellerId: fc.constantFrom('', 'RES-1', 'RES-2'),
        description: fc.constantFrom(own.description, `${own.description} `, 'Other credit'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(edits, (edit) => {
        const row = { ...own, ...edit };
        const changed = (Object.keys(edit) as (keyof typeof edit)[]).some(
          // a trailing space is not a change: the Key normalises white space (core/ids.ts)
          (f) => (f === 'description' ? row[f].trim() !== own[f] : row[f] !== own[f]),
        );
        expect(unprovenRow(row, DIR, NONE) === null).toBe(!changed);
      }),
    );
  });
});

describe('screenForCollect with the rows proven', () => {
  const rows = [
    { sheetRow: 2, credit: credit({ creditId: 'A', status: 'ASSIGNED', allocation: 'customer 100%' }) },
    {
      sheetRow: 3,
      credit: credit({
        creditId: 'B',
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        customerId: 'CUST-2',
      }),
    },
  ];

  it('skips a credit whose row is not proven, and only when asked to check', () => {
    const checked = screenForCollect(rows, DIR, { invoiced: NONE });
    expect(checked.collectable.map((c) => c.creditId)).toEqual(['A']);
    expect(checked.skipped).toEqual([
      {
        sheetRow: 3,
        creditId: 'B',
        reason: expect.stringContaining('its Customer ID CUST-2 is not the CUST-1'),
      },
    ]);
    // without the option (as the amount proof): not checked, B would go to CUST-2, whose asset is AS-2
    expect(screenForCollect(rows, DIR).collectable.map((c) => c.creditId)).toEqual(['A', 'B']);
  });
});
