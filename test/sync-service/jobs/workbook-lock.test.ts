/**
 * The workbook's writer lock (sync-service/files/file-lock.ts) and compare-and-set, in-process: who waits,
 * what they are told, stale locks of killed runs, temp files killed runs left, and an Excel save between a
 * command's read and write. The process races are in workbook-races.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { readState } from '../../../core/sheet-state';
import { auditCells } from '../../../core/audit';
import { withAwsBills } from '../../../core/aws-bill';
import { acquireFileLock, lockPathFor } from '../../../sync-service/files/file-lock';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { changes, credit } from '../sinks/workbook/workbook-helpers';
import { creditKey, type KeyParts } from '../../../core/ids';
import { withTempDir } from '../../helpers/fixtures-io';

/** A pid that is certainly not running: a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('the workbook writer lock', () => {
  test('a second writer waits, says for whom, and gives up naming the holder and since when', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'credits.xlsx');
      const held = await acquireFileLock(target, {
        command: 'credit-desk usage collect (alice)',
        now: () => new Date('2026-12-01T10:42:07.123Z'),
      });
      const waits: string[] = [];
      const started = Date.now();
      await expect(
        acquireFileLock(target, {
          command: 'credit-desk assign',
          waitMs: 300,
          pollMs: 20,
          onWait: (m) => waits.push(m),
        }),
      ).rejects.toMatchObject({
        code: 'LOCKED',
        message: expect.stringContaining(
          `credits.xlsx is being changed by credit-desk usage collect (alice) (pid ${process.pid} on ${hostname()}), since 2026-12-01 10:42:07 UTC; gave up after waiting 0 s.`,
        ),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(waits).toEqual([
        expect.stringMatching(
          /^credits\.xlsx is being changed by credit-desk usage collect \(alice\).*waiting up to/,
        ),
      ]);
      await held.release();
      expect(existsSync(lockPathFor(target))).toBe(false);
    }));

  test('the waiter gets the lock as soon as the holder releases it', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'credits.xlsx');
      const held = await acquireFileLock(target, { command: 'first' });
      setTimeout(() => void held.release(), 150);
      const second = await acquireFileLock(target, { command: 'second', waitMs: 10_000, pollMs: 20 });
      expect(second.holder.command).toBe('second');
      await second.release();
    }));

  test('a lock left by a killed run (its pid is gone) is broken at once; one of two waiters gets it', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'credits.xlsx');
      writeFileSync(
        lockPathFor(target),
        JSON.stringify({
          pid: deadPid(),
          host: hostname(),
          command: 'killed',
          since: '2026-01-01T00:00:00Z',
          token: 'x',
        }),
      );
      const a = acquireFileLock(target, { command: 'a', waitMs: 5_000, pollMs: 10 });
      const b = acquireFileLock(target, { command: 'b', waitMs: 200, pollMs: 10 });
      const [ra, rb] = await Promise.allSettled([a, b]);
      // Exactly one holds it: the other waited for a live holder and gave up.
      expect([ra.status, rb.status].sort()).toEqual(['fulfilled', 'rejected']);
      const winner = (ra.status === 'fulfilled' ? ra : (rb as PromiseFulfilledResult<Awaited<typeof a>>))
        .value;
      await winner.release();
    }));

  test('a lock on another host is honoured until it goes stale (not refreshed)', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'credits.xlsx');
      writeFileSync(
        lockPathFor(target),
        JSON.stringify({
          pid: 1,
          host: 'other-host',
          command: 'remote',
          since: '2026-01-01T00:00:00Z',
          token: 'y',
        }),
      );
      await expect(acquireFileLock(target, { command: 'me', waitMs: 100, pollMs: 10 })).rejects.toThrow(
        /remote \(pid 1 on other-host\)/,
      );
      const lock = await acquireFileLock(target, {
        command: 'me',
        waitMs: 1000,
        pollMs: 10,
        staleAfterMs: 0,
      });
      expect(lock.holder.command).toBe('me');
      await lock.release();
    }));

  test('temp files a killed run left beside the workbook are removed by the next writer', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const pid = deadPid();
      writeFileSync(join(dir, `.credits.xlsx.${pid}.tmp`), 'half a workbook');
      writeFileSync(join(dir, `.credits.xlsx.bak.${pid}.tmp`), 'half a backup');
      writeFileSync(join(dir, 'notes.txt'), 'not ours');
      const sink = createWorkbookSink({ path, lock: { command: 'test' } });
      await sink.read();
      await sink.write(changes({ appends: [credit(1)] }));
      await sink.close();
      expect(readdirSync(dir).sort()).toEqual(['credits.xlsx', 'notes.txt']);
    }));

  test('a sink opened without a lock (read-only) does not wait for a writer', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const writer = createWorkbookSink({ path, lock: { command: 'writer' } });
      await writer.read();
      const reader = createWorkbookSink({ path });
      await expect(reader.read()).resolves.toBeDefined();
      const other = createWorkbookSink({ path, lock: { command: 'other', waitMs: 50, pollMs: 10 } });
      await expect(other.read()).rejects.toMatchObject({ code: 'LOCKED' });
      await writer.close();
    }));
});

describe('compare-and-set against an Excel save between read and write', () => {
  const now = new Date('2026-12-01T10:00:00Z');

  /** A workbook with three credits and an Accounts row, so they can be assigned. */
  async function seed(path: string) {
    const sink = createWorkbookSink({
      path,
      seed: {
        accounts: {
          headers: [
            'AWS Account',
            'Account Name',
            'Customer ID',
            'Customer Name',
            'Asset ID',
            'Reseller ID',
            'Reseller Name',
          ],
          rows: [['000123456789', 'Prod', 'CUST-1', 'Acme', 'AS-1', 'RES-1', 'Partner']],
        },
      },
    });
    const snapshot = await sink.read();
    await sink.write(
      changes({
        // as a sync records it: AWS has finalised 2024-05, so the usage process may collect it (core/aws-bill.ts)
        replaceTabs: { config: withAwsBills(snapshot.tabs.config, [{ period: '2024-05', bill: 'final' }])! },
        appends: [1, 2, 3].map((n) => {
          const c = credit(n, {
            creditId: `AWSC-202405-0000-000${n}`,
            customerId: 'CUST-1',
            assetId: 'AS-1',
            resellerId: 'RES-1',
          });
          // the key a sync gives these cells: collect takes a row only if its cells still give its Key
          return { ...c, key: creditKey(c as unknown as KeyParts) };
        }),
        // as a sync records them: the amounts the usage process may bill (core/amount-proof.ts)
        audit: [1, 2, 3].map((n) =>
          auditCells({
            when: '2024-06-01T10:00:00.000Z',
            who: 'credit-desk sync',
            action: 'sync-add',
            creditId: `AWSC-202405-0000-000${n}`,
            field: 'amount',
            before: '',
            after: String(credit(n).amount),
          }),
        ),
      }),
    );
  }

  /** Someone else's save while our sink holds its snapshot (Excel does not know our lock). */
  async function otherSave(path: string, creditId: string, allocation: string) {
    await runAssign(creditId, allocation, { sink: createWorkbookSink({ path }), now, actor: 'excel user' });
  }

  test('assign: a credit someone else assigned meanwhile keeps their allocation; the command fails saying so', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      await seed(path);
      const sink = createWorkbookSink({ path });
      const read = sink.read.bind(sink);
      sink.read = async () => {
        const snap = await read();
        await otherSave(path, 'AWSC-202405-0000-0002', 'reseller 100%');
        return snap;
      };
      await expect(
        runAssign('AWSC-202405-0000-0002', 'customer 100%', { sink, now, actor: 'me' }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('its Status was changed to "ASSIGNED" by someone else'),
      });
      const state = readState(await createWorkbookSink({ path }).read());
      expect(
        state.credits.find((c) => c.credit.creditId === 'AWSC-202405-0000-0002')!.credit.allocation,
      ).toBe('reseller 100%');
      const audit = state.snapshot.tabs.audit.rows.filter(
        (r) => r.includes('AWSC-202405-0000-0002') && !r.includes('sync-add'),
      );
      expect(audit.length).toBeGreaterThan(0);
      expect(audit.every((r) => r.includes('excel user'))).toBe(true);
    }));

  test('usage collect: a credit whose allocation was edited meanwhile is not locked and not in the usage file', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      await seed(path);
      for (const n of [1, 2, 3]) await otherSave(path, `AWSC-202405-0000-000${n}`, 'customer 100%');
      const sink = createWorkbookSink({ path });
      const read = sink.read.bind(sink);
      sink.read = async () => {
        const snap = await read();
        await otherSave(path, 'AWSC-202405-0000-0003', 'reseller 50%'); // edited after collect read it
        return snap;
      };
      const warnings: string[] = [];
      const r = await runCollect(
        {},
        {
          sink,
          usageDir: join(dir, 'usage'),
          now,
          reporter: { ...silentReporter, warn: (m) => warnings.push(m) },
        },
      );
      expect(r.file!.records.map((x) => x.creditId)).toEqual([
        'AWSC-202405-0000-0001',
        'AWSC-202405-0000-0002',
      ]);
      expect(r.file!.totals).toEqual([{ currency: 'USD', amount: 2003, credits: 2 }]);
      expect(warnings).toEqual([
        expect.stringMatching(
          /^AWSC-202405-0000-0003: not changed — its Allocation was changed to "reseller 50%".*left out of UF-/,
        ),
      ]);
      const credits = readState(await createWorkbookSink({ path }).read()).credits.map((e) => e.credit);
      expect(credits.map((c) => [c.creditId, c.status, c.allocation])).toEqual([
        ['AWSC-202405-0000-0001', 'PROCESSING', 'customer 100%'],
        ['AWSC-202405-0000-0002', 'PROCESSING', 'customer 100%'],
        ['AWSC-202405-0000-0003', 'ASSIGNED', 'reseller 50%'],
      ]);
    }));
});
