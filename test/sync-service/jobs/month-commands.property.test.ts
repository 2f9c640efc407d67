/**
 * A month on either sink (the workbook, the embedded default; a Google Sheet on the local Sheets v4 server), as
 * it goes: the CUR revised by AWS between syncs (an amount changed, a credit gone and back), every command in any
 * order (sync, apply-rules, assign and unassign by Credit ID, usage collect, usage close, archive, run-month
 * --collect, the trip through Connect with the provider accepting, rejecting and closing files), and people's hand edits between them
 * (collect-proof-ops.ts: saved by Excel on the workbook, typed into the Google Sheet's cells; on Google `assign`
 * reads only the rows it needs, decision 0026). Whatever the order, money moves only on proof:
 *
 * - no credit key is in two usage records;
 * - a collected credit's record bills the amount the CUR gave it at the last sync that succeeded, and only a
 *   credit that CUR still held (a correction credit bills the difference its original's amount moved by);
 * - each record's lines add up to its amount, and the sheet shows the credit PROCESSING with that allocation;
 * - `assign` changes only the credit whose Credit ID it names, or refuses;
 * - every usage file passes Connect's checks; one Connect rejected bills nothing: its credits may be collected
 *   again, once.
 *
 * Commands may refuse (a CreditDeskError): that is the safe outcome. 12 sequences per sink in `npm test`, 60 in
 * `npm run soak`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Credit } from '../../../core/credit';
import { readState } from '../../../core/sheet-state';
import type { UsageFile, UsageRecord } from '../../../core/usage';
import { runApplyRules } from '../../../sync-service/jobs/apply-rules';
import { runArchive } from '../../../sync-service/jobs/archive';
import { runAssign, runUnassign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { runMonth } from '../../../sync-service/jobs/run-month';
import { FakeConnect } from '../../helpers/connect-fake';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../../../sync-service/sources/source';
import type { Sink } from '../../../sync-service/sinks/sink';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { makeSink, SHEET_ID, startServer } from '../sinks/google/sheets-helpers';
import { useTempDirs } from '../../helpers/fixtures-io';
import { oneAtATime } from '../../helpers/sinks';
import { trialCount } from '../../helpers/soak';
import { creditsOf, writeAccounts } from './ledger-helpers';
import {
  editCells,
  expectBilledAsSynced,
  usageFilesIn,
  expectIdsUnique,
  keepsOneRecord,
  op as handEdit,
  orRefusal,
  type Op as HandEdit,
  type Renamed,
} from './collect-proof-ops';
import { byHandInExcel } from './workbook-by-hand';

const tempDir = useTempDirs('credit-desk-month-commands-');
const RUNS = trialCount(12, 60);
const CREDITS = 6;

type Step =
  | { kind: 'revise'; credit: number; cents: number }
  | { kind: 'drop'; credit: number }
  | { kind: 'bringBack'; credit: number }
  | { kind: 'sync' }
  | { kind: 'applyRules' }
  | { kind: 'assign'; row: number; allocation: string }
  | { kind: 'unassign'; row: number }
  | { kind: 'collect' }
  | { kind: 'close' }
  | { kind: 'runMonth' }
  | { kind: 'archive' }
  | { kind: 'hand'; edit: HandEdit }
  // Connect (test/helpers/connect-fake.ts): the trip sends ready files and follows them; the provider decides
  | { kind: 'trip'; submit: boolean }
  | { kind: 'provider'; verdict: 'accept' | 'reject' | 'close' };

const credit = fc.nat(CREDITS - 1);
const row = fc.nat(CREDITS + 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('revise' as const),
      credit,
      cents: fc.integer({ min: -300, max: 300 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), credit }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('bringBack' as const), credit }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('sync' as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('applyRules' as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('assign' as const),
      row,
      allocation: fc.constantFrom(
        'customer 100%',
        'reseller 50%',
        'customer 60%, reseller 40%',
        'customer 33.33%',
      ),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('unassign' as const), row }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('collect' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('close' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('runMonth' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('archive' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('hand' as const), edit: handEdit }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('trip' as const), submit: fc.boolean() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('provider' as const),
      verdict: fc.constantFrom('accept' as const, 'reject' as const, 'close' as const),
    }),
    weight: 2,
  },
);

const handEditsOf = (steps: Step[]) => steps.flatMap((s) => (s.kind === 'hand' ? [s.edit] : []));

/** A sink to run the month on: a fresh sheet per sequence, and how a person's edit reaches it. */
interface Place {
  open(dir: string): Promise<{
    sink: () => Sink;
    extra: Record<string, string>;
    byHand: (edit: HandEdit, renamed: Renamed, usageDir: string) => Promise<void>;
    close: () => Promise<void>;
  }>;
}

