/**
 * The CLI's Node flags live in bin/credit-desk.cjs's first line (docs/decisions/0023): that line must start Node
 * with them on this system's `env`, every launcher must start the file by that line (not `node <file>`, which
 * would drop them), and the benchmarks read the same flags.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launcherNodeFlags } from '../../bench/launcher-flags';

const ROOT = join(__dirname, '../..');
const firstLine = readFileSync(join(ROOT, 'bin/credit-desk.cjs'), 'utf8').split('\n', 1)[0];

describe("the CLI's Node flags", () => {
  it('are read from the first line, and that line starts Node with them', () => {
    const flags = launcherNodeFlags();
    expect(flags).toContain('--max-semi-space-size=64');
    // The line as the kernel runs it: env splits it (-S) and starts node with the flags before the script.
    const [env, ...args] = firstLine.slice(2).split(' ');
    const script = join(mkdtempSync(join(tmpdir(), 'credit-desk-flags-')), 'argv.cjs');
    writeFileSync(script, 'console.log(JSON.stringify(process.execArgv));');
    const seen = execFileSync(env, [...args, script], { encoding: 'utf8' });
    expect(JSON.parse(seen)).toEqual(flags);
  });

  it('every launcher starts bin/credit-desk.cjs by its first line', () => {
    expect(readFileSync(join(ROOT, 'credit-desk'), 'utf8')).toMatch(
      /^exec "\$\(dirname "\$0"\)\/bin\/credit-desk\.cjs" "\$@"$/m,
    );
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start).toBe(
      './credit-desk start',
    );
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(
      /^ENTRYPOINT \["\/app\/bin\/credit-desk\.cjs"\]$/m,
    );
  });

  it('a checkout whose launcher has no flags gives none (a baseline of older code)', () => {
    expect(launcherNodeFlags(join(__dirname, 'fixtures-none'))).toEqual([]);
  });
});
