/**
 * `usage collect` killed at any point is completed by the next run: every resumed collection has its usage file,
 * journal, usage file, Ledger and sheet agree, and no credit is in two files.
 *
 * (a) 50 in-process crashes at random step boundaries (and inside the workbook save), on a real workbook;
 * (b) a few real `kill -9` of the CLI at random moments (bench/kill-collect.ts does 50+ of them).
 * That is `npm run soak`; `npm test` runs (a) 12 times on a fixed seed, starting with a crash at each step, and
 * (b) once (test/helpers/soak.ts).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readLedger } from '../../../core/ledger';
import type { UsageFile } from '../../../core/usage';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runCollect, type CollectStep } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { writeFileAtomically, type FileBytes } from '../../../sync-service/files/atomic-file';
import { usageXlsxMatches } from '../../../sync-service/usage/usage-files';
import { expectConnectValid } from '../../helpers/connect-usage';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, sourceOf, writeAccounts } from '../jobs/ledger-helpers';
import { propertyRuns, SOAK } from '../../helpers/soak';

const tempDir = useTempDirs('credit-desk-crash-');
const BIN = join(__dirname, '../../../bin/credit-desk.cjs');

/**
 * A workbook with `n` credits, all but the last ASSIGNED, nothing collected yet; in USD and EUR, so a collection
 * is two usage files (one per currency) completed by one sheet write.
 */
async function template(n: number): Promise<string> {
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
    { source: sourceOf(n, ['USD', 'EUR']), sink: sink(), reporter: silentReporter, now: NOW },
  );
  const ids = readState(await sink().read()).credits.map((e) => e.credit.creditId);
  for (const id of ids.slice(0, -1))
    await runAssign(id, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });
  return path;
}

/** What must hold once a collection run has finished without being killed. */
async function expectConsistent(path: string, usageDir: string, credits: number): Promise<void> {
  const files = readdirSync(usageDir)
    .filter((f) => /^UF-.*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(usageDir, f), 'utf8')) as UsageFile);
  for (const f of files) {
    expect({ id: f.usageFileId, status: f.status }).toEqual({ id: f.usageFileId, status: 'ready' });
    expect(await usageXlsxMatches(usageDir, f)).toBe(true);
  }
  await expectConnectValid(usageDir, new Set(['AS-1']));
  // one file per currency, and each file's credits in its currency only
  for (const f of files) expect(new Set(f.records.map((r) => r.currency)).size).toBe(1);
  expect(new Set(files.map((f) => f.records[0].currency))).toEqual(new Set(['USD', 'EUR']));
  const keys = files.flatMap((f) => f.records.map((r) => r.key));
  expect(new Set(keys).size).toBe(keys.length); // no credit in two files
  expect(keys).toHaveLength(credits); // and every credit collected once
  const snapshot = await createWorkbookSink({ path }).read();
  const ledger = readLedger(snapshot.tabs.ledger);
  expect(ledger.map((e) => `${e.key} ${e.usageFileId}`).sort()).toEqual(
    files.flatMap((f) => f.records.map((r) => `${r.key} ${f.usageFileId}`)).sort(),
  );
  const fileOf = new Map(files.flatMap((f) => f.records.map((r) => [r.key, f.usageFileId])));
  for (const { credit } of readState(snapshot).credits)
    expect({ key: credit.key, status: credit.status, file: credit.usageFileId }).toEqual({
      key: credit.key,
      status: fileOf.has(credit.key) ? 'PROCESSING' : 'PENDING_ASSIGN',
      file: fileOf.get(credit.key) ?? '',
    });
}

const STEPS: (CollectStep | 'save' | 'none')[] = [
  'journal-written',
  'usage-file-written',
  'sheet-written',
  'verified',
  'ready',
  'save',
  'none',
];

describe('usage collect killed at a random step', () => {
  let base: string;
  beforeAll(async () => {
    base = await template(6);
  });

  const runs = propertyRuns(12, 50, 7);
  it(`${runs.numRuns} in-process crashes: the next run completes each one, writes its usage file, and collects nothing twice`, async () => {
    let trials = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (crashes, extra) => {
          let assigned = 5;
          trials++;
          const dir = tempDir();
          const path = join(dir, 'credits.xlsx');
          copyFileSync(base, path);
          const usageDir = join(dir, 'usage');
          let now = Date.parse('2026-11-27T10:00:00Z');
          for (const [i, step] of crashes.entries()) {
            const crashAt = (s: CollectStep) => {
              if (s === step) throw new Error(`killed at ${s}`);
            };
            const saveFile =
              step === 'save'
                ? async () => {
                    throw new Error('killed while saving the workbook');
                  }
                : (p: string, bytes: FileBytes) => writeFileAtomically(p, bytes, { backupPath: `${p}.bak` });
            // In some trials a credit is assigned between two runs: a second batch exercises "nothing twice".
            if (i === 1 && extra) {
              const sink = createWorkbookSink({ path });
              const pending = readState(await sink.read()).credits.find(
                (e) => e.credit.status === 'PENDING_ASSIGN',
              );
              await runAssign(pending!.credit.creditId, 'customer 50%', { sink, now: NOW, actor: 'a@x' });
              assigned++;
            }
            await runCollect(
              {},
              {
                sink: createWorkbookSink({ path, saveFile }),
                usageDir,
                reporter: silentReporter,
                now: new Date((now += 60_000)),
                crashAt,
              },
            ).catch((e: Error) => {
              if (!/killed/.test(e.message)) throw e;
            });
          }
          await runCollect(
            {},
            {
              sink: createWorkbookSink({ path }),
              usageDir,
              reporter: silentReporter,
              now: new Date((now += 60_000)),
            },
          );
          await expectConsistent(path, usageDir, assigned);
        },
      ),
      // A crash at each step first (one with an assign between two runs), then random sequences.
      {
        ...runs,
        examples: [
          ...STEPS.map((s) => [[s], false] as [typeof STEPS, boolean]),
          [['sheet-written', 'ready'], true],
        ],
      },
    );
    expect(trials).toBeGreaterThanOrEqual(runs.numRuns);
  }, 600_000);

  it('a few real kill -9 of `credit-desk usage collect`: the next run completes it', async () => {
    for (const delayMs of SOAK ? [300, 900, 1500] : [900]) {
      const dir = tempDir();
      const path = join(dir, 'credits.xlsx');
      copyFileSync(base, path);
      const usageDir = join(dir, 'usage');
      const args = [BIN, 'usage', 'collect', '--workbook', path];
      const env = { ...process.env, CREDIT_DESK_USAGE_DIR: usageDir };
      await new Promise<void>((resolve) => {
        const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      expect(existsSync(usageDir)).toBe(true);
      await expectConsistent(path, usageDir, 5);
    }
  }, 120_000);
});
