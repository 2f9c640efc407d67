/**
 * How fast `credit-desk --help` answers: the shipped CLI (the esbuild bundle, bin/credit-desk.cjs) against the
 * same CLI compiled at start-up by tsx, as it ran before the bundle. Median of several runs, each a new Node
 * process, so the figure includes Node's own start (what a user waits for).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Figure } from './figures';

const ROOT = join(__dirname, '..');
const RUNS = 7;

// The old start-up path: TypeScript compiled by tsx on every run.
const VIA_TSX = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(ROOT, 'sync-service/cli.ts'))}).main([process.execPath, 'credit-desk', ...process.argv.slice(1)]).then((c) => { process.exitCode = c; });`;

function medianMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(RUNS / 2)]);
}

export async function benchCli(): Promise<Figure[]> {
  // The first run builds the bundle if a source changed; it is not what a user waits for every time.
  spawnSync(process.execPath, [join(ROOT, 'bin/credit-desk.cjs'), '--help'], { cwd: ROOT });
  return [
    {
      name: 'credit-desk --help, shipped bundle (median of 7)',
      value: medianMs([join(ROOT, 'bin/credit-desk.cjs'), '--help']),
      unit: 'ms',
    },
    {
      name: 'credit-desk --help, compiled by tsx at start (before)',
      value: medianMs(['-e', VIA_TSX, '--', '--help']),
      unit: 'ms',
    },
    { name: 'node -e "" (Node start alone, for scale)', value: medianMs(['-e', '']), unit: 'ms' },
  ];
}
