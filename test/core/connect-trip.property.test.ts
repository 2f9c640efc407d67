/**
 * core/connect-trip.ts: Connect's status → the next step, and Connect's records read back onto the journal's
 * credits. Properties over random files and random Connect replies: a credit is closed exactly when every one of
 * its billed records is closed with a billing id; a missing, doubled, invalid or rejected record keeps it open and
 * flagged; a record of no billed row is never pinned on a credit.
 */
import fc from 'fast-check';
import {
  applyConnectClose,
  applyMismatchFlags,
  applyReopen,
  CONNECT_RECORD_PARAM,
  mapConnectRecords,
  nextConnectStep,
  type RemoteRecord,
} from '../../core/connect-trip';
import type { Credit } from '../../core/credit';
import type { UsageFile, UsageRecord } from '../../core/usage';
import { readReopenedIds } from '../../core/collect-trace';
import { compactAudit, auditCells } from '../../core/audit';
import { headersOf } from '../../core/sheet-contract';
import { recordToRow, indexColumns } from '../../core/table';

const FILE = 'UF-2026-11-0001-0001';

/** A journal with credits of 0–3 billed rows each (0: the distributor keeps it all). */
function fileOf(rowsPerCredit: number[]): UsageFile {
  const records = rowsPerCredit.map((n, i): UsageRecord => {
    const id = `UR-2026-11-0001-0001-${String(i).padStart(5, '0')}`;
    return {
      usageRecordId: id,
      creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
      key: `key-${i}`,
      period: '2026-10',
      accountId: '222222222222',
      customerId: 'CUST-1',
      assetId: 'AS-1',
      resellerId: 'RES-1',
      service: 'AmazonEC2',
      description: `Credit ${i}`,
      currency: 'USD',
      amount: 1000,
      allocation: 'customer 100%',
      lines: [],
      ruleId: '',
      billed: Array.from({ length: n }, (_, j) => ({
        recordId: `${id}-${j + 1}`,
        role: 'customer' as const,
        targetId: 'CUST-1',
        assetId: 'AS-1',
        tier: 0 as const,
        amount: 1000,
      })),
    };
  });
  return {
    usageFileId: FILE,
    status: 'ready',
    createdAt: '2026-11-26T10:00:00.000Z',
    closedAt: null,
    processingDate: '2026-11-26',
    period: '2026-10',
    records,
    totals: [],
  };
}

const STATUSES = ['valid', 'approved', 'closed', 'invalid', 'rejected'] as const;

/** What Connect may answer for one billed row: nothing, one record, or two. */
const reply = fc.record({
  copies: fc.constantFrom(0, 1, 1, 1, 2),
  status: fc.constantFrom(...STATUSES),
  billingId: fc.constantFrom('INV-1', 'INV-2', ''),
});

