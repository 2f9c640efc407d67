/**
 * The round trip through the real client (sync-service/connect-api/client.ts) and the local Connect server
 * (emulators/connect-server.ts) on the wire: submitted (the server checks an upload after answering it, so the
 * run polls), rejected → ASSIGNED → collected into a new file → accepted → closed → PROCESSED with the external
 * billing id; a create whose reply was lost on the wire is found, not repeated.
 */
import { readLedger } from '../../../core/ledger';
import { readState } from '../../../core/sheet-state';
import { createConnectUsageApi } from '../../../sync-service/connect-api/client';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { silentReporter } from '../../../sync-service/progress';
import { startConnectServer, type ConnectServer } from '../../../emulators/connect-server';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, syncedWorkbook } from '../jobs/ledger-helpers';

const tempDir = useTempDirs('credit-desk-connect-server-');

let server: ConnectServer;
beforeAll(async () => {
  server = await startConnectServer({ assets: ['AS-1'], processingDelayMs: 20 });
});
afterAll(() => server.close());

it('through the real client and the local Connect server: rejected, collected again, accepted, closed, PROCESSED', async () => {
  const { usageDir, sink } = await syncedWorkbook(tempDir(), {
    n: 2,
    allocation: 'customer 60%, reseller 40%',
  });
  const api = createConnectUsageApi({
    endpoint: server.endpoint,
    apiKey: server.apiKey,
    retry: { baseDelayMs: 5 },
  });
  let minute = 0;
  const deps = () => ({
    sink: sink(),
    usageDir,
    reporter: silentReporter,
    now: new Date(NOW.getTime() + ++minute * 60_000),
    api,
    pollMs: [20, 50, 100, 200, 400],
  });
  const ufA = (await runCollect({}, { ...deps(), connectApi: api })).file!.usageFileId;

  server.fault({ method: 'POST', path: '/usage/files', kind: 'lose-reply' });
  await expect(runConnectTrip({ submit: true }, deps())).rejects.toThrow();
  const sent = await runConnectTrip({ submit: true }, deps());
  expect(sent.files.map((f) => [f.usageFileId, f.status, f.problems])).toEqual([[ufA, 'pending', []]]);
  expect(server.log.filter((l) => l.startsWith('POST /public/v1/usage/files ')).length).toBe(1);
  const idA = sent.files[0].connectId!;

  server.provider.reject(idA, 'the reseller share is not agreed');
  const seen = await runConnectTrip({ submit: false }, deps());
  expect(seen.files[0].reopened).toBe(2);
  expect(readState(await sink().read()).credits.map((e) => [e.credit.status, e.credit.flags])).toEqual([
    ['ASSIGNED', 'REJECTED'],
    ['ASSIGNED', 'REJECTED'],
  ]);

  const ufB = (await runCollect({}, { ...deps(), connectApi: api })).file!.usageFileId;
  const sentB = await runConnectTrip({ submit: true }, deps());
  const idB = sentB.files[0].connectId!;
  server.provider.accept(idB);
  server.provider.closeAll(idB);
  const done = await runConnectTrip({ submit: false }, deps());
  expect(done.files[0]).toMatchObject({ usageFileId: ufB, step: 'closed', processed: 2 });
  const snapshot = await sink().read();
  expect(readState(snapshot).credits.map((e) => [e.credit.status, e.credit.usageFileId])).toEqual([
    ['PROCESSED', ufB],
    ['PROCESSED', ufB],
  ]);
  // Two billed records per credit (customer and reseller): both billing ids in the Ledger.
  for (const e of readLedger(snapshot.tabs.ledger)) expect(e.connectNote?.split('; ')).toHaveLength(2);
  expect(server.violations).toEqual([]);
});
