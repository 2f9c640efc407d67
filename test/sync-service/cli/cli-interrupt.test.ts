/**
 * Ctrl-C and SIGTERM on real `credit-desk` processes (issue 24): the command stops at its next safe point,
 * exits 130, leaves the workbook whole (as it was, or as one complete save made it), no lock and no temp file;
 * a second Ctrl-C stops at once, as safely. Before this, Ctrl-C during a DuckDB sync wrote the whole workbook
 * and exited 0, and a second Ctrl-C left a stale lock.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runCli, runCliSignalled } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

interface JsonCredit {
  creditId: string;
  status: string;
  usageFileId: string;
}

describe('credit-desk interrupted', () => {
  const tempDir = useTempDirs('credit-desk-interrupt-');
  const exportJson = (dir: string): JsonCredit[] =>
    JSON.parse(runCli(['export', '--format', 'json'], dir).out);
  /** Nothing a run leaves behind when it is cut short: no lock, no lock breaker, no temp file. */
  const leftovers = (dir: string) => readdirSync(dir).filter((n) => /\.lock|\.tmp$/.test(n));
  const readable = async (dir: string) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'credits.xlsx'));
    expect(wb.getWorksheet('Credits')).toBeTruthy();
  };

  /** Demo data, and the workbook holding its first month only: the default sync then has a month to add. */
  function setUp(): string {
    const dir = tempDir();
    expect(
      runCli(['demo-data', '--out', 'demo', '--months', '2', '--lines', '20000', '--seed', '3'], dir).code,
    ).toBe(0);
    return dir;
  }
  const syncArgs = [
    'sync',
    '--cur',
    'demo/cur',
    '--accounts',
    'demo/accounts.csv',
    '--rules',
    'demo/rules.csv',
  ];

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during a DuckDB sync: exit 130, the workbook as it was or wholly written, no lock',
    async (signal) => {
      const dir = setUp();
      const first = runCli([...syncArgs, '--apply-rules', '--period', '2026-10', '--no-previous'], dir);
      expect(first.code).toBe(0);
      const before = readFileSync(join(dir, 'credits.xlsx'));
      const countBefore = exportJson(dir).length;

      const r = await runCliSignalled([...syncArgs, '--apply-rules'], dir, /reading the CUR for/, [signal]);
      expect(r.err).toMatch(/stopping before the next change/);
      expect(r.code).toBe(130);
      expect(leftovers(dir)).toEqual([]);
      await readable(dir);
      // Signalled as the query started, it stops before writing; a very slow machine may have saved first.
      const after = exportJson(dir);
      if (readFileSync(join(dir, 'credits.xlsx')).equals(before)) expect(after.length).toBe(countBefore);
      else expect(after.length).toBeGreaterThan(countBefore);
      // The next run is not held up by anything this one left.
      const again = runCli(syncArgs, dir);
      expect(again.code).toBe(0);
      expect(again.err).not.toMatch(/stale|removed|killed run/i);
    },
    120_000,
  );

  /** Either nothing was collected, or every credit that was ASSIGNED is in a usage file, PROCESSING. */
  function expectWholeCollection(dir: string, assigned: string[]): void {
    const credits = exportJson(dir).filter((c) => assigned.includes(c.creditId));
    if (credits.every((c) => !c.usageFileId))
      expect(credits.every((c) => c.status === 'ASSIGNED')).toBe(true);
    else expect(credits.every((c) => c.usageFileId && c.status === 'PROCESSING')).toBe(true);
  }

  it.each([
    ['once', ['SIGINT']],
    ['twice', ['SIGINT', 'SIGINT']],
  ] as const)(
    'Ctrl-C %s during usage collect: exit 130, no lock left, and the next collect finishes the job',
    async (_, signals) => {
      const dir = setUp();
      expect(runCli([...syncArgs, '--apply-rules'], dir).code).toBe(0);
      const assigned = exportJson(dir)
        .filter((c) => c.status === 'ASSIGNED')
        .map((c) => c.creditId);
      expect(assigned.length).toBeGreaterThan(0);

      const r = await runCliSignalled(['usage', 'collect'], dir, /writing usage file/, [...signals]);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expect(leftovers(dir)).toEqual([]);
      expect(existsSync(join(dir, 'usage-files')) ? leftovers(join(dir, 'usage-files')) : []).toEqual([]);
      await readable(dir);
      // Once: stopped before the journals (nothing collected) or finished the collection it had begun.
      if (signals.length === 1) expectWholeCollection(dir, assigned);

      // The next collect neither waits for nor clears a lock; it completes an interrupted collection if any.
      const next = runCli(['usage', 'collect'], dir);
      expect(next.code).toBe(0);
      expect(next.err).not.toMatch(/stale|killed run|waiting/i);
      const credits = exportJson(dir).filter((c) => assigned.includes(c.creditId));
      expect(credits.every((c) => c.usageFileId && c.status === 'PROCESSING')).toBe(true);
    },
    120_000,
  );
});