const workbook: Place = {
  open: async (dir) => {
    const path = join(dir, 'credits.xlsx');
    return {
      sink: oneAtATime(() => createWorkbookSink({ path })),
      extra: { workbook: path },
      byHand: (edit, renamed, usageDir) => byHandInExcel(path, edit, renamed, usageDir),
      close: async () => {},
    };
  },
};

const google: Place = {
  open: async () => {
    const server: SheetsServer = await startServer();
    const ss = () => server.state.sheet(SHEET_ID);
    return {
      sink: oneAtATime(() => makeSink(server)),
      extra: {},
      byHand: async (edit, renamed, usageDir) => {
        if (edit.kind === 'deleteUsageFiles') rmSync(usageDir, { recursive: true, force: true });
        else if (edit.kind === 'deleteTab') {
          const t = ss().sheets.find((x) => x.properties.title === edit.name);
          if (t) ss().sheets.splice(ss().sheets.indexOf(t), 1);
        } else {
          const credits = ss().sheets.find((x) => x.properties.title === 'Credits');
          if (credits) editCells(edit, credits.cells, renamed);
        }
      },
      close: () => server.close(),
    };
  },
};

describe.each([
  ['the workbook', workbook],
  ['a Google Sheet', google],
])('on %s', (_name, place) => {
  test('property: in any order of CUR revisions, commands and hand edits, a credit is billed once, for the amount the CUR gave it', async () => {
    collections = 0;
    recollected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 6, maxLength: 20 }).filter((s) => keepsOneRecord(handEditsOf(s))),
        (steps) => run(steps, place),
      ),
      {
        numRuns: RUNS,
        seed: 7,
        examples: [
          // another account's customer typed over an assigned credit's Customer ID, another's reseller, a currency,
          // an account with its parties, then a collection: each credit is billed as the CUR and the Accounts tab
          // say, or skipped until a sync writes them back (core/row-proof.ts)
          [
            [
              { kind: 'assign', row: 0, allocation: 'customer 100%' },
              { kind: 'assign', row: 1, allocation: 'customer 60%, reseller 40%' },
              { kind: 'assign', row: 2, allocation: 'reseller 50%' },
              { kind: 'assign', row: 3, allocation: 'customer 60%, reseller 40%' },
              { kind: 'hand', edit: { kind: 'typeOver', header: 'Customer ID', row: 0, value: 'CUST-2' } },
              { kind: 'hand', edit: { kind: 'typeOver', header: 'Reseller ID', row: 1, value: 'RES-2' } },
              { kind: 'hand', edit: { kind: 'typeOver', header: 'Currency', row: 2, value: 'EUR' } },
              {
                kind: 'hand',
                edit: { kind: 'typeOver', header: 'AWS Account', row: 3, value: '333333333333' },
              },
              { kind: 'hand', edit: { kind: 'typeOver', header: 'Customer ID', row: 3, value: 'CUST-2' } },
              { kind: 'hand', edit: { kind: 'typeOver', header: 'Reseller ID', row: 3, value: 'RES-2' } },
              { kind: 'collect' },
              { kind: 'sync' },
              { kind: 'collect' },
            ],
          ],
          // then the rejection round trip with the CUR revised and a hand edit on the way
          [
            [
              { kind: 'applyRules' },
              { kind: 'collect' },
              { kind: 'trip', submit: true },
              { kind: 'revise', credit: 1, cents: -50 },
              { kind: 'provider', verdict: 'reject' },
              { kind: 'trip', submit: false },
              { kind: 'hand', edit: { kind: 'status', row: 2, value: 'PROCESSED' } },
              { kind: 'sync' },
              { kind: 'collect' },
              { kind: 'trip', submit: true },
              { kind: 'provider', verdict: 'accept' },
              { kind: 'provider', verdict: 'close' },
              { kind: 'trip', submit: false },
              { kind: 'collect' },
            ],
          ],
        ],
      },
    );
    // the sequences reach collections, and collections again of credits Connect rejected
    expect(collections).toBeGreaterThanOrEqual(RUNS / 3);
    expect(recollected).toBeGreaterThan(0);
  }, 300_000);
});

let collections = 0;
let recollected = 0;

