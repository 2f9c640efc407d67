/**
 * `assign` and `unassign` find their credit by Credit ID without parsing the other rows
 * (core/sheet-state.ts findCreditById): the same credit readState would find, whatever the case or spaces typed,
 * and a malformed row elsewhere does not stop a one-credit edit; an ID two credits hold is refused, never guessed.
 */
import { findCreditById, readState } from '../../core/sheet-state';
import { CREDIT_COLUMNS, headersOf } from '../../core/sheet-contract';
import { creditCell, type Cell, type Grid } from '../../core/table';
import { TAB_ORDER } from '../../core/sheet-layout';
import type { Snapshot } from '../../core/sheet-changes';
import { credit } from '../helpers/domain';

function grid(rows: Cell[][]): Grid {
  return { headers: headersOf('credits'), rows };
}
const emptyTabs = (): Snapshot['tabs'] => {
  const tabs = {} as Snapshot['tabs'];
  for (const t of TAB_ORDER) tabs[t] = { headers: headersOf(t), rows: [] };
  return tabs;
};
const rowOf = (c: ReturnType<typeof credit>) => CREDIT_COLUMNS.map((col) => creditCell(c, col.field));

describe('finding one credit by Credit ID', () => {
  const a = credit({ key: 'k-a', creditId: 'AWSC-202610-0000-0001' });
  const b = credit({ key: 'k-b', creditId: 'AWSC-202610-0000-0002', description: 'second' });

  it('finds what readState finds, typed in any case and with spaces, with its sheet row', () => {
    const g = grid([rowOf(a), rowOf(b)]);
    const state = readState({ tabs: { ...emptyTabs(), credits: g } });
    const viaState = state.credits.find((e) => e.credit.creditId === b.creditId);
    expect(findCreditById(g, '  awsc-202610-0000-0002 ')).toEqual(viaState);
    expect(findCreditById(g, 'AWSC-202610-0000-0002')!.sheetRow).toBe(3);
    expect(findCreditById(g, 'AWSC-202610-0000-0003')).toBeNull();
  });

  it('is not stopped by a malformed row elsewhere', () => {
    const broken = rowOf(credit({ key: 'k-x', creditId: 'AWSC-202610-0000-0009' }));
    broken[CREDIT_COLUMNS.findIndex((c) => c.field === 'amount')] = 'twelve dollars';
    const g = grid([broken, rowOf(b)]);
    expect(() => readState({ tabs: { ...emptyTabs(), credits: g } })).toThrow(); // the whole-tab read refuses it
    expect(findCreditById(g, b.creditId)!.credit.description).toBe('second');
    expect(findCreditById(g, b.creditId)!.sheetRow).toBe(3);
  });

  it('refuses an ID two credits hold (a copy reconciliation could not give its own ID back), naming both rows', () => {
    const twice = { ...b, key: 'k-b2', description: 'a copy pasted below' };
    const blankRowWithTheId = grid([]).headers.map((h) => (h === 'Credit ID' ? b.creditId : ''));
    const g = grid([rowOf(a), rowOf(b), blankRowWithTheId, rowOf(twice)]);
    expect(() => findCreditById(g, b.creditId)).toThrow(
      /AWSC-202610-0000-0002 is on rows 3 and 5 of the Credits tab.*nothing was changed/,
    );
    const thrice = { ...b, key: 'k-b3', description: 'and another' };
    expect(() => findCreditById(grid([...g.rows, rowOf(thrice)]), b.creditId)).toThrow(
      /on rows 3, 5 and 6 of/,
    );
    // a row holding the ID but no credit (a note typed beside it) does not count
    expect(findCreditById(grid([rowOf(a), rowOf(b), blankRowWithTheId]), b.creditId)!.sheetRow).toBe(3);
  });
});
