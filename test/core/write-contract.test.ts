/** The write contract's skips (core/write-contract.ts): one kind and one sentence per reason, for every writer. */
import { skippedAsAdded, skippedAsChanged, skippedAsGone } from '../../core/write-contract';

describe('write contract skips', () => {
  test('a guarded cell that moved is "changed", unless the row is locked now: then "locked"', () => {
    const moved = { field: 'allocation' as const, now: 'reseller 100%' };
    expect(skippedAsChanged('k', 'CR-1', moved, 'ASSIGNED')).toMatchObject({
      why: 'changed',
      reason: expect.stringContaining('its Allocation was changed to "reseller 100%"'),
    });
    expect(skippedAsChanged('k', 'CR-1', moved, '')).toMatchObject({ why: 'changed' });
    for (const status of ['PROCESSING', 'PROCESSED'])
      expect(skippedAsChanged('k', 'CR-1', { field: 'status', now: status }, status)).toMatchObject({
        key: 'k',
        creditId: 'CR-1',
        why: 'locked',
        reason: expect.stringContaining(`it is ${status} now`),
      });
  });

  test('a row gone and a row added meanwhile name themselves', () => {
    expect(skippedAsGone('k', 'CR-1')).toMatchObject({ key: 'k', creditId: 'CR-1', why: 'gone' });
    expect(skippedAsAdded('k', 'CR-1', 7)).toMatchObject({
      why: 'added',
      reason: expect.stringContaining('(row 7)'),
    });
  });
});
