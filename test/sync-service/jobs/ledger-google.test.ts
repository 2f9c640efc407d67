/**
 * Issue 7 on the Google Sheet, through the local Sheets v4 server: the Ledger tab is hidden and editable only by
 * the sync identity, and the owner's hand edits (which a protected range never stops) are undone by the next
 * run, with nothing imported, re-assigned or collected again.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { headersOf } from '../../../core/sheet-contract';
import { runApplyRules } from '../../../sync-service/jobs/apply-rules';
import { runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { useTempDirs } from '../../helpers/fixtures-io';
import {
  collectedWorld,
  creditsOf,
  expectSheetMatchesLedger,
  ledgerOf,
  NOW,
  recordingReporter,
  sync,
  type World,
} from './ledger-helpers';
import { IDENTITY, lockRanges, makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';

const tempDir = useTempDirs('credit-desk-ledger-google-');
let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

const ss = () => server.state.sheet(SHEET_ID);
const credits = () => tab(ss(), 'Credits');
const at = (header: string) => credits().cells[0].indexOf(header);
const rowOf = (creditId: string) => credits().cells.findIndex((r) => r[at('Credit ID')] === creditId);

function world(extra = {}): Promise<World> {
  return collectedWorld(tempDir(), () => makeSink(server, extra));
}

describe('the Ledger on the Google Sheet', () => {
  it('is a hidden tab with the contract headers that only the sync identity may edit', async () => {
    const w = await world();
    const ledger = tab(ss(), 'Ledger');
    expect((ledger.properties as { hidden?: boolean }).hidden).toBe(true);
    expect(ledger.cells[0]).toEqual(headersOf('ledger'));
    const ours = ledger.protectedRanges.filter((p) => p.description === 'credit-desk:ledger');
    expect(ours).toEqual([
      expect.objectContaining({
        range: { sheetId: ledger.properties.sheetId },
        editors: { users: [IDENTITY] },
      }),
    ]);
    expect(ledger.cells.slice(1).filter((r) => r[0])).toHaveLength(5);
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
  });

  it('a PROCESSED row the owner deleted comes back on the next sync with its own Credit ID, and is locked again', async () => {
    const w = await world();
    const gone = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSED')!;
    credits().cells.splice(rowOf(gone.creditId), 1);
    const report = await sync(w);
    expect(report.merge.adds).toEqual([]);
    expect(report.restored.join('\n')).toMatch(gone.creditId);
    const back = (await creditsOf(w.sink())).find((c) => c.key === gone.key)!;
    expect(back).toMatchObject({ creditId: gone.creditId, status: 'PROCESSED', flags: 'RESTORED' });
    const row = rowOf(gone.creditId);
    expect(
      lockRanges(ss()).some((r) => {
        const [span] = r.split(':');
        const [from, to] = span.split('-').map(Number);
        return from <= row && row < to;
      }),
    ).toBe(true);
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
  });

  it('cleared Keys of collected rows are restored in place; nothing is added or collected twice', async () => {
    const w = await world();
    const before = (await creditsOf(w.sink())).length;
    for (const row of credits().cells.slice(1))
      if (String(row[at('Status')]).startsWith('PROCESS')) row[at('Key')] = null;
    const report = await sync(w);
    expect(report.merge.adds).toEqual([]);
    const after = await creditsOf(w.sink());
    expect(after).toHaveLength(before);
    expectSheetMatchesLedger(after, await ledgerOf(w.sink()));
    const next = await runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(next.file!.records).toHaveLength(1);
  });

  it('a renamed Credits tab: the collected credits are put back and the run says so', async () => {
    const w = await world();
    credits().properties.title = 'Credits (old)';
    const reporter = recordingReporter();
    await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/The Credits tab was missing/);
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
    expect(tab(ss(), 'Credits (old)')).toBeDefined();
  });

  it('PROCESSED typed into a pending row and an edited allocation of a PROCESSED row are undone by apply-rules', async () => {
    const w = await world();
    const all = await creditsOf(w.sink());
    const pending = all.find((c) => c.status === 'PENDING_ASSIGN')!;
    const done = all.find((c) => c.status === 'PROCESSED')!;
    credits().cells[rowOf(pending.creditId)][at('Status')] = 'PROCESSED';
    credits().cells[rowOf(done.creditId)][at('Allocation')] = 'customer 100%';
    await runApplyRules(
      {},
      { sink: w.sink(), reporter: silentReporter, now: NOW, actor: 'a@x', usageDir: w.usageDir },
    );
    const after = await creditsOf(w.sink());
    // back to PENDING_ASSIGN, then assigned by the rules like any pending credit
    expect(after.find((c) => c.key === pending.key)!.status).toBe('ASSIGNED');
    expect(after.find((c) => c.key === done.key)).toMatchObject({
      status: 'PROCESSED',
      allocation: done.allocation,
    });
    const audit = tab(ss(), 'Audit').cells;
    const restores = audit.filter((r) => r[2] === 'restore').map((r) => `${r[3]} ${r[4]} ${r[5]}→${r[6]}`);
    expect(restores).toEqual(
      expect.arrayContaining([
        `${pending.creditId} status PROCESSED→PENDING_ASSIGN`,
        `${done.creditId} allocation customer 100%→${done.allocation}`,
      ]),
    );
  });

  it("the owner's edit of a Ledger row is put back as its usage file records it, and its Credits row follows the file", async () => {
    const w = await world();
    const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSED')!;
    const ledger = tab(ss(), 'Ledger');
    const col = (h: string) => ledger.cells[0].indexOf(h);
    const row = ledger.cells.find((r) => r[col('Credit ID')] === billed.creditId)!;
    row[col('Key')] = 'k1-00000000000000000000000000000000';
    row[col('Customer ID')] = 'CUST-OTHER';
    row[col('Allocation')] = 'reseller 100%';
    const reporter = recordingReporter();
    await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toContain(
      `put back as the usage file records it, which is what Connect bills: ${billed.creditId} (key, customerId, allocation)`,
    );
    expect((await ledgerOf(w.sink())).filter((e) => e.creditId === billed.creditId)).toEqual([billed]);
    expect((await creditsOf(w.sink())).filter((c) => c.creditId === billed.creditId)).toHaveLength(1);
    const credit = (await creditsOf(w.sink())).find((c) => c.key === billed.key)!;
    expect(credit).toMatchObject({ customerId: billed.customerId, allocation: billed.allocation });
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
    const audit = tab(ss(), 'Audit');
    const a = (h: string) => audit.cells[0].indexOf(h);
    expect(
      audit.cells
        .filter((r) => r[a('Action')] === 'restore' && r[a('Credit ID')] === billed.creditId)
        .map((r) => r[a('Field')]),
    ).toContain('Ledger key, customerId, allocation');
    // settled: the next run has nothing to put back
    const again = recordingReporter();
    await sync(w, again);
    expect(again.warnings.join('\n')).not.toContain('The Ledger tab said other');
  });

  it('a fresh container: no usage folder, the Ledger tab alone restores the deleted rows', async () => {
    const w = await world();
    const ledger = await ledgerOf(w.sink());
    const before = await creditsOf(w.sink());
    rmSync(w.usageDir, { recursive: true });
    credits().cells.splice(1, credits().cells.length - 1);
    const report = await sync(w);
    expectSheetMatchesLedger(await creditsOf(w.sink()), ledger);
    expect(report.merge.adds).toHaveLength(2); // the two never collected, imported again with their own IDs
    for (const c of report.merge.adds) expect(c.creditId).toBe(before.find((b) => b.key === c.key)?.creditId);
  });

  it("a fresh container: the owner's Key typed over a Ledger row with a pending credit's is put back, and that credit is collected", async () => {
    const w = await world();
    const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSING')!;
    const waiting = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
    rmSync(w.usageDir, { recursive: true });
    const ledger = tab(ss(), 'Ledger');
    const col = (h: string) => ledger.cells[0].indexOf(h);
    ledger.cells.find((r) => r[col('Credit ID')] === billed.creditId)![col('Key')] = waiting.key;
    const reporter = recordingReporter();
    await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toContain(
      `The Ledger tab had 1 row(s) under another credit's Key (typed over?): put back under the Key their own cells and Credit ID give (the Key's own credit keeps its row): ${billed.creditId}`,
    );
    expect((await ledgerOf(w.sink())).filter((e) => e.creditId === billed.creditId)).toEqual([billed]);
    const after = await creditsOf(w.sink());
    expect(after.find((c) => c.key === waiting.key)).toMatchObject({
      creditId: waiting.creditId,
      status: 'ASSIGNED',
    });
    expect(after.find((c) => c.key === billed.key)).toMatchObject({
      creditId: billed.creditId,
      status: 'PROCESSING',
    });
    const next = await runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(next.file!.records.map((r) => r.creditId)).toEqual([waiting.creditId]);
  });

  it.each([false, true])(
    "the owner's Audit collection row edited to name a pending credit (usage folder there: %s) locks nothing; collected when its file disproves it, else left out, named",
    async (folder) => {
      const w = await world();
      const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSING')!;
      const waiting = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
      if (!folder) rmSync(w.usageDir, { recursive: true });
      const audit = tab(ss(), 'Audit');
      const col = (h: string) => audit.cells[0].indexOf(h);
      const row = audit.cells.find(
        (r) => r[col('Credit ID')] === billed.creditId && r[col('Action')] === 'collect',
      )!;
      expect(String(row[col('After')])).toContain(billed.key);
      row[col('Credit ID')] = waiting.creditId;
      row[col('After')] = String(row[col('After')]).replace(billed.key, waiting.key);
      const reporter = recordingReporter();
      await sync(w, reporter);
      expect(reporter.warnings.join('\n')).toContain(
        folder
          ? `The Audit tab shows 1 collection(s) its usage file on disk does not hold (edited?), not taken as collected: ${waiting.creditId} (${billed.usageRecordId}).`
          : `The Audit tab shows 1 collection(s) the Ledger tab gives to another credit (edited?), not taken as collected: ${waiting.creditId} (${billed.usageRecordId}).`,
      );
      const after = await creditsOf(w.sink());
      expect(after.find((c) => c.key === waiting.key)).toMatchObject({ status: 'ASSIGNED' });
      expect(after.find((c) => c.key === billed.key)).toMatchObject({ status: 'PROCESSING' });
      expect(await ledgerOf(w.sink())).not.toContainEqual(expect.objectContaining({ key: waiting.key }));
      // With the usage file there, the credit is proven never collected and is collected now; without it, the
      // Audit still names it collected: collect leaves it out and says so. Either way it is billed at most once.
      const next = await runCollect(
        {},
        { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
      );
      expect(next.file?.records.map((r) => r.creditId) ?? []).toEqual(folder ? [waiting.creditId] : []);
      if (!folder) expect(next.skipped.map((s) => s.creditId)).toContain(waiting.creditId);
      expect((await ledgerOf(w.sink())).map((e) => e.creditId)).toContain(billed.creditId);
    },
  );

  it.each([false, true])(
    "the owner's Key typed over a Ledger row with the Key of a collected credit above it (usage folder there: %s): each row gets its own, both stay collected",
    async (folder) => {
      const w = await world();
      const [other, , , typed] = await ledgerOf(w.sink());
      if (!folder) rmSync(w.usageDir, { recursive: true });
      const ledger = tab(ss(), 'Ledger');
      const col = (h: string) => ledger.cells[0].indexOf(h);
      ledger.cells.find((r) => r[col('Credit ID')] === typed.creditId)![col('Key')] = other.key;
      await sync(w);
      // The row put back is found by its Credit ID as well: by Key alone, the write landed on the other row.
      const rows = tab(ss(), 'Ledger')
        .cells.slice(1)
        .filter((r) => r[col('Key')]);
      expect({ folder, rows: rows.map((r) => `${r[col('Credit ID')]} ${r[col('Key')]}`).sort() }).toEqual({
        folder,
        rows: (await ledgerOf(w.sink())).map((e) => `${e.creditId} ${e.key}`).sort(),
      });
      expect({
        folder,
        typed: (await ledgerOf(w.sink())).filter((e) => e.creditId === typed.creditId),
      }).toEqual({
        folder,
        typed: [typed],
      });
      const credits = await creditsOf(w.sink());
      for (const e of [other, typed])
        expect(credits.find((c) => c.key === e.key)).toMatchObject({
          creditId: e.creditId,
          status: e.status,
        });
      expectSheetMatchesLedger(credits, await ledgerOf(w.sink()));
    },
  );

  it('a collect that dies after the Ledger request and before the Credits request is completed by the next run', async () => {
    const dir = tempDir();
    let die = false;
    const w = await collectedWorld(dir, () =>
      makeSink(server, {
        maxRequestBytes: 1500, // several value requests per write: the Ledger's go first
        afterWriteRequest: (n) => {
          if (die && n === 1) throw new Error('killed after the first write request');
        },
      }),
    );
    const c = (await creditsOf(w.sink())).find((x) => x.status === 'ASSIGNED')!;
    die = true;
    const deps = {
      usageDir: join(dir, 'usage'),
      reporter: silentReporter,
      now: new Date('2026-11-28T10:00:00Z'),
    };
    await expect(runCollect({}, { ...deps, sink: w.sink() })).rejects.toThrow(/killed/);
    die = false;
    expect((await ledgerOf(w.sink())).some((e) => e.key === c.key)).toBe(true);
    const resumed = await runCollect({}, { ...deps, sink: w.sink() });
    expect(resumed.resumed).toHaveLength(1);
    expect(resumed.file).toBeNull();
    const after = (await creditsOf(w.sink())).find((x) => x.key === c.key)!;
    expect(after.status).toBe('PROCESSING');
    expect(after.usageFileId).toBe(resumed.resumed[0]);
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
  });
});
