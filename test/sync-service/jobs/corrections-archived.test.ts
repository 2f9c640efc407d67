/**
 * A correction whose original was archived (`archive` takes PROCESSED credits one by one, so an invoiced credit
 * leaves the sheet while the correction AWS's amendment made of it still waits): `usage collect` proves the
 * correction's cells against its original's usage record, which the usage folder still holds
 * (core/row-proof.ts, decision 0029), and bills the difference to the original's parties.
 */
import { join } from 'node:path';
import { runArchive } from '../../../sync-service/jobs/archive';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { CreditSource } from '../../../sync-service/sources/source';
import { useTempDirs } from '../../helpers/fixtures-io';
import { oneAtATime } from '../../helpers/sinks';
import { creditsOf, NOW, sourceOf, writeAccounts } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-corrections-archived-');

/** sourceOf(2) with the first credit's amount as AWS amended it. */
function amended(amount: string): CreditSource {
  const base = sourceOf(2);
  return {
    ...base,
    fetchCredits: async (...args) => {
      const got = await base.fetchCredits(...args);
      return { ...got, rows: got.rows.map((r, i) => (i === 0 ? { ...r, amount } : r)) };
    },
  };
}

test('a correction of an archived credit is collected for its original parties, proven by the usage file', async () => {
  const dir = tempDir();
  const sink = oneAtATime(() => createWorkbookSink({ path: join(dir, 'credits.xlsx') }));
  const usageDir = join(dir, 'usage');
  const settings = resolveSettings({ period: '2026-10', accounts: writeAccounts(dir), usageDir }, {});
  const deps = { usageDir, reporter: silentReporter, now: NOW };
  await runSync(
    settings,
    { previous: false },
    { source: sourceOf(2), sink: sink(), reporter: silentReporter, now: NOW },
  );
  const [original] = (await creditsOf(sink())).filter((c) => c.description === 'Credit 1');
  await runAssign(original.creditId, 'customer 60%, reseller 40%', { sink: sink(), now: NOW, actor: 'a@x' });
  const first = await runCollect({}, { ...deps, sink: sink() });
  await runClose([first.file!.usageFileId], { ...deps, sink: sink() });

  // AWS amends the invoiced credit (10.25 → 12.25): the next sync adds a correction of 2.00
  await runSync(
    { ...settings, accounts: '' },
    { previous: false },
    { source: amended('-12.25'), sink: sink(), reporter: silentReporter, now: NOW },
  );
  const correction = (await creditsOf(sink())).find((c) => c.description.startsWith('Correction 1 of'))!;
  expect(correction).toMatchObject({ amount: 200, status: 'PENDING_ASSIGN' });
  // the invoiced original leaves the sheet for the archive; its correction stays, not collected yet
  await runArchive(
    { before: '2026-11', dir: join(dir, 'archive') },
    { sink: sink(), reporter: silentReporter, now: NOW },
  );
  expect((await creditsOf(sink())).map((c) => c.creditId)).not.toContain(original.creditId);
  await runAssign(correction.creditId, 'customer 60%, reseller 40%', {
    sink: sink(),
    now: NOW,
    actor: 'a@x',
  });

  const second = await runCollect({}, { ...deps, sink: sink() });
  expect(second.skipped).toEqual([]);
  const record = second.file!.records.find((r) => r.creditId === correction.creditId)!;
  expect(record.billed!.map((b) => [b.targetId, b.amount])).toEqual([
    ['CUST-1', 120],
    ['RES-1', 80],
  ]);
});
