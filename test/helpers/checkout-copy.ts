/**
 * A scratch folder that looks like the repository to a user's shell: the `./credit-desk` launcher and
 * package.json copied, the code linked. Commands printed by the program or written in the README can then be
 * pasted there as they are, without touching the real checkout's credits.xlsx or demo-data/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

export function makeCheckoutCopy(dir: string): string {
  // Copied, not linked: the launcher finds bin/ beside itself ($0), as it does in a real checkout.
  copyFileSync(join(ROOT, 'credit-desk'), join(dir, 'credit-desk'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const linked of ['bin', 'emulators', 'node_modules'])
    symlinkSync(join(ROOT, linked), join(dir, linked));
  return dir;
}

export interface ShellRun {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `script` with bash as a user pasting it would, stopping at the first failing command (pipelines
 * included) and naming it on stderr.
 */
export function runPasted(script: string, cwd: string, env: NodeJS.ProcessEnv = process.env): ShellRun {
  const strict = `set -eo pipefail\ntrap 'echo "FAILED: $BASH_COMMAND" >&2' ERR\n${script}`;
  const r = spawnSync('bash', ['-c', strict], {
    cwd,
    encoding: 'utf8',
    env: { ...env, CREDIT_DESK_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * `npm run <script> [-- args]` left running (its own process group, so it can be stopped whole) until `ready`
 * shows.
 */
export function startNpmScript(
  script: string,
  cwd: string,
  ready: RegExp,
  args: string[] = [],
): Promise<{ out: string; stop: () => void }> {
  const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd,
    detached: true,
  });
  let out = '';
  const stop = () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
  };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve({ out, stop });
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`npm run ${script} exited ${code}:\n${out}`)));
  });
}
