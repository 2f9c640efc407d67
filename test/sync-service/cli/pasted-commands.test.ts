/**
 * Every command a user is told to paste works when pasted (issue 24): the README's walk, the next commands
 * `npm start` prints, the close command `usage collect` prints, and the sync command `npm run servers` prints. Each runs through bash in a scratch copy
 * of the checkout, exactly as written, so a renamed option or a missing setting in any of them fails here.
 * The README's Connect walk (issue 27) runs the same way against the servers `npm run servers` started, the
 * rejection its prose offers first, and must end with every credit PROCESSED and Connect's billing ids in the Ledger.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLedger } from '../../../core/ledger';
import { EXIT } from '../../../sync-service/cli/exit-codes';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { makeCheckoutCopy, runPasted, startNpmScript } from '../../helpers/checkout-copy';
import { useTempDirs } from '../../helpers/fixtures-io';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

/** The lines of the first ```sh block after `heading`, comments dropped. */
function shBlockAfter(heading: string): string[] {
  const from = README.indexOf(heading);
  expect(from).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(from))![1];
  return block
    .split('\n')
    .map((l) => l.replace(/\s+# .*$/, '').trim())
    .filter(Boolean);
}

/** The commands `npm start` prints after "Then try:", one per line, comments dropped. */
function printedHints(out: string): string[] {
  const tail = out.slice(out.indexOf('Then try:'));
  return tail
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('  '))
    .map((l) => l.replace(/\s+# .*$/, '').trim());
}

describe('commands pasted as written', () => {
  const tempDir = useTempDirs('credit-desk-pasted-');

  it("the README's set-up and walk, then the commands `npm start` prints, all run", () => {
    const dir = makeCheckoutCopy(tempDir());
    const setup = shBlockAfter('## Set-up');
    // `npm ci` installs; the copy links the installed node_modules instead.
    expect(setup[0]).toBe('npm ci && npm start');
    const start = runPasted('npm start --silent', dir);
    expect(start.err).not.toMatch(/^error/m);
    expect(start.code).toBe(0);

    const walk = shBlockAfter('Then walk a credit through its life');
    expect(walk.some((l) => l.includes('npx'))).toBe(false);
    const walked = runPasted(walk.join('\n'), dir);
    expect(walked.err).not.toMatch(/^(error|FAILED)/m);
    expect(walked.code).toBe(0);
    expect(walked.out).toMatch(/PROCESSED/);
    expect(walked.out).toMatch(/added\s+0\b/);

    // The walk ended with `npm start -- --fresh`, whose output carries the hints.
    const again = runPasted('npm start --silent', dir);
    const hints = printedHints(again.out);
    expect(hints[0]).toMatch(/^\.\/credit-desk export/);
    expect(hints.join('\n')).toMatch(/\.\/credit-desk assign AWSC-\d{6}-\d{4}-\d{4} /);
    expect(hints.join('\n')).toMatch(/usage close/);
    const hinted = runPasted(hints.join('\n'), dir);
    expect(hinted.err).not.toMatch(/^(error|FAILED)/m);
    expect(hinted.code).toBe(0);
    expect(hinted.out).toMatch(/PROCESSED/);

    // The hints ended with `npm start -- --fresh`: a collect now has credits, and prints how to close them.
    const collected = runPasted('./credit-desk usage collect', dir);
    expect(collected.code).toBe(0);
    const close = /Once invoiced: (.+)$/m.exec(collected.out)![1];
    expect(close).toMatch(/^\.\/credit-desk usage close UF-/);
    const closed = runPasted(close, dir);
    expect(closed.err).not.toMatch(/^(error|FAILED)/m);
    expect(closed.code).toBe(0);
  }, 180_000);

  it('the sync command `npm run servers` prints runs against those servers', async () => {
    const dir = makeCheckoutCopy(tempDir());
    const servers = await startNpmScript('servers', dir, /--apply-rules\n/);
    try {
      const printed = /In another shell:\n\n([\s\S]*?--apply-rules)\n/.exec(servers.out)![1];
      const r = runPasted(printed, dir);
      expect(r.err).not.toMatch(/^(error|FAILED)/m);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/added\s+[1-9]/);
    } finally {
      servers.stop();
    }
  }, 180_000);

  it("the README's Connect walk runs against `npm run servers`: rejected → ASSIGNED, then PROCESSED with billing ids", async () => {
    const dir = makeCheckoutCopy(tempDir());
    expect(runPasted('npm start --silent', dir).code).toBe(0);
    const csvRows = (status: string) =>
      runPasted(`./credit-desk export --status ${status}`, dir).out.trim().split('\n').slice(1);
    const assigned = csvRows('ASSIGNED').map((l) => l.split(',')[0]);
    expect(assigned.length).toBeGreaterThan(0);

    expect(shBlockAfter('**Through Connect (local).**')).toEqual(['npm run servers']);
    const servers = await startNpmScript('servers', dir, /--apply-rules\n/);
    try {
      const walk = shBlockAfter('In another, in the same folder');
      expect(walk[0]).toBe('. ./local-servers.env');
      expect(walk.join('\n')).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b/); // no port typed in

      // The prose's rejection, pasted in place of the accept line: the credits come back to ASSIGNED.
      const reject = /paste `(curl [^`]+\/reject")`/.exec(README)![1];
      const lookup = walk.findIndex((l) => l.startsWith('CF='));
      expect(lookup).toBeGreaterThan(0);
      const rejected = runPasted(
        [...walk.slice(0, lookup + 1), reject, './credit-desk usage status'].join('\n'),
        dir,
      );
      expect(rejected.err).not.toMatch(/^error/m);
      expect(rejected.code).toBe(EXIT.attention);
      expect(rejected.out).toContain(`${assigned.length} credit(s) ASSIGNED again (rejected)`);
      expect(csvRows('ASSIGNED')).toHaveLength(assigned.length);

      // The block as written: collected again into a new file, accepted, closed → PROCESSED.
      const r = runPasted(walk.join('\n'), dir);
      expect(r.err).not.toMatch(/^(error|FAILED)/m);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`${assigned.length} credit(s) PROCESSED`);
      const [, creditId, billingId] = /e\.g\. (AWSC-\S+) billed as (INV-\S+): invoiced/.exec(r.out)!;
      expect(
        csvRows('PROCESSED')
          .map((l) => l.split(',')[0])
          .sort(),
      ).toEqual([...assigned].sort());

      const snapshot = await createWorkbookSink({ path: join(dir, 'credits.xlsx') }).read();
      const processed = readLedger(snapshot.tabs.ledger).filter((e) => e.status === 'PROCESSED');
      expect(processed.map((e) => e.creditId).sort()).toEqual([...assigned].sort());
      for (const e of processed) expect(e.connectNote).toMatch(/^INV-\S+: invoiced/);
      expect(processed.find((e) => e.creditId === creditId)!.connectNote).toContain(`${billingId}: invoiced`);
    } finally {
      servers.stop();
    }
    // Stopped, the servers take their env file with them: it never names ports nobody listens on.
    const envFile = join(dir, 'local-servers.env');
    for (let i = 0; i < 50 && existsSync(envFile); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(envFile)).toBe(false);
  }, 240_000);
});
