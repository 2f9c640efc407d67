/**
 * A collection is called ready only when the sheet shows it (sync-service/jobs/usage.ts verifyCollections): after
 * its one write, collect reads the Credits and Ledger tabs back and checks every record of every file against
 * them. A write that did not land — here a sink that drops the Credits updates, or the Ledger rows — leaves the
 * files "collecting" with an error naming what is missing, and the next collect completes them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runSync } from '../../../sync-service/jobs/sync';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import type { ChangeSet } from '../../../core/sheet-changes';
import type { Sink } from '../../../sync-service/sinks/sink';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { NOW as now, sourceOf, writeAccounts } from './ledger-helpers';
import { headersOf, type CreditField } from '../../../core/sheet-contract';
import { columnLetter } from '../../../core/sheet-layout';
import { indexColumns } from '../../../core/table';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { makeSink, oneAtATime, startServer } from '../sinks/google/sheets-helpers';

const source = sourceOf(2);

describe.each<[string, (changes: ChangeSet) => ChangeSet, RegExp]>([
  ['drops the Credits updates', (c) => ({ ...c, updates: [] }), /is not locked in the Credits tab/],
  ['drops the Ledger rows', (c) => ({ ...c, ledger: undefined }), /is not in the Ledger/],
])('a collection whose sheet write %s', (_what, lose, problem) => {
  let dir: string;
  const sink = () => createWorkbookSink({ path: join(dir, 'credits.xlsx') });
  const journals = () =>
    readdirSync(join(dir, 'usage'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, 'usage', f), 'utf8')) as { status: string });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-verify-'));
    const accounts = writeAccounts(dir);
    const settings = resolveSettings(
      { usageDir: join(dir, 'usage'), workbook: join(dir, 'credits.xlsx'), period: '2026-10', accounts },
      {},
    );
    await runSync(settings, { previous: false }, { source, sink: sink(), reporter: silentReporter, now });
    for (const e of readState(await sink().read()).credits)
      await runAssign(e.credit.creditId, 'customer 100%', { sink: sink(), now, actor: 'test' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is not called ready: the error names what the sheet lacks, and the next collect completes it', async () => {
    const inner = sink();
    // Only the collection's write is lost (the first write is reconciliation's, if any: kept).
    const lossy: Sink = {
      ...inner,
      write: (changes) => inner.write(changes.ledger?.appends.length ? lose(changes) : changes),
    };
    const deps = { usageDir: join(dir, 'usage'), reporter: silentReporter, now };
    await expect(runCollect({}, { ...deps, sink: lossy })).rejects.toThrow(problem);
    expect(journals().map((j) => j.status)).toEqual(['collecting']);

    const resumed = await runCollect({}, { ...deps, sink: sink() });
    expect(resumed.resumed).toHaveLength(1);
    expect(journals().map((j) => j.status)).toEqual(['ready']);
    const credits = readState(await sink().read()).credits.map((e) => e.credit);
    expect(credits.map((c) => c.status)).toEqual(['PROCESSING', 'PROCESSING']);
    expect(new Set(credits.map((c) => c.usageFileId))).toEqual(new Set(resumed.resumed));
  });
});

describe('on a Google Sheet', () => {
  let server: SheetsServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-verify-google-'));
    const settings = resolveSettings(
      { usageDir: join(dir, 'usage'), period: '2026-10', accounts: writeAccounts(dir) },
      {},
    );
    const sink = oneAtATime(() => makeSink(server));
    await runSync(settings, { previous: false }, { source, sink: sink(), reporter: silentReporter, now });
    for (const e of readState(await sink().read()).credits)
      await runAssign(e.credit.creditId, 'customer 100%', { sink: sink(), now, actor: 'test' });
    await sink().close();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the check downloads the Credits tab's Key, Usage File ID and Status only, and still sees a lost lock", async () => {
    const deps = { usageDir: join(dir, 'usage'), reporter: silentReporter, now };
    const inner = makeSink(server);
    const lossy: Sink = {
      ...inner,
      write: (changes) => inner.write(changes.ledger?.appends.length ? { ...changes, updates: [] } : changes),
    };
    server.stats.reset();
    await expect(runCollect({}, { ...deps, sink: lossy })).rejects.toThrow(
      /is not locked in the Credits tab/,
    );
    await inner.close();
    // The check is the read after the collection's last write.
    const lastWrite = server.stats.requests.map((r) => r.op).lastIndexOf('values.batchUpdate');
    const asked = server.stats.requests
      .slice(lastWrite + 1)
      .flatMap((r) => r.ranges ?? [])
      .filter((r) => r.startsWith("'Credits'"));
    const idx = indexColumns<CreditField>('credits', headersOf('credits'));
    const column = (f: CreditField) => `'Credits'!${columnLetter(idx[f])}:${columnLetter(idx[f])}`;
    expect(asked.sort()).toEqual(
      [`'Credits'!1:1`, column('key'), column('status'), column('usageFileId')].sort(),
    );

    const sink = makeSink(server);
    try {
      const resumed = await runCollect({}, { ...deps, sink });
      expect(resumed.resumed).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });
});
