/**
 * Output that says one thing once, in the words of the sheet (issue 24), through the real `credit-desk` on the
 * demo: "flagged" for the Flags column's words and "held" for the credits held for review, never one word for
 * both; no "new" credits on a run that added none; a usage file's credits counted once; no Athena words on a
 * DuckDB run; a dry run's cell budget counting the rows it would write; money in the currency's decimals in the
 * CSV export as in the JSON; an export with the archive that lists each credit once; the user guide's tab count.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABS } from '../../../core/sheet-contract';
import { ARCHIVE_DIR_ENV } from '../../../sync-service/archive/archive-files';
import { reportCommand } from '../../../sync-service/cli/commands/apply-rules';
import { resolveSettings } from '../../../sync-service/settings';
import { runPasted } from '../../helpers/checkout-copy';
import { runCli, type CliRun } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

interface CreditJson {
  creditId: string;
  period: string;
  amount: string;
  status: string;
  allocations: { role: string; amount: string }[];
}

const tempDir = useTempDirs('credit-desk-output-');
const BIN = join(__dirname, '../../../bin/credit-desk.cjs');
/** A month of the demo's data (`npm start` syncs it). */
const PERIOD = '2026-10';

/** A folder with the demo synced into credits.xlsx (`npm start`), and what `start` printed. */
function demo(): { dir: string; start: CliRun } {
  const dir = tempDir();
  const start = runCli(['start'], dir);
  expect(start.err).not.toMatch(/^error/m);
  expect(start.code).toBe(0);
  return { dir, start };
}

const ok = (r: CliRun): CliRun => {
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  return r;
};

const exportJson = (dir: string, ...args: string[]) =>
  JSON.parse(ok(runCli(['export', '--format', 'json', ...args], dir)).out) as CreditJson[];

/** "1,234.56" or "1234.56" → minor units, exactly. */
const cents = (text: string) => {
  const [whole, frac = ''] = text.replace(/,/g, '').split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
};

