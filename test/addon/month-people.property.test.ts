/**
 * scenario.test.ts's month drawn at random: one spreadsheet on the emulator's one store, the sync's commands
 * (sync, apply-rules, usage collect, usage close through the local Sheets v4 server as its service account) and
 * the add-on and people on the same sheet through SpreadsheetApp (the sidebar's assign and unassign, rules
 * previewed and applied, cells typed and pasted by an editor — onEdit fires —, another row's Credit ID typed over
 * one, and the owner sorting, deleting rows and typing past the protections). Whatever the order:
 *
 * - no credit key is in two usage records, and each record's lines add up to the credit;
 * - after every sync that succeeds, every collected credit is in the sheet once, as the Ledger records it, and
 *   the sync's protected ranges cover exactly the collected rows;
 * - the sidebar's assign changes the credit whose Credit ID it was given, or refuses.
 *
 * A refusal (a CreditDeskError; an editor's write into a protected cell) is a safe outcome. 10 sequences in
 * `npm test`, 50 in `npm run soak`.
 */
import fc from 'fast-check';
import { assignCredit, unassignCredit } from '../../addon/server/assign';
import { handleEdit } from '../../addon/server/on-edit';
import { applyRules, previewRules } from '../../addon/server/rules';
import { isCreditDeskError } from '../../core/errors';
import type { UsageRecord } from '../../core/usage';
import { runApplyRules } from '../../sync-service/jobs/apply-rules';
import { runSync } from '../../sync-service/jobs/sync';
import { runClose, runCollect } from '../../sync-service/jobs/usage';
import { silentReporter } from '../../sync-service/progress';
import type { Sink } from '../../sync-service/sinks/sink';
import { LOCK_TAG } from '../../sync-service/sinks/google/sheets-protection';
import { spreadsheetAppFront } from '../../emulators/shared-spreadsheet';
import type { FakeSheet } from '../../emulators/spreadsheet-app';
import { installFakeAppsScript } from '../fakes/apps-script';
import { records } from '../fakes/sheet-builder';
import { useTempDirs } from '../helpers/fixtures-io';
import { trialCount } from '../helpers/soak';
import { creditsOf, expectSheetMatchesLedger, ledgerOf, sourceOf } from '../sync-service/jobs/ledger-helpers';
import { expectBilledAsSynced } from '../sync-service/jobs/collect-proof-ops';
import { SHEET_ID, startServer } from '../sync-service/sinks/google/sheets-helpers';
import { as, syncSide } from './shared-sheet';

const tempDir = useTempDirs('credit-desk-addon-month-people-');
const RUNS = trialCount(10, 50);
const ANA = 'ana@distributor.example';
const CREDITS = 6;
type Step =
  | { kind: 'sync' | 'cliRules' | 'collect' | 'close' | 'addonRules' }
  | { kind: 'addonAssign'; row: number; allocation: string }
  | { kind: 'addonUnassign'; row: number }
  | { kind: 'type'; owner: boolean; row: number; header: string; value: string }
  | { kind: 'paste'; owner: boolean; from: number; to: number }
  | { kind: 'copyId'; owner: boolean; from: number; to: number }
  | { kind: 'sort'; column: string; descending: boolean }
  | { kind: 'deleteRow'; row: number };

const row = fc.nat(CREDITS + 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'sync' as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'cliRules' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'collect' as const }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'close' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'addonRules' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('addonAssign' as const),
      row,
      allocation: fc.constantFrom('customer 100%', 'reseller 50%', 'customer 60%, reseller 40%'),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('addonUnassign' as const), row }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('type' as const),
      owner: fc.boolean(),
      row,
      header: fc.constantFrom(
        'Status',
        'Allocation',
        'Credit ID',
        'Amount',
        'Key',
        'Usage File ID',
        'Customer ID',
        'Currency',
      ),
      value: fc.constantFrom(
        '',
        'PROCESSED',
        'ASSIGNED',
        'customer 100%',
        'AWSC-202610-0000-0001',
        '999.99',
        'CUST-2',
        'EUR',
      ),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('paste' as const), owner: fc.boolean(), from: row, to: row }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('copyId' as const), owner: fc.boolean(), from: row, to: row }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('sort' as const),
      column: fc.constantFrom('Amount', 'Status', 'Description'),
      descending: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('deleteRow' as const), row }), weight: 1 },
);

