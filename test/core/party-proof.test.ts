/**
 * Who a share without an ID goes to (core/party-proof.ts): the row's Customer ID and Reseller ID are taken only
 * when they are the parties the sync wrote — the Accounts tab's for the credit's account, a correction's
 * original's from the Ledger — and screenForCollect skips a credit whose parties are not proven.
 */
import fc from 'fast-check';
import { screenForCollect } from '../../core/collect-check';
import { correctionKey } from '../../core/correction-key';
import { invoicedParties, unprovenParties } from '../../core/party-proof';
import { credit, directory } from '../helpers/domain';

const DIR = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
  { accountId: '333333333333', customerId: 'CUST-2', resellerId: 'RES-2', assetId: 'AS-2' },
]);
const NONE = invoicedParties([]);

describe('the parties of a credit', () => {
  const own = credit({ accountId: '222222222222', status: 'ASSIGNED', allocation: 'customer 100%' });

  it('are proven when they are what the Accounts tab gives the account', () => {
    expect(unprovenParties(own, DIR, NONE)).toBeNull();
  });

  it('are not when a party was typed over, naming both and the fix', () => {
    const typed = { ...own, customerId: 'CUST-2' };
    expect(unprovenParties(typed, DIR, NONE)).toBe(
      "its Customer ID CUST-2 is not the CUST-1 the Accounts tab gives AWS account 222222222222 (typed over by hand, or the Accounts tab changed since the last sync). Run credit-desk sync, which writes the Accounts tab's parties into the row, then collect again.",
    );
    const both = unprovenParties({ ...own, customerId: '', resellerId: 'RES-2' }, DIR, NONE)!;
    expect(both).toContain('Customer ID (blank) is not the CUST-1 and Reseller ID RES-2 is not the RES-1');
  });

  it('of an account the Accounts tab does not know are none: a typed party is not proven', () => {
    const unknown = { ...own, accountId: '999999999999', customerId: '', resellerId: '' };
    expect(unprovenParties(unknown, DIR, NONE)).toBeNull();
    expect(unprovenParties({ ...unknown, customerId: 'CUST-2' }, DIR, NONE)).toContain(
      'Customer ID CUST-2 is not the (blank) the Accounts tab gives AWS account 999999999999',
    );
  });

  it("of a correction are its original's, from the Ledger, whatever the Accounts tab says now", () => {
    const original = credit({ creditId: 'AWSC-202610-0000-0009', customerId: 'CUST-1', resellerId: 'RES-1' });
    const invoiced = invoicedParties([original]);
    const correction = {
      ...original,
      key: correctionKey(original.key, 1),
      creditId: 'AWSC-202610-0000-0010',
    };
    // the account moved to another customer since the original was invoiced: the correction still goes to CUST-1
    const moved = directory([
      { accountId: original.accountId, customerId: 'CUST-2', resellerId: 'RES-2', assetId: 'AS-2' },
    ]);
    expect(unprovenParties(correction, moved, invoiced)).toBeNull();
    expect(unprovenParties({ ...correction, customerId: 'CUST-2' }, moved, invoiced)).toBe(
      'its Customer ID CUST-2 is not the CUST-1 that AWSC-202610-0000-0009, the credit it corrects, was invoiced to (typed over by hand?). Type it back, then collect again.',
    );
    expect(unprovenParties(correction, moved, NONE)).toMatch(
      /^it is a correction and the Ledger holds no invoiced original/,
    );
  });

  it('property: proven exactly when both cells equal the parties the sync would write', () => {
    const ids = fc.constantFrom('', 'CUST-1', 'CUST-2', 'RES-1', 'RES-2');
    fc.assert(
      fc.property(
        fc.constantFrom('222222222222', '333333333333', '444444444444'),
        ids,
        ids,
        (account, c, r) => {
          const a = DIR.byAccount.get(account);
          const proven = c === (a?.customerId ?? '') && r === (a?.resellerId ?? '');
          const x = credit({ accountId: account, customerId: c, resellerId: r });
          expect(unprovenParties(x, DIR, NONE) === null).toBe(proven);
        },
      ),
    );
  });
});

describe('screenForCollect with the parties', () => {
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

  it('skips a credit whose parties are not proven, and only when asked to check them', () => {
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
