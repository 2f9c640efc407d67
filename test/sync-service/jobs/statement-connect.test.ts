/**
 * `credit-desk statement` (the real CLI) on a workbook whose usage file went through Connect (issue 23 item 1): a
 * credit Connect closed shows its records' external billing ids, read from the Ledger's Connect Note; a credit
 * whose records Connect has not all closed is still PROCESSING, its External billing blank, and the totals say it
 * is not invoiced yet. The round trip is the one of test/sync-service/jobs/connect-trip.test.ts, on test/helpers/connect-fake.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLedger } from '../../../core/ledger';
import { readState } from '../../../core/sheet-state';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { usageJsonPath } from '../../../sync-service/usage/usage-files';
import { runCli } from '../../helpers/cli';
import { FakeConnect } from '../../helpers/connect-fake';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, sourceOf, writeAccounts } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-statement-connect-');

describe('a statement after Connect closed a credit', () => {
  it('shows the external billing id of each of its records; the credit Connect has not closed has none', async () => {
    const dir = tempDir();
    const path = join(dir, 'credits.xlsx');
    const usageDir = join(dir, 'usage');
    const settings = resolveSettings(
      { period: '2026-10', workbook: path, usageDir, accounts: writeAccounts(dir) },
      {},
    );
    const sink = () => createWorkbookSink({ path });
    const at = (m: number) => new Date(NOW.getTime() + m * 60_000);
    await runSync(
      settings,
      { previous: false },
      { source: sourceOf(2), sink: sink(), reporter: silentReporter, now: NOW },
    );
    const [first, second] = readState(await sink().read()).credits.map((e) => e.credit);
    // Two parties: the first credit is billed in two records (the customer's and the reseller's line).
    await runAssign(first.creditId, 'customer 60%, reseller 40%', { sink: sink(), now: NOW, actor: 'a@x' });
    await runAssign(second.creditId, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });

    const connect = new FakeConnect({ knownAssets: new Set(['AS-1']) });
    const deps = (m: number) => ({
      sink: sink(),
      usageDir,
      reporter: silentReporter,
      now: at(m),
      api: connect,
      connectApi: connect,
    });
    const uf = (await runCollect({}, deps(1))).file!.usageFileId;
    await runConnectTrip({ submit: true }, deps(2));
    const inConnect = connect.byExternal(uf);
    connect.accept(inConnect.id);
    const journal = JSON.parse(readFileSync(usageJsonPath(usageDir, uf), 'utf8')) as {
      records: { creditId: string; billed: { recordId: string }[] }[];
    };
    const billedOfFirst = journal.records.find((r) => r.creditId === first.creditId)!.billed;
    expect(billedOfFirst).toHaveLength(2);
    const mine = new Set(billedOfFirst.map((b) => b.recordId));
    // Connect closes only the first credit's records: the second stays PROCESSING.
    connect.close(inConnect.id, (r) => mine.has(r.params.credit_desk_record));
    await runConnectTrip({ submit: false }, deps(3));

    // Connect's ids as the fake gave them, in the order of the Connect Note it wrote into the Ledger.
    const ids = inConnect.records
      .filter((r) => mine.has(r.params.credit_desk_record))
      .map((r) => r.externalBillingId);
    const [entry] = readLedger((await sink().read()).tabs.ledger).filter(
      (e) => e.creditId === first.creditId,
    );
    expect(entry.status).toBe('PROCESSED');
    const inNoteOrder = [...ids].sort(
      (a, b) => entry.connectNote!.indexOf(a) - entry.connectNote!.indexOf(b),
    );
    expect(inNoteOrder).toHaveLength(2);

    const r = runCli(['statement', '--period', '2026-10', '--format', 'csv', '--out', 'out'], dir);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const csv = readFileSync(join(dir, 'out', 'statement-2026-10-customer-CUST-1.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    const headers = csv[0].split(',');
    const billingAt = headers.indexOf('External billing');
    expect(billingAt).toBeGreaterThan(-1);
    const cell = (creditId: string) => {
      const line = csv.find((l) => l.startsWith(`${creditId},`))!;
      return { status: line.split(',')[headers.indexOf('Status')], billing: line.split(',')[billingAt] };
    };
    expect(cell(first.creditId)).toEqual({ status: 'PROCESSED', billing: inNoteOrder.join('; ') });
    expect(cell(second.creditId)).toEqual({ status: 'PROCESSING', billing: '' });
    expect(csv.find((l) => l.startsWith('Total USD,'))).toMatch(
      /not invoiced yet \(ASSIGNED or PROCESSING: no external billing reference yet\)/,
    );
    // The reseller's statement names the same ids on its 40 % line.
    const reseller = readFileSync(join(dir, 'out', 'statement-2026-10-reseller-RES-1.csv'), 'utf8');
    expect(reseller).toContain(`,${inNoteOrder.join('; ')},RES-1\r\n`);
  });
});
