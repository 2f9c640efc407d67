import fc from 'fast-check';
import { CreditDeskError } from '../../core/errors';
import { TABS } from '../../core/sheet-contract';
import {
  cellChoices,
  cellFormat,
  columnLetter,
  columnNumber,
  indexKeys,
  moneyPattern,
  planHeaders,
  TAB_ORDER,
  TAB_TRAITS,
} from '../../core/sheet-layout';
import { STATUSES } from '../../core/status';

const spec = (field: string) => TABS.credits.columns.find((c) => c.field === field)!;

describe('cell formats: one plan for both sinks', () => {
  test('money shows the currency’s own minor units; an unreadable currency shows two', () => {
    expect(moneyPattern('USD')).toBe('#,##0.00');
    expect(moneyPattern('JPY')).toBe('#,##0');
    expect(moneyPattern('KWD')).toBe('#,##0.000');
    expect(moneyPattern('not a currency')).toBe('#,##0.00');
    expect(cellFormat(spec('amount'), 'JPY')).toEqual({ type: 'money', pattern: '#,##0' });
    expect(cellFormat(spec('distributorKeeps'))).toEqual({ type: 'money', pattern: '#,##0.00' });
  });

  test('IDs a person may type (accounts, the Key) and the Last Change stamp are text; dates are dates', () => {
    for (const f of ['accountId', 'payerAccountId', 'key', 'lastChange'])
      expect(cellFormat(spec(f))).toEqual({ type: 'text', pattern: '@' });
    expect(cellFormat(spec('processingDate'))).toEqual({ type: 'date', pattern: 'yyyy-mm-dd' });
    expect(cellFormat(spec('description'))).toBeNull();
  });

  test('only Status has a dropdown, of every status', () => {
    const withChoices = TABS.credits.columns.filter((c) => cellChoices(c));
    expect(withChoices.map((c) => c.field)).toEqual(['status']);
    expect(cellChoices(spec('status'))).toEqual(STATUSES);
  });

  test('tab traits: every contract tab in order; the Ledger hidden; Credits and Audit filtered', () => {
    expect([...TAB_ORDER].sort()).toEqual(Object.keys(TABS).sort());
    expect(TAB_ORDER.filter((t) => TAB_TRAITS[t].hidden)).toEqual(['ledger']);
    expect(TAB_ORDER.filter((t) => TAB_TRAITS[t].filter)).toEqual(['credits', 'audit']);
  });

  test('column letters, and back', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
    expect(['A1', 'Z9', 'AA', 'AB12', 'ZZ3', 'AAA'].map(columnNumber)).toEqual([1, 26, 27, 28, 702, 703]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (c) => columnNumber(columnLetter(c)) === c + 1),
    );
  });
});

describe('planHeaders', () => {
  const headers = TABS.credits.columns.map((c) => c.header);

  test('a new tab gets every contract header, with its set-up', () => {
    const plan = planHeaders('credits', null, false);
    expect(plan.headers).toEqual(headers);
    expect(plan.at).toBe(0);
    const key = plan.missing.find((m) => m.spec.field === 'key')!;
    expect(key).toMatchObject({ col: headers.indexOf('Key'), hidden: true, format: { type: 'text' } });
    expect(plan.missing.find((m) => m.spec.field === 'status')!.choices).toEqual(STATUSES);
  });

  test('missing headers go after the last header, whatever order staff gave the others; staff columns stay', () => {
    const existing = ['Flags', 'My column', ...headers.filter((h) => h !== 'Flags' && h !== 'Notes'), '', ''];
    const plan = planHeaders('credits', existing, true);
    expect(plan.missing.map((m) => m.spec.header)).toEqual(['Notes']);
    expect(plan.at).toBe(existing.length - 2);
    expect(plan.headers).toEqual([...existing.slice(0, -2), 'Notes']);
  });

  test('a tab with rows never gets a deciding column added empty: a renamed header is named, with its fix', () => {
    const renamed = headers.map((h) => (h === 'Allocation' ? 'Allocation (typed)' : h));
    expect(() => planHeaders('credits', renamed, true)).toThrow(
      /no "Allocation" column[\s\S]*rename "Allocation \(typed\)" back to "Allocation"/,
    );
    // every column but the addable ones stops it, on every tab
    for (const tab of ['credits', 'ledger', 'audit', 'rules', 'accounts', 'config'] as const) {
      for (const c of TABS[tab].columns) {
        const without = TABS[tab].columns.filter((x) => x !== c).map((x) => x.header);
        if (tab === 'credits' && c.field === 'key') continue; // its own message, below
        if (c.addable) expect(planHeaders(tab, without, true).missing.map((m) => m.spec)).toEqual([c]);
        else expect(() => planHeaders(tab, without, true)).toThrow(new RegExp(`no "${c.header}" column`));
        expect(planHeaders(tab, without, false).missing.map((m) => m.spec)).toEqual([c]);
      }
    }
    const deleted = headers.filter((h) => h !== 'Flags' && h !== 'Status');
    expect(() => planHeaders('credits', deleted, true)).toThrow(
      /no "Status", "Flags" columns[\s\S]*restore the header "Status"; restore the header "Flags"/,
    );
  });

  test('headers match ignoring case and spaces', () => {
    expect(
      planHeaders('audit', ['when', ' WHO ', 'Action', 'credit id', 'Field', 'Before', 'After'], true)
        .missing,
    ).toEqual([]);
  });

  test('a Credits tab with rows and no Key is an error a person fixes; without rows the Key is added', () => {
    const noKey = headers.filter((h) => h !== 'Key');
    expect(() => planHeaders('credits', noKey, true)).toThrow(/no "Key" column/);
    expect(planHeaders('credits', noKey, false).missing.map((m) => m.spec.header)).toEqual(['Key']);
  });

  test('only Credits columns are formatted', () => {
    expect(
      planHeaders('ledger', null, false).missing.every((m) => !m.format && !m.choices && !m.hidden),
    ).toBe(true);
  });
});

describe('indexKeys', () => {
  test('key → position; blanks skipped', () => {
    expect([...indexKeys(['a', '', null, 'b', undefined], 'Credits')]).toEqual([
      ['a', 0],
      ['b', 3],
    ]);
  });

  test('a key twice names every copy by sheet row', () => {
    let error: unknown;
    try {
      indexKeys(['a', 'b', 'a', 'c', 'a', 'b'], 'Credits');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CreditDeskError);
    expect((error as Error).message).toContain('rows 2 and 4 and 6 (Key a)');
    expect((error as Error).message).toContain('rows 3 and 7 (Key b)');
  });

  test('property: no error exactly when the non-blank keys are distinct, and the map inverts the list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'), { maxLength: 8 }),
        (keys) => {
          const nonBlank = keys.filter(Boolean);
          const distinct = new Set(nonBlank).size === nonBlank.length;
          if (!distinct) {
            expect(() => indexKeys(keys, 'Credits')).toThrow(CreditDeskError);
            return;
          }
          const index = indexKeys(keys, 'Credits');
          expect(index.size).toBe(nonBlank.length);
          for (const [k, i] of index) expect(keys[i]).toBe(k);
        },
      ),
    );
  });
});
