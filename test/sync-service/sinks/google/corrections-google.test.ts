/**
 * Corrections after invoicing (docs/decisions/0006) on the Google sink, through the local Sheets v4 server: an
 * invoiced credit whose CUR amount changes gets one correction credit however many syncs run; the correction is
 * assigned with its proposal, collected (its amount proven by the Audit row the sync wrote, read back from the
 * Google Sheet) and closed, and the period stays reconciled.
 */
import { join } from 'node:path';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import { isCorrection } from '../../../../core/correction-key';
import { curDifference } from '../../../../core/summary';
import { runAssign } from '../../../../sync-service/jobs/assign';
import { runClose, runCollect } from '../../../../sync-service/jobs/usage';
import { silentReporter } from '../../../../sync-service/progress';
import type { CreditSource, RawCreditRow } from '../../../../sync-service/sources/source';
import { useTempDirs } from '../../../helpers/fixtures-io';
import { collectedWorld, creditsOf, ledgerOf, sync } from '../../jobs/ledger-helpers';
import { makeSink, startServer } from './sheets-helpers';

const tempDir = useTempDirs('credit-desk-corrections-google-');

/** The CUR of collectedWorld's source (sourceOf(7)) with one credit's value changed to `amount`. */
function amended(rows: RawCreditRow[], description: string, amount: string): CreditSource {
  const changed = rows.map((r) => (r.description === description ? { ...r, amount: `-${amount}` } : r));
  return {
    listPeriods: async () => ['2026-10'],
    fetchCredits: async () => ({ rows: changed, label: 'amended CUR' }),
    close: async () => {},
  };
}

describe('corrections on the Google sink', () => {
  let server: SheetsServer;
  afterEach(async () => server?.close());

  it('an amended PROCESSED credit yields one correction, which is assigned, collected and closed', async () => {
    server = await startServer();
    const dir = tempDir();
    const w = await collectedWorld(dir, () => makeSink(server));
    const before = await creditsOf(w.sink());
    const original = before.find((c) => c.status === 'PROCESSED')!;
    const rows = (await w.source.fetchCredits('2026-10', () => {})).rows;
    w.source = amended(rows, original.description, '99.99');

    const first = await sync(w);
    const second = await sync(w);
    expect(first.merge.corrections).toHaveLength(1);
    expect(second.merge.adds).toHaveLength(0);
    expect(second.written).toBe(false);
    let credits = await creditsOf(w.sink());
    const corrections = credits.filter(isCorrection);
    expect(corrections).toHaveLength(1);
    const [correction] = corrections;
    expect(correction.amount).toBe(9999 - original.amount);
    expect(correction.description).toContain(
      `of ${original.creditId} (usage record ${original.usageRecordId}`,
    );
    expect(credits.find((c) => c.key === original.key)).toMatchObject({
      amount: original.amount,
      status: 'PROCESSED',
    });
    for (const r of [first, second]) expect(r.summary.periods.map(curDifference)).toEqual([0]);

    const deps = {
      usageDir: join(dir, 'usage'),
      reporter: silentReporter,
      now: new Date('2026-12-03T09:00:00Z'),
    };
    await runAssign(correction.creditId, first.merge.corrections[0].proposal, {
      sink: w.sink(),
      now: deps.now,
      actor: 'a@x',
    });
    const collected = await runCollect({}, { ...deps, sink: w.sink() });
    expect(collected.skipped).toEqual([]);
    // The ASSIGNED credit collectedWorld left, and the correction.
    expect(collected.file!.records.map((r) => r.creditId)).toContain(correction.creditId);
    expect(collected.file!.records.find((r) => r.creditId === correction.creditId)!.amount).toBe(
      correction.amount,
    );
    await runClose([collected.file!.usageFileId], { ...deps, sink: w.sink() });

    const after = await sync(w);
    expect(after.merge.adds).toHaveLength(0);
    expect(after.summary.periods.map(curDifference)).toEqual([0]);
    credits = await creditsOf(w.sink());
    expect(credits.find((c) => c.creditId === correction.creditId)!.status).toBe('PROCESSED');
    expect((await ledgerOf(w.sink())).map((e) => e.creditId)).toContain(correction.creditId);
  });
});
