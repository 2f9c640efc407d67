/**
 * `rules validate` speed: validateRules over 5,000, 20,000 and 100,000 generated Rules-tab rows (deterministic
 * PRNG), against a directory of 2,000 customers. The rows mix what real rule sheets hold: a few shared credit
 * descriptions, per-engagement texts (MAP "MPE…" IDs, unique per rule), regexes, blank descriptions, ONLY and
 * EXCLUDE lists, periods, disabled rules — and many rules that shadow one another.
 * Then the command itself, `credit-desk rules validate`, on a workbook holding the 100,000 rules and the 2,000
 * accounts: CPU of the whole process (Node's start, reading the workbook, printing), median of 3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDirectory } from '../core/accounts';
import { validateRules } from '../core/rules';
import {
  ACCOUNT_COLUMNS,
  headersOf,
  RULE_COLUMNS,
  type AccountField,
  type RuleField,
  type TabId,
} from '../core/sheet-contract';
import type { Cell, Grid } from '../core/table';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import { prng, seconds, type Figure } from './figures';

const DESCRIPTIONS = [
  'AWS Activate Credit',
  'MAP 2.0 Migration Acceleration Program credit',
  'AWS Promotional Credit for Marketplace',
  'Solution Provider Program discount credit',
  'EDP refund credit',
  'クレジット プロモーション',
];
const SERVICES = ['AmazonEC2', 'AmazonS3', 'AWSLambda', 'AmazonRDS'];
const PERIODS = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'];
const CUSTOMERS = Array.from({ length: 2_000 }, (_, i) => `CUST-${i}`);

function ruleRows(count: number, seed: number): { row: number; record: Record<RuleField, Cell> }[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const list = (xs: readonly string[]) =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(xs)).join(', ');
  const context = (xs: readonly string[], pSpecific: number): [string, string] =>
    random() >= pSpecific ? ['ALL', ''] : random() < 0.7 ? ['ONLY', list(xs)] : ['EXCLUDE', list(xs)];
  return Array.from({ length: count }, (_, i) => {
    const kind = random();
    const [match, description] =
      kind < 0.25
        ? ['exact', pick(DESCRIPTIONS)]
        : kind < 0.5
          ? ['contains', `MPE${String(10_000 + i)}`] // unique per rule, as MAP engagement IDs are
          : kind < 0.65
            ? ['contains', pick(DESCRIPTIONS).split(' ')[1] ?? 'credit']
            : kind < 0.75
              ? ['regex', `^${pick(DESCRIPTIONS).split(' ')[0]}\\s`]
              : ['exact', ''];
    const [customerContext, customers] = context(CUSTOMERS, 0.6);
    const [resellerContext, resellers] = context(['RES-1', 'RES-2', 'RES-3'], 0.3);
    const [serviceContext, services] = context(SERVICES, 0.3);
    const from = random() < 0.3 ? pick(PERIODS) : '';
    return {
      row: i + 2,
      record: {
        ruleId: `R-${i}`,
        name: `Rule ${i}`,
        description,
        match,
        customerPercent: String(Math.floor(random() * 100)),
        resellerPercent: '0',
        from,
        to: from && random() < 0.5 ? '2026-12' : '',
        customerContext,
        customers,
        resellerContext,
        resellers,
        serviceContext,
        services,
        created: `2025-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
        enabled: random() < 0.95,
      },
    };
  });
}

const ACCOUNTS: { row: number; record: Record<AccountField, Cell> }[] = CUSTOMERS.map((c, i) => ({
  row: i + 2,
  record: {
    accountId: String(100_000_000_000 + i),
    accountName: '',
    customerId: c,
    customerName: '',
    assetId: '',
    resellerId: 'RES-1',
    resellerName: '',
  },
}));

export async function benchValidate(): Promise<Figure[]> {
  const directory = buildDirectory(ACCOUNTS, 'bench accounts');
  const figures: Figure[] = [];
  for (const count of [5_000, 20_000, 100_000]) {
    const rows = ruleRows(count, 20261201);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const problems = validateRules(rows, directory);
    const used = process.cpuUsage(cpu);
    figures.push({
      name: `rules validate: ${count.toLocaleString('en')} rules`,
      value: seconds(started),
      unit: 's',
    });
    // CPU time too: on a shared machine the wall clock also counts everyone else's processes.
    figures.push({
      name: `rules validate: ${count.toLocaleString('en')} rules, CPU time (user + system, all threads)`,
      value: Math.round((used.user + used.system) / 1e4) / 100,
      unit: 's',
    });
    if (count === 100_000) {
      const shadowed = problems.filter((p) => /can never win/.test(p.message)).length;
      figures.push({
        name: 'rules validate: rules found that can never win (100,000)',
        value: shadowed,
        unit: 'rules',
      });
    }
  }
  figures.push(...(await validateThroughCli(100_000)));
  return figures;
}

const BIN = join(__dirname, '../bin/credit-desk.cjs');

/** The records as a tab's grid, columns in the contract's order. */
function gridOf<F extends string>(tab: TabId, records: { record: Record<F, Cell> }[]): Grid {
  const headers = headersOf(tab);
  const fields = Object.keys(records[0].record) as F[];
  const byHeader = new Map(headers.map((h, i) => [h, i]));
  const columns: readonly { field: string; header: string }[] =
    tab === 'rules' ? RULE_COLUMNS : ACCOUNT_COLUMNS;
  const at = new Map(columns.map((c) => [c.field, byHeader.get(c.header)!]));
  return {
    headers,
    rows: records.map(({ record }) => {
      const row: Cell[] = headers.map(() => '');
      for (const f of fields) row[at.get(f)!] = record[f];
      return row;
    }),
  };
}

/** `credit-desk rules validate --workbook …` on a workbook of `count` rules: the process's CPU, median of 3. */
async function validateThroughCli(count: number): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-validate-'));
  try {
    const workbook = join(dir, 'credits.xlsx');
    const sink = createWorkbookSink({ path: workbook });
    await sink.read();
    await sink.write({
      updates: [],
      appends: [],
      audit: [],
      replaceTabs: {
        rules: gridOf('rules', ruleRows(count, 20261201)),
        accounts: gridOf('accounts', ACCOUNTS),
      },
    });
    await sink.close();
    // The CLI's own process, its CPU read as it exits (the bundle's main(), as bin/credit-desk.cjs runs it).
    const probe = `process.on('exit',()=>{const u=process.cpuUsage();require('fs').writeSync(2,'\\ncpu-seconds '+(u.user+u.system)/1e6+'\\n')});process.argv.splice(1,0,${JSON.stringify(BIN)});require(${JSON.stringify(BIN)})`;
    const cpu: number[] = [];
    for (let run = 0; run < 3; run++) {
      const r = spawnSync(process.execPath, ['-e', probe, 'rules', 'validate', '--workbook', workbook], {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      const used = /cpu-seconds ([\d.]+)/.exec(r.stderr);
      if (!used || r.status === null || r.status > 1)
        throw new Error(`rules validate failed: ${r.stderr.slice(-2000)}`);
      cpu.push(Number(used[1]));
    }
    cpu.sort((a, b) => a - b);
    const s2 = (x: number) => Math.round(x * 100) / 100;
    return [
      {
        name: `credit-desk rules validate, ${count.toLocaleString('en')} rules in a workbook, CPU (whole process)`,
        value: s2(cpu[1]),
        unit: `s median (min ${s2(cpu[0])}, max ${s2(cpu[2])}; 3 runs)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