/** The CUR as AWS delivers it now: description → cost (negative), for credits AWS has not dropped. */
class Cur {
  private readonly cost = new Map<string, number>();
  private readonly gone = new Set<string>();
  constructor() {
    for (let i = 0; i < CREDITS; i++) this.cost.set(`Credit ${i + 1}`, -((i + 1) * 1000 + 25));
  }
  revise(i: number, cents: number): void {
    const d = `Credit ${i + 1}`;
    // a credit stays a credit (negative cost); AWS revises it, it does not turn it into a charge
    this.cost.set(d, Math.min(-1, this.cost.get(d)! + cents));
  }
  drop(i: number): void {
    this.gone.add(`Credit ${i + 1}`);
  }
  bringBack(i: number): void {
    this.gone.delete(`Credit ${i + 1}`);
  }
  /** The minor units each credit the CUR holds is worth (what the sheet shows: positive). */
  amounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [d, c] of this.cost) if (!this.gone.has(d)) out.set(d, -c);
    return out;
  }
  source(): CreditSource {
    return {
      listPeriods: async () => ['2026-10'],
      fetchCredits: async () => ({
        rows: [...this.amounts()].map(([description, minor]): RawCreditRow => ({
          billing_period: '2026-10',
          payer_account_id: '111111111111',
          usage_account_id: '222222222222',
          product_code: 'AmazonEC2',
          description,
          currency_code: 'USD',
          amount: (-minor / 100).toFixed(2),
          line_count: 1,
          bad_cost_lines: 0,
          invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
        })),
        label: 'test CUR',
      }),
      close: async () => {},
    };
  }
}

/**
 * The Credits rows that can be read: `usage collect` skips a row it cannot read (a Currency typed over, say) and
 * goes on, as `assign` does for rows it has no use for; a whole read would refuse the sheet after them.
 */
async function readableCredits(sink: Sink): Promise<Credit[]> {
  try {
    return readState(await sink.read(), { lenient: true }).credits.map((e) => e.credit);
  } finally {
    await sink.close();
  }
}

async function run(steps: Step[], place: Place): Promise<void> {
  const dir = tempDir();
  const opened = await place.open(dir);
  try {
    await month(steps, dir, opened);
  } finally {
    await opened.close();
  }
}

