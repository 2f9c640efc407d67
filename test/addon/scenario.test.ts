/**
 * A month in one spreadsheet, over the emulator's one store with two fronts: the sync's own commands (runSync,
 * runCollect with the Google Sheets sink and its real `@googleapis/sheets` client, as the sync's service account)
 * talk to the local Sheets v4 server; the add-on and the people act on the same spreadsheet through
 * SpreadsheetApp, and their typing fires onEdit. Then: nothing lost, nothing processed by hand, the protections
 * on the collected credits, and the Ledger agrees with the sheet.
 */
import { assignCredit } from '../../addon/server/assign';
import { checkSheet } from '../../addon/server/check-sheet';
import { downloadFilteredRows } from '../../addon/server/download';
import { handleEdit } from '../../addon/server/on-edit';
import { applyRules, previewRules } from '../../addon/server/rules';
import { runSync } from '../../sync-service/jobs/sync';
import { runCollect } from '../../sync-service/jobs/usage';
import { silentReporter } from '../../sync-service/progress';
import { LOCK_TAG } from '../../sync-service/sinks/google/sheets-protection';
import { spreadsheetAppFront } from '../../emulators/shared-spreadsheet';
import { createSheetsAdvancedService } from '../../emulators/sheets-advanced';
import type { SheetsServer } from '../../emulators/sheets-server';
import type { FakeSheet } from '../../emulators/spreadsheet-app';
import { installFakeAppsScript } from '../fakes/apps-script';
import { records } from '../fakes/sheet-builder';
import { useTempDirs } from '../helpers/fixtures-io';
import {
  creditsOf,
  expectSheetMatchesLedger,
  ledgerOf,
  NOW,
  sourceOf,
} from '../sync-service/jobs/ledger-helpers';
import { IDENTITY, SHEET_ID, startServer } from '../sync-service/sinks/google/sheets-helpers';
import { as, syncSide } from './shared-sheet';

const tempDir = useTempDirs('credit-desk-addon-scenario-');
const ANA = 'ana@distributor.example';
const MO = 'mo@distributor.example';
let server: SheetsServer;
let uninstall: (() => void) | null = null;
afterEach(async () => {
  uninstall?.();
  await server?.close();
});

