/**
 * `npm run kill-collect [-- --trials 60 --credits 300]`: real `kill -9` of `credit-desk usage collect` at random
 * moments, each followed by a normal run (sometimes killed too), then a check that every collection is complete:
 * every journal "ready" with its usage .xlsx holding exactly its records, the Ledger tab and the Credits tab
 * agreeing with the files, no credit in two files, and no temp file of a killed run left in the usage folder.
 * Exits 1 on the first trial that breaks that.
 *
 * Kill moments are drawn uniformly over a measured full run, so they land in start-up, the read, the journal,
 * the .xlsx, the workbook save and the final checks alike; the summary counts what each kill left behind.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger } from '../core/ledger';
import { runApplyRules } from '../sync-service/jobs/apply-rules';
import { runSync } from '../sync-service/jobs/sync';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { readState } from '../core/sheet-state';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { usageXlsxMatches } from '../sync-service/usage/usage-files';
import { prng } from './figures';
import { arg, journals } from './kill-kit';

const BIN = join(__dirname, '../bin/credit-desk.cjs');

function source(n: number): CreditSource {
  const rows: RawCreditRow[] = Array.from({ length: n }, (_, i) => ({
    billing_period: '2026-10',
    payer_account_id: '111111111111',
    usage_account_id: '222222222222',
    product_code: ['AmazonEC2', 'AmazonS3'][i % 2],
    description: `Kill test credit ${i + 1}`,
    currency_code: 'USD',
    amount: `-${(i % 97) + 1}.${String(i % 100).padStart(2, '0')}`,
    line_count: 1,
    bad_cost_lines: 0,
    invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
  }));
  return {
    listPeriods: async () => ['2026-10'],
    fetchCredits: async () => ({ rows, label: 'kill test' }),
    close: async () => {},
  };
}

async function template(dir: string, credits: number): Promise<string> {
  const path = join(dir, 'template.xlsx');
  const accounts = join(dir, 'accounts.csv');
  writeFileSync(
    accounts,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
  );
  const settings = resolveSettings(
    { period: '2026-10', workbook: path, accounts, usageDir: join(dir, 'unused') },
    {},
  );
  const now = new Date('2026-11-26T10:00:00Z');
  await runSync(
    settings,
    { previous: false },
    { source: source(credits), sink: createWorkbookSink({ path }), reporter: silentReporter, now },
  );
  await runApplyRules(
    {},
    { sink: createWorkbookSink({ path }), reporter: silentReporter, now, actor: 'kill test' },
  );
  return path;
}

/**
 * Runs `usage collect`. `kill`: a number kills it that many ms after the start; `{ afterJournal }` kills it
 * that many ms after its journal appears (start-up dominates a run, so this aims kills at the collection itself).
 */
function run(
  path: string,
  usageDir: string,
  kill?: number | { afterJournal: number },
): Promise<{ code: number | null; ms: number; err: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'usage', 'collect', '--workbook', path], {
      env: { ...process.env, CREDIT_DESK_USAGE_DIR: usageDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const before = new Set(existsSync(usageDir) ? readdirSync(usageDir) : []);
    let timer: NodeJS.Timeout | null = null;
    if (typeof kill === 'number') timer = setTimeout(() => child.kill('SIGKILL'), kill);
    else if (kill) {
      const poll = setInterval(() => {
        const fresh =
          existsSync(usageDir) && readdirSync(usageDir).some((f) => f.endsWith('.json') && !before.has(f));
        if (!fresh) return;
        clearInterval(poll);
        timer = setTimeout(() => child.kill('SIGKILL'), kill.afterJournal);
      }, 2);
      child.on('exit', () => clearInterval(poll));
    }
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, ms: performance.now() - started, err });
    });
  });
}

/** What a kill left behind, for the summary. */
async function leftBehind(path: string, usageDir: string): Promise<string> {
  const temp =
    existsSync(usageDir) && readdirSync(usageDir).some((n) => n.endsWith('.tmp')) ? ', a temp file' : '';
  const files = journals(usageDir);
  const collecting = files.filter((f) => f.status === 'collecting');
  if (!collecting.length) return (files.length ? 'finished before the kill' : 'nothing started') + temp;
  const f = collecting[0];
  const xlsx = await usageXlsxMatches(usageDir, f);
  const ledger = readLedger((await createWorkbookSink({ path }).read()).tabs.ledger).length;
  return `journal "collecting", ${xlsx ? 'with' : 'WITHOUT'} its .xlsx, ${ledger ? 'sheet written' : 'sheet not written'}${temp}`;
}

