/**
 * The Connect round trip on the Google Sheet (the local Sheets v4 server): a rejection reopens the credits there
 * too — ASSIGNED, flag REJECTED, their Ledger rows REOPENED with Connect's note in the Connect Note column — and
 * the next collection rewrites those Ledger rows, so the sheet and the Ledger agree again.
 */
import { readReopened } from '../../../core/ledger';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { silentReporter } from '../../../sync-service/progress';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { FakeConnect } from '../../helpers/connect-fake';
import { useTempDirs } from '../../helpers/fixtures-io';
import { collectedWorld, creditsOf, expectSheetMatchesLedger, ledgerOf, NOW } from './ledger-helpers';
import { makeSink, startServer } from '../sinks/google/sheets-helpers';

const tempDir = useTempDirs('credit-desk-connect-google-');
let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

it('a file Connect rejects reopens its credits on the Google Sheet, and the next collection takes them again', async () => {
  const w = await collectedWorld(tempDir(), () => makeSink(server));
  const connect = new FakeConnect({ knownAssets: new Set(['AS-1']) });
  let minute = 0;
  const deps = () => ({
    sink: w.sink(),
    usageDir: w.usageDir,
    reporter: silentReporter,
    now: new Date(NOW.getTime() + ++minute * 3_600_000),
    api: connect,
  });
  const inFile = (await creditsOf(w.sink())).filter((c) => c.usageFileId === w.open).length;
  expect(inFile).toBeGreaterThan(1);
  // Collected before Connect was configured: sent only when named.
  const sent = await runConnectTrip({ submit: true, only: w.open }, deps());
  expect(sent.files.map((f) => f.status)).toEqual(['pending']);
  connect.reject(sent.files[0].connectId!, 'the contract is wrong');
  const seen = await runConnectTrip({ submit: false }, deps());
  expect(seen.files[0].reopened).toBe(inFile);

  const reopened = (await creditsOf(w.sink())).filter((c) => c.flags.includes('REJECTED'));
  expect(reopened.map((c) => [c.status, c.usageFileId])).toEqual(reopened.map(() => ['ASSIGNED', '']));
  expect(reopened).toHaveLength(inFile);
  const sink = w.sink();
  const ledgerTab = (await sink.read()).tabs.ledger;
  await sink.close();
  expect(readReopened(ledgerTab).map((r) => [r.usageFileId, r.note])).toEqual(
    reopened.map(() => [w.open, 'the contract is wrong']),
  );
  expect((await ledgerOf(w.sink())).some((e) => e.usageFileId === w.open)).toBe(false);

  const again = await runCollect({}, { ...deps(), connectApi: connect });
  expect(again.file!.records.map((r) => r.creditId)).toEqual(
    expect.arrayContaining(reopened.map((c) => c.creditId)),
  );
  const ledger = await ledgerOf(w.sink());
  expectSheetMatchesLedger(await creditsOf(w.sink()), ledger);
  const sink2 = w.sink();
  expect(readReopened((await sink2.read()).tabs.ledger)).toEqual([]); // rewritten in place, one row per credit
  await sink2.close();
  expect(ledger.filter((e) => e.usageFileId === again.file!.usageFileId)).toHaveLength(
    again.file!.records.length,
  );
});
