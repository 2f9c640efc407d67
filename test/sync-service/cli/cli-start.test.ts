/**
 * `npm start` (credit-desk start) for a newcomer: it ends with next commands whose Credit ID is real, the
 * printed command works as printed, and `start --fresh` puts the demo back as it was.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

interface JsonCredit {
  creditId: string;
  ruleId: string;
  allocation?: string;
}

describe('credit-desk start', () => {
  const tempDir = useTempDirs('credit-desk-start-');
  let dir: string;
  const exportJson = (): JsonCredit[] => JSON.parse(runCli(['export', '--format', 'json'], dir).out);

  beforeAll(() => {
    dir = tempDir();
  });

  it('prints next commands with a Credit ID from the data it made, and the printed assign works', () => {
    const first = runCli(['start'], dir);
    expect(first.err).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/added\s+[1-9]/);
    const assign = /\.\/credit-desk (assign (AWSC-\d{6}-\d{4}-\d{4}) "([^"]+)")/.exec(first.out);
    expect(assign).not.toBeNull();
    const [, , creditId, allocation] = assign!;
    expect(exportJson().map((c) => c.creditId)).toContain(creditId);
    expect(first.out).toMatch(/\.\/credit-desk usage collect/);
    expect(first.out).toMatch(/npm start -- --fresh/);

    const r = runCli(['assign', creditId, allocation], dir);
    expect(r.code).toBe(0);
    expect(exportJson().find((c) => c.creditId === creditId)!.ruleId).toBe('manual');
    expect(runCli(['usage', 'collect'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'usage-files'))).toBe(true);
    // The patched writes left the chunk map beside the workbook (workbook-chunk-maps.ts).
    expect(existsSync(join(dir, '.credits.xlsx.chunks.json'))).toBe(true);

    // --fresh: the workbook and the usage files go, the same demo comes back, the hand edit is gone.
    const fresh = runCli(['start', '--fresh'], dir);
    expect(fresh.code).toBe(0);
    expect(fresh.err).toMatch(/Removed credits\.xlsx\./);
    expect(fresh.err).toMatch(/Removed usage-files\./);
    expect(existsSync(join(dir, 'usage-files'))).toBe(false);
    expect(fresh.err).toMatch(/Removed \.credits\.xlsx\.chunks\.json\./);
    expect(fresh.out).toContain(`./credit-desk assign ${creditId} `);
    expect(exportJson().find((c) => c.creditId === creditId)!.ruleId).not.toBe('manual');
  });

  it('refuses --fresh with a Google Sheet, which it cannot clear', () => {
    const r = runCli(['start', '--fresh', '--spreadsheet', 'a'.repeat(30)], dir);
    expect(r.err).toMatch(/--fresh removes the local demo workbook/);
    expect(r.code).toBe(2);
  });
});