/** The "Cells:" line's figures: the total and each tab named. */
function cells(out: string): { total: number; tabs: Record<string, number> } {
  const line = out.split('\n').find((l) => l.startsWith('Cells: '));
  expect(line).toBeDefined();
  const total = Number(/^Cells: ([\d,]+)/.exec(line!)![1].replace(/,/g, ''));
  const tabs: Record<string, number> = {};
  for (const m of line!.matchAll(/(\w+) ([\d,]+)(?=,|$| \()/g)) tabs[m[1]] = Number(m[2].replace(/,/g, ''));
  return { total, tabs };
}

describe('sync output', () => {
  it('says "flagged" for Flags words and "held" for credits held for review, each in one place', () => {
    const { start } = demo();
    const flaggedLines = start.out.split('\n').filter((l) => /flagged/.test(l));
    // One row: the credits the sync gave a Flags word, named by that word.
    expect(flaggedLines).toHaveLength(1);
    const [, count] =
      /^ {2}flagged +(\d+) {2}UNKNOWN_ACCOUNT (\d+) \(AWS accounts not in the Accounts tab: /.exec(
        flaggedLines[0],
      )!;
    expect(Number(count)).toBeGreaterThan(0);
    // The reconciliation counts held credits under that word, as the "held" row and the user guide do.
    const recon = start.out.split('\n').filter((l) => / CUR [\d,.]+ USD = imported /.test(l));
    expect(recon.length).toBeGreaterThan(0);
    for (const l of recon)
      expect(l).toMatch(/ \+ held [\d,.]+ USD \+ left out .*\(\d+ imported, \d+ held\)$/);
    expect(start.out).toContain('CUR total = imported + held + left out (+ rounding)');
  });

  it('speaks of the CUR on a DuckDB run, never of Athena or of queries', () => {
    const { start } = demo();
    expect(`${start.out}\n${start.err}`).not.toMatch(/athena|quer(y|ies|ying)/i);
    expect(start.out).toContain('whole period (CUR → sheet)');
  });

  it('warns one line per reason with its count, and prints the command that lists each credit', () => {
    const { dir } = demo();
    const r = ok(runCli(['apply-rules', '--period', PERIOD], dir));
    const warnings = r.err.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings.length).toBeGreaterThan(0);
    // "<count> credit(s) <what happened>": one line per reason, no reason twice, no Credit ID in any of them.
    const grouped = new Map<string, number>();
    for (const w of warnings) {
      const [, count, what] = /^warning: ([\d,]+) credits? (.+)$/.exec(w) ?? expect(w).toBe('grouped')!;
      expect(grouped.has(what)).toBe(false);
      grouped.set(what, Number(count.replace(/,/g, '')));
    }
    expect(r.err).not.toMatch(/AWSC-/);
    const failed = Number(/; (\d+) could not be assigned/.exec(r.out)![1]);
    const failedGrouped = [...grouped].filter(([w]) => w.startsWith('could not be assigned: '));
    expect(failedGrouped.reduce((n, [, c]) => n + c, 0)).toBe(failed);
    // Nothing was assigned: no "By rule:" heading with nothing under it.
    expect(r.out).toMatch(/^Assigned 0 credits; \d+ could not be assigned/);
    expect(r.out).not.toMatch(/By rule:|Totals passed on/);

    // The printed command, pasted as it is (`./credit-desk` being the checkout's script), lists each credit once
    // with why, writes nothing, and its lines add up to the grouped ones, reason by reason.
    const command = /^Each credit left alone, with why: (.+)$/m.exec(r.out)![1];
    expect(command).toBe(`./credit-desk apply-rules --period ${PERIOD} --dry-run --details`);
    writeFileSync(join(dir, 'credit-desk'), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`, {
      mode: 0o755,
    });
    const before = readFileSync(join(dir, 'credits.xlsx'));
    const pasted = runPasted(command, dir);
    expect(pasted.code).toBe(0);
    expect(readFileSync(join(dir, 'credits.xlsx')).equals(before)).toBe(true);
    expect(pasted.out).not.toMatch(/^Each credit left alone/m);
    const each = new Map<string, number>();
    for (const w of pasted.err.split('\n').filter((l) => l.startsWith('warning: '))) {
      const [, id, why] = /^warning: (AWSC-[\d-]+): (.+)$/.exec(w) ?? expect(w).toBe('one credit')!;
      expect(why).not.toContain(id); // the Credit ID once per line
      const what = why.startsWith('held for review') ? why : `could not be assigned: ${why}`;
      each.set(what, (each.get(what) ?? 0) + 1);
    }
    expect([...each].sort()).toEqual([...grouped].sort());
  });

  it('the command apply-rules names for each target’s total works when pasted, on the same sheet and period', () => {
    const { dir } = demo();
    const settings = resolveSettings({}, {});
    const command = reportCommand(settings, { period: PERIOD });
    expect(command).toBe(`./credit-desk report --period ${PERIOD}`);
    writeFileSync(join(dir, 'credit-desk'), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`, {
      mode: 0o755,
    });
    const pasted = runPasted(command, dir);
    expect(pasted.code).toBe(0);
    expect(pasted.out).toContain(PERIOD);
    expect(pasted.out).toMatch(/passed on/i);
  });

  it('a dry run into a new workbook counts the cells its write would make, as the real run then does', () => {
    const { dir } = demo();
    // a usage file in the folder, so the dry run also has a note (another sheet's files) to print
    ok(runCli(['usage', 'collect'], dir));
    const dry = ok(runCli(['sync', '--dry-run', '--workbook', 'new.xlsx'], dir));
    expect(existsSync(join(dir, 'new.xlsx'))).toBe(false);
    expect(dry.out).toMatch(/^Cells: .* \(after the write this run would make\)$/m);
    expect(dry.out).toMatch(/^ {2}usage-files also holds 1 usage file/m); // a note, not "would have usage-files …"
    const real = ok(runCli(['sync', '--workbook', 'new.xlsx'], dir));
    const planned = cells(dry.out);
    const written = cells(real.out);
    expect(planned.tabs.Credits).toBe(written.tabs.Credits);
    expect(planned.tabs.Audit).toBe(written.tabs.Audit);
    // The Summary is counted as Google sizes it; a workbook stores only its cells: close, never far below.
    expect(planned.total).toBeGreaterThanOrEqual(written.total);
    expect(planned.total).toBeLessThan(written.total * 1.1);
  });
});

describe('run-month output', () => {
  it('does not call credits new on a run that added none', () => {
    const { dir } = demo();
    const r = runCli(['run-month'], dir);
    expect(r.code).toBe(3); // the demo's unknown accounts leave credits for a person
    expect(r.out).toMatch(/^ {2}added +0$/m);
    const unassigned = Number(/^ {2}unassigned +(\d+)/m.exec(r.out)![1]);
    expect(unassigned).toBeGreaterThan(0);
    expect(r.out).not.toMatch(/new credit/);
    expect(r.out).not.toMatch(/credit\(s\)/);
    expect(r.out).toContain(`  ${unassigned} credits PENDING_ASSIGN that neither a rule nor the default`);
  });
});

describe('usage output', () => {
  it('counts a usage file’s credits once and shows its money as every other command does', () => {
    const { dir } = demo();
    const assigned = exportJson(dir, '--status', 'ASSIGNED');
    const collect = ok(runCli(['usage', 'collect'], dir));
    const line = collect.out.split('\n').find((l) => l.startsWith('Usage file '))!;
    const [, id, n, money] = /^Usage file (UF-[\d-]+): (\d+) credits, ([\d,]+\.\d\d) USD → /.exec(line)!;
    expect(line.match(/credits/g)).toHaveLength(1);
    expect(Number(n)).toBe(assigned.length);
    expect(cents(money)).toBe(assigned.reduce((t, c) => t + cents(c.amount), 0));
    const list = ok(runCli(['usage', 'list'], dir)).out;
    expect(list).toMatch(new RegExp(`^${id} +ready +\\S+ +${n} credits +${money} USD +\\S+$`, 'm'));
    expect(list).not.toMatch(/records|\(\d+ credits\)/);
  });
});

describe('export', () => {
  it('writes money in the currency’s own decimals in the CSV, as the JSON does', () => {
    const { dir } = demo();
    const json = exportJson(dir);
    const csv = ok(runCli(['export'], dir))
      .out.replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const headers = csv[0].split(',');
    const at = (h: string) => headers.indexOf(h);
    // The demo's descriptions hold no comma or quote in these columns' places before Amount: a plain split works
    // for the ID; Amount and Distributor Keeps are found from the end, after the quoted Allocation.
    const byId = new Map(json.map((c) => [c.creditId, c]));
    let trailingZero = 0;
    for (const line of csv.slice(1)) {
      const fields = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, ''));
      const c = byId.get(fields[at('Credit ID')])!;
      expect(fields[at('Amount')]).toBe(c.amount);
      if (c.amount.endsWith('0')) trailingZero++;
      const keeps = c.allocations.find((a) => a.role === 'distributor');
      expect(fields[at('Distributor Keeps')]).toBe(keeps ? keeps.amount : '');
    }
    expect(csv.length - 1).toBe(json.length);
    expect(trailingZero).toBeGreaterThan(0); // the case a float loses: 732.60 written 732.6
  });

  it('after start --fresh, --include-archive lists each credit once: the demo archive goes, another is named', () => {
    // The demo's own archive folder, archive/ in the folder it runs in (the tests' setup names one per process).
    const isolated = process.env[ARCHIVE_DIR_ENV];
    delete process.env[ARCHIVE_DIR_ENV];
    try {
      freshWithArchive();
    } finally {
      process.env[ARCHIVE_DIR_ENV] = isolated;
    }
  });
});

