/**
 * Issue 7 on the local workbook: after collect and close, a person edits the workbook by hand; the next run of
 * any writing command puts every collected credit back as the Ledger says, and never imports, re-assigns or
 * collects it again.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { headersOf } from '../../../core/sheet-contract';
import { runApplyRules } from '../../../sync-service/jobs/apply-rules';
import { runAssign, runUnassign } from '../../../sync-service/jobs/assign';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
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
import { col, loadWorkbook, protectionOf } from '../sinks/workbook/workbook-helpers';

const tempDir = useTempDirs('credit-desk-ledger-');

async function world(): Promise<World & { path: string }> {
  const dir = tempDir();
  const path = join(dir, 'credits.xlsx');
  const w = await collectedWorld(dir, () => createWorkbookSink({ path }), { workbook: path });
  return { ...w, path };
}

/** A person's edit in Excel: open, change, save. */
async function byHand(path: string, edit: (wb: ExcelJS.Workbook, credits: ExcelJS.Worksheet) => void) {
  const wb = await loadWorkbook(path);
  edit(wb, wb.getWorksheet('Credits')!);
  await wb.xlsx.writeFile(path);
}

function rowWith(
  ws: ExcelJS.Worksheet,
  header: string,
  value: string,
  also: (row: ExcelJS.Row) => boolean = () => true,
): number {
  const c = col(ws, header);
  for (let r = 2; r <= ws.rowCount; r++)
    if (String(ws.getRow(r).getCell(c).value ?? '') === value && also(ws.getRow(r))) return r;
  throw new Error(`no row with ${header} ${value}`);
}

/** A Ledger row made up by hand: a copy of the row of `creditId` under another credit's Key and record ID. */
async function madeUpLedgerRow(path: string, creditId: string, key: string) {
  await byHand(path, (wb) => {
    const ws = wb.getWorksheet('Ledger')!;
    const copy = ws.getRow(ws.rowCount + 1);
    (ws.getRow(rowWith(ws, 'Credit ID', creditId)).values as unknown[]).forEach((v, i) => {
      if (i > 0) copy.getCell(i).value = v as ExcelJS.CellValue;
    });
    copy.getCell(col(ws, 'Key')).value = key;
    copy.getCell(col(ws, 'Usage Record ID')).value = 'UR-made-up';
  });
}

async function auditRestores(path: string) {
  const state = readState(await createWorkbookSink({ path }).read());
  const audit = state.snapshot.tabs.audit;
  const a = (h: string) => audit.headers.indexOf(h);
  return audit.rows
    .filter((r) => r[a('Action')] === 'restore')
    .map((r) => `${r[a('Credit ID')]} ${r[a('Field')]}`);
}

/** The Credit ID, Status and Flags of the credits with these keys, sorted. */
const lockedOrNot = async (w: World, keys: string[]) =>
  (await creditsOf(w.sink()))
    .filter((c) => keys.includes(c.key))
    .map((c) => `${c.creditId} ${c.status} ${c.flags}`)
    .sort();

