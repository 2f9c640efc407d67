/**
 * A Ctrl-C that comes while the run is busy. Node hands a signal to its listener only from the event loop, so a
 * signal raised during synchronous work (a month's read, reconciliation and plan: seconds at 50,000 credits) waits
 * until the run next polls. A stop point must give it that turn: before it did, `usage collect` interrupted during
 * its read printed "stopping before the next change" and then collected and locked every credit.
 *
 * Each case signals a process of its own (a real SIGINT in the test's process would reach the test runner).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readState } from '../../core/sheet-state';
import { writeFileAtomically } from '../../sync-service/files/atomic-file';
import { handleStopSignals, Interrupted } from '../../sync-service/interrupt';
import { runAssign } from '../../sync-service/jobs/assign';
import { runSync } from '../../sync-service/jobs/sync';
import { silentReporter } from '../../sync-service/progress';
import { resolveSettings } from '../../sync-service/settings';
import { createWorkbookSink } from '../../sync-service/sinks/workbook/workbook';
import { smallMonthSource, writeSmallMonthAccounts } from '../helpers/small-month';

/** The small month synced into a new workbook in `dir`, every credit assigned (customer 100%). */
async function assignedMonth(dir: string, now: Date): Promise<string> {
  const path = join(dir, 'credits.xlsx');
  const settings = resolveSettings(
    {
      usageDir: join(dir, 'usage'),
      workbook: path,
      period: '2026-10',
      accounts: writeSmallMonthAccounts(dir),
    },
    {},
  );
  const sink = () => createWorkbookSink({ path });
  await runSync(
    settings,
    { previous: false },
    { source: smallMonthSource, sink: sink(), reporter: silentReporter, now },
  );
  for (const e of readState(await sink().read()).credits)
    await runAssign(e.credit.creditId, 'customer 100%', { sink: sink(), now, actor: 'test' });
  return path;
}

