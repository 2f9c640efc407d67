/**
 * The Connect round trip killed at every step (issue #27): collected → submitted → rejected → ASSIGNED → edited →
 * collected into a new file → submitted → accepted → closed → PROCESSED with the external billing id, where each
 * command may die at any of its step boundaries, while saving the workbook, or with a Connect reply lost after the
 * work was done (or Connect refusing the call). Each killed command is simply run again, as a person would.
 * After every trial: no credit in two accepted files, none lost, no file created twice in Connect, and
 * sheet = Ledger = journal = Connect.
 *
 * In-process kills at step boundaries (as test/sync-service/cli/collect-crash.test.ts does for collect): the Connect fake
 * lives in this process, so a real kill -9 would take Connect down with it.
 */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readLedger, readReopened } from '../../../core/ledger';
import { readState } from '../../../core/sheet-state';
import type { UsageFile } from '../../../core/usage';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runCollect, type CollectStep } from '../../../sync-service/jobs/usage';
import { runConnectTrip, type ConnectTripStep } from '../../../sync-service/jobs/usage-connect';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { writeFileAtomically, type FileBytes } from '../../../sync-service/files/atomic-file';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { FakeConnect } from '../../helpers/connect-fake';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, sourceOf, writeAccounts } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-connect-crash-');
const CREDITS = 3;

type Method = 'findFile' | 'createFile' | 'uploadFile' | 'submitFile' | 'getFile' | 'listRecords';
type KillPoint =
  | { kind: 'step'; step: CollectStep | ConnectTripStep }
  | { kind: 'save' }
  | { kind: 'lose' | 'fail'; method: Method }
  | { kind: 'none' };

const COLLECT_STEPS: CollectStep[] = [
  'journal-written',
  'usage-file-written',
  'sheet-written',
  'verified',
  'ready',
];
const TRIP_STEPS: ConnectTripStep[] = [
  'created',
  'uploaded',
  'submitted',
  'journal-rejected',
  'sheet-written',
  'journal-saved',
];
const METHODS: Method[] = ['findFile', 'createFile', 'uploadFile', 'submitFile', 'getFile', 'listRecords'];
/** Every way a command can die: 25 of them. */
const ALL_KILLS: KillPoint[] = [
  ...[...COLLECT_STEPS, ...TRIP_STEPS].map((step) => ({ kind: 'step' as const, step })),
  { kind: 'save' },
  ...METHODS.map((method) => ({ kind: 'lose' as const, method })),
  ...METHODS.map((method) => ({ kind: 'fail' as const, method })),
  { kind: 'none' },
];

async function template(): Promise<string> {
  const dir = tempDir();
  const path = join(dir, 'credits.xlsx');
  const settings = resolveSettings(
    { period: '2026-10', workbook: path, usageDir: join(dir, 'usage'), accounts: writeAccounts(dir) },
    {},
  );
  const sink = () => createWorkbookSink({ path });
  await runSync(
    settings,
    { previous: false },
    { source: sourceOf(CREDITS), sink: sink(), reporter: silentReporter, now: NOW },
  );
  for (const { credit } of readState(await sink().read()).credits)
    await runAssign(credit.creditId, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });
  return path;
}

const journals = (usageDir: string) =>
  readdirSync(usageDir)
    .filter((n) => /^UF-.*\.json$/.test(n))
    .map((n) => JSON.parse(readFileSync(join(usageDir, n), 'utf8')) as UsageFile);

