/**
 * The `credit-desk` CLI bundled once per test file with esbuild, for tests that race real processes: `node`
 * on the bundle starts in a fraction of the ~2 s tsx needs to compile the TypeScript at every start.
 *
 * Packages stay external and the bundle is written under the repository's node_modules/.cache, so Node finds
 * them by the usual lookup. Removed after the file.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '../..');

export function useCliBundle(): () => string {
  const dir = join(ROOT, 'node_modules', '.cache', 'credit-desk-test');
  const out = join(dir, `cli-${process.pid}-${Date.now()}.cjs`);
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    await build({
      stdin: {
        contents: `import { main } from './sync-service/cli';
main(process.argv).then((code) => { process.exitCode = code; }, (err) => { console.error(String(err)); process.exitCode = 1; });`,
        resolveDir: ROOT,
        loader: 'ts',
        sourcefile: 'credit-desk-test-entry.ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      outfile: out,
      logLevel: 'silent',
    });
  }, 60_000);
  afterAll(() => rmSync(out, { force: true }));
  return () => out;
}

export interface RunResult {
  code: number | null;
  out: string;
  err: string;
  /** When the process exited (ms since the epoch), to order two racing runs. */
  endedAt: number;
}

/** Runs the bundled CLI after `delayMs`, in `cwd`, without a shell. */
export function runCli(
  bundle: string,
  args: string[],
  opts: { cwd: string; delayMs?: number; env?: Record<string, string> },
): Promise<RunResult> {
  return new Promise((done, fail) => {
    setTimeout(() => {
      const child = spawn(process.execPath, [bundle, ...args], {
        cwd: opts.cwd,
        env: { ...process.env, CREDIT_DESK_DEBUG: '', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, out, err, endedAt: Date.now() }));
    }, opts.delayMs ?? 0);
  });
}
