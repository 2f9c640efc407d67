/**
 * The screening before a collection (core/collect-check.ts) and the proofs it reads: the amounts the sync recorded
 * (core/amount-proof.ts) and what the record shows collected.
 */
import fc from 'fast-check';
import { creditsWithSyncRows, isSyncedAmount, readSyncedAmounts } from '../../core/amount-proof';
import { auditCells, compactAudit, type AuditEntry } from '../../core/audit';
import { notCollectedFlags, screenForCollect } from '../../core/collect-check';
import { headersOf } from '../../core/sheet-contract';
import type { Grid } from '../../core/table';
import { credit, directory, NOW } from '../helpers/domain';

const DIR = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
]);

function auditGrid(entries: AuditEntry[]): Grid {
  const headers = headersOf('audit');
  const fields = ['when', 'who', 'action', 'creditId', 'field', 'before', 'after'] as const;
  return {
    headers,
    rows: compactAudit(entries).map((e) => {
      const cells = auditCells(e);
      return fields.map((f) => cells[f]);
    }),
  };
}

const entry = (creditId: string, action: AuditEntry['action'], field: string, after: string): AuditEntry => ({
  when: NOW,
  who: 'credit-desk sync',
  action,
  creditId,
  field,
  before: '',
  after,
});

describe('the amounts the sync recorded', () => {
  it('reads single-field and compacted rows, the latest winning, and compares by value', () => {
    const grid = auditGrid([
      entry('A', 'sync-add', 'amount', '20.50'),
      { ...entry('A', 'sync-update', 'amount', '21.00'), when: '2026-11-27T00:00:00.000Z' },
      entry('B', 'sync-add', 'amount', '5.00'),
      entry('B', 'rule-applied', 'allocation', 'customer 100%'),
      entry('C', 'assign', 'allocation', 'customer 100%'),
    ]);
    const amounts = readSyncedAmounts(grid);
    expect(amounts.get('A')).toBe('21.00');
    expect(amounts.get('B')).toBe('5.00'); // from the compacted sync-add row (amount, allocation)
    expect(amounts.has('C')).toBe(false);
    expect(creditsWithSyncRows(grid)).toEqual(new Set(['A', 'B']));
    // Google Sheets may hand "20.50" back as the number 20.5
    expect(isSyncedAmount(20.5, 2050, 'USD')).toBe(true);
    expect(isSyncedAmount('20.50', 2051, 'USD')).toBe(false);
    expect(isSyncedAmount(undefined, 2050, 'USD')).toBe(false);
    expect(isSyncedAmount('garbage', 2050, 'USD')).toBe(false);
  });
});

describe('screenForCollect', () => {
  const assigned = credit({
    key: 'k1',
    status: 'ASSIGNED',
    allocation: 'customer 100%',
    distributorKeeps: 0,
  });

  it('passes over a 0.00 credit (worth less than a cent) without skipping or flagging it NOT_COLLECTED', () => {
    const tiny = credit({
      ...assigned,
      key: 'k0',
      creditId: 'AWSC-202610-0000-0009',
      amount: 0,
      flags: 'BELOW_MINOR_UNIT',
    });
    const screened = screenForCollect([{ sheetRow: 3, credit: tiny }], DIR, { syncedAmounts: new Map() });
    expect(screened.skipped).toEqual([]);
    expect(screened.collectable).toEqual([tiny]);
  });

  it('takes an ASSIGNED credit only for the amount the sync recorded, and never one the record shows collected', () => {
    const rows = [{ sheetRow: 2, credit: assigned }];
    const ok = screenForCollect(rows, DIR, { syncedAmounts: new Map([[assigned.creditId, '100.00']]) });
    expect(ok.collectable).toEqual([assigned]);
    const typed = screenForCollect(rows, DIR, { syncedAmounts: new Map([[assigned.creditId, '99.00']]) });
    expect(typed.skipped[0].reason).toMatch(/Amount 100.00 USD is not the 99.00 the last sync read/);
    const none = screenForCollect(rows, DIR, { syncedAmounts: new Map() });
    expect(none.skipped[0].reason).toMatch(/no record of the sync reading its amount/);
    const twice = screenForCollect(rows, DIR, { collected: new Map([['k1', 'UF-2026-11-0000-0001']]) });
    expect(twice.collectable).toEqual([]);
    expect(twice.skipped[0].reason).toMatch(/collected before, into UF-2026-11-0000-0001/);
    // Disputed (decision 0032): skipped, and said as what it is, by Key or by Credit ID; a collection wins.
    for (const at of ['k1', assigned.creditId]) {
      const doubt = screenForCollect(rows, DIR, { disputed: new Map([[at, 'UF-2026-11-0000-0002']]) });
      expect(doubt.collectable).toEqual([]);
      expect(doubt.skipped[0].reason).toMatch(
        /^the Audit tab shows it collected into UF-2026-11-0000-0002, but the rest of the record gives that collection to another credit/,
      );
    }
    const both = screenForCollect(rows, DIR, {
      collected: new Map([['k1', 'UF-2026-11-0000-0001']]),
      disputed: new Map([[assigned.creditId, 'UF-2026-11-0000-0002']]),
    });
    expect(both.skipped[0].reason).toMatch(/collected before, into UF-2026-11-0000-0001/);
  });

  it('property: NOT_COLLECTED is on exactly the ASSIGNED credits the screening skipped, once applied', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ skip: fc.boolean(), flagged: fc.boolean(), assigned: fc.boolean() }), {
          maxLength: 12,
        }),
        (specs) => {
          const credits = specs.map((s, i) => ({
            sheetRow: i + 2,
            credit: credit({
              key: `k${i}`,
              creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
              status: s.assigned ? 'ASSIGNED' : 'PENDING_ASSIGN',
              flags: s.flagged ? 'UNKNOWN_ACCOUNT NOT_COLLECTED' : 'UNKNOWN_ACCOUNT',
            }),
          }));
          const skipped = credits
            .filter((_, i) => specs[i].skip && specs[i].assigned)
            .map((c) => ({ sheetRow: c.sheetRow, creditId: c.credit.creditId, reason: 'because' }));
          const marks = notCollectedFlags(credits, skipped, { now: NOW, actor: 'usage process' });
          const after = new Map(marks.changes.map((c) => [c.after.key, c.after]));
          credits.forEach(({ credit: c }, i) => {
            const flags = (after.get(c.key) ?? c).flags.split(' ');
            expect(flags).toContain('UNKNOWN_ACCOUNT'); // other flags kept
            if (specs[i].assigned) expect(flags.includes('NOT_COLLECTED')).toBe(specs[i].skip);
            else expect(after.has(c.key)).toBe(false); // only ASSIGNED credits are touched
          });
          // an Audit row per change, and a newly skipped credit's row says why
          expect(marks.audit).toHaveLength(marks.changes.length);
          for (const a of marks.audit)
            if (a.after.includes('NOT_COLLECTED')) expect(a.after).toMatch(/because$/);
        },
      ),
    );
  });
});
