/**
 * The two-sink year bench (bench/year-both.ts) at a tiny size, so it cannot rot: two months of 100 credits on the
 * workbook and the Google sink (local Sheets server), every job in its own process. Its figures are not checked
 * (they depend on the machine); what each job reports is, and that both sinks did the same work.
 */
import { runYear, yearTable, type JobRun } from '../../bench/year-both';
import { YEAR_JOBS } from '../../bench/year-kit';

const PER_MONTH = 100;

test('two months on both sinks: every job runs, reports its figures, and the sinks agree', async () => {
  const progress: string[] = [];
  const done: string[][] = [];
  const result = await runYear({
    months: 2,
    perMonth: PER_MONTH,
    sinks: ['workbook', 'google'],
    progress: (l) => progress.push(l),
    sinkDone: (r) => done.push(Object.keys(r.runs)),
  });
  // Each sink's table can be printed as soon as its year is done.
  expect(done).toEqual([['workbook'], ['google']]);
  // Below 50,000 credits the last month is the reference.
  expect(result.referenceMonth).toBe(1);
  expect(progress).toHaveLength(4);
  for (const sink of ['workbook', 'google']) {
    const [first, last] = result.runs[sink];
    expect(Object.keys(first).sort()).toEqual(['apply-rules', 'close', 'collect', 'sync']);
    expect(Object.keys(last).sort()).toEqual([...YEAR_JOBS].sort());
    for (const run of [...Object.values(first), ...Object.values(last)] as JobRun[]) {
      expect(run.cpu).toBeGreaterThan(0);
      expect(run.wall).toBeGreaterThan(0);
      expect(run.rssMiB).toBeGreaterThan(0);
    }
    for (const month of [first, last]) {
      expect(month.sync!.counts.added).toBe(PER_MONTH);
      // Every credit the rules assigned is collected, and every collected one closed.
      expect(month.collect!.counts.credits).toBeGreaterThan(0);
      expect(month.collect!.counts.credits).toBe(month['apply-rules']!.counts.assigned);
      expect(month.close!.counts.closed).toBe(month.collect!.counts.credits);
    }
    // A re-sync fetches the month it syncs: its credits are all there already.
    expect(last.resync!.counts).toMatchObject({ added: 0, unchanged: PER_MONTH });
    expect(last.export!.counts.credits).toBe(2 * PER_MONTH);
    expect(last.validate!.counts.rules).toBe(1000);
  }
  const [wb, gs] = [result.runs.workbook, result.runs.google];
  for (const m of [0, 1]) {
    expect(gs[m].collect!.counts).toEqual(wb[m].collect!.counts);
    expect(gs[m]['apply-rules']!.counts).toEqual(wb[m]['apply-rules']!.counts);
  }
  // Google's traffic is counted per job; the workbook has none.
  for (const run of Object.values(gs[1]) as JobRun[]) {
    expect(run.requests).toBeGreaterThan(0);
    expect(run.bytesDown).toBeGreaterThan(0);
  }
  expect(gs[1].sync!.bytesUp).toBeGreaterThan(0);
  expect(wb[1].sync!.requests).toBeUndefined();

  const table = yearTable(result, PER_MONTH);
  for (const job of YEAR_JOBS) expect(table.filter((l) => l.trim().startsWith(`${job} `))).toHaveLength(2);
}, 600_000);