describe('a signal during synchronous work', () => {
  // A real signal: the kernel delivers it at once, Node's listener runs only when the event loop polls. Here a
  // process signals itself, works for 50 ms without yielding, then reaches a stop point: from its main script, and
  // from an I/O callback (the loop's poll phase, after which an immediate comes before any further poll).
  it.each([
    ['its main script', (work: string) => work],
    ['an I/O callback', (work: string) => `require('node:fs').readFile(__filename, () => { ${work} });`],
  ])(
    'is seen at the next stop point when it came during %s (a real SIGINT, a process of its own)',
    (_, where) => {
      const interrupt = resolve(__dirname, '../../sync-service/interrupt.ts');
      const work = `
      process.kill(process.pid, 'SIGINT');
      const until = Date.now() + 50;
      while (Date.now() < until);
      Promise.resolve()
        .then(() => stopPoint())
        .then(() => console.log('went on'), (e) => console.log(e.name));`;
      const script = `
      require('tsx/cjs/api').register();
      const { handleStopSignals, stopPoint } = require(${JSON.stringify(interrupt)});
      handleStopSignals(() => {});
      ${where(work)}`;
      const run = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        cwd: resolve(__dirname, '../..'),
      });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('Interrupted');
    },
    30_000,
  );

  let dir: string;
  const now = new Date('2026-11-26T10:00:00Z');
  const sink = () => createWorkbookSink({ path: join(dir, 'credits.xlsx') });
  const credits = async () => readState(await sink().read()).credits.map((e) => e.credit);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-signal-'));
    await assignedMonth(dir, now);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Ctrl-C during the read of `usage collect`: nothing is collected, nothing written', async () => {
    const before = await credits();
    expect(before.map((c) => c.status)).toEqual(['ASSIGNED', 'ASSIGNED', 'ASSIGNED']);
    const workbook = readFileSync(join(dir, 'credits.xlsx'));
    // In a process of its own, a real SIGINT as the read finishes, then the rest of the run's synchronous work.
    const at = (path: string) => JSON.stringify(resolve(__dirname, '../../sync-service', path));
    const script = `
      require('tsx/cjs/api').register();
      const { handleStopSignals } = require(${at('interrupt.ts')});
      const { runCollect } = require(${at('jobs/usage.ts')});
      const { createWorkbookSink } = require(${at('sinks/workbook/workbook.ts')});
      const { silentReporter } = require(${at('progress.ts')});
      const real = createWorkbookSink({ path: ${JSON.stringify(join(dir, 'credits.xlsx'))} });
      let signalled = false;
      const sink = { ...real, read: async (opts) => {
        const snapshot = await real.read(opts);
        if (!signalled) {
          signalled = true;
          process.kill(process.pid, 'SIGINT');
          const until = Date.now() + 20;
          while (Date.now() < until);
        }
        return snapshot;
      } };
      const told = [];
      handleStopSignals((s) => told.push(s));
      runCollect({}, { sink, usageDir: ${JSON.stringify(join(dir, 'usage'))}, reporter: silentReporter,
        now: new Date(${JSON.stringify(now.toISOString())}) })
        .then(() => console.log('collected'), (e) => console.log(e.name, told.join()));`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      cwd: resolve(__dirname, '../..'),
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Interrupted SIGINT');
    expect(readFileSync(join(dir, 'credits.xlsx')).equals(workbook)).toBe(true);
    const usageDir = join(dir, 'usage');
    expect(existsSync(usageDir) ? readdirSync(usageDir) : []).toEqual([]);
    expect((await credits()).map((c) => [c.creditId, c.status, c.usageFileId])).toEqual(
      before.map((c) => [c.creditId, 'ASSIGNED', '']),
    );
  }, 60_000);

  it('Ctrl-C during the collection: the collection is finished, and what comes after it stops', () => {
    // As run-month's statements after its collection: a stop asked for while the collection finishes what it
    // began stops the next change, instead of the rest of the run going on as if none had been asked for.
    const at = (path: string) => JSON.stringify(resolve(__dirname, '../../sync-service', path));
    const script = `
      require('tsx/cjs/api').register();
      const { handleStopSignals, stopPoint } = require(${at('interrupt.ts')});
      const { runCollect } = require(${at('jobs/usage.ts')});
      const { createWorkbookSink } = require(${at('sinks/workbook/workbook.ts')});
      const { silentReporter } = require(${at('progress.ts')});
      const real = createWorkbookSink({ path: ${JSON.stringify(join(dir, 'credits.xlsx'))} });
      const sink = { ...real, write: async (changes) => {
        process.kill(process.pid, 'SIGINT'); // as the collection locks its credits
        return real.write(changes);
      } };
      handleStopSignals(() => {});
      runCollect({}, { sink, usageDir: ${JSON.stringify(join(dir, 'usage'))}, reporter: silentReporter,
        now: new Date(${JSON.stringify(now.toISOString())}) })
        .then((r) => { console.log('collected', r.files.length); return stopPoint(); })
        .then(() => console.log('went on'), (e) => console.log(e.name));`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      cwd: resolve(__dirname, '../..'),
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(['collected 1', 'Interrupted']);
  }, 60_000);
});

describe('a stop asked for while the workbook is being saved', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('goes up as the stop it is, not as a file that cannot be saved, and leaves the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credit-desk-save-stop-'));
    dirs.push(dir);
    const now = new Date('2026-11-26T10:00:00Z');
    const path = await assignedMonth(dir, now);
    const before = readFileSync(path);
    const [first] = readState(await createWorkbookSink({ path }).read()).credits.map((e) => e.credit);
    // Asked to stop after the write's own stop point, as the file is about to be replaced (the full writer, as a
    // first sync or a workbook Excel saved takes).
    const stopping = createWorkbookSink({
      path,
      patch: false,
      saveFile: async (target, bytes) => {
        process.emit('SIGINT', 'SIGINT');
        return writeFileAtomically(target, bytes);
      },
    });
    const unhandle = handleStopSignals(() => undefined);
    try {
      await expect(
        runAssign(first.creditId, 'customer 60%, reseller 40%', { sink: stopping, now, actor: 'test' }),
      ).rejects.toBeInstanceOf(Interrupted);
    } finally {
      unhandle();
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  }, 60_000);
});