let collections = 0;
let uninstall: (() => void) | null = null;
afterEach(() => uninstall?.());

test('property: the add-on, people and the sync on one sheet in any order never bill a credit twice, and the Ledger holds', async () => {
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 6, maxLength: 20 }), run), {
    numRuns: RUNS,
    seed: 12,
    // first: the next row's Credit ID typed over a row, then the sidebar assigns by that ID from the copy (the
    // add-on used to change the first row holding it: the copy)
    examples: [
      [
        [
          { kind: 'copyId', owner: false, from: 1, to: 0 },
          { kind: 'addonAssign', row: 0, allocation: 'reseller 50%' },
          { kind: 'sync' },
          { kind: 'addonAssign', row: 0, allocation: 'reseller 50%' },
          { kind: 'collect' },
        ],
      ],
      // then a currency and another account's customer typed over rows the sidebar assigned: collected only as
      // the sync wrote them (core/row-proof.ts)
      [
        [
          { kind: 'addonAssign', row: 1, allocation: 'customer 100%' },
          { kind: 'addonAssign', row: 2, allocation: 'customer 60%, reseller 40%' },
          { kind: 'type', owner: false, row: 1, header: 'Currency', value: 'EUR' },
          { kind: 'type', owner: false, row: 2, header: 'Customer ID', value: 'CUST-2' },
          { kind: 'collect' },
          { kind: 'sync' },
          { kind: 'collect' },
        ],
      ],
    ],
  });
  // the sequences reach collections (a pasted duplicate stops them until someone deletes it: some never do)
  expect(collections).toBeGreaterThanOrEqual(RUNS / 3);
}, 300_000);

/** A refusal: the product's own error, or Sheets refusing an editor's write into a protected cell. */
function refused(e: unknown): boolean {
  return isCreditDeskError(e) || /protected cell/.test((e as Error).message);
}

async function run(steps: Step[]): Promise<void> {
  const server = await startServer();
  try {
    await month(steps, server);
  } finally {
    uninstall?.();
    uninstall = null;
    await server.close();
  }
}