async function problems(path: string, usageDir: string, assigned: number): Promise<string[]> {
  const out: string[] = [];
  const files = journals(usageDir);
  for (const f of files) {
    if (f.status !== 'ready') out.push(`${f.usageFileId} is ${f.status}`);
    if (!(await usageXlsxMatches(usageDir, f))) out.push(`${f.usageFileId}.xlsx is missing or incomplete`);
  }
  const keys = files.flatMap((f) => f.records.map((r) => r.key));
  if (new Set(keys).size !== keys.length) out.push('a credit is in two usage files');
  if (keys.length !== assigned) out.push(`${keys.length} credits collected, ${assigned} were assigned`);
  // The resuming run removes the temp files of the killed one (loadUsageFiles → removeStaleTemps).
  const temps = readdirSync(usageDir).filter((n) => n.endsWith('.tmp'));
  if (temps.length) out.push(`temp files left in the usage folder: ${temps.join(', ')}`);
  const snapshot = await createWorkbookSink({ path }).read();
  const ledger = readLedger(snapshot.tabs.ledger);
  const fileOf = new Map(files.flatMap((f) => f.records.map((r) => [r.key, f.usageFileId] as const)));
  if (ledger.length !== keys.length || ledger.some((e) => fileOf.get(e.key) !== e.usageFileId))
    out.push(`the Ledger (${ledger.length} rows) does not match the usage files (${keys.length} records)`);
  for (const { credit } of readState(snapshot).credits) {
    if (credit.status !== 'PROCESSING' || credit.usageFileId !== fileOf.get(credit.key)) {
      out.push(`${credit.creditId} is ${credit.status} in "${credit.usageFileId}"`);
      break;
    }
  }
  return out;
}

async function main(): Promise<number> {
  const trials = arg('trials', 60);
  const credits = arg('credits', 300);
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-kill-'));
  const rnd = prng(arg('seed', 7));
  try {
    const base = await template(dir, credits);
    const probe = join(dir, 'probe');
    copyFileSync(base, `${probe}.xlsx`);
    const full = await run(`${probe}.xlsx`, join(dir, 'probe-usage'));
    if (full.code !== 0) throw new Error(`a normal collect failed: ${full.err}`);
    // How long the collection itself takes, from its journal to the end: the window half the kills aim at.
    copyFileSync(base, `${probe}-2.xlsx`);
    const usage2 = join(dir, 'probe-usage-2');
    const t0 = performance.now();
    const second = run(`${probe}-2.xlsx`, usage2);
    while (!(existsSync(usage2) && readdirSync(usage2).some((f) => f.endsWith('.json'))))
      await new Promise((r) => setTimeout(r, 2));
    const journalAt = performance.now() - t0;
    await second;
    const window = Math.max(full.ms - journalAt, 50);
    console.log(
      `A full collect of ${credits} credits takes ${Math.round(full.ms)} ms, ${Math.round(window)} ms of it after ` +
        'the journal is written; half the kills land anywhere in the run, half in that window.',
    );
    const seen = new Map<string, number>();
    for (let t = 1; t <= trials; t++) {
      const path = join(dir, `trial-${t}.xlsx`);
      const usageDir = join(dir, `usage-${t}`);
      copyFileSync(base, path);
      const aimed = t % 2 === 0;
      const at = Math.round(rnd() * (aimed ? window : full.ms) * 1.05);
      await run(path, usageDir, aimed ? { afterJournal: at } : at);
      const state = await leftBehind(path, usageDir);
      seen.set(state, (seen.get(state) ?? 0) + 1);
      // One trial in four kills the resuming run as well.
      if (rnd() < 0.25) await run(path, usageDir, Math.round(rnd() * full.ms));
      const resumed = await run(path, usageDir);
      const found =
        resumed.code === 0
          ? await problems(path, usageDir, credits)
          : [`the resuming run failed: ${resumed.err.trim()}`];
      if (found.length) {
        console.error(
          `trial ${t} (killed ${at} ms after ${aimed ? 'the journal' : 'the start'}, left: ${state}): ${found.join('; ')}`,
        );
        console.error(`workbook and usage files kept in ${dir}`);
        return 1;
      }
      process.stdout.write(`\rtrial ${t}/${trials} ok`);
    }
    console.log(
      `\n${trials} kill -9 trials, every collection completed with its usage file and no credit in two files.`,
    );
    console.log('What the kills left behind:');
    for (const [state, n] of [...seen].sort((a, b) => b[1] - a[1]))
      console.log(`  ${String(n).padStart(4)}  ${state}`);
    rmSync(dir, { recursive: true, force: true });
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

main().then((code) => (process.exitCode = code));