/** Collect, close, archive the oldest period, keep a copy of the archive, start --fresh, export with each. */
function freshWithArchive(): void {
  const { dir } = demo();
  ok(runCli(['usage', 'collect'], dir));
  const uf = /^(UF-\S+) +ready/m.exec(ok(runCli(['usage', 'list'], dir)).out)![1];
  ok(runCli(['usage', 'close', uf], dir));
  const latest = exportJson(dir)
    .map((c) => c.period)
    .sort()
    .pop()!;
  ok(runCli(['archive', '--before', latest], dir));
  const archived = exportJson(dir, '--include-archive').length - exportJson(dir).length;
  expect(archived).toBeGreaterThan(0);
  cpSync(join(dir, 'archive'), join(dir, 'kept-archive'), { recursive: true });

  const fresh = ok(runCli(['start', '--fresh'], dir));
  expect(fresh.err).toMatch(/^Removed archive\.$/m);
  const ids = (credits: CreditJson[]) => credits.map((c) => c.creditId);
  const all = exportJson(dir, '--include-archive');
  expect(new Set(ids(all)).size).toBe(all.length);

  // An archive of another sheet (this one from before --fresh): each credit once, and said why.
  const other = runCli(['export', '--format', 'json', '--include-archive', 'kept-archive'], dir);
  expect(other.code).toBe(0);
  const listed = JSON.parse(other.out) as CreditJson[];
  expect(new Set(ids(listed)).size).toBe(listed.length);
  expect(listed).toHaveLength(all.length);
  expect(other.err).toContain(
    `warning: ${archived} archived credits are also in the sheet (same key or Credit ID), so kept-archive holds another sheet's archive`,
  );
}

describe('the user guide', () => {
  it('counts the tabs the sheet has', () => {
    const guide = readFileSync(join(__dirname, '../../../docs/user-guide.md'), 'utf8');
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    const said = /^(\w+) tabs \(/m.exec(guide.split('## The sheet')[1])![1].toLowerCase();
    // The contract's tabs and the Summary (core/sheet-contract.ts SUMMARY_TAB), which is not among them.
    expect(words.indexOf(said)).toBe(Object.keys(TABS).length + 1);
  });
});
