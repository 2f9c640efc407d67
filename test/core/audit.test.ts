/**
 * compactAudit: one Audit row per change. Expanding the rows again gives back every entry, and the number of
 * rows is the number of changes (action × credit × moment), with rule-applied joining a same-run sync-add.
 */
import fc from 'fast-check';
import { compactAudit, type AuditAction, type AuditEntry } from '../../core/audit';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  when: '2026-11-01T00:00:00.000Z',
  who: 'credit-desk sync',
  action: 'sync-add',
  creditId: 'AWSC-202610-0000-0001',
  field: 'amount',
  before: '',
  after: '10.00',
  ...over,
});

/** The inverse of compactAudit's row format, for the property below. */
function expand(row: AuditEntry): AuditEntry[] {
  const fields = row.field.split(', ');
  if (fields.length === 1) return [row];
  const value = (cell: string, i: number) =>
    cell === '' ? '' : cell.split('\n')[i].slice(fields[i].length + 2);
  return fields.map((field, i) => ({
    ...row,
    field,
    before: value(row.before, i),
    after: value(row.after, i),
  }));
}

describe('compactAudit', () => {
  it('writes a new credit assigned by a rule in the same sync as one row', () => {
    const rows = compactAudit([
      entry({}),
      entry({ action: 'rule-applied', field: 'status', before: 'PENDING_ASSIGN', after: 'ASSIGNED' }),
      entry({ action: 'rule-applied', field: 'ruleId', before: '', after: 'R-7' }),
    ]);
    expect(rows).toEqual([
      entry({
        field: 'amount, status, ruleId',
        before: 'amount: \nstatus: PENDING_ASSIGN\nruleId: ',
        after: 'amount: 10.00\nstatus: ASSIGNED\nruleId: R-7',
      }),
    ]);
  });

  it('keeps a single-field change as it was, and drift one row per field', () => {
    const one = entry({
      action: 'edit',
      field: 'allocation',
      before: 'customer 100%',
      after: 'customer 50%',
    });
    const drift = [
      entry({ action: 'drift', field: 'amount', before: '1.00', after: '2.00' }),
      entry({ action: 'drift', field: 'description', before: 'a', after: 'b' }),
    ];
    expect(compactAudit([one, ...drift])).toEqual([one, ...drift]);
  });

  it('never joins different credits, actors, moments or actions (other than rule-applied into sync-add)', () => {
    const rows = compactAudit([
      entry({ action: 'assign', field: 'status' }),
      entry({ action: 'assign', field: 'allocation', creditId: 'AWSC-202610-0000-0002' }),
      entry({ action: 'assign', field: 'ruleId', who: 'ana@example.com' }),
      entry({ action: 'assign', field: 'flags', when: '2026-11-02T00:00:00.000Z' }),
      entry({ action: 'edit', field: 'allocation' }),
      entry({ action: 'rule-applied', field: 'status' }), // no sync-add for it: a row of its own
    ]);
    expect(rows).toHaveLength(6);
  });

  const actions: AuditAction[] = [
    'sync-add',
    'sync-update',
    'drift',
    'assign',
    'edit',
    'rule-applied',
    'collect',
  ];
  const entryArb: fc.Arbitrary<AuditEntry> = fc.record({
    when: fc.constantFrom('2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z'),
    who: fc.constantFrom('credit-desk sync', 'ana@example.com'),
    action: fc.constantFrom(...actions),
    creditId: fc.constantFrom('AWSC-202610-0000-0001', 'AWSC-202610-0000-0002'),
    field: fc.constantFrom('amount', 'status', 'allocation', 'distributorKeeps', 'ruleId'),
    before: fc.string({ maxLength: 6 }).filter((s) => !s.includes('\n')),
    after: fc.string({ maxLength: 6 }).filter((s) => !s.includes('\n')),
  });

  it('loses nothing: the rows expand back into the entries, one row per change', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 30 }), (entries) => {
        const rows = compactAudit(entries);
        const sorted = (xs: AuditEntry[]) => xs.map((x) => JSON.stringify(x)).sort();
        // expanding restores each entry (a joined rule-applied entry comes back under its sync-add's action)
        const restored = rows.flatMap((row) => expand(row).map((e) => ({ ...e, action: row.action })));
        const joined = (e: AuditEntry) =>
          e.action === 'rule-applied' &&
          entries.some(
            (a, i) =>
              a.action === 'sync-add' &&
              i < entries.indexOf(e) &&
              a.when === e.when &&
              a.who === e.who &&
              a.creditId === e.creditId,
          );
        const expected = entries.map((e) => (joined(e) ? { ...e, action: 'sync-add' as const } : e));
        // A row whose befores are all blank shows Before blank: restore those as blank too.
        expect(sorted(restored)).toEqual(sorted(expected));
        const changes = new Set(
          expected.map((e, i) =>
            e.action === 'drift' ? `drift ${i}` : `${e.when}|${e.who}|${e.creditId}|${e.action}`,
          ),
        );
        expect(rows).toHaveLength(changes.size);
      }),
      { numRuns: 300 },
    );
  });
});
