/**
 * unionLedger: the Ledger tab's entries completed by the usage files. Where a Ledger row says other than its
 * usage file about what was billed (a cell typed over in the unhidden tab), the usage file's values stand — it
 * is what Connect bills — and the row is named to be written back.
 */
import fc from 'fast-check';
import { creditIdCandidate, creditKey } from '../../core/ids';
import { unionLedger, type LedgerEntry } from '../../core/ledger';
import { ledgerEntry } from '../helpers/domain';

const filed = ledgerEntry({
  creditId: 'AWSC-202610-0001-0001',
  description: 'MAP 2.0 Migration Credit',
  allocation: 'customer 60%, reseller 40%',
  ruleId: 'R-1',
});

/** Values a person could type over each billed field of the Ledger row. */
const typed: Partial<Record<keyof LedgerEntry, unknown>> = {
  key: 'k1-typed',
  creditId: 'AWSC-202610-0001-0002',
  period: '2026-09',
  accountId: '444444444444',
  payerAccountId: '333333333333',
  customerId: 'CUST-2',
  assetId: 'AS-2',
  resellerId: 'RES-2',
  service: 'AmazonS3',
  description: 'Promotional credit',
  amount: 20000,
  currency: 'EUR',
  allocation: 'reseller 100%',
  distributorKeeps: 4000,
  usageRecordId: 'UR-2026-11-0001-0001-00001',
  processingDate: '2026-11-28',
};

