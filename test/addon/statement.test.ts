/**
 * downloadStatement (the Month panel's "Statement for…") on the in-memory spreadsheet: the party's lines and
 * total computed here from the fixture credits, names in the Month view's list, and bad input refused with what
 * to do. The bytes against the CLI's are checked in Chromium (e2e/statement.test.ts).
 */
import { getMonthSummary } from '../../addon/server/month';
import { downloadStatement } from '../../addon/server/statement';
import { ACCOUNTS, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk | null = null;
afterEach(() => {
  desk?.fake.uninstall();
  desk = null;
});

/** 6 credits of 2026-10, alternating CUST-1/RES-1 and CUST-2/RES-2; the first 4 assigned 60/40, the last 2 pending. */
function sixCredits() {
  return makeCredits(6, (i) =>
    i < 4
      ? {
          status: 'ASSIGNED',
          allocation: 'customer 60%, reseller 40%',
          distributorKeeps: 0,
          ruleId: 'manual',
        }
      : {},
  );
}

describe('downloadStatement', () => {
  it("gives a customer's lines and total for the period, as a CSV named for the period and party", () => {
    const credits = sixCredits();
    desk = setUpDesk(credits);
    const file = downloadStatement('2026-10', { role: 'customer', id: 'CUST-1' });
    expect(file.filename).toBe('statement-2026-10-customer-CUST-1.csv');
    expect(file.mimeType).toBe('text/csv');
    const mine = credits.filter((c, i) => i < 4 && c.customerId === 'CUST-1');
    expect(file.rows).toBe(mine.length);
    const lines = file.content.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0].startsWith('Credit ID,Period,')).toBe(true);
    for (const c of mine) expect(lines.some((l) => l.startsWith(`${c.creditId},2026-10,`))).toBe(true);
    // 60 % of each amount in cents: 10000 → 6000; 10002 → 6001.2 → 6001 (the split's leftover cent goes to
    // the largest remainder, the reseller's 4000.8).
    const total = mine.reduce((n, c) => n + Math.floor((c.amount * 60) / 100), 0);
    expect(total).toBe(12001);
    const totalLine = lines.find((l) => l.startsWith('Total USD,'));
    expect(totalLine?.split(',')[6]).toBe((total / 100).toFixed(2));
  });

  it('lists every party with a share in the period in the Month view, by name', () => {
    desk = setUpDesk(sixCredits());
    const view = getMonthSummary('2026-10');
    expect(view.statementParties).toEqual([
      { role: 'customer', id: 'CUST-1', name: ACCOUNTS[0].customerName },
      { role: 'customer', id: 'CUST-2', name: ACCOUNTS[1].customerName },
      { role: 'reseller', id: 'RES-1', name: ACCOUNTS[0].resellerName },
      { role: 'reseller', id: 'RES-2', name: ACCOUNTS[1].resellerName },
    ]);
  });

  it('refuses a period or party that is not one, saying what to choose', () => {
    desk = setUpDesk(sixCredits());
    expect(() => downloadStatement('October', { role: 'customer', id: 'CUST-1' })).toThrow(
      /"October" is not a billing period[\s\S]*Choose a period in the Month panel/,
    );
    expect(() => downloadStatement('2026-10', { role: 'distributor' as 'customer', id: 'X' })).toThrow(
      /one customer or one reseller[\s\S]*Statement for…/,
    );
    expect(() => downloadStatement('2026-10', { role: 'reseller', id: ' ' })).toThrow(
      /one customer or one reseller/,
    );
  });
});
