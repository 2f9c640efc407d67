/**
 * `npm run kill-connect [-- --trials 30 --credits 3 --seed 7]`: real `kill -9` of every command of the usage
 * file's round trip through Connect, against the local Connect server (emulators/connect-server.ts) through the
 * real client: collect → submit → (the provider rejects) → status → (a credit is edited) → collect → submit →
 * (the provider accepts and closes) → status. Each command is killed at a random moment of its run, then run
 * again (that run may be killed too) until it completes, as a person would. After each trial: Connect holds one
 * file per collection (the first rejected, the second closed), no credit is in two accepted files, none is lost,
 * and sheet = Ledger = journal = Connect (every credit PROCESSED in the second file, with its billing id).
 * Exits 1 on the first trial that breaks that, keeping its workbook and usage folder.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger } from '../core/ledger';
import { readState } from '../core/sheet-state';
import type { UsageFile } from '../core/usage';
import { startConnectServer, type ConnectServer } from '../emulators/connect-server';
import { runAssign } from '../sync-service/jobs/assign';
import { runSync } from '../sync-service/jobs/sync';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { prng } from './figures';
import { arg, journals } from './kill-kit';

const BIN = join(__dirname, '../bin/credit-desk.cjs');
const NOW = new Date('2026-11-26T10:00:00Z');

function source(n: number): CreditSource {
  const rows: RawCreditRow[] = Array.from({ length: n }, (_, i) => ({
    billing_period: '2026-10',
    payer_account_id: '111111111111',
    usage_account_id: '222222222222',
    product_code: 'AmazonEC2',
    description: `Connect kill credit ${i + 1}`,
    currency_code: 'USD',
    amount: `-${i + 1}1.25`,
    line_count: 1,
    invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts): collect takes it
    bad_cost_lines: 0,
  }));
  return {
    listPeriods: async () => ['2026-10'],
    fetchCredits: async () => ({ rows, label: 'kill test' }),
    close: async () => {},
  };
}

/** A workbook with `n` credits, each ASSIGNED 60/40 to its customer and reseller. */
async function template(dir: string, n: number): Promise<string> {
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
  const sink = () => createWorkbookSink({ path });
  await runSync(
    settings,
    { previous: false },
    { source: source(n), sink: sink(), reporter: silentReporter, now: NOW },
  );
  for (const { credit } of readState(await sink().read()).credits)
    await runAssign(credit.creditId, 'customer 60%, reseller 40%', {
      sink: sink(),
      now: NOW,
      actor: 'kill test',
    });
  return path;
}

interface Run {
  code: number | null;
  ms: number;
  out: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, ms: performance.now() - started, out });
    });
  });
}

async function problems(
  server: ConnectServer,
  path: string,
  usageDir: string,
  credits: number,
): Promise<string[]> {
  const out: string[] = [];
  const files = journals(usageDir);
  const rejected = files.filter((f) => f.status === 'rejected');
  const closed = files.filter((f) => f.status === 'closed');
  if (files.length !== 2 || rejected.length !== 1 || closed.length !== 1)
    out.push(`journals: ${files.map((f) => `${f.usageFileId} ${f.status}`).join(', ')}`);
  // This trial's files only: the server outlives the trials.
  const ours = new Set(files.map((f) => f.usageFileId));
  const inConnect = [...server.model.files.values()].filter((f) => ours.has(f.externalId));
  const byExternal = new Map<string, number>();
  for (const f of inConnect) byExternal.set(f.externalId, (byExternal.get(f.externalId) ?? 0) + 1);
  for (const [ext, n] of byExternal) if (n > 1) out.push(`Connect holds ${n} files for ${ext}`);
  const accepted = inConnect.filter((f) => ['accepted', 'closed'].includes(f.status));
  if (accepted.length !== 1) out.push(`${accepted.length} accepted files in Connect`);
  const keys = closed.flatMap((f) => f.records.map((r) => r.key));
  if (new Set(keys).size !== credits || keys.length !== credits)
    out.push(
      `the closed file holds ${keys.length} records for ${new Set(keys).size} credits, ${credits} expected`,
    );
  const snapshot = await createWorkbookSink({ path }).read();
  const uf = closed[0]?.usageFileId;
  for (const { credit } of readState(snapshot).credits)
    if (credit.status !== 'PROCESSED' || credit.usageFileId !== uf)
      out.push(`${credit.creditId} is ${credit.status} in "${credit.usageFileId}"`);
  const ledger = readLedger(snapshot.tabs.ledger);
  if (
    ledger.length !== credits ||
    ledger.some((e) => e.status !== 'PROCESSED' || e.usageFileId !== uf || !e.connectNote)
  )
    out.push(`the Ledger does not say PROCESSED in ${uf} with a billing id for every credit`);
  return out;
}