test('sync → add-on (an edit typed during an apply) → usage collect → people sort, delete, paste, retype → sync → add-on → a download under a formula filter: the lifecycle holds', async () => {
  server = await startServer();
  // One sink per command, closed when it is done (its writer lock, the sync's lock, goes with it), as the CLI does.
  const { settings, usageDir, sink, closing } = syncSide(server, tempDir());
  const source = sourceOf(8);
  const sync = (now: Date) =>
    closing((s) =>
      runSync(settings, { previous: false }, { source, sink: s, reporter: silentReporter, now }),
    );

  // The sync imports eight credits, the Accounts and the Rules.
  await sync(NOW);

  // The add-on on the same spreadsheet, through SpreadsheetApp.
  const ss = spreadsheetAppFront(server, SHEET_ID);
  const fake = installFakeAppsScript(ss, { userEmail: ANA, htmlFiles: { Sidebar: '<p>sidebar</p>' } });
  uninstall = fake.uninstall;
  const credits = (): FakeSheet => ss._sheet('Credits');
  const headers = () => credits()._rows[0].map(String);
  const col = (h: string) => headers().indexOf(h) + 1;
  /** Rows covered by the sync's protected ranges (only the sync's account may edit them). */
  const lockedRows = () => {
    const rows = new Set<number>();
    for (const p of credits()._protections.filter((x) => x._description === LOCK_TAG)) {
      expect(p._editors).toEqual([IDENTITY]);
      const a = p._area!;
      for (let r = a.row; r < a.row + a.numRows; r++) rows.add(r);
    }
    return [...rows].sort((a, b) => a - b);
  };
  const byId = () => new Map(records(credits()).map((r) => [String(r['Credit ID']), r]));
  const rowOf = (id: string) => credits()._rows.findIndex((r) => r[col('Credit ID') - 1] === id) + 1;
  const person = (who: string, row: number, column: number, values: unknown[][]) =>
    as(ss, who, () => {
      ss._onEdit = (e) => handleEdit(e as never);
      credits()._typeByHand(row, column, values);
    });
  const ids = [...byId().keys()].sort();
  expect(ids).toHaveLength(8);

  // Ana previews the rules for every pending credit; a teammate assigns one by hand meanwhile; Ana applies
  // the preview: the teammate's credit is skipped and listed, the other seven get the rule.
  const preview = previewRules('pending', false);
  expect(preview.credits).toBe(8);
  as(ss, MO, () => assignCredit(ids[7], 'reseller 100%'));
  // While the apply writes (its batch is on its way), Mo types an allocation into a credit it is assigning:
  // his onEdit writes nothing under the apply's live marker and tells him; the apply's atomic batch lands.
  const api = fake.globals.Sheets as { Spreadsheets: { batchUpdate: (...a: unknown[]) => unknown } };
  const realBatch = api.Spreadsheets.batchUpdate;
  let typedDuringApply = false;
  api.Spreadsheets.batchUpdate = (...a: unknown[]) => {
    const requests = (a[0] as { requests: object[] }).requests;
    if (!typedDuringApply && requests.some((r) => 'updateCells' in r)) {
      typedDuringApply = true;
      person(MO, rowOf(ids[6]), col('Allocation'), [['customer 100%']]);
    }
    return realBatch(...a);
  };
  const applied = applyRules('pending', false, preview.token);
  api.Spreadsheets.batchUpdate = realBatch;
  expect(typedDuringApply).toBe(true);
  expect(ss._toasts.map((t) => t.message).join('\n')).toMatch(/Credit Desk is writing this sheet right now/);
  expect(applied.applied).toBe(7);
  expect(applied.changed?.map((c) => c.creditId)).toEqual([ids[7]]);
  expect(byId().get(ids[7])).toMatchObject({ Allocation: 'reseller 100%', Status: 'ASSIGNED' });
  expect(byId().get(ids[6])).toMatchObject({ Status: 'ASSIGNED', Rule: 'R1' });

  // Ana unassigns two by typing, so they stay out of the usage run.
  person(ANA, rowOf(ids[2]), col('Allocation'), [['']]);
  person(ANA, rowOf(ids[5]), col('Status'), [['PENDING_ASSIGN']]);
  expect(byId().get(ids[5])).toMatchObject({ Status: 'PENDING_ASSIGN', Allocation: '' });
  const pending = [ids[2], ids[5]];

  // The usage process collects every ASSIGNED credit through the API; an add-on write while it holds the
  // sync's lock is refused.
  let refusal = '';
  server.onBetween({
    match: { op: 'values.batchUpdate' },
    run: () => {
      try {
        assignCredit(ids[2], 'customer 100%');
      } catch (e) {
        refusal = (e as Error).message;
      }
    },
  });
  const collect = await closing((s) =>
    runCollect({}, { sink: s, usageDir, reporter: silentReporter, now: NOW }),
  );
  expect(refusal).toMatch(/sync is writing this spreadsheet right now/);
  const collected = collect.file!.records.map((r) => r.creditId).sort();
  expect(collected).toEqual(ids.filter((id) => !pending.includes(id)));
  expect(byId().get(ids[2])).toMatchObject({ Status: 'PENDING_ASSIGN' });

  // Ana (not an editor of the sync's protected rows) can't type into a collected row, nor sort over one.
  expect(() => person(ANA, rowOf(collected[0]), col('Allocation'), [['customer 1%']])).toThrow(
    /protected cell/,
  );
  expect(() => as(ss, ANA, () => credits()._sort(2, col('Amount'), true))).toThrow(/protected cell/);
  // She pastes PROCESSED over a pending row: put back at once.
  person(ANA, rowOf(pending[0]), col('Status'), [['PROCESSED']]);
  expect(byId().get(pending[0])).toMatchObject({ Status: 'PENDING_ASSIGN' });

  // The owner (protections never stop owners) sorts — the sync's ranges stay on their rows, now other
  // credits; then (below) Ana edits again — and the owner retypes a collected status, pastes over a collected row and the one below, deletes a collected
  // row, and changes a collected allocation through the API (no onEdit for that).
  const OWNER = ss._owner;
  as(ss, OWNER, () => credits()._sort(2, col('Amount'), true)); // no onEdit
  const rowsOf = (list: string[]) => list.map(rowOf).sort((a, b) => a - b);
  expect(lockedRows()).not.toEqual(rowsOf(collected)); // the ranges now cover other credits
  // Then Ana: a collected credit the sort moved out from under the ranges is open to her; onEdit puts her edit
  // back from the Ledger. A pending credit the sort moved under a range is closed to her until the next sync.
  const exposed = collected.find((id) => !lockedRows().includes(rowOf(id)))!;
  const allocation = byId().get(exposed)!.Allocation;
  person(ANA, rowOf(exposed), col('Allocation'), [['reseller 1%']]);
  expect(byId().get(exposed)).toMatchObject({ Status: 'PROCESSING', Allocation: allocation });
  const open = pending.filter((id) => !lockedRows().includes(rowOf(id)));
  for (const id of open) person(ANA, rowOf(id), col('Status'), [['PROCESSING']]);
  for (const id of pending) expect(byId().get(id)).toMatchObject({ Status: 'PENDING_ASSIGN' });
  person(OWNER, rowOf(collected[1]), col('Status'), [['ASSIGNED']]);
  expect(byId().get(collected[1])).toMatchObject({ Status: 'PROCESSING' }); // put back from the Ledger
  expect(col('Allocation')).toBe(col('Status') + 1);
  person(OWNER, rowOf(collected[2]), col('Status'), [
    ['PENDING_ASSIGN', 'customer 5%'],
    ['PENDING_ASSIGN', 'customer 5%'],
  ]);
  expect(byId().get(collected[2])).toMatchObject({ Status: 'PROCESSING' });
  as(ss, OWNER, () => credits().deleteRow(rowOf(collected[3])));
  as(ss, OWNER, () =>
    createSheetsAdvancedService(ss).Spreadsheets.Values.batchUpdate(
      {
        valueInputOption: 'RAW',
        data: [
          {
            range: `'Credits'!${String.fromCharCode(64 + col('Allocation'))}${rowOf(collected[4])}`,
            values: [['customer 1%']],
          },
        ],
      },
      ss.getId(),
    ),
  );
  expect(byId().has(collected[3])).toBe(false);

  // The next sync repairs what onEdit could not see, from the Ledger, and protects the collected rows where
  // they are now.
  const report = await sync(new Date('2026-12-02T08:00:00Z'));
  expect(report.merge.adds).toEqual([]);
  expect(report.restored.join('\n')).toMatch(collected[3]);
  expect(byId().get(collected[3])).toMatchObject({ Status: 'PROCESSING', Flags: 'RESTORED' });
  expect(byId().get(collected[4])).toMatchObject({ Status: 'PROCESSING' });

  // The add-on: Check sheet finds nothing left to repair; the rules assign what is pending.
  const check = as(ss, OWNER, () => checkSheet());
  expect(check.repaired).toEqual([]);
  expect(check.missing).toEqual([]);
  const stillPending = [...byId().values()].filter((c) => c.Status === 'PENDING_ASSIGN').length;
  expect(stillPending).toBeGreaterThan(0);
  const again = previewRules('pending', false);
  expect(applyRules('pending', false, again.token).applied).toBe(stillPending);

  // Nothing lost, nothing processed by hand, and the Ledger agrees: every collected credit is once in the
  // sheet exactly as the Ledger records it, and every other credit is PENDING_ASSIGN or ASSIGNED.
  const sheet = await creditsOf(sink());
  const ledger = await ledgerOf(sink());
  expect(sheet.map((c) => c.creditId).sort()).toEqual(ids);
  expect(ledger.map((e) => e.creditId).sort()).toEqual(collected);
  expectSheetMatchesLedger(sheet, ledger);
  for (const id of pending) expect(byId().get(id)).toMatchObject({ Status: 'ASSIGNED' });

  // The sync's protections are on the collected credits' rows, and only there, editable only by the sync.
  expect(lockedRows()).toEqual(rowsOf(collected));

  // Ana filters Credits on a condition whose value is a formula (a Status kept in another tab) and downloads
  // what she sees: the rows Sheets shows, not none (the value is evaluated, never compared as "=…" text).
  ss._addSheet('Lookups', [['PROCESSING']]);
  credits()
    .getDataRange()
    .createFilter()
    .setColumnFilterCriteria(
      col('Status'),
      SpreadsheetApp.newFilterCriteria().whenTextEqualTo("='Lookups'!$A$1").build() as never,
    );
  const file = as(ss, ANA, () => downloadFilteredRows('csv'));
  expect(file.rows).toBe(collected.length);
  for (const id of collected) expect(file.content).toContain(id);

  // Nothing Ana did changed a collected credit: her one edit of one was put back, and the Audit says so.
  expect(
    records(ss._sheet('Audit'))
      .filter((a) => a.Who === ANA && a.Action === 'revert' && collected.includes(String(a['Credit ID'])))
      .map((a) => [a['Credit ID'], a.Field, a.Before]),
  ).toEqual([[exposed, 'Allocation', 'reseller 1%']]);
});
