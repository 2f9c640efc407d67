/**
 * The statement's External billing column (core/external-billing.ts, issue 23 item 1): a credit Connect closed
 * shows the billing id of each of its records, in the note's order; one closed by `usage close` says "closed by
 * hand UF-…"; anything not PROCESSED is blank, and the totals row says why. The ids are read back from the very
 * note core/connect-trip.ts writes into the Ledger's Connect Note, for any ids and notes.
 */
import fc from 'fast-check';
import { CONNECT_RECORD_PARAM, mapConnectRecords } from '../../core/connect-trip';
import { billingIdsOfNote, closedCredits, externalBillingOf } from '../../core/external-billing';
import { buildStatements, statementCsv, statementTable } from '../../core/statement';
import type { UsageFile } from '../../core/usage';
import { credit, directory } from '../helpers/domain';

const DIR = directory([
  { accountId: '000000000001', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
]);
const UF = 'UF-2026-11-0001-0001';

const on = (key: string, creditId: string, status: 'ASSIGNED' | 'PROCESSING' | 'PROCESSED') =>
  credit({
    key,
    creditId,
    period: '2026-10',
    accountId: '000000000001',
    customerId: 'CUST-1',
    resellerId: 'RES-1',
    status,
    allocation: 'customer 60%, reseller 40%',
    amount: 10_000,
    ...(status === 'ASSIGNED' ? {} : { usageFileId: UF, usageRecordId: `UR-${creditId}` }),
  });

describe('External billing on a statement line', () => {
  const all = [
    on('k1', 'AWSC-202610-0000-0001', 'PROCESSED'), // closed by Connect, billed in two records
    on('k2', 'AWSC-202610-0000-0002', 'PROCESSED'), // closed by hand
    on('k3', 'AWSC-202610-0000-0003', 'PROCESSING'),
    on('k4', 'AWSC-202610-0000-0004', 'ASSIGNED'),
    on('k5', 'AWSC-202610-0000-0005', 'PROCESSED'), // the Ledger does not back it
  ];
  const closed = closedCredits([
    { key: 'k1', status: 'PROCESSED', usageFileId: UF, connectNote: 'INV-7: October; INV-8: October, EU' },
    { key: 'k2', status: 'PROCESSED', usageFileId: UF, connectNote: '' },
    // PROCESSING in the Ledger: not closed, whatever the Credits row says
    { key: 'k3', status: 'PROCESSING', usageFileId: UF, connectNote: '' },
  ]);

  it('names the Connect ids, "closed by hand UF-…", or nothing, on both parties’ lines', () => {
    const { statements } = buildStatements(all, DIR, closed, { period: '2026-10' });
    expect(statements.map((s) => s.party.id)).toEqual(['CUST-1', 'RES-1']);
    for (const s of statements)
      expect(s.lines.map((l) => [l.creditId, l.externalBilling])).toEqual([
        ['AWSC-202610-0000-0001', 'INV-7; INV-8'],
        ['AWSC-202610-0000-0002', `closed by hand ${UF}`],
        ['AWSC-202610-0000-0003', ''],
        ['AWSC-202610-0000-0004', ''],
        ['AWSC-202610-0000-0005', 'no Ledger entry'],
      ]);
  });

  it('puts the column in the table and the CSV, and says plainly why the open credits have none', () => {
    const [cust] = buildStatements(all, DIR, closed, {
      period: '2026-10',
      party: { role: 'customer', id: 'CUST-1' },
    }).statements;
    const table = statementTable(cust);
    const at = table.headers.indexOf('External billing');
    expect(at).toBeGreaterThan(table.headers.indexOf('Usage Record ID'));
    expect(table.rows[0][at]).toBe('INV-7; INV-8');
    const total = table.rows.find((r) => r[0] === 'Total USD')!;
    expect(total[4]).toBe(
      '5 credits; 120.00 not invoiced yet (ASSIGNED or PROCESSING: no external billing reference yet)',
    );
    const csv = statementCsv(cust)
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(csv[0].split(',')[at]).toBe('External billing');
    expect(csv[1]).toContain(`,UR-AWSC-202610-0000-0001,INV-7; INV-8,CUST-1`);
    expect(csv[2]).toContain(`,closed by hand ${UF},CUST-1`);
  });

  it('is blank for anything not PROCESSED, even with a Ledger note', () => {
    const noted = closedCredits([
      { key: 'k', status: 'PROCESSED', usageFileId: UF, connectNote: 'INV-1: x' },
    ]);
    for (const status of ['ASSIGNED', 'PROCESSING', 'PENDING_ASSIGN'] as const)
      expect(externalBillingOf({ key: 'k', status }, noted)).toBe('');
    expect(externalBillingOf({ key: 'k', status: 'PROCESSED' }, noted)).toBe('INV-1');
  });

  it('property: a line has a reference exactly when its credit is PROCESSED, and the Ledger decides which', () => {
    const status = fc.constantFrom('ASSIGNED', 'PROCESSING', 'PROCESSED') as fc.Arbitrary<
      'ASSIGNED' | 'PROCESSING' | 'PROCESSED'
    >;
    const ledgerOf = fc.option(
      fc.record({
        status: fc.constantFrom('PROCESSING', 'PROCESSED'),
        note: fc.constantFrom('', 'INV-1: a', 'INV-1: a; INV-2: b'),
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(status, ledgerOf), { maxLength: 8 }), (specs) => {
        const credits = specs.map(([s], i) =>
          on(`k${i}`, `AWSC-202610-0000-${String(i).padStart(4, '0')}`, s),
        );
        const ledger = closedCredits(
          specs.flatMap(([, l], i) =>
            l ? [{ key: `k${i}`, status: l.status, usageFileId: UF, connectNote: l.note }] : [],
          ),
        );
        const [cust] = buildStatements(credits, DIR, ledger, {
          period: '2026-10',
          party: { role: 'customer', id: 'CUST-1' },
        }).statements;
        for (const line of cust.lines) {
          const i = credits.findIndex((c) => c.creditId === line.creditId);
          const [s, l] = specs[i];
          const expected =
            s !== 'PROCESSED'
              ? ''
              : !l || l.status !== 'PROCESSED'
                ? 'no Ledger entry'
                : l.note === ''
                  ? `closed by hand ${UF}`
                  : l.note.replace(/: [ab]/g, '');
          expect(line.externalBilling).toBe(expected);
        }
        expect(cust.lines).toHaveLength(credits.length);
      }),
    );
  });

  it('property: the ids read back from the Connect Note mapConnectRecords writes are Connect’s, in order', () => {
    // Ids are Connect's external_billing_id strings (connect-openapi30.yml, UsageRecord): any text with no
    // "; " or ": " in it; notes are free text without "; " (see billingIdsOfNote for that case).
    const id = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => s.trim() !== '' && !s.includes(';') && !s.includes(':'));
    const note = fc.string({ maxLength: 20 }).filter((s) => !s.includes(';'));
    fc.assert(
      fc.property(fc.array(fc.record({ id, note }), { minLength: 1, maxLength: 4 }), (billed) => {
        const rows = billed.map((_, i) => ({ recordId: `UR-1-${i}` }));
        const file = { records: [{ key: 'k', creditId: 'AWSC-1', billed: rows }] } as unknown as UsageFile;
        const remote = billed.map((b, i) => ({
          id: `UR-C-${i}`,
          status: 'closed',
          params: { [CONNECT_RECORD_PARAM]: rows[i].recordId },
          externalBillingId: b.id,
          externalBillingNote: b.note,
        }));
        const [done] = mapConnectRecords(file, 'closed', remote).closed;
        // the Ledger cell is read trimmed (core/table.ts text)
        expect(billingIdsOfNote(done.note.trim())).toEqual(billed.map((b) => b.id.trim()));
      }),
    );
  });
});
