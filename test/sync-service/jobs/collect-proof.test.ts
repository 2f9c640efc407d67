/**
 * Issue 21: `usage collect` takes a credit only when it can prove who gets what, for how much, never collected
 * before — whatever a person did to the sheet or the usage folder. Each case runs through the real commands on
 * the local workbook and on the Google Sheet through the local Sheets v4 server.
 */
import { rmSync } from 'node:fs';
import { usageFilesIn } from './collect-proof-ops';
import { join } from 'node:path';
import type { UsageFile } from '../../../core/usage';
import type { Cell } from '../../../core/table';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runCollect, type CollectStep } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { useTempDirs } from '../../helpers/fixtures-io';
import { oneAtATime } from '../../helpers/sinks';
import {
  collectedWorld,
  creditsOf,
  expectSheetMatchesLedger,
  ledgerOf,
  NOW,
  recordingReporter,
  sync,
  writeAccounts,
  type World,
} from './ledger-helpers';
import { makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';
import { col, loadWorkbook } from '../sinks/workbook/workbook-helpers';

const tempDir = useTempDirs('credit-desk-collect-proof-');

/** What a person does to the sheet by hand, in Excel or in the Google Sheets UI (no program checks it). */
interface Hand {
  setCell(creditId: string, header: string, value: Cell): Promise<void>;
  renameHeader(tabName: string, from: string, to: string): Promise<void>;
  deleteTab(tabName: string): Promise<void>;
  /** Deletes the Ledger row of one credit (the row itself, as "Delete row" does: the rows below move up). */
  deleteLedgerRow(creditId: string): Promise<void>;
}

interface Medium {
  world(dir: string): Promise<World>;
  hand(): Hand;
  after(): Promise<void>;
}

function workbookMedium(): Medium {
  let path = '';
  const edit = async (change: (wb: Awaited<ReturnType<typeof loadWorkbook>>) => void) => {
    const wb = await loadWorkbook(path);
    change(wb);
    await wb.xlsx.writeFile(path);
  };
  return {
    async world(dir) {
      path = join(dir, 'credits.xlsx');
      return collectedWorld(dir, () => createWorkbookSink({ path }), { workbook: path });
    },
    hand: () => ({
      setCell: (creditId, header, value) =>
        edit((wb) => {
          const ws = wb.getWorksheet('Credits')!;
          const idCol = col(ws, 'Credit ID');
          for (let r = 2; r <= ws.rowCount; r++)
            if (ws.getRow(r).getCell(idCol).value === creditId)
              ws.getRow(r).getCell(col(ws, header)).value = value;
        }),
      renameHeader: (tabName, from, to) =>
        edit((wb) => {
          const ws = wb.getWorksheet(tabName)!;
          ws.getRow(1).getCell(col(ws, from)).value = to;
        }),
      deleteTab: (tabName) =>
        edit((wb) => {
          wb.removeWorksheet(wb.getWorksheet(tabName)!.id);
        }),
      deleteLedgerRow: (creditId) =>
        edit((wb) => {
          const ws = wb.getWorksheet('Ledger')!;
          const idCol = col(ws, 'Credit ID');
          for (let r = ws.rowCount; r >= 2; r--)
            if (ws.getRow(r).getCell(idCol).value === creditId) ws.spliceRows(r, 1);
        }),
    }),
    after: async () => {},
  };
}

function googleMedium(): Medium {
  let server: SheetsServer;
  const ss = () => server.state.sheet(SHEET_ID);
  return {
    async world(dir) {
      server = await startServer();
      return collectedWorld(dir, () => makeSink(server));
    },
    hand: () => ({
      async setCell(creditId, header, value) {
        const cells = tab(ss(), 'Credits').cells;
        const at = (h: string) => cells[0].indexOf(h);
        for (const row of cells.slice(1)) if (row[at('Credit ID')] === creditId) row[at(header)] = value;
      },
      async renameHeader(tabName, from, to) {
        const header = tab(ss(), tabName).cells[0];
        header[header.indexOf(from)] = to;
      },
      async deleteTab(tabName) {
        const state = ss();
        state.sheets.splice(state.sheets.indexOf(tab(state, tabName)), 1);
      },
      async deleteLedgerRow(creditId) {
        const cells = tab(ss(), 'Ledger').cells;
        const at = cells[0].indexOf('Credit ID');
        for (let r = cells.length - 1; r >= 1; r--) if (cells[r]?.[at] === creditId) cells.splice(r, 1);
      },
    }),
    after: async () => server?.close(),
  };
}

/** No credit key is in two usage records, across every usage file of the folder. */
function expectNoKeyTwice(files: UsageFile[]): void {
  const keys = files.flatMap((f) => f.records.map((r) => r.key));
  expect(new Set(keys).size).toBe(keys.length);
}

describe.each([
  ['the workbook', workbookMedium],
  ['the Google Sheet', googleMedium],
])('usage collect proves before it locks, on %s', (_name, make) => {
  let medium: Medium;
  let dir: string;
  beforeEach(() => {
    medium = make();
    dir = tempDir();
  });
  afterEach(() => medium.after());
  const collect = (w: World, reporter = silentReporter, crashAt?: (s: CollectStep) => void) =>
    runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter, now: new Date('2026-12-03T09:00:00Z'), crashAt },
    );

  it('Ledger tab and usage files lost: the Audit rebuilds the record, and no collected credit is collected again', async () => {
    const w = await medium.world(dir);
    const before = await ledgerOf(w.sink());
    const earlier = usageFilesIn(w.usageDir);
    await medium.hand().deleteTab('Ledger');
    rmSync(w.usageDir, { recursive: true, force: true });

    const reporter = recordingReporter();
    const result = await collect(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/the Audit tab shows collected/);
    // only the one credit that was ASSIGNED and never collected
    expect(result.file!.records).toHaveLength(1);
    expect(before.map((e) => e.key)).not.toContain(result.file!.records[0].key);
    expectNoKeyTwice([...earlier, ...usageFilesIn(w.usageDir)]);

    const after = await ledgerOf(w.sink());
    // Every credit field as it was: the row's cells read as every reader reads them (core/table.ts creditOfRow:
    // the accounts padded, the description exact), the collection as the Audit recorded it, Collected At and
    // Closed At included (the collect and close rows' When and After: sink.ts AUDIT_WHOLE_ROWS, on both sinks).
    for (const fields of before) expect(after.find((a) => a.key === fields.key)).toMatchObject(fields);
    expect(before.filter((e) => e.collectedAt).length).toBeGreaterThan(0);
    expectSheetMatchesLedger(await creditsOf(w.sink()), after);
  });

  it('Ledger row deleted on a sheet with history: the Audit rebuilds that row, the other rows stay as they were', async () => {
    const w = await medium.world(dir);
    const before = await ledgerOf(w.sink());
    // A closed collection's row: its rebuild needs the collect row (amounts, When) and the close row (Closed At).
    const lost = before.find((e) => e.closedAt)!;
    expect(lost).toBeDefined();
    await medium.hand().deleteLedgerRow(lost.creditId);
    rmSync(w.usageDir, { recursive: true, force: true });
    expect((await ledgerOf(w.sink())).map((e) => e.key)).not.toContain(lost.key);

    const reporter = recordingReporter();
    const result = await collect(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/no record of 1 collected credit\(s\) the Audit tab shows/);
    expect(result.file!.records.map((r) => r.key)).not.toContain(lost.key);
    const after = await ledgerOf(w.sink());
    for (const fields of before) expect(after.find((a) => a.key === fields.key)).toMatchObject(fields);
    expectSheetMatchesLedger(await creditsOf(w.sink()), after);
  });

  it('Ledger, usage files and Audit all lost: collect refuses and the collected rows stay locked', async () => {
    const w = await medium.world(dir);
    const before = await ledgerOf(w.sink());
    await medium.hand().deleteTab('Ledger');
    await medium.hand().deleteTab('Audit');
    rmSync(w.usageDir, { recursive: true, force: true });

    await expect(collect(w)).rejects.toThrow(/Nothing was collected: 5 row\(s\) say they were collected/);
    expect(usageFilesIn(w.usageDir)).toEqual([]);
    const credits = await creditsOf(w.sink());
    for (const e of before)
      expect(credits.find((c) => c.key === e.key)).toMatchObject({
        status: e.status,
        usageFileId: e.usageFileId,
        allocation: e.allocation,
      });
    // sync too leaves them locked (it warns), so the next collect still refuses
    const reporter = recordingReporter();
    await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/no record of those usage files survives/);
    expect(
      (await creditsOf(w.sink())).filter((c) => c.status === 'PROCESSING' || c.status === 'PROCESSED'),
    ).toHaveLength(5);
    await expect(collect(w)).rejects.toThrow(/Restore the Ledger tab/);
  });

  it('a renamed Allocation header stops collect with what to do; nothing is collected or locked', async () => {
    const w = await medium.world(dir);
    const files = usageFilesIn(w.usageDir).length;
    await medium.hand().renameHeader('Credits', 'Allocation', 'Allocation (typed)');
    await expect(collect(w)).rejects.toThrow(
      /no "Allocation" column[\s\S]*rename "Allocation \(typed\)" back to "Allocation"/,
    );
    expect(usageFilesIn(w.usageDir)).toHaveLength(files);
    await medium.hand().renameHeader('Credits', 'Allocation (typed)', 'Allocation');
    const done = await collect(w);
    expect(done.file!.records.map((r) => r.allocation)).toEqual(['reseller 50%']);
  });

  it("another sheet's usage files in the same folder are never adopted", async () => {
    const w = await medium.world(dir);
    const aLedger = await ledgerOf(w.sink());
    // a second workbook, synced from the same CUR into the same usage folder
    const bDir = tempDir();
    const bPath = join(bDir, 'other.xlsx');
    const b = oneAtATime(() => createWorkbookSink({ path: bPath }));
    const settings = resolveSettings(
      { period: '2026-10', accounts: writeAccounts(bDir), usageDir: w.usageDir, workbook: bPath },
      {},
    );
    const reporter = recordingReporter();
    await runSync(settings, { previous: false }, { source: w.source, sink: b(), reporter, now: NOW });
    expect(reporter.warnings.join('\n')).toMatch(/usage file\(s\) of another sheet .* were not read/);
    const bCredits = await creditsOf(b());
    expect(bCredits.filter((c) => c.status === 'PROCESSING' || c.status === 'PROCESSED')).toEqual([]);
    const one = bCredits.find((c) => c.key === aLedger[0].key)!;
    await runAssign(one.creditId, 'customer 100%', {
      sink: b(),
      now: NOW,
      actor: 'b@x',
      usageDir: w.usageDir,
    });
    const bFile = await runCollect(
      {},
      { sink: b(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(bFile.file!.records.map((r) => r.key)).toEqual([one.key]);
    expect((await ledgerOf(b())).map((e) => e.usageFileId)).toEqual([bFile.file!.usageFileId]);
    // and the first sheet does not take the second's file either
    await sync(w);
    expect((await ledgerOf(w.sink())).map((e) => e.usageFileId).sort()).toEqual(
      aLedger.map((e) => e.usageFileId).sort(),
    );
  });

  it('a credit in an interrupted collection cannot be assigned; changed by hand meanwhile, it is left out and collected as it now is', async () => {
    const w = await medium.world(dir);
    const assigned = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
    await expect(
      collect(w, silentReporter, (s) => {
        if (s === 'journal-written') throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    await expect(
      runAssign(assigned.creditId, 'customer 100%', {
        sink: w.sink(),
        now: NOW,
        actor: 'a@x',
        usageDir: w.usageDir,
      }),
    ).rejects.toThrow(/interrupted `usage collect` left unfinished[\s\S]*usage collect/);
    await medium.hand().setCell(assigned.creditId, 'Allocation', 'customer 100%');

    const reporter = recordingReporter();
    const second = await collect(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(
      new RegExp(`${assigned.creditId}: it is ASSIGNED with allocation "customer 100%" now`),
    );
    expect(second.resumed).toHaveLength(1);
    expect(second.file!.records.map((r) => [r.key, r.allocation])).toEqual([[assigned.key, 'customer 100%']]);
    expectNoKeyTwice(usageFilesIn(w.usageDir));
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
  });

  it('an Amount typed by hand is not billed: collect skips it until a sync has put the CUR amount back', async () => {
    const w = await medium.world(dir);
    const assigned = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
    await medium.hand().setCell(assigned.creditId, 'Amount', 99999.99);
    const typed = await collect(w);
    expect(typed.file).toBeNull();
    expect(typed.skipped).toEqual([
      expect.objectContaining({
        creditId: assigned.creditId,
        reason: expect.stringMatching(/Amount 99999.99 USD is not the .* the last sync read from the CUR/),
      }),
    ]);
    // skipped, named, and flagged in the sheet for staff to find
    const flagged = (await creditsOf(w.sink())).find((c) => c.key === assigned.key)!;
    expect(flagged).toMatchObject({ status: 'ASSIGNED', flags: 'NOT_COLLECTED' });
    await sync(w);
    const again = await collect(w);
    expect(again.file!.records).toEqual([
      expect.objectContaining({ creditId: assigned.creditId, amount: assigned.amount }),
    ]);
    expect((await creditsOf(w.sink())).find((c) => c.key === assigned.key)!).toMatchObject({
      status: 'PROCESSING',
      flags: '',
    });
  });

  it('with the Audit tab deleted, no amount is proven until a sync records the amounts again', async () => {
    const w = await medium.world(dir);
    const assigned = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
    await medium.hand().deleteTab('Audit');
    const blind = await collect(w);
    expect(blind.file).toBeNull();
    expect(blind.skipped.map((s) => s.reason).join('\n')).toMatch(
      /the Audit tab has no record of the sync reading its amount .* Run credit-desk sync/,
    );
    await sync(w);
    const again = await collect(w);
    expect(again.file!.records.map((r) => [r.creditId, r.amount])).toEqual([
      [assigned.creditId, assigned.amount],
    ]);
    expectNoKeyTwice(usageFilesIn(w.usageDir));
  });

  it('an allocation typed into the sheet is collected with the Distributor Keeps it leaves, and stays so', async () => {
    const w = await medium.world(dir);
    const pending = (await creditsOf(w.sink())).find((c) => c.status === 'PENDING_ASSIGN')!;
    await medium.hand().setCell(pending.creditId, 'Status', 'ASSIGNED');
    await medium.hand().setCell(pending.creditId, 'Allocation', 'customer 50%');
    const result = await collect(w);
    const record = result.file!.records.find((r) => r.key === pending.key)!;
    const half = Math.round(pending.amount / 2);
    expect(record.distributorKeeps).toBe(pending.amount - half);
    const row = (await creditsOf(w.sink())).find((c) => c.key === pending.key)!;
    expect(row).toMatchObject({ status: 'PROCESSING', distributorKeeps: record.distributorKeeps });
    await sync(w);
    const again = (await creditsOf(w.sink())).find((c) => c.key === pending.key)!;
    expect(again.flags).not.toContain('RESTORED');
    expect(again.distributorKeeps).toBe(record.distributorKeeps);
  });
});