describe('unionLedger', () => {
  it('puts a Ledger row typed over back as its usage file records it, and names the fields', () => {
    const tab = { ...filed, customerId: 'CUST-2', allocation: 'reseller 100%', amount: 1 };
    const u = unionLedger([tab], [filed]);
    expect(u.entries).toEqual([filed]);
    expect(u.corrected).toEqual([{ entry: filed, was: tab, fields: ['customerId', 'amount', 'allocation'] }]);
    expect(u.missing).toEqual([]);
  });

  it('leaves a row that agrees with its file, and what an older journal does not record', () => {
    expect(unionLedger([filed], [filed]).corrected).toEqual([]);
    // a journal written before the payer was recorded: its entry says '' (entryFromRecord), the Ledger the payer
    const older = { ...filed, payerAccountId: '' };
    expect(unionLedger([filed], [older]).corrected).toEqual([]);
    // the rule and the collection time are the Ledger's own
    expect(unionLedger([{ ...filed, ruleId: 'manual', collectedAt: 'x' }], [filed]).corrected).toEqual([]);
  });

  it('writes back the billed cells and the close of a file closed since', () => {
    const closedFile = { ...filed, status: 'PROCESSED' as const, closedAt: '2026-11-30T00:00:00.000Z' };
    const u = unionLedger([{ ...filed, resellerId: 'RES-2' }], [closedFile]);
    expect(u.corrected.map((c) => c.fields)).toEqual([['resellerId']]);
    expect(u.closed).toEqual([{ ...filed, status: 'PROCESSED', closedAt: closedFile.closedAt }]);
    expect(u.entries).toEqual([closedFile]);
  });

  it('never takes another file’s record for the same credit as a correction (that is a conflict)', () => {
    const other = { ...filed, usageFileId: 'UF-2026-11-0002-0002', customerId: 'CUST-2' };
    const u = unionLedger([filed], [other]);
    expect(u.corrected).toEqual([]);
    expect(u.conflicts.map((c) => c.files.sort())).toEqual([[filed.usageFileId, other.usageFileId].sort()]);
  });

  it('finds a record whose Ledger Key was typed over by its usage file and record ID, and puts the Key back', () => {
    const tab = { ...filed, key: 'k1-typed', customerId: 'CUST-2' };
    const u = unionLedger([tab], [filed]);
    expect(u.entries).toEqual([filed]); // one credit, under its own Key: not a second collected credit
    expect(u.missing).toEqual([]);
    expect(u.corrected).toEqual([{ entry: filed, was: tab, fields: ['key', 'customerId'] }]);
  });

  it('a Key typed over with another record’s Key: both records come out as their usage files say', () => {
    const other: LedgerEntry = {
      ...filed,
      key: 'k1-bbb',
      creditId: 'AWSC-202610-0001-0002',
      customerId: 'CUST-2',
      usageRecordId: 'UR-2026-11-0001-0001-00001',
    };
    const typed = { ...filed, key: other.key }; // this record's row, showing the other credit's Key
    const u = unionLedger([typed], [filed, other]);
    expect(new Map(u.entries.map((e) => [e.key, e]))).toEqual(
      new Map([
        [filed.key, filed],
        [other.key, other],
      ]),
    );
    expect(u.missing).toEqual([filed]);
    expect(u.corrected.map((c) => c.entry)).toEqual([other]);
  });

  it('a Key typed over with the Key of a credit whose row is there too, above or below: the row gets its own Key back, one row each', () => {
    // Real Keys and Credit IDs (the row holding the ID issued to the Key keeps it: core/ids.ts isCandidateOf).
    const credit = (n: number): LedgerEntry => {
      const cells = { ...filed, description: `Credit ${n}`, usageRecordId: `UR-2026-11-0001-0001-0000${n}` };
      const key = creditKey(cells);
      return { ...cells, key, creditId: creditIdCandidate(key, cells.period, 0) };
    };
    const [a, b] = [credit(1), credit(2)];
    const typed = { ...a, key: b.key };
    for (const tab of [
      [typed, b],
      [b, typed],
    ]) {
      const u = unionLedger(tab, [a, b]);
      expect(u.entries.map((e) => e.creditId).sort()).toEqual([a.creditId, b.creditId].sort());
      expect(new Map(u.entries.map((e) => [e.key, e]))).toEqual(
        new Map([
          [a.key, a],
          [b.key, b],
        ]),
      );
      expect(u.corrected).toEqual([{ entry: a, was: typed, fields: ['key'] }]);
      expect([u.missing, u.untrusted, u.conflicts]).toEqual([[], [], []]);
      // With no usage file there, both rows are given on for the Key check (core/ledger-key-check.ts).
      expect(unionLedger(tab, []).entries).toEqual(expect.arrayContaining(tab));
    }
  });

  it('does not take a Ledger row a usage file on disk does not hold: it would lock a credit no file bills', () => {
    // a pending credit's Key typed into a made-up row naming a real usage file
    const madeUp = { ...filed, key: 'k1-pending', creditId: 'AWSC-202610-0009-0009', usageRecordId: 'UR-x' };
    const u = unionLedger([filed, madeUp], [filed]);
    expect(u.entries).toEqual([filed]);
    expect(u.untrusted).toEqual([madeUp]);
    // a row whose usage file is not in the folder (another machine's, archived): the Ledger is the record there
    const elsewhere = { ...madeUp, usageFileId: 'UF-2026-10-0000-0000' };
    expect(unionLedger([filed, elsewhere], [filed]).entries).toEqual([filed, elsewhere]);
  });

  it('a Ledger row whose usage file was typed over to another file in the folder: the file holding it stands', () => {
    const second = {
      ...filed,
      key: 'k1-bbb',
      usageFileId: 'UF-2026-11-0002-0002',
      usageRecordId: 'UR-2026-11-0002-0002-00000',
    };
    const typed = { ...filed, usageFileId: second.usageFileId }; // names the other file, which does not hold it
    const u = unionLedger([typed, second], [filed, second]);
    expect(new Set(u.entries)).toEqual(new Set([filed, second]));
    expect(u.untrusted).toEqual([typed]);
    expect(u.missing).toEqual([filed]); // written onto its row (an append to a Key the tab has rewrites that row)
  });

  it('whatever was typed over, the entries say what the usage file billed and the fields named are those typed', () => {
    const fields = Object.keys(typed) as (keyof LedgerEntry)[];
    fc.assert(
      fc.property(fc.subarray(fields, { minLength: 0 }), (over) => {
        const tab = { ...filed };
        for (const f of over) (tab as Record<string, unknown>)[f] = typed[f];
        const u = unionLedger([tab], [filed]);
        expect(u.entries).toEqual([filed]);
        if (over.includes('key') && over.includes('usageRecordId')) {
          // nothing left to find the row by: not the file's record, so not taken; the record is written anew
          expect(u.untrusted).toEqual([tab]);
          expect(u.missing).toEqual([filed]);
          expect(u.corrected).toEqual([]);
        } else {
          expect(u.untrusted).toEqual([]);
          expect(u.corrected.flatMap((c) => c.fields).sort()).toEqual([...over].sort());
        }
      }),
      { numRuns: 500, seed: 29 },
    );
  });
});
