/**
 * How fast the command the README's walk uses (`./credit-desk`, the repository's launcher) answers: `--help`, and
 * a real read-only command (`export --status ASSIGNED`) on the demo workbook `npm start` makes. `npx
 * credit-desk --help` is measured too, because npx spends about 2 s on itself before the command starts — the
 * reason the walk does not use it. Median of several runs, each a new process, so the figure includes Node's own
 * start (what a user waits for).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figures';

const ROOT = join(__dirname, '..');
const LAUNCHER = join(ROOT, 'credit-desk');
const RUNS = 7;

function medianMs(command: string, args: string[], runs = RUNS, cwd = ROOT): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(runs / 2)]);
}

export async function benchCli(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-cli-'));
  try {
    // `npm start` in a scratch folder: the demo workbook the walk reads. Its first run also builds the bundle if
    // a source changed, which is not what a user waits for every time.
    const start = spawnSync(LAUNCHER, ['start'], { cwd: dir, encoding: 'utf8' });
    if (start.status !== 0) throw new Error(`credit-desk start exited ${start.status}: ${start.stderr}`);
    const workbook = join(dir, 'credits.xlsx');
    return [
      { name: './credit-desk --help (median of 7)', value: medianMs(LAUNCHER, ['--help']), unit: 'ms' },
      {
        name: './credit-desk export --status ASSIGNED, demo workbook (median of 7)',
        value: medianMs(LAUNCHER, ['export', '--status', 'ASSIGNED', '--workbook', workbook]),
        unit: 'ms',
      },
      {
        name: 'npx credit-desk --help (median of 3, for comparison)',
        value: medianMs('npx', ['--no-install', 'credit-desk', '--help'], 3),
        unit: 'ms',
      },
      {
        name: 'node -e "" (Node start alone, for scale)',
        value: medianMs(process.execPath, ['-e', '']),
        unit: 'ms',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
