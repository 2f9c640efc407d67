import { allowedActions, isLocked, STATUSES, transition, type Action } from '../../core/status';

describe('credit statuses', () => {
  const ok: [string, Action, string][] = [
    ['PENDING_ASSIGN', 'assign', 'ASSIGNED'],
    ['ASSIGNED', 'edit', 'ASSIGNED'],
    ['ASSIGNED', 'assign', 'ASSIGNED'],
    ['ASSIGNED', 'unassign', 'PENDING_ASSIGN'],
    ['ASSIGNED', 'collect', 'PROCESSING'],
    ['PROCESSING', 'close', 'PROCESSED'],
  ];
  it.each(ok)('%s --%s--> %s', (from, action, to) => {
    expect(transition('AWSC-1', from as never, action)).toBe(to);
  });

  it('refuses every other change with a message naming the credit, its status and what is allowed', () => {
    const actions: Action[] = ['assign', 'edit', 'unassign', 'collect', 'close'];
    for (const status of STATUSES) {
      for (const action of actions) {
        if (ok.some(([f, a]) => f === status && a === action)) continue;
        expect(() => transition('AWSC-202610-1111-2222', status, action)).toThrow(
          new RegExp(`AWSC-202610-1111-2222.*${status}`),
        );
      }
    }
    expect(() => transition('AWSC-X', 'PROCESSED', 'edit')).toThrow(/read-only/);
    expect(() => transition('AWSC-X', 'PENDING_ASSIGN', 'close')).toThrow(/allowed: assign/);
  });

  it('locks PROCESSING and PROCESSED only', () => {
    expect(STATUSES.filter(isLocked)).toEqual(['PROCESSING', 'PROCESSED']);
    expect(allowedActions('PROCESSED')).toEqual([]);
  });
});
