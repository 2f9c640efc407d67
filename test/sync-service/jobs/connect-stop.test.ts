/**
 * Ctrl-C during `usage submit`: the trip stops before its next change in Connect, not after it. Connect is
 * another system: a file created there after the stop was asked for is a change the person asked not to make
 * (the next run would find it and go on, so nothing is billed twice either way; test/…/connect-crash.test.ts).
 *
 * Its own file: the first stop asked for is module state (interrupt.ts), kept for the rest of the process.
 */
import { join } from 'node:path';
import { readState } from '../../../core/sheet-state';
import { handleStopSignals, Interrupted } from '../../../sync-service/interrupt';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { FakeConnect } from '../../helpers/connect-fake';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, sourceOf, writeAccounts } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-connect-stop-');

it('a stop asked for as the trip reads Connect: it stops before creating the file there', async () => {
  const dir = tempDir();
  const path = join(dir, 'credits.xlsx');
  const usageDir = join(dir, 'usage');
  const settings = resolveSettings(
    { period: '2026-10', workbook: path, usageDir, accounts: writeAccounts(dir) },
    {},
  );
  const sink = () => createWorkbookSink({ path });
  await runSync(
    settings,
    { previous: false },
    { source: sourceOf(3), sink: sink(), reporter: silentReporter, now: NOW },
  );
  for (const { credit } of readState(await sink().read()).credits)
    await runAssign(credit.creditId, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });
  const connect = new FakeConnect({ knownAssets: new Set(['AS-1']) });
  const deps = { usageDir, reporter: silentReporter, now: NOW, api: connect };
  await runCollect({}, { ...deps, sink: sink(), connectApi: connect });

  // The stop comes while the trip asks Connect whether it has the file (a read), before it creates it.
  const asking: FakeConnect = Object.create(connect);
  asking.findFile = async (id: string) => {
    process.emit('SIGINT', 'SIGINT');
    return connect.findFile(id);
  };
  const unhandle = handleStopSignals(() => undefined);
  try {
    await expect(
      runConnectTrip({ submit: true }, { ...deps, sink: sink(), api: asking }),
    ).rejects.toBeInstanceOf(Interrupted);
  } finally {
    unhandle();
  }
  expect(connect.calls).not.toContain('createFile');
  expect(connect.files).toHaveLength(0);
}, 60_000);