async function main(): Promise<number> {
  const trials = arg('trials', 30);
  const credits = arg('credits', 3);
  const rnd = prng(arg('seed', 7));
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-kill-connect-'));
  const server = await startConnectServer({ assets: ['AS-1'], processingDelayMs: 50 });
  let kills = 0;
  try {
    const base = await template(dir, credits);
    for (let t = 1; t <= trials; t++) {
      const path = join(dir, `trial-${t}.xlsx`);
      const usageDir = join(dir, `usage-${t}`);
      copyFileSync(base, path);
      const env = {
        ...process.env,
        CREDIT_DESK_USAGE_DIR: usageDir,
        CREDIT_DESK_CONNECT_ENDPOINT: server.endpoint,
        CONNECT_API_KEY: server.apiKey,
      };
      /** One command: killed at a random moment (up to 1.2 × its usual time), then run until it completes. */
      const step = async (args: string[]) => {
        const wb = ['--workbook', path];
        await cli([...args, ...wb], env, Math.round(150 + rnd() * 1500));
        kills++;
        if (rnd() < 0.3) {
          await cli([...args, ...wb], env, Math.round(150 + rnd() * 1500));
          kills++;
        }
        for (let i = 0; i < 3; i++) {
          const r = await cli([...args, ...wb], env);
          if (r.code === 0 || r.code === 3) return;
          if (i === 2)
            throw new Error(`trial ${t}: ${args.join(' ')} kept failing (exit ${r.code}): ${r.out.trim()}`);
        }
      };
      const connectId = (status: UsageFile['status']) => {
        const f = journals(usageDir).find((x) => x.status === status && x.connectFile);
        if (!f) throw new Error(`trial ${t}: no ${status} usage file in Connect (kept in ${dir})`);
        return f.connectFile!.id;
      };
      await step(['usage', 'collect']);
      await step(['usage', 'submit']);
      await server.settled();
      server.provider.reject(connectId('ready'), 'rejected by the provider (kill test)');
      await step(['usage', 'status']);
      const sink = createWorkbookSink({ path });
      const first = readState(await sink.read()).credits[0].credit;
      await runAssign(first.creditId, 'customer 100%', { sink, now: NOW, actor: 'kill test' });
      await step(['usage', 'collect']);
      await step(['usage', 'submit']);
      await server.settled();
      const idB = connectId('ready');
      server.provider.accept(idB);
      server.provider.closeAll(idB);
      await step(['usage', 'status']);
      const found = await problems(server, path, usageDir, credits);
      if (found.length) {
        console.error(`trial ${t}: ${found.join('; ')}\nworkbook and usage files kept in ${dir}`);
        return 1;
      }
      process.stdout.write(`\rtrial ${t}/${trials} ok`);
    }
    console.log(
      `\n${trials} trials, ${kills} kill -9 of usage collect / submit / status: every credit PROCESSED once, in the one accepted file, with its billing id; no file created twice in Connect.`,
    );
    if (server.violations.length) {
      console.error(`the local Connect server broke its description: ${server.violations.join('; ')}`);
      return 1;
    }
    rmSync(dir, { recursive: true, force: true });
    return 0;
  } finally {
    await server.close();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    console.error(e.message);
    process.exitCode = 1;
  },
);
