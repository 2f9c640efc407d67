/**
 * `credit-desk demo-data`: writes a synthetic CUR plus accounts.csv and rules.csv to try the sync offline.
 * Progress goes to stderr, the one-line summary to stdout (so scripts can read it).
 */
import { generateDemoData } from '../demo/generate';

export interface DemoDataArgs {
  out?: string;
  months?: number;
  lines?: number;
  seed?: number;
  legacy?: boolean;
}

export interface DemoDataIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const CONSOLE_IO: DemoDataIo = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
};

export async function runDemoData(args: DemoDataArgs, io: DemoDataIo = CONSOLE_IO): Promise<number> {
  const started = Date.now();
  const result = await generateDemoData({
    outDir: args.out ?? 'demo-data',
    months: args.months,
    linesPerMonth: args.lines,
    seed: args.seed,
    layout: args.legacy ? 'legacy' : 'cur2',
    onProgress: io.stderr,
  });
  const total = (result.linesPerMonth * result.periods.length).toLocaleString('en-US');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  io.stdout(
    `Wrote ${total} CUR lines (${result.periods[0]} to ${result.periods[result.periods.length - 1]}, ${result.layout === 'cur2' ? 'CUR 2.0' : 'legacy'} layout) to ${result.curDir}, plus ${result.accountsCsv} and ${result.rulesCsv} in ${seconds}s.`,
  );
  return 0;
}
