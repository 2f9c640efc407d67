/**
 * `npm start` (credit-desk start) for a newcomer: it ends with next commands whose Credit ID is real, the
 * printed command works as printed, and `start --fresh` puts the demo back as it was.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '../../bin/credit-desk.cjs');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CREDIT_DESK_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JsonCredit {
  creditId: string;
  ruleId: string;
  allocation?: string;
}

describe('credit-desk start', () => {
  let dir: string;
  const exportJson = (): JsonCredit[] => JSON.parse(run(['export', '--format', 'json'], dir).out);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-start-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints next commands with a Credit ID from the data it made, and the printed assign works', () => {
    const first = run(['start'], dir);
    expect(first.err).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/added\s+[1-9]/);
    const assign = /npx credit-desk (assign (AWSC-\d{6}-\d{4}-\d{4}) "([^"]+)")/.exec(first.out);
    expect(assign).not.toBeNull();
    const [, , creditId, allocation] = assign!;
    expect(exportJson().map((c) => c.creditId)).toContain(creditId);
    expect(first.out).toMatch(/npx credit-desk usage collect/);
    expect(first.out).toMatch(/npm start -- --fresh/);

    const r = run(['assign', creditId, allocation], dir);
    expect(r.code).toBe(0);
    expect(exportJson().find((c) => c.creditId === creditId)!.ruleId).toBe('manual');
    expect(run(['usage', 'collect'], dir).code).toBe(0);
    expect(existsSync(join(dir, 'usage-files'))).toBe(true);

    // --fresh: the workbook and the usage files go, the same demo comes back, the hand edit is gone.
    const fresh = run(['start', '--fresh'], dir);
    expect(fresh.code).toBe(0);
    expect(fresh.err).toMatch(/Removed credits\.xlsx\./);
    expect(fresh.err).toMatch(/Removed usage-files\./);
    expect(existsSync(join(dir, 'usage-files'))).toBe(false);
    expect(fresh.out).toContain(`npx credit-desk assign ${creditId} `);
    expect(exportJson().find((c) => c.creditId === creditId)!.ruleId).not.toBe('manual');
  });

  it('refuses --fresh with a Google Sheet, which it cannot clear', () => {
    const r = run(['start', '--fresh', '--spreadsheet', 'a'.repeat(30)], dir);
    expect(r.err).toMatch(/--fresh removes the local demo workbook/);
    expect(r.code).toBe(2);
  });
});