describe('Connect records read back onto the credits', () => {
  it('a credit is closed exactly when each of its billed records is there once, closed, with a billing id', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(reply, { minLength: 18, maxLength: 18 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom('accepted', 'closed'),
        (rows, replies, strays, fileStatus) => {
          const file = fileOf(rows);
          const billed = file.records.flatMap((r) => r.billed!.map((b) => ({ key: r.key, id: b.recordId })));
          const remote: RemoteRecord[] = [];
          billed.forEach((b, i) => {
            const x = replies[i];
            for (let c = 0; c < x.copies; c++)
              remote.push({
                id: `CR-${i}-${c}`,
                status: x.status,
                params: { [CONNECT_RECORD_PARAM]: b.id },
                externalBillingId: x.billingId,
                externalBillingNote: 'n',
              });
          });
          for (let s = 0; s < strays; s++)
            remote.push({
              id: `STRAY-${s}`,
              status: 'closed',
              params: s ? { [CONNECT_RECORD_PARAM]: 'UR-SOMEONE-ELSE-1' } : {},
              externalBillingId: 'X',
              externalBillingNote: 'x',
            });
          const m = mapConnectRecords(file, fileStatus, remote);
          expect(m.unknown).toHaveLength(strays);
          file.records.forEach((r) => {
            const mine = r.billed!.map((b) => replies[billed.findIndex((x) => x.id === b.recordId)]);
            const broken = mine.some(
              (x) =>
                x.copies !== 1 ||
                x.status === 'invalid' ||
                x.status === 'rejected' ||
                (x.status === 'closed' && !x.billingId),
            );
            const closed =
              !broken && (mine.length ? mine.every((x) => x.status === 'closed') : fileStatus === 'closed');
            expect({ key: r.key, closed: m.closed.some((c) => c.key === r.key) }).toEqual({
              key: r.key,
              closed,
            });
            expect({ key: r.key, flagged: m.mismatched.some((c) => c.key === r.key) }).toEqual({
              key: r.key,
              flagged: broken,
            });
          });
          expect(m.closed.length + m.mismatched.length + m.open).toBe(file.records.length);
          for (const c of m.closed)
            expect(c.note.split('; ')).toHaveLength(
              file.records.find((r) => r.key === c.key)!.billed!.length || 1,
            );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the next step from Connect’s status', () => {
  it('never creates, uploads or submits when not asked to, and reopens only a rejected file', () => {
    const all = [
      null,
      'draft',
      'uploading',
      'uploaded',
      'invalid',
      'processing',
      'ready',
      'rejected',
      'pending',
      'accepted',
      'closed',
      'deleted',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.boolean(), fc.boolean(), (status, submit, reupload) => {
        const step = nextConnectStep(status, { submit, reupload });
        if (!submit) expect(['create', 'upload', 'submit']).not.toContain(step);
        expect(step === 'reopen').toBe(status === 'rejected');
        expect(step === 'follow').toBe(['pending', 'accepted', 'closed'].includes(status ?? ''));
        if (step === 'upload') expect(status === 'draft' || (status === 'invalid' && reupload)).toBe(true);
        if (step === 'submit') expect(status).toBe('ready');
        if (step === 'create') expect(status).toBeNull();
      }),
    );
  });
});

function credit(key: string, over: Partial<Credit>): Credit {
  return {
    key,
    creditId: `AWSC-${key}`,
    period: '2026-10',
    accountId: '222222222222',
    payerAccountId: '111111111111',
    customerId: 'CUST-1',
    assetId: 'AS-1',
    resellerId: 'RES-1',
    service: 'AmazonEC2',
    description: 'd',
    amount: 1000,
    currency: 'USD',
    status: 'PROCESSING',
    allocation: 'customer 100%',
    distributorKeeps: 0,
    ruleId: '',
    usageFileId: FILE,
    usageRecordId: 'UR-x',
    processingDate: '2026-11-26',
    flags: '',
    notes: '',
    lastChange: '',
    ...over,
  };
}

describe('what Connect says, applied to the credits', () => {
  const now = '2026-12-01T00:00:00.000Z';
  it('a rejection reopens only credits PROCESSING in that file, and the Audit names the reopened record IDs', () => {
    const file = fileOf([1, 1, 1]);
    const credits = [
      credit('key-0', { usageRecordId: file.records[0].usageRecordId }),
      credit('key-1', { status: 'PROCESSING', usageFileId: 'UF-2026-11-0009-0009' }), // another file's
      credit('key-2', { status: 'ASSIGNED', usageFileId: '', flags: 'REJECTED' }), // already reopened
    ];
    const r = applyReopen(file, 'wrong asset', credits, now);
    expect(r.credits.map((c) => [c.key, c.status, c.usageFileId, c.usageRecordId, c.flags])).toEqual([
      ['key-0', 'ASSIGNED', '', '', 'REJECTED'],
    ]);
    // Compacted as the sinks write it, the Audit row still names the reopened record ID.
    const headers = headersOf('audit');
    const idx = indexColumns('audit', headers);
    const rows = compactAudit(r.audit).map((e) => recordToRow(auditCells(e), idx, headers.length));
    expect(readReopenedIds({ headers, rows })).toEqual(new Set([file.records[0].usageRecordId]));
    expect(applyReopen(file, 'wrong asset', [...r.credits, credits[1], credits[2]], now).credits).toEqual([]);
  });

  it('closing moves only credits PROCESSING in the file; a mismatch flag is set once', () => {
    const credits = [
      credit('a', {}),
      credit('b', { status: 'PROCESSED' }),
      credit('c', { usageFileId: 'UF-OTHER' }),
    ];
    const closed = ['a', 'b', 'c'].map((key) => ({ key, creditId: `AWSC-${key}`, note: 'INV: n' }));
    expect(applyConnectClose(FILE, closed, credits, now).credits.map((c) => [c.key, c.status])).toEqual([
      ['a', 'PROCESSED'],
    ]);
    const once = applyMismatchFlags([{ key: 'a', creditId: 'AWSC-a', why: 'w' }], credits, now);
    expect(once.credits.map((c) => c.flags)).toEqual(['CONNECT_MISMATCH']);
    expect(
      applyMismatchFlags([{ key: 'a', creditId: 'AWSC-a', why: 'w' }], once.credits, now).credits,
    ).toEqual([]);
  });
});