async function month(steps: Step[], server: Awaited<ReturnType<typeof startServer>>): Promise<void> {
  const { settings, usageDir, sink, closing } = syncSide(server, tempDir());
  const say = (what: string) => `${what} (steps ${JSON.stringify(steps)})`;
  const source = sourceOf(CREDITS);
  const cli = async <T>(work: (s: Sink) => Promise<T>): Promise<T | null> => {
    try {
      return await closing(work);
    } catch (e) {
      if (refused(e)) return null;
      throw e;
    }
  };
  const now = () => new Date();
  await closing((s) =>
    runSync(settings, { previous: false }, { source, sink: s, reporter: silentReporter, now: now() }),
  );

  const ss = spreadsheetAppFront(server, SHEET_ID);
  const fake = installFakeAppsScript(ss, { userEmail: ANA, htmlFiles: { Sidebar: '<p>sidebar</p>' } });
  uninstall = fake.uninstall;
  const credits = (): FakeSheet => ss._sheet('Credits');
  const col = (h: string) => credits()._rows[0].map(String).indexOf(h) + 1;
  const dataRow = (n: number) => 2 + (n % Math.max(credits()._rows.length - 1, 1));
  const addon = <T>(work: () => T): T | null => {
    try {
      return work();
    } catch (e) {
      if (refused(e)) return null;
      throw e;
    }
  };
  const person = (owner: boolean, work: (sheet: FakeSheet) => void) =>
    addon(() =>
      as(ss, owner ? ss._owner : ANA, () => {
        ss._onEdit = (e) => handleEdit(e as never);
        work(credits());
      }),
    );
  const made = new Map<string, UsageRecord[]>();

  for (const s of steps) {
    switch (s.kind) {
      case 'sync': {
        const report = await cli((k) =>
          runSync(settings, { previous: false }, { source, sink: k, reporter: silentReporter, now: now() }),
        );
        if (!report) break;
        const sheet = await creditsOf(sink());
        const ledger = await ledgerOf(sink());
        if (ledger.length) expectSheetMatchesLedger(sheet, ledger);
        // the sync's protected ranges cover exactly the collected rows
        const locked = new Set<number>();
        for (const p of credits()._protections.filter((x) => x._description === LOCK_TAG))
          for (let r = p._area!.row; r < p._area!.row + p._area!.numRows; r++) locked.add(r);
        const statusAt = col('Status') - 1;
        const lockedStatus = credits()
          ._rows.map((r, i) => [i + 1, String(r[statusAt] ?? '')] as const)
          .filter(([i, st]) => i > 1 && (st === 'PROCESSING' || st === 'PROCESSED'))
          .map(([i]) => i);
        expect([...locked].sort((a, b) => a - b)).toEqual(lockedStatus);
        break;
      }
      case 'cliRules':
        await cli((k) =>
          runApplyRules({}, { sink: k, reporter: silentReporter, now: now(), actor: 'ops@x', usageDir }),
        );
        break;
      case 'collect': {
        const result = await cli((k) =>
          runCollect({}, { sink: k, usageDir, reporter: silentReporter, now: now() }),
        );
        if (!result?.file) break;
        collections++;
        const before = new Set([...made.values()].flat().map((r) => r.key));
        // in the CUR's currency, account and period, to the Accounts tab's parties, whatever people typed
        expectBilledAsSynced(result.file, steps);
        for (const r of result.file.records) {
          if (r.currency !== 'USD') throw new Error(say(`${r.creditId} billed in ${r.currency}`));
          if (before.has(r.key)) throw new Error(say(`${r.creditId} collected twice`));
          expect(r.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(r.amount);
        }
        made.set(result.file.usageFileId, result.file.records);
        break;
      }
      case 'close': {
        const ready = [...made.keys()];
        if (ready.length)
          await cli((k) =>
            runClose([ready[ready.length - 1]], { sink: k, usageDir, reporter: silentReporter, now: now() }),
          );
        break;
      }
      case 'addonRules':
        addon(() => applyRules('pending', false, previewRules('pending', false).token));
        break;
      case 'addonAssign':
      case 'addonUnassign': {
        const r = dataRow(s.row);
        const id = String(credits()._rows[r - 1][col('Credit ID') - 1] ?? '');
        if (!id) break;
        const view = addon(() =>
          s.kind === 'addonAssign' ? assignCredit(id, s.allocation) : unassignCredit(id),
        );
        if (!view) break;
        // the credit changed is the one holding that ID, and it alone does
        const holding = records(credits()).filter((c) => String(c['Credit ID']) === id);
        expect(holding).toHaveLength(1);
        expect(holding[0]).toMatchObject(
          s.kind === 'addonAssign'
            ? { Status: 'ASSIGNED', Allocation: s.allocation }
            : { Status: 'PENDING_ASSIGN', Allocation: '' },
        );
        break;
      }
      case 'type':
        person(s.owner, (sheet) => {
          if (col(s.header) > 0) sheet._typeByHand(dataRow(s.row), col(s.header), [[s.value]]);
        });
        break;
      case 'paste':
        person(s.owner, (sheet) => {
          const from = sheet._rows[dataRow(s.from) - 1];
          if (from) sheet._pasteByHand(dataRow(s.to), 1, [[...from]]);
        });
        break;
      case 'copyId':
        // another row's Credit ID typed over this one's
        person(s.owner, (sheet) => {
          const id = sheet._rows[dataRow(s.from) - 1]?.[col('Credit ID') - 1];
          if (id) sheet._typeByHand(dataRow(s.to), col('Credit ID'), [[id]]);
        });
        break;
      case 'sort':
        person(true, (sheet) => {
          if (col(s.column) > 0) sheet._sort(2, col(s.column), s.descending);
        });
        break;
      case 'deleteRow':
        person(true, (sheet) => {
          if (sheet._rows.length > 1) sheet.deleteRow(dataRow(s.row));
        });
        break;
    }
  }
  const keys = [...made.values()].flat().map((r) => r.key);
  expect(keys.length).toBe(new Set(keys).size);
}
