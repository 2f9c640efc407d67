/**
 * The Google sync lock of a run that was killed (issue 21, item 8): on the same machine, a lock whose process is
 * certainly gone is taken over at once instead of blocking every sync until it expires ten minutes later; a
 * live holder, a holder on another machine or in another pid namespace, and a marker written before markers
 * named their process still block until the expiry, as before.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseLockMarker, isLiveMarker, SYNC_LOCK_KEY } from '../../../../core/locks';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import { processStart, thisProcess, type OwnerProcess } from '../../../../sync-service/files/owner-process';
import { LOCK_METADATA_ID } from '../../../../sync-service/sinks/google/sheets-lock';
import { changesFor, creditRow, creditsByKey, makeSink, SHEET_ID, startServer } from './sheets-helpers';

const TEN_MINUTES = 10 * 60_000;
const SINCE = '2026-12-01T10:42:07.000Z';

/** A pid that is certainly not running: a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
}

describe('the Google sync lock of a run that is no longer running', () => {
  let server: SheetsServer;
  let live: ChildProcess & { pid: number };
  const me = thisProcess();

  beforeAll(async () => {
    live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }) as typeof live;
    await new Promise((ready) => live.once('spawn', ready));
  });
  afterAll(async () => {
    live.kill();
    await waitForExit(live);
  });
  beforeEach(async () => {
    server = await startServer();
    await makeSink(server, { readOnly: true }).read(); // the tabs exist
  });
  afterEach(() => server.close());

  /** A lock that expires in ten minutes, as a run killed a moment ago leaves it. */
  function leftLock(holder: Partial<OwnerProcess>): void {
    server.state.sheet(SHEET_ID).developerMetadata.push({
      metadataId: LOCK_METADATA_ID,
      metadataKey: SYNC_LOCK_KEY,
      metadataValue: JSON.stringify({
        owner: 'credit-desk sync (carol)',
        ...holder,
        since: SINCE,
        expiresAt: new Date(Date.now() + TEN_MINUTES).toISOString(),
        run: 'a-killed-run',
      }),
      location: { spreadsheet: true },
      visibility: 'DOCUMENT',
    });
  }

  /** Syncs one credit, waiting for a lock no longer than makeSink's 2 ms; the take-over messages it got. */
  async function syncNow(): Promise<string[]> {
    const told: string[] = [];
    const sink = makeSink(server, { onLockTakeOver: (m) => told.push(m) });
    await sink.write(changesFor(await sink.read(), [creditRow(1)]));
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(1);
    expect(server.state.sheet(SHEET_ID).developerMetadata).toEqual([]); // ours, released
    return told;
  }

  async function refused(): Promise<{ message: string; hint: string }> {
    const sink = makeSink(server, {
      onLockTakeOver: (m) => {
        throw new Error(`took the lock over: ${m}`);
      },
    });
    const err = await sink.read().then(
      () => null,
      (e: { code?: string; message: string; hint: string }) => e,
    );
    expect(err).toMatchObject({ code: 'LOCKED' });
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(0);
    return err!;
  }

  test('a lock left by a dead process on this machine is taken over at once, naming the dead run', async () => {
    const dead = deadPid();
    leftLock({ ...me, pid: dead, pidStart: '4242' });
    expect(await syncNow()).toEqual([
      `Google Sheet ${SHEET_ID}: taking over the sync lock of credit-desk sync (carol) on ${me.host}, ` +
        `since 2026-12-01 10:42 UTC: its process (pid ${dead}) is no longer running on this machine.`,
    ]);
  });

  test('a lock whose pid now belongs to another process (pid reused) is taken over', async () => {
    leftLock({ ...me, pid: live.pid, pidStart: `${Number(processStart(live.pid)) - 100}` });
    expect(await syncNow()).toEqual([expect.stringContaining(`(pid ${live.pid}) is no longer running`)]);
  });

  test('a lock of a live process on this machine still blocks, and the refusal says it is running', async () => {
    leftLock({ ...me, pid: live.pid, pidStart: processStart(live.pid) });
    const err = await refused();
    expect(err.message).toContain('being changed by another run: credit-desk sync (carol)');
    expect(err.hint).toContain(`still running on this machine as process ${live.pid}`);
  });

  test('a dead pid proves nothing from another host or another pid namespace: it blocks until it expires', async () => {
    const dead = deadPid();
    leftLock({ ...me, host: 'build-7', pid: dead });
    expect((await refused()).hint).toMatch(/its lock expires at \S+ \(in 10 min\); until then a run killed/);
    server.state.sheet(SHEET_ID).developerMetadata.length = 0;
    leftLock({ ...me, pid: dead, pidSpace: 'another-container' });
    await refused();
  });

  test('an old-format marker (no pid) blocks until it expires, as before, even on this machine', async () => {
    leftLock({ host: me.host });
    expect((await refused()).hint).toMatch(
      /its lock expires at \S+ \(in 10 min\); until then a run killed on another machine or by an older version/,
    );
    const later = makeSink(server, { now: () => new Date(Date.now() + TEN_MINUTES + 60_000) });
    await later.write(changesFor(await later.read(), [creditRow(1)]));
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(1);
  });

  test('the marker names this process, and the add-on side still reads it as a live lock', async () => {
    const sink = makeSink(server, { lockOwner: 'credit-desk sync (bob)' });
    await sink.read();
    const meta = server.state.sheet(SHEET_ID).developerMetadata.find((m) => m.metadataKey === SYNC_LOCK_KEY);
    const marker = parseLockMarker(meta?.metadataValue);
    expect(marker).toMatchObject({ owner: 'credit-desk sync (bob)', host: me.host, pid: process.pid });
    if (process.platform === 'linux')
      expect(marker).toMatchObject({ pidSpace: expect.any(String), pidStart: expect.any(String) });
    expect(isLiveMarker(marker, new Date())).toBe(true);
    await sink.close();
  });

  test('a sync killed with SIGKILL while holding the lock: the next sync takes it over at once', async () => {
    // The killed run is a real process (its own pid and start time), stopped in its write while it holds the lock.
    let reached!: () => void;
    const inWrite = new Promise<void>((done) => (reached = done));
    let resume!: () => void;
    const held = new Promise<void>((done) => (resume = done));
    server.onBetween({
      match: { op: 'values.batchUpdate' },
      run: () => {
        reached();
        return held;
      },
    });
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('tsx/cjs/api').register();
         const { makeSink, creditRow } = require(${JSON.stringify(join(__dirname, 'sheets-helpers.ts'))});
         const sink = makeSink({ rootUrl: process.argv[1] }, { lockOwner: 'credit-desk sync (killed)' });
         sink.read().then(() => sink.write({ updates: [], appends: [creditRow(9)], audit: [] }));`,
        server.rootUrl,
      ],
      { stdio: 'ignore' },
    );
    try {
      await Promise.race([
        inWrite,
        waitForExit(child).then(() => Promise.reject(new Error('the run to kill ended before its write'))),
      ]);
      child.kill('SIGKILL');
      await waitForExit(child);
      expect(await syncNow()).toEqual([
        expect.stringContaining(`the sync lock of credit-desk sync (killed) on ${me.host}, since`),
      ]);
    } finally {
      child.kill('SIGKILL');
      resume(); // the dead run's request, received before the kill, is then handled like any other
    }
  });
});
