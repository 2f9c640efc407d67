/**
 * The exit codes of the real `credit-desk` command on awkward input: 3 when a sync left unreadable CUR lines
 * out (the rest landed), 3 when a collection skipped a credit (the rest were collected), 1 when apply-rules
 * refuses broken rules, 0 with --allow-broken-rules.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';

const BIN = path.join(__dirname, '../../../bin/credit-desk.cjs');
const tmpDir = useTempDirs('credit-desk-awkward-cli-');
const db = useDuckDb();

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CREDIT_DESK_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('credit-desk exit codes on awkward input', () => {
  it('sync exits 3 with lines left out, usage collect exits 3 with a skipped credit, apply-rules 1 on broken rules', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'cur', 'billing_period=2026-10', 'x.parquet');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Every line carries an invoice ID: AWS has finalised the month, so collect may take it (core/aws-bill.ts).
    await db().run(`COPY (SELECT *, 'INV-1' AS bill_invoice_id FROM (VALUES
        ('id-1', '111111111111', '222222222222', 'Credit', 'AmazonEC2', 'Promo A', 'USD', '-10.00'),
        ('id-2', '111111111111', '222222222222', 'Credit', 'AmazonEC2', 'Promo B', 'USD', '-20.00'),
        ('id-3', '111111111111', '222222222222', 'Credit', 'AmazonEC2', 'Promo C', 'USD', 'garbage')
      ) t(identity_line_item_id, bill_payer_account_id, line_item_usage_account_id, line_item_line_item_type,
          line_item_product_code, line_item_line_item_description, line_item_currency_code, line_item_unblended_cost))
      TO '${file}' (FORMAT PARQUET)`);
    fs.writeFileSync(
      path.join(dir, 'accounts.csv'),
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,P,CUST-1,Acme,AS-1,RES-1,R\n',
    );
    const common = ['--workbook', 'credits.xlsx', '--usage-dir', 'usage'];

    const sync = run(
      [
        'sync',
        '--cur',
        'cur',
        '--period',
        '2026-10',
        '--no-previous',
        '--accounts',
        'accounts.csv',
        ...common,
      ],
      dir,
    );
    expect(sync.err).not.toMatch(/^error/m);
    expect(sync.code).toBe(3);
    expect(sync.out).toMatch(/left out\s+1\s+CUR lines that cannot be read at all/);
    expect(sync.out).toMatch(/identity_line_item_id id-3: the cost "garbage" is not a number/);
    expect(sync.out).toMatch(
      /2026-10 USD {2}CUR 30\.00 USD = imported 30\.00 USD \+ held 0\.00 USD \+ left out 0\.00 USD/,
    );

    const rules = path.join(dir, 'rules.csv');
    fs.writeFileSync(
      rules,
      'Rule ID,Name,Credit Description,Match,Customer %,Reseller %,From,To,Customer Context,Customers,Reseller Context,Resellers,Service Context,Services,Created,Enabled\n' +
        'R-1,Bad,,contains,150,0,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\n',
    );
    const load = run(
      ['sync', '--cur', 'cur', '--period', '2026-10', '--no-previous', '--rules', 'rules.csv', ...common],
      dir,
    );
    expect(load.code).toBe(3); // the unreadable line is still there
    const refused = run(['apply-rules', ...common], dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Rules row 2 \(R-1\)/);
    const allowed = run(['apply-rules', '--allow-broken-rules', ...common], dir);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/this rule is ignored/);
    expect(allowed.out).toMatch(/Assigned 2 credits/);

    // One garbage Allocation cell: collect skips that credit, names its row, collects the other.
    const sink = createWorkbookSink({ path: path.join(dir, 'credits.xlsx') });
    const state = readState(await sink.read());
    const first = state.credits[0];
    await sink.write({
      updates: [{ key: first.credit.key, fields: { allocation: 'everything to Bob' } }],
      appends: [],
      audit: [],
    });
    const collect = run(['usage', 'collect', ...common], dir);
    expect(collect.code).toBe(3);
    expect(collect.out).toMatch(
      new RegExp(
        `Skipped Credits row ${first.sheetRow} \\(${first.credit.creditId}\\): the Allocation "everything to Bob" cannot be used`,
      ),
    );
    expect(collect.out).toMatch(/Usage file UF-\S+: 1 credits/);
  });
});