async function month(steps: Step[], dir: string, place: Awaited<ReturnType<Place['open']>>): Promise<void> {
  const usageDir = join(dir, 'usage');
  const { sink } = place;
  const settings = resolveSettings(
    { period: '2026-10', accounts: writeAccounts(dir), usageDir, ...place.extra },
    {},
  );
  const cur = new Cur();
  const now = () => new Date();
  const say = (what: string) => `${what} (steps ${JSON.stringify(steps)})`;
  const doSync = () =>
    runSync(
      settings,
      { previous: false },
      { source: cur.source(), sink: sink(), reporter: silentReporter, now: now() },
    );
  await doSync();
  /** What the CUR gave each credit at the last sync that succeeded: what a collection may bill. */
  let confirmed = cur.amounts();
  /** Every usage file a collection made → its records; those Connect rejected bill nothing. */
  const made = new Map<string, UsageRecord[]>();
  const connect = new FakeConnect({ knownAssets: new Set(['AS-1']) });
  const live = () => {
    const rejected = new Set(connect.files.filter((f) => f.status === 'rejected').map((f) => f.externalId));
    return [...made].filter(([id]) => !rejected.has(id)).flatMap(([, records]) => records);
  };
  const renamed: Renamed = new Map();
  const deps = () => ({
    sink: sink(),
    usageDir,
    reporter: silentReporter,
    now: now(),
    actor: 'a@x',
    api: connect,
    connectApi: connect,
  });

  /** A new usage file against everything collected before it and the last successful sync's CUR. */
  const checkCollection = async (file: UsageFile) => {
    collections++;
    const before = new Map(live().map((r) => [r.key, r.usageRecordId]));
    const once = new Set([...made.values()].flat().map((r) => r.key));
    if (file.records.some((r) => once.has(r.key))) recollected++;
    made.set(file.usageFileId, file.records);
    const billed = new Map<string, number>();
    for (const r of live()) billed.set(r.description, (billed.get(r.description) ?? 0) + r.amount);
    const sheet = await readableCredits(sink());
    expectBilledAsSynced(file, steps);
    for (const r of file.records) {
      if (r.currency !== 'USD')
        throw new Error(say(`${r.creditId} billed in ${r.currency}: the CUR says USD`));
      if (before.has(r.key))
        throw new Error(say(`${r.creditId} collected twice: ${before.get(r.key)} and ${r.usageRecordId}`));
      expect(r.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(r.amount);
      expect(sheet.find((c) => c.key === r.key)).toMatchObject({
        status: 'PROCESSING',
        usageFileId: file.usageFileId,
        allocation: r.allocation,
      });
      if (r.key.includes('#c')) {
        // a correction: with its original (and earlier corrections) it bills what the CUR now says
        if (billed.get(r.description) !== confirmed.get(r.description))
          throw new Error(
            say(
              `${r.description} billed ${billed.get(r.description)} in all, the last sync's CUR says ${confirmed.get(r.description)}`,
            ),
          );
        continue;
      }
      if (!confirmed.has(r.description))
        throw new Error(
          say(`${r.creditId} (${r.description}) collected though the last sync's CUR did not hold it`),
        );
      if (confirmed.get(r.description) !== r.amount)
        throw new Error(
          say(
            `${r.creditId} (${r.description}) billed ${r.amount}, the last sync's CUR says ${confirmed.get(r.description)}`,
          ),
        );
    }
  };

  for (const s of steps) {
    switch (s.kind) {
      case 'revise':
        cur.revise(s.credit, s.cents);
        break;
      case 'drop':
        cur.drop(s.credit);
        break;
      case 'bringBack':
        cur.bringBack(s.credit);
        break;
      case 'sync':
        if (await orRefusal(doSync)) {
          confirmed = cur.amounts();
          expectIdsUnique(await creditsOf(sink()), steps);
        }
        break;
      case 'applyRules':
        await orRefusal(() => runApplyRules({}, deps()));
        break;
      case 'assign':
      case 'unassign': {
        // the sheet as staff see it (a sheet the program refuses to read gives them nothing to name)
        const sheet = (await orRefusal(() => creditsOf(sink()))) ?? [];
        const target = sheet[s.row % Math.max(sheet.length, 1)];
        if (!target?.creditId) break;
        const done = await orRefusal(() =>
          s.kind === 'assign'
            ? runAssign(target.creditId, s.allocation, deps())
            : runUnassign(target.creditId, deps()),
        );
        if (!done) break;
        // The credit holding the ID now (its owner: reconciliation gives a copy its own ID back first) got the
        // change; no other credit that is not collected changed its assignment.
        const after = await readableCredits(sink());
        const named = after.filter((c) => c.creditId === target.creditId);
        if (named.length !== 1)
          throw new Error(say(`${target.creditId} is on ${named.length} rows after assign`));
        if (s.kind === 'assign')
          expect(named[0]).toMatchObject({ status: 'ASSIGNED', allocation: s.allocation });
        else expect(named[0]).toMatchObject({ status: 'PENDING_ASSIGN', allocation: '' });
        const collectedKeys = new Set(live().map((r) => r.key));
        for (const o of sheet) {
          const now = after.find((c) => c.key === o.key);
          if (!now || now.key === named[0].key || collectedKeys.has(o.key)) continue;
          if (now.allocation !== o.allocation)
            throw new Error(say(`${s.kind} ${target.creditId} changed ${o.creditId}'s allocation too`));
        }
        break;
      }
      case 'collect': {
        const result = await orRefusal(() => runCollect({}, deps()));
        if (result?.file) await checkCollection(result.file);
        break;
      }
      case 'runMonth': {
        // the unattended month: sync with the rules, collect, submit to Connect and follow it
        const result = await orRefusal(() =>
          runMonth(
            settings,
            { collect: true, usageDir, previous: false },
            { source: cur.source(), sink: sink(), reporter: silentReporter, now: now(), connectApi: connect },
          ),
        );
        if (!result) break;
        confirmed = cur.amounts();
        for (const { file } of result.collected?.files ?? []) await checkCollection(file);
        break;
      }
      case 'trip': {
        await orRefusal(() => runConnectTrip({ submit: s.submit }, deps()));
        // every usage file passes Connect's checks of an upload (emulators/connect-usage-file.ts)
        const invalid = connect.files.filter((f) => f.status === 'invalid');
        if (invalid.length)
          throw new Error(
            say(`Connect found ${invalid[0].externalId} invalid: ${JSON.stringify(invalid[0])}`),
          );
        break;
      }
      case 'provider':
        // the provider decides on every file waiting for it
        for (const f of connect.files) {
          if (s.verdict === 'accept' && f.status === 'pending') connect.accept(f.id);
          if (s.verdict === 'reject' && f.status === 'pending') connect.reject(f.id, 'disputed');
          if (s.verdict === 'close' && f.status === 'accepted') connect.close(f.id);
        }
        break;
      case 'close': {
        const ready = usageFilesIn(usageDir).find((f) => f.status === 'ready');
        if (ready) await orRefusal(() => runClose([ready.usageFileId], deps()));
        break;
      }
      case 'archive':
        // the month's PROCESSED credits leave the sheet for archive/2026/credits-2026-10.xlsx
        await orRefusal(() =>
          runArchive(
            { before: '2026-11', dir: join(dir, 'archive') },
            { sink: sink(), reporter: silentReporter, now: now() },
          ),
        );
        break;
      case 'hand':
        await place.byHand(s.edit, renamed, usageDir);
        break;
    }
  }
  // Over every collection Connect did not reject, and every usage file on disk as the next run finds it: each
  // key once.
  const keys = live().map((r) => r.key);
  expect(keys.length).toBe(new Set(keys).size);
  const onDisk = usageFilesIn(usageDir)
    .filter((f) => f.status !== 'rejected')
    .flatMap((f) => f.records.map((r) => r.key));
  expect(onDisk.length).toBe(new Set(onDisk).size);
}