describe('the Ledger on the workbook', () => {
  it('is a hidden, protected tab with the contract headers, one row per collected credit, status updated on close', async () => {
    const w = await world();
    const wb = await loadWorkbook(w.path);
    const ledgerTab = wb.getWorksheet('Ledger')!;
    expect(ledgerTab.state).toBe('hidden');
    expect(protectionOf(ledgerTab)).toMatchObject({ sheet: true });
    expect(headersOf('ledger')).toEqual([
      'Key',
      'Credit ID',
      'Period',
      'AWS Account',
      'Payer Account',
      'Customer ID',
      'Asset ID',
      'Reseller ID',
      'Service',
      'Description',
      'Amount',
      'Currency',
      'Status',
      'Allocation',
      'Distributor Keeps',
      'Rule',
      'Usage File ID',
      'Usage Record ID',
      'Processing Date',
      'Collected At',
      'Closed At',
      'Connect Note',
    ]);
    const ledger = await ledgerOf(w.sink());
    expect(ledger.map((e) => `${e.usageFileId} ${e.status}`).sort()).toEqual(
      [
        `${w.closed} PROCESSED`,
        `${w.closed} PROCESSED`,
        `${w.open} PROCESSING`,
        `${w.open} PROCESSING`,
        `${w.open} PROCESSING`,
      ].sort(),
    );
    expect(ledger.filter((e) => e.status === 'PROCESSED').every((e) => e.closedAt)).toBe(true);
    expectSheetMatchesLedger(await creditsOf(w.sink()), ledger);
  });

  it('a deleted PROCESSED row comes back with its own Credit ID on the next sync, not as a new credit', async () => {
    const w = await world();
    const gone = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSED')!;
    await byHand(w.path, (_, ws) => ws.spliceRows(rowWith(ws, 'Credit ID', gone.creditId), 1));
    const reporter = recordingReporter();
    const report = await sync(w, reporter);
    expect(report.merge.adds).toEqual([]);
    expect(report.restored.join('\n')).toMatch(new RegExp(`restored 1 row.*${gone.creditId}`));
    const back = (await creditsOf(w.sink())).find((c) => c.key === gone.key)!;
    expect(back).toMatchObject({
      creditId: gone.creditId,
      status: 'PROCESSED',
      usageRecordId: gone.usageRecordId,
    });
    expect(back.flags).toContain('RESTORED');
    expect(await auditRestores(w.path)).toEqual([`${gone.creditId} row`]);
    expectSheetMatchesLedger(await creditsOf(w.sink()), await ledgerOf(w.sink()));
    // and the next collection takes only the one ASSIGNED credit
    const next = await runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(next.file!.records).toHaveLength(1);
  });

  it('a Key or a customer typed over in the unhidden Ledger tab is put back from the usage file, with no second row', async () => {
    const w = await world();
    const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSED')!;
    await byHand(w.path, (wb) => {
      const ws = wb.getWorksheet('Ledger')!;
      const r = rowWith(ws, 'Credit ID', billed.creditId);
      ws.getRow(r).getCell(col(ws, 'Key')).value = 'k1-00000000000000000000000000000000';
      ws.getRow(r).getCell(col(ws, 'Customer ID')).value = 'CUST-OTHER';
    });
    const before = await creditsOf(w.sink());
    const reporter = recordingReporter();
    const report = await sync(w, reporter);
    expect(report.merge.adds).toEqual([]);
    // the Credits row was right all along: nothing restored there, only the Ledger row put back
    expect(report.restored.join('\n')).not.toMatch(/restored \d+ row/);
    expect(reporter.warnings.join('\n')).toContain(`${billed.creditId} (key, customerId)`);
    const after = await creditsOf(w.sink());
    expect(after).toHaveLength(before.length);
    expect(after.filter((c) => c.creditId === billed.creditId)).toHaveLength(1);
    const ledger = await ledgerOf(w.sink());
    expect(ledger.find((e) => e.creditId === billed.creditId)).toEqual(billed);
    expectSheetMatchesLedger(after, ledger);
    expect(await auditRestores(w.path)).toEqual([`${billed.creditId} Ledger key, customerId`]);
    // settled in one run
    const again = recordingReporter();
    await sync(w, again);
    expect(again.warnings.join('\n')).not.toContain('The Ledger tab said other');
  });

  it('a Ledger row made up with a pending credit’s Key locks nothing: that credit stays to be collected', async () => {
    const w = await world();
    const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSING')!;
    const waiting = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
    await madeUpLedgerRow(w.path, billed.creditId, waiting.key);
    const reporter = recordingReporter();
    await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toContain(
      `The Ledger tab has 1 row(s) naming a usage file that does not hold them (typed over?), not taken as collected: ${billed.creditId} (${billed.usageFileId}). Unhide the Ledger tab and delete those rows.`,
    );
    const credits = await creditsOf(w.sink());
    expect(credits.find((c) => c.key === waiting.key)).toMatchObject({
      creditId: waiting.creditId,
      status: 'ASSIGNED',
    });
    expect(credits.filter((c) => c.creditId === billed.creditId)).toHaveLength(1);
    const next = await runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(next.file!.records.map((r) => r.creditId)).toEqual([waiting.creditId]);
  });

  describe('a Ledger row under another credit’s Key (decision 0031)', () => {
    /** The collected credit, a credit still to collect, and the world without its usage folder. */
    async function noFolder() {
      const w = await world();
      const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSING')!;
      const waiting = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
      rmSync(w.usageDir, { recursive: true });
      return { w, billed, waiting };
    }

    it('a Key typed over with a pending credit’s: the row gets its own Key back, the pending credit stays to be collected', async () => {
      const { w, billed, waiting } = await noFolder();
      await byHand(w.path, (wb) => {
        const ws = wb.getWorksheet('Ledger')!;
        ws.getRow(rowWith(ws, 'Credit ID', billed.creditId)).getCell(col(ws, 'Key')).value = waiting.key;
      });
      const reporter = recordingReporter();
      await sync(w, reporter);
      expect(reporter.warnings.join('\n')).toContain(
        `The Ledger tab had 1 row(s) under another credit's Key (typed over?): put back under the Key their own cells and Credit ID give (the Key's own credit keeps its row): ${billed.creditId} (${billed.usageFileId}).`,
      );
      // Before: the pending credit's row became a locked copy of the collected one, and that one's row was
      // reverted to ASSIGNED, flagged.
      expect(await lockedOrNot(w, [billed.key, waiting.key])).toEqual(
        [`${billed.creditId} PROCESSING `, `${waiting.creditId} ASSIGNED `].sort(),
      );
      expect((await ledgerOf(w.sink())).find((e) => e.creditId === billed.creditId)).toEqual(billed);
      expect(await auditRestores(w.path)).toEqual([`${billed.creditId} Ledger key`]);
      const next = await runCollect(
        {},
        { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
      );
      expect(next.file!.records.map((r) => r.creditId)).toEqual([waiting.creditId]);
      const again = recordingReporter();
      await sync(w, again);
      expect(again.warnings.join('\n')).not.toContain('Ledger tab had');
    });

    it('a Key typed over with another collected credit’s, the row above or below it, with or without the folder: both stay collected, each row its own Key', async () => {
      for (const folder of [false, true])
        for (const [typedAt, otherAt] of [
          [0, 2],
          [3, 1],
        ]) {
          const w = await world();
          const ledger = await ledgerOf(w.sink());
          const [typed, other] = [ledger[typedAt], ledger[otherAt]];
          if (!folder) rmSync(w.usageDir, { recursive: true });
          await byHand(w.path, (wb) => {
            const ws = wb.getWorksheet('Ledger')!;
            ws.getRow(rowWith(ws, 'Credit ID', typed.creditId)).getCell(col(ws, 'Key')).value = other.key;
          });
          const reporter = recordingReporter();
          await sync(w, reporter);
          const state = `folder ${folder}, rows ${typedAt} and ${otherAt}`;
          expect({ state, credits: await lockedOrNot(w, [typed.key, other.key]) }).toEqual({
            state,
            credits: [`${typed.creditId} ${typed.status} `, `${other.creditId} ${other.status} `].sort(),
          });
          // Before: without the folder, the typed row's credit went back to ASSIGNED, to be billed again; with it,
          // the Ledger kept a second row.
          const after = await ledgerOf(w.sink());
          expect({ state, ledger: after }).toEqual({ state, ledger: expect.arrayContaining(ledger) });
          expect({ state, rows: after.length }).toEqual({ state, rows: ledger.length });
          const again = recordingReporter();
          await sync(w, again);
          expect({ state, warnings: again.warnings }).toEqual({ state, warnings: [] });
        }
    });

    it('a made-up row copying a collected credit under a pending credit’s Key locks nothing, and is named', async () => {
      const { w, billed, waiting } = await noFolder();
      await madeUpLedgerRow(w.path, billed.creditId, waiting.key);
      for (let run = 0; run < 2; run++) {
        const reporter = recordingReporter();
        await sync(w, reporter);
        expect(reporter.warnings.join('\n')).toContain(
          `The Ledger tab has 1 row(s) under another credit's Key that copy a credit the tab already holds (made up?), not taken as collected: ${billed.creditId} (${billed.usageFileId}). Unhide the Ledger tab and delete those rows.`,
        );
      }
      expect(await lockedOrNot(w, [billed.key, waiting.key])).toEqual(
        [`${billed.creditId} PROCESSING `, `${waiting.creditId} ASSIGNED `].sort(),
      );
      const next = await runCollect(
        {},
        { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
      );
      expect(next.file!.records.map((r) => r.creditId)).toEqual([waiting.creditId]);
    });
  });

  it('an Audit collection row edited to name a pending credit locks nothing; collect takes it where the usage file disproves the row', async () => {
    for (const folder of [true, false])
      for (const keyToo of [true, false]) {
        const w = await world();
        const billed = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSING')!;
        const waiting = (await creditsOf(w.sink())).find((c) => c.status === 'ASSIGNED')!;
        if (!folder) rmSync(w.usageDir, { recursive: true });
        await byHand(w.path, (wb) => {
          const ws = wb.getWorksheet('Audit')!;
          const [id, action, after] = ['Credit ID', 'Action', 'After'].map((h) => col(ws, h));
          // The collection's row: its Credit ID, and (keyToo) the Key in its record (After, "record: {…}").
          const r = rowWith(
            ws,
            'Credit ID',
            billed.creditId,
            (row) => row.getCell(action).value === 'collect',
          );
          const row = ws.getRow(r);
          expect(String(row.getCell(after).value)).toContain(billed.key);
          row.getCell(id).value = waiting.creditId;
          if (keyToo)
            row.getCell(after).value = String(row.getCell(after).value).replace(billed.key, waiting.key);
        });
        const reporter = recordingReporter();
        await sync(w, reporter);
        const state = `folder ${folder}, Key edited too ${keyToo}`;
        // Before: with the Key edited too, the pending credit was locked PROCESSING (RESTORED), in no usage file.
        expect({ state, credits: await lockedOrNot(w, [billed.key, waiting.key]) }).toEqual({
          state,
          credits: [`${billed.creditId} PROCESSING `, `${waiting.creditId} ASSIGNED `].sort(),
        });
        const said = folder
          ? `The Audit tab shows 1 collection(s) its usage file on disk does not hold (edited?), not taken as collected: ${waiting.creditId} (${billed.usageRecordId}).`
          : `The Audit tab shows 1 collection(s) the Ledger tab gives to another credit (edited?), not taken as collected: ${waiting.creditId} (${billed.usageRecordId}).`;
        // Only a row that would have been taken (its Key the pending credit's) is checked, and said.
        expect({ state, said: reporter.warnings.join('\n').includes(said) }).toEqual({ state, said: keyToo });
        // The usage file proves the credit was never collected: it is collected now. Without it, nothing settles
        // which credit the record is: the credit waits, named, and nothing is billed.
        const next = await runCollect(
          {},
          { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
        );
        expect({ state, collected: next.file?.records.map((r) => r.creditId) ?? [] }).toEqual({
          state,
          collected: folder ? [waiting.creditId] : [],
        });
        // Said as what it is: not "collected before … the next sync puts it back as collected", which it would not.
        expect({ state, skipped: next.skipped.map((s) => `${s.creditId}: ${s.reason}`) }).toEqual({
          state,
          skipped: folder
            ? []
            : [
                `${waiting.creditId}: the Audit tab shows it collected into ${billed.usageFileId}, but the rest of the record gives that collection to another credit (an Audit row edited?), so it is neither taken nor billed. Put the Audit row back as it was (Version history, or a backup of the workbook), or run where the usage folder (usageDir) holds ${billed.usageFileId}; then collect again.`,
              ],
        });
      }
  });

  it('a deleted row never collected comes back from the CUR with the Credit ID it had, not a new one', async () => {
    const w = await world();
    const before = await creditsOf(w.sink());
    const gone = before.find((c) => c.status === 'ASSIGNED')!;
    await byHand(w.path, (_, ws) => ws.spliceRows(rowWith(ws, 'Credit ID', gone.creditId), 1));
    const report = await sync(w);
    expect(report.merge.adds.map((c) => `${c.key} ${c.creditId}`)).toEqual([`${gone.key} ${gone.creditId}`]);
    const after = await creditsOf(w.sink());
    expect(after.filter((c) => c.creditId === gone.creditId).map((c) => c.key)).toEqual([gone.key]);
    expect(new Set(after.map((c) => c.creditId)).size).toBe(after.length);
    // and the next run has nothing to say about it: the ID is the one the Audit issued for that key
    const again = await sync(w);
    expect(again.merge.adds).toEqual([]);
    expect(again.restored).toEqual([]);
  });

  it('cleared Key cells of collected rows are restored in place: "added 0", no second row, nothing collected twice', async () => {
    const w = await world();
    const before = await creditsOf(w.sink());
    await byHand(w.path, (_, ws) => {
      const key = col(ws, 'Key');
      const status = col(ws, 'Status');
      for (let r = 2; r <= ws.rowCount; r++)
        if (String(ws.getRow(r).getCell(status).value).startsWith('PROCESS'))
          ws.getRow(r).getCell(key).value = null;
    });
    const report = await sync(w);
    expect(report.merge.adds).toHaveLength(0);
    const after = await creditsOf(w.sink());
    expect(after).toHaveLength(before.length);
    const collected = new Set((await ledgerOf(w.sink())).map((e) => e.key));
    expectSheetMatchesLedger(after, await ledgerOf(w.sink()));
    const next = await runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(next.file!.records).toHaveLength(1);
    expect(collected.has(next.file!.records[0].key)).toBe(false);
  });

  it('a renamed Credits tab: the collected credits are put back in a new one and the run says so loudly', async () => {
    const w = await world();
    const before = await creditsOf(w.sink());
    await byHand(w.path, (_, ws) => (ws.name = 'Credits (old)'));
    const reporter = recordingReporter();
    const report = await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/The Credits tab was missing \(renamed or deleted\)/);
    expect(report.restored.join('\n')).toMatch(/Credits tab was missing/);
    const credits = await creditsOf(w.sink());
    const ledger = await ledgerOf(w.sink());
    expectSheetMatchesLedger(credits, ledger);
    // the credits that were not collected come back as new rows with their own IDs, never as the collected ones
    expect(report.merge.adds).toHaveLength(2);
    for (const c of report.merge.adds) expect(c.creditId).toBe(before.find((b) => b.key === c.key)?.creditId);
    const next = await runCollect(
      {},
      { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: NOW },
    );
    expect(next.file).toBeNull();
    expect((await loadWorkbook(w.path)).getWorksheet('Credits (old)')).toBeDefined(); // staff's tab kept
  });

  it('PROCESSED typed into a pending row goes back to PENDING_ASSIGN; its allocation edited on a PROCESSED row is restored', async () => {
    const w = await world();
    const credits = await creditsOf(w.sink());
    const pending = credits.find((c) => c.status === 'PENDING_ASSIGN')!;
    const done = credits.find((c) => c.status === 'PROCESSED')!;
    await byHand(w.path, (_, ws) => {
      ws.getRow(rowWith(ws, 'Credit ID', pending.creditId)).getCell(col(ws, 'Status')).value = 'PROCESSED';
      ws.getRow(rowWith(ws, 'Credit ID', done.creditId)).getCell(col(ws, 'Allocation')).value =
        'customer 100%';
    });
    // any writing command reconciles first: here `assign` of another credit
    const other = credits.find((c) => c.status === 'ASSIGNED')!;
    await runAssign(other.creditId, 'customer 100%', {
      sink: w.sink(),
      now: NOW,
      actor: 'a@x',
      usageDir: w.usageDir,
    });
    const after = await creditsOf(w.sink());
    expect(after.find((c) => c.key === pending.key)).toMatchObject({
      status: 'PENDING_ASSIGN',
      flags: 'RESTORED',
    });
    expect(after.find((c) => c.key === done.key)).toMatchObject({
      status: 'PROCESSED',
      allocation: done.allocation,
    });
    expect(await auditRestores(w.path)).toEqual(
      expect.arrayContaining([`${pending.creditId} status`, `${done.creditId} allocation`]),
    );
  });

  it("a Credit ID copied onto another credit's row: `assign` of that ID changes the credit it names, the copy gets its own ID back", async () => {
    const w = await world();
    const credits = await creditsOf(w.sink());
    const owner = credits.find((c) => c.status === 'ASSIGNED')!;
    const copy = credits.find((c) => c.status === 'PENDING_ASSIGN')!;
    await byHand(w.path, (_, ws) => {
      ws.getRow(rowWith(ws, 'Credit ID', copy.creditId)).getCell(col(ws, 'Credit ID')).value = owner.creditId;
    });
    // the copy's row comes first, so a command going by the first row holding the ID would change the copy
    const ws = (await loadWorkbook(w.path)).getWorksheet('Credits')!;
    expect(rowWith(ws, 'Credit ID', owner.creditId)).toBeLessThan(rowWith(ws, 'Key', owner.key));
    const deps = { sink: w.sink(), now: NOW, actor: 'a@x', usageDir: w.usageDir };
    await runAssign(owner.creditId, 'reseller 50%', deps);
    const after = await creditsOf(w.sink());
    expect(after.find((c) => c.key === owner.key)).toMatchObject({
      creditId: owner.creditId,
      allocation: 'reseller 50%',
    });
    expect(after.find((c) => c.key === copy.key)).toMatchObject({
      creditId: copy.creditId,
      status: 'PENDING_ASSIGN',
      allocation: '',
    });
    expect(await auditRestores(w.path)).toEqual([`${copy.creditId} creditId`]);
  });

  it('a copied Credit ID on a row with no ID of its own to put back is flagged, and `assign` of it refuses', async () => {
    const w = await world();
    const credits = await creditsOf(w.sink());
    const owner = credits.find((c) => c.status === 'ASSIGNED')!;
    const copy = credits.find((c) => c.status === 'PENDING_ASSIGN')!;
    await byHand(w.path, (_, ws) => {
      const r = ws.getRow(rowWith(ws, 'Credit ID', copy.creditId));
      r.getCell(col(ws, 'Credit ID')).value = owner.creditId;
      r.getCell(col(ws, 'Key')).value = 'typed by hand';
    });
    const deps = { sink: w.sink(), now: NOW, actor: 'a@x', usageDir: w.usageDir };
    await expect(runAssign(owner.creditId, 'reseller 50%', deps)).rejects.toThrow(
      new RegExp(`${owner.creditId} is on rows \\d+ and \\d+ of the Credits tab`),
    );
    const after = await creditsOf(w.sink());
    expect(after.find((c) => c.key === owner.key)!.allocation).toBe(owner.allocation);
    expect(after.find((c) => c.key === 'typed by hand')!.flags).toContain('UNMATCHED');
  });

  it('a collected credit retyped ASSIGNED cannot be unassigned or re-assigned: it is restored before the command decides', async () => {
    const w = await world();
    const c = (await creditsOf(w.sink())).find((x) => x.status === 'PROCESSING')!;
    await byHand(w.path, (_, ws) => {
      ws.getRow(rowWith(ws, 'Credit ID', c.creditId)).getCell(col(ws, 'Status')).value = 'ASSIGNED';
    });
    await expect(runUnassign(c.creditId, { sink: w.sink(), now: NOW, actor: 'a@x' })).rejects.toThrow(
      /it is PROCESSING/,
    );
    await expect(
      runApplyRules({}, { sink: w.sink(), reporter: silentReporter, now: NOW, actor: 'a@x' }),
    ).resolves.toBeDefined();
    expect((await creditsOf(w.sink())).find((x) => x.key === c.key)).toMatchObject({
      status: 'PROCESSING',
      allocation: c.allocation,
    });
  });

  it('an edited Credit ID on a collected row is restored from the Ledger; a row matching no credit is kept, flagged', async () => {
    const w = await world();
    const c = (await creditsOf(w.sink())).find((x) => x.status === 'PROCESSED')!;
    await byHand(w.path, (_, ws) => {
      ws.getRow(rowWith(ws, 'Credit ID', c.creditId)).getCell(col(ws, 'Credit ID')).value =
        'AWSC-202610-0000-0000';
      const stray = ws.getRow(ws.rowCount + 1);
      stray.getCell(col(ws, 'Credit ID')).value = 'AWSC-202610-1234-0000';
      stray.getCell(col(ws, 'Notes')).value = 'typed by hand';
    });
    const report = await sync(w);
    expect(report.merge.adds).toEqual([]);
    const credits = await creditsOf(w.sink());
    expect(credits.find((x) => x.key === c.key)!.creditId).toBe(c.creditId);
    const wb = await loadWorkbook(w.path);
    const ws = wb.getWorksheet('Credits')!;
    const stray = ws.getRow(rowWith(ws, 'Credit ID', 'AWSC-202610-1234-0000'));
    expect(stray.getCell(col(ws, 'Flags')).value).toBe('UNMATCHED');
    expect(stray.getCell(col(ws, 'Notes')).value).toBe('typed by hand');
  });

  it('on a fresh container (no usage folder) the Ledger alone restores; a Ledger tab deleted is rebuilt from the usage files', async () => {
    const w = await world();
    const ledger = await ledgerOf(w.sink());
    // 1. no usage files at all: the Ledger tab is the record
    const saved = readdirSync(w.usageDir).map((f) => [f, readFileSync(join(w.usageDir, f))] as const);
    rmSync(w.usageDir, { recursive: true });
    await byHand(w.path, (_, ws) => ws.spliceRows(2, ws.rowCount));
    await sync(w);
    expectSheetMatchesLedger(await creditsOf(w.sink()), ledger);
    // …and `usage close` works from the Ledger alone
    const closed = await runClose([w.open], {
      sink: w.sink(),
      usageDir: w.usageDir,
      reporter: silentReporter,
      now: NOW,
    });
    expect(closed.closed).toBe(3);
    expect((await ledgerOf(w.sink())).filter((e) => e.usageFileId === w.open).map((e) => e.status)).toEqual([
      'PROCESSED',
      'PROCESSED',
      'PROCESSED',
    ]);
    rmSync(w.usageDir, { recursive: true, force: true });
    // 2. the Ledger tab deleted, the usage files there: rebuilt from them
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(w.usageDir);
    for (const [f, bytes] of saved) writeFileSync(join(w.usageDir, f), bytes);
    await byHand(w.path, (wb) => wb.removeWorksheet(wb.getWorksheet('Ledger')!.id));
    const reporter = recordingReporter();
    await sync(w, reporter);
    expect(reporter.warnings.join('\n')).toMatch(/missing from the Ledger tab and were put back/);
    const rebuilt = await ledgerOf(w.sink());
    expect(rebuilt.map((e) => `${e.creditId} ${e.allocation}`).sort()).toEqual(
      ledger.map((e) => `${e.creditId} ${e.allocation}`).sort(),
    );
  });

  it('sync --dry-run says what it would restore and writes nothing', async () => {
    const w = await world();
    const gone = (await ledgerOf(w.sink())).find((e) => e.status === 'PROCESSING')!;
    await byHand(w.path, (_, ws) => ws.spliceRows(rowWith(ws, 'Credit ID', gone.creditId), 1));
    const before = readFileSync(w.path);
    const report = await sync(w, silentReporter, { dryRun: true });
    expect(report.restored.join('\n')).toMatch(gone.creditId);
    expect(report.merge.adds).toEqual([]); // the restored credit counts as existing even in a dry run
    expect(readFileSync(w.path).equals(before)).toBe(true);
  });

  it('a second sync after the repairs changes nothing', async () => {
    const w = await world();
    await byHand(w.path, (_, ws) => ws.spliceRows(2, 3));
    await sync(w);
    const again = await sync(w);
    expect(again.restored).toEqual([]);
    expect(again.written).toBe(false);
  });
});