describe('the Connect round trip killed at every step', () => {
  let base: string;
  beforeAll(async () => {
    base = await template();
  });

  it('35 trials: each killed command run again ends with every credit PROCESSED once, in one accepted file', async () => {
    let trials = 0;
    let kills = 0;
    /** One trial: the whole round trip, command `i` armed with `plan[i]`. */
    const trial = async (plan: KillPoint[]) => {
      trials++;
      const dir = tempDir();
      const path = join(dir, 'credits.xlsx');
      copyFileSync(base, path);
      const usageDir = join(dir, 'usage');
      const connect = new FakeConnect({ knownAssets: new Set(['AS-1']) });
      let clock = Date.parse('2026-11-27T10:00:00Z');
      const tick = () => new Date((clock += 60_000));

      /** Runs one command with `kill` armed; run again (unarmed) until it completes, as a person would. */
      const run = async (kill: KillPoint, command: (d: Deps) => Promise<unknown>) => {
        for (let attempt = 0; attempt < 4; attempt++) {
          const armed = attempt === 0 ? kill : ({ kind: 'none' } as const);
          if (armed.kind === 'lose') connect.loseReplyNext(armed.method);
          if (armed.kind === 'fail') connect.failNext(armed.method);
          const saveFile =
            armed.kind === 'save'
              ? async () => {
                  throw new Error('killed while saving the workbook');
                }
              : (p: string, bytes: FileBytes) => writeFileAtomically(p, bytes, { backupPath: `${p}.bak` });
          const crashAt = (s: string) => {
            if (armed.kind === 'step' && armed.step === s) throw new Error(`killed at ${s}`);
          };
          try {
            await command({
              sink: createWorkbookSink({ path, saveFile }),
              usageDir,
              reporter: silentReporter,
              now: tick(),
              api: connect,
              crashAt,
            });
            // A fault armed for a call this command never made must not fire in the next one.
            (connect as unknown as { faults: unknown[] }).faults.length = 0;
            return;
          } catch (e) {
            if (!/killed|reply lost|connection refused/.test((e as Error).message)) throw e;
            kills++;
            (connect as unknown as { faults: unknown[] }).faults.length = 0;
          }
        }
        throw new Error('the command never completed');
      };
      const collect = (d: Deps) => runCollect({}, { ...d, connectApi: d.api });
      const submit = (d: Deps) => runConnectTrip({ submit: true }, d);
      const status = (d: Deps) => runConnectTrip({ submit: false }, d);

      await run(plan[0], collect);
      const [ufA] = journals(usageDir).map((f) => f.usageFileId);
      await run(plan[1], submit);
      connect.reject(connect.byExternal(ufA).id, 'rejected by the provider');
      await run(plan[2], status);
      // Edited while ASSIGNED again, then collected into a new file.
      const sink = createWorkbookSink({ path });
      const first = readState(await sink.read()).credits[0].credit;
      expect([first.status, first.flags]).toEqual(['ASSIGNED', 'REJECTED']);
      await runAssign(first.creditId, 'customer 50%', { sink, now: tick(), actor: 'a@x' });
      await run(plan[3], collect);
      const ufB = journals(usageDir).find((f) => f.usageFileId !== ufA)!.usageFileId;
      await run(plan[4], submit);
      const idB = connect.byExternal(ufB).id;
      connect.accept(idB);
      await run(plan[5], status);
      connect.close(idB);
      await run(plan[6], status);

      // Connect: one file per collection, A rejected and B closed.
      expect(connect.files.map((f) => [f.externalId, f.status])).toEqual([
        [ufA, 'rejected'],
        [ufB, 'closed'],
      ]);
      // Journal: A rejected, B closed, each knowing its Connect file; B holds every credit once.
      const byId = new Map(journals(usageDir).map((f) => [f.usageFileId, f]));
      expect(byId.size).toBe(2);
      expect([byId.get(ufA)!.status, byId.get(ufB)!.status]).toEqual(['rejected', 'closed']);
      expect(byId.get(ufB)!.connectFile!.id).toBe(idB);
      const keysB = byId.get(ufB)!.records.map((r) => r.key);
      expect(new Set(keysB).size).toBe(CREDITS); // none lost, none twice
      // Connect's records of the accepted file map one to one onto B's billed rows.
      const billedB = byId.get(ufB)!.records.flatMap((r) => r.billed!.map((b) => b.recordId));
      expect(
        connect
          .byExternal(ufB)
          .records.map((r) => r.params.credit_desk_record)
          .sort(),
      ).toEqual(billedB.sort());
      // Sheet and Ledger: every credit PROCESSED in B, with Connect's billing id; A's rows reopened only.
      const snapshot = await createWorkbookSink({ path }).read();
      const credits = readState(snapshot).credits.map((e) => e.credit);
      expect(credits.map((c) => [c.key, c.status, c.usageFileId]).sort()).toEqual(
        keysB.map((k) => [k, 'PROCESSED', ufB]).sort(),
      );
      const ledger = readLedger(snapshot.tabs.ledger);
      expect(ledger.map((e) => [e.key, e.status, e.usageFileId]).sort()).toEqual(
        keysB.map((k) => [k, 'PROCESSED', ufB]).sort(),
      );
      for (const e of ledger) expect(e.connectNote).toMatch(/^INV-/);
      expect(readReopened(snapshot.tabs.ledger)).toEqual([]); // rewritten by the new collection
      expect(credits.find((c) => c.creditId === first.creditId)!.allocation).toBe('customer 50%');
    };
    // Every kill point in every command that reaches it (25 trials), then 10 random mixes of them.
    for (const kill of ALL_KILLS) await trial(Array.from({ length: 7 }, () => kill));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...ALL_KILLS), { minLength: 7, maxLength: 7 }), trial),
      { numRuns: 10 },
    );
    expect(trials).toBe(35);
    expect(kills).toBeGreaterThanOrEqual(60); // most kill points hit several of the seven commands
  }, 900_000);
});

interface Deps {
  sink: ReturnType<typeof createWorkbookSink>;
  usageDir: string;
  reporter: typeof silentReporter;
  now: Date;
  api: FakeConnect;
  crashAt: (s: string) => void;
}
