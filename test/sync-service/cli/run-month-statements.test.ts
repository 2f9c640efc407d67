/**
 * `run-month --statements DIR` through the real CLI on the demo (issue 23, part 3): the statements of the period
 * the run processed are written, their totals are `report`'s per-party figures, the printed summary names every
 * file, and the message posted to the chat webhook (a receiver on loopback) names them too.
 *
 * The CLI runs as a child process started asynchronously: the receiver lives in this process, and a blocking
 * spawnSync would leave it unable to answer the child's POST.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli, type CliRun } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

const BIN = join(__dirname, '../../../bin/credit-desk.cjs');

function runCliAsync(args: string[], cwd: string): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CREDIT_DESK_DEBUG: '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

interface ReportJson {
  parties: { period: string; currency: string; role: string; targetId: string; amount: string }[];
}

let server: Server;
let base: string;
const posts: { text: string; status: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const tempDir = useTempDirs('credit-desk-month-statements-');

describe('run-month --statements', () => {
  it('writes the period’s statements, with report’s totals, and names them in its summary and webhook message', async () => {
    const dir = tempDir();
    expect(runCli(['start'], dir).code).toBe(0);

    const r = await runCliAsync(
      ['run-month', '--collect', '--statements', 'month', '--webhook-url', `${base}/hook/secret`],
      dir,
    );
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(3); // the demo's credits of unknown accounts are left for a person

    // The period processed: the newest the sync read.
    const period = /^Synced (\d{4}-\d{2}) and (\d{4}-\d{2}) /m.exec(r.out)![2];
    const files = readdirSync(join(dir, 'month')).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files.every((f) => f.startsWith(`statement-${period}-`))).toBe(true);
    expect(files.filter((f) => f.endsWith('.csv'))).toHaveLength(files.length / 2);

    // Totals equal to report's per-party figures, per currency.
    const report = JSON.parse(
      runCli(['report', '--period', period, '--format', 'json'], dir).out,
    ) as ReportJson;
    const parties = report.parties.filter((p) => p.role !== 'distributor' && Number(p.amount) !== 0);
    expect(parties.length * 2).toBe(files.length);
    for (const p of parties) {
      const csv = readFileSync(join(dir, 'month', `statement-${period}-${p.role}-${p.targetId}.csv`), 'utf8');
      const total = csv.split('\r\n').find((l) => l.startsWith(`Total ${p.currency},`))!;
      expect(total.split(',')[6]).toBe(p.amount);
    }

    // The printed summary names every file, under the folder they are in.
    expect(r.out).toContain(
      `Statements ${period}: ${parties.length} parties, ${files.length} files in month:`,
    );
    for (const f of files) expect(r.out).toMatch(new RegExp(`^ {2}${f}$`, 'm'));

    // The webhook message names them: the first twenty, then how many more are in the folder.
    expect(posts).toHaveLength(1);
    const { text } = posts[0];
    expect(text).toContain(
      `Statements ${period}: ${parties.length} parties, ${files.length} files in month:`,
    );
    for (const f of files.slice(0, 20)) expect(text).toContain(`  ${f}\n`);
    if (files.length > 20) expect(text).toContain(`  … and ${files.length - 20} more in month`);
    // The usage file this run collected is on the statements' lines: they were written after the collection.
    const uf = /^Usage file (UF-[\d-]+): /m.exec(r.out)![1];
    const first = readFileSync(
      join(
        dir,
        'month',
        files.find((f) => f.endsWith('.csv'))!,
      ),
      'utf8',
    );
    expect(first).toContain(uf);

    // --log-format json: the result line lists the files too.
    const json = await runCliAsync(['run-month', '--statements', 'again', '--log-format', 'json'], dir);
    const event = JSON.parse(json.out.trim().split('\n').pop()!) as { statements: string[] };
    expect(event.statements.map((f) => f.replace(/^again[\\/]/, '')).sort()).toEqual(files);
  });
});
