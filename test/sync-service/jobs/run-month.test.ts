/**
 * The unattended month: run-month on a workbook with a fake CUR source, its summary posted to a chat webhook
 * served on loopback (the URL, a secret, appears in no log line), its exit code, the JSON log lines, and the
 * three report formats printing the Summary's figures.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReport, loadSummary } from '../../../sync-service/jobs/report';
import { EXIT_ATTENTION, EXIT_OK, runMonth } from '../../../sync-service/jobs/run-month';
import { createJsonReporter } from '../../../sync-service/log-json';
import { checkWebhookUrl } from '../../../sync-service/notify/webhook';
import type { Reporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { curRow, sourceOfRows } from '../../helpers/small-month';

// Never the repo's own usage-files/ (a developer's `npm start` walk leaves one there): an empty folder of its own.
const ISOLATED_USAGE_DIR = mkdtempSync(join(tmpdir(), 'credit-desk-usage-'));

const row = (i: number, account = '222222222222') =>
  curRow(i, { usage_account_id: account, amount: `-${i}0.01` });

const SECRET = 'T000/B000/very-secret-token';
let server: Server;
let posts: { path: string; body: Record<string, unknown> }[];
let status = 200;
let base: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.statusCode = status;
      res.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

let dir: string;
let logged: string[];
const now = new Date('2026-11-26T10:00:00Z');
const capture: Reporter = createJsonReporter({ write: (s: string) => logged.push(s) }, () => now);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'credit-desk-month-'));
  posts = [];
  logged = [];
  status = 200;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function settingsFor() {
  const accounts = join(dir, 'accounts.csv');
  writeFileSync(
    accounts,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
  );
  return resolveSettings({ usageDir: ISOLATED_USAGE_DIR, workbook: join(dir, 'credits.xlsx'), accounts }, {});
}

describe('run-month', () => {
  test('syncs, assigns, collects and posts its summary; the webhook URL is never logged', async () => {
    const settings = settingsFor();
    const webhook = checkWebhookUrl(`${base}/services/${SECRET}`);
    const r = await runMonth(
      settings,
      { collect: true, usageDir: join(dir, 'usage'), webhook, previous: false },
      {
        source: sourceOfRows([row(1), row(2)]),
        sink: createWorkbookSink({ path: settings.workbook }),
        reporter: capture,
        now,
      },
    );
    expect(r.exitCode).toBe(EXIT_OK);
    expect(r.attention).toEqual([]);
    expect(r.collected?.file?.records).toHaveLength(2);
    expect(posts).toHaveLength(1);
    expect(posts[0].path).toBe(`/services/${SECRET}`);
    expect(posts[0].body.status).toBe('ok');
    const text = String(posts[0].body.text);
    expect(text).toContain('2026-10 USD: 2 credits, 30.02 USD');
    expect(text).toContain('PROCESSING 2 (30.02 USD)');
    expect(text).toMatch(/Cells: [\d,]+ of Google's 10,000,000/);
    // Log lines are JSON, and none of them holds the webhook's secret.
    const lines = logged.join('').trim().split('\n');
    for (const l of lines) expect(Object.keys(JSON.parse(l))).toEqual(['time', 'level', 'msg']);
    expect(logged.join('')).not.toContain(SECRET);
    expect(logged.join('')).toContain('summary posted to the chat webhook (HTTP 200)');
  });

  test('needs attention (exit 3) when AWS has not finalised the month: its credits stay ASSIGNED, not collected', async () => {
    const settings = settingsFor();
    const estimated = [row(1), row(2)].map((r) => ({ ...r, invoiced_lines: 0 }));
    const r = await runMonth(
      settings,
      { collect: true, usageDir: join(dir, 'usage'), previous: false },
      {
        source: sourceOfRows(estimated),
        sink: createWorkbookSink({ path: settings.workbook }),
        reporter: capture,
        now,
      },
    );
    expect(r.exitCode).toBe(EXIT_ATTENTION);
    expect(r.collected?.files).toEqual([]);
    expect(r.attention).toContain(
      '2 credit(s) of 2026-10 not collected: AWS has not finalised 2026-10 yet (Config tab, AWS bill)',
    );
  });

  test('needs attention (exit 3) for credits no rule can assign; a failing webhook is a warning without the URL', async () => {
    const settings = settingsFor();
    status = 500;
    const r = await runMonth(
      settings,
      { usageDir: join(dir, 'usage'), webhook: checkWebhookUrl(`${base}/hook/${SECRET}`), previous: false },
      {
        source: sourceOfRows([row(1), row(2, '999999999999')]), // an account not in Accounts: cannot be assigned
        sink: createWorkbookSink({ path: settings.workbook }),
        reporter: capture,
        now,
      },
    );
    expect(r.exitCode).toBe(EXIT_ATTENTION);
    expect(r.attention.join('\n')).toMatch(
      /^1 credit PENDING_ASSIGN that neither a rule nor the default configuration could assign .*assign it by hand$/m,
    );
    expect(r.webhook).toEqual({ ok: false, detail: 'HTTP 500' });
    expect(posts[0].body.status).toBe('attention');
    expect(logged.join('')).toContain('the chat webhook did not take the summary (HTTP 500)');
    expect(logged.join('')).not.toContain(SECRET);
  });

  test('refuses a plain-http webhook off this machine, naming the setting and not the URL', () => {
    expect(() => checkWebhookUrl(`http://chat.example.com/${SECRET}`)).toThrow(/must use https/);
    try {
      checkWebhookUrl(`http://chat.example.com/${SECRET}`);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(SECRET);
    }
  });
});

describe('report formats', () => {
  test('table, json and csv print the same figures', async () => {
    const settings = settingsFor();
    await runMonth(
      settings,
      { usageDir: join(dir, 'usage'), previous: false },
      {
        source: sourceOfRows([row(1), row(2), row(3)]),
        sink: createWorkbookSink({ path: settings.workbook }),
        reporter: capture,
        now,
      },
    );
    const s = await loadSummary({ sink: createWorkbookSink({ path: settings.workbook }), now });

    const json = JSON.parse(formatReport(s, 'json'));
    expect(json.periods[0]).toMatchObject({
      period: '2026-10',
      currency: 'USD',
      credits: 3,
      amount: '60.03',
      awsBill: 'final',
      byStatus: { ASSIGNED: { credits: 3, amount: '60.03' } },
    });
    expect(json.parties).toContainEqual(
      expect.objectContaining({ role: 'customer', targetId: 'CUST-1', name: 'Acme', amount: '60.03' }),
    );

    const csv = formatReport(s, 'csv');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Credits by period and status');
    expect(lines[1]).toBe('Period,Currency,Status,Credits,Amount,CUR (this sync),Check,AWS bill');
    // AWS bill: what the sync recorded in the Config tab (the fake CUR's lines carry an invoice ID).
    expect(lines).toContain('2026-10,USD,Total,3,60.03,,not read by this run,final');
    expect(lines).toContain('What each usage file carried');

    const table = formatReport(s, 'table');
    expect(table).toMatch(/2026-10\s+USD\s+Total\s+3\s+60\.03/);
    expect(table).toContain('Flags to review');

    await expect(
      loadSummary({ sink: createWorkbookSink({ path: settings.workbook }), now }, '2026-13'),
    ).rejects.toThrow(/not a billing period/);
  });
});
