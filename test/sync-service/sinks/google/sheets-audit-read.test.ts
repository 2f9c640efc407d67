/**
 * The Google sync reads from Audit only what it needs (Credit IDs ever issued, drift already recorded), never
 * the whole tab: its Before / After texts are most of its bytes and only grow. A read without `auditColumns`
 * (archive: it copies whole rows) gets every cell.
 */
import { headersOf } from '../../../../core/sheet-contract';
import { indexColumns, text } from '../../../../core/table';
import { MAX_URL_CHARS, type SheetsServer } from '../../../../emulators/sheets-server';
import { makeSink, startServer } from './sheets-helpers';

let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

const BIG = 'x'.repeat(2_000);

describe('Google Sheets sink: reading Audit', () => {
  it('gets Credit ID and Action of every row, Field, Before and After of drift rows only, and none of the other long texts', async () => {
    const sink = makeSink(server);
    await sink.read();
    const audit = Array.from({ length: 300 }, (_, i) => ({
      when: '2026-11-01T00:00:00.000Z',
      who: 'credit-desk sync',
      action: i % 50 === 7 || i % 50 === 8 ? 'drift' : 'sync-add',
      creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
      field: i % 50 === 7 || i % 50 === 8 ? 'amount' : 'amount, status',
      before: i % 50 === 7 || i % 50 === 8 ? `${i - 1}.00` : BIG,
      after: i % 50 === 7 || i % 50 === 8 ? `${i}.00` : BIG,
    }));
    await sink.write({ updates: [], appends: [], audit });

    server.stats.reset();
    const snap = await makeSink(server).read({ auditColumns: ['creditId', 'action'] });
    // 300 rows × 2 long cells would be 1.2 MB; only the drift rows' Before and After (short) are read of those columns.
    expect(server.stats.bytes()).toBeLessThan(100_000);
    const idx = indexColumns('audit', headersOf('audit'));
    expect(snap.tabs.audit.headers).toEqual(headersOf('audit'));
    expect(snap.tabs.audit.rows).toHaveLength(300);
    snap.tabs.audit.rows.forEach((row, i) => {
      const drift = i % 50 === 7 || i % 50 === 8;
      expect(text(row[idx.creditId])).toBe(audit[i].creditId);
      expect(text(row[idx.action])).toBe(audit[i].action);
      expect(text(row[idx.field])).toBe(drift ? 'amount' : '');
      expect(text(row[idx.after])).toBe(drift ? `${i}.00` : '');
      expect(text(row[idx.before])).toBe(drift ? `${i - 1}.00` : '');
      expect(text(row[idx.who])).toBe(drift ? 'credit-desk sync' : '');
    });

    // A read-only command that leaves the Audit out (ReadOptions.only) downloads none of its columns.
    server.stats.reset();
    const without = await makeSink(server, { readOnly: true }).read({ only: ['credits', 'ledger'] });
    expect(without.tabs.audit.rows).toEqual([]);
    expect(
      server.stats.requests.flatMap((r) => r.ranges ?? []).filter((r) => /Audit'!(?!1:1)/.test(r)),
    ).toEqual([]);

    server.stats.reset();
    const whole = await makeSink(server, { readOnly: true }).read();
    expect(server.stats.bytes()).toBeGreaterThan(1_100_000);
    whole.tabs.audit.rows.forEach((row, i) => expect(text(row[idx.after])).toBe(audit[i].after));
  });

  it('150 drift rows scattered (755 ranges): one request with the ranges in its body, rows as the full read', async () => {
    const sink = makeSink(server);
    await sink.read();
    const drift = (i: number) => i % 20 === 3;
    const audit = Array.from({ length: 3000 }, (_, i) => ({
      when: '2026-11-01T00:00:00.000Z',
      who: 'credit-desk sync',
      action: drift(i) ? 'drift' : 'sync-add',
      creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
      field: 'amount',
      before: `${i - 1}.00`,
      after: `${i}.00`,
    }));
    await sink.write({ updates: [], appends: [], audit });
    const whole = await makeSink(server, { readOnly: true }).read();
    server.stats.reset();
    const narrow = await makeSink(server, { readOnly: true }).read({ auditColumns: ['creditId', 'action'] });
    // Every request's URL within the server's limit (a GET of 755 ranges was 25 KB, and refused).
    expect(Math.max(...server.stats.requests.map((r) => r.urlChars))).toBeLessThanOrEqual(MAX_URL_CHARS);
    const byBody = server.stats.requests.filter((r) => r.op === 'values.batchGetByDataFilter');
    expect(byBody).toHaveLength(1);
    expect(byBody[0].ranges!.length).toBeGreaterThan(700);
    const idx = indexColumns('audit', headersOf('audit'));
    expect(narrow.tabs.audit.rows).toHaveLength(3000);
    narrow.tabs.audit.rows.forEach((row, i) => {
      if (drift(i)) expect(row).toEqual(whole.tabs.audit.rows[i]);
      else expect(text(row[idx.after])).toBe('');
    });
  });
});
