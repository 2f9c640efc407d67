/**
 * Ctrl-C during `usage submit`: the trip stops before its next change in Connect, not after it. Connect is
 * another system: a file created there after the stop was asked for is a change the person asked not to make
 * (the next run would find it and go on, so nothing is billed twice either way; test/…/connect-crash.test.ts).
 *
 * Its own file: the first stop asked for is module state (interrupt.ts), kept for the rest of the process.
 */
import { handleStopSignals, Interrupted } from '../../../sync-service/interrupt';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { silentReporter } from '../../../sync-service/progress';
import { FakeConnect } from '../../helpers/connect-fake';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, syncedWorkbook } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-connect-stop-');

it('a stop asked for as the trip reads Connect: it stops before creating the file there', async () => {
  const { usageDir, sink } = await syncedWorkbook(tempDir(), { allocation: 'customer 100%' });
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
