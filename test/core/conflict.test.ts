/**
 * The one "changed since it was read" rule (core/sheet-changes), used by the sync's sinks and the add-on's
 * guarded writes alike.
 */
import { conflictOf, conflictsOf } from '../../core/sheet-changes';
import type { Cell } from '../../core/table';

const sheet = (cells: Record<string, Cell>) => (f: string) => cells[f];

describe('conflictsOf / conflictOf', () => {
  test('a blank Status is PENDING_ASSIGN; a number and its text agree', () => {
    expect(
      conflictsOf({ status: 'PENDING_ASSIGN', amount: '12.5' }, sheet({ status: '', amount: 12.5 })),
    ).toEqual([]);
  });

  test('every moved field is listed in the order read; the sync takes the first guarded one', () => {
    const now = sheet({ status: 'ASSIGNED', allocation: 'reseller 100%' });
    expect(conflictsOf({ status: 'PENDING_ASSIGN', allocation: '' }, now)).toEqual([
      { field: 'status', now: 'ASSIGNED' },
      { field: 'allocation', now: 'reseller 100%' },
    ]);
    expect(conflictOf({ key: 'k', fields: {}, expect: { status: 'PENDING_ASSIGN' } }, now)).toEqual({
      field: 'status',
      now: 'ASSIGNED',
    });
    expect(conflictOf({ key: 'k', fields: {} }, now)).toBeNull();
  });
});
