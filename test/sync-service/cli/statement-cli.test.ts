/**
 * `credit-desk statement` through the real CLI on the demo (issue 23): one .xlsx and .csv per party, named so a
 * folder sorts by period, role and party; totals equal to `report`'s per-party figures; the .xlsx formatted with a
 * frozen header and a bold totals row; what is not invoiced yet said plainly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runCli } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

interface ReportJson {
  parties: { period: string; currency: string; role: string; targetId: string; amount: string }[];
}

describe('credit-desk statement', () => {
  const tempDir = useTempDirs('credit-desk-statement-');

  it('writes a statement per party whose totals are the report’s, for a period and for one reseller', async () => {
    const dir = tempDir();
    expect(runCli(['start'], dir).code).toBe(0);
    const assigned = JSON.parse(runCli(['export', '--format', 'json', '--status', 'ASSIGNED'], dir).out) as {
      creditId: string;
      period: string;
    }[];
    const period = assigned[0].period;
    expect(runCli(['assign', assigned[0].creditId, 'customer 60%, reseller 40%'], dir).code).toBe(0);

    const r = runCli(['statement', '--period', period, '--out', 'out'], dir);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'out'));
    expect(files.length).toBeGreaterThan(2);
    expect(files.every((f) => f.startsWith(`statement-${period}-`))).toBe(true);
    expect(files).toEqual([...files].sort());

    const report = JSON.parse(
      runCli(['report', '--period', period, '--format', 'json'], dir).out,
    ) as ReportJson;
    const parties = report.parties.filter((p) => p.role !== 'distributor' && Number(p.amount) !== 0);
    expect(parties.length).toBeGreaterThan(0);
    for (const p of parties) {
      const csv = readFileSync(join(dir, 'out', `statement-${period}-${p.role}-${p.targetId}.csv`), 'utf8');
      const total = csv.split('\r\n').find((l) => l.startsWith(`Total ${p.currency},`))!;
      expect(total.split(',')[6]).toBe(p.amount);
    }

    // the .xlsx: frozen header, amounts as numbers in the currency's decimals, bold totals, the not-invoiced note
    const reseller = parties.find((p) => p.role === 'reseller')!;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'out', `statement-${period}-reseller-${reseller.targetId}.xlsx`));
    const ws = wb.getWorksheet('Statement')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const amountCol = (ws.getRow(1).values as unknown[]).indexOf('Amount');
    const totalRow = ws
      .getRows(2, ws.rowCount - 1)!
      .find((row) => String(row.getCell(1).value).startsWith('Total'))!;
    expect(totalRow.font?.bold).toBe(true);
    expect(totalRow.getCell(amountCol).value).toBe(Number(reseller.amount));
    expect(totalRow.getCell(amountCol).numFmt).toBe('#,##0.00');
    expect(String(totalRow.getCell(5).value)).toMatch(/not invoiced yet/);

    // one party alone, as CSV only
    const one = runCli(
      ['statement', '--period', period, '--reseller', reseller.targetId, '--format', 'csv', '--out', 'one'],
      dir,
    );
    expect(one.code).toBe(0);
    expect(readdirSync(join(dir, 'one'))).toEqual([`statement-${period}-reseller-${reseller.targetId}.csv`]);
    expect(readFileSync(join(dir, 'one', readdirSync(join(dir, 'one'))[0]), 'utf8')).toMatch(
      new RegExp(`What ${reseller.targetId}'s customers received`),
    );

    // no period and no usage file: told what to give
    const bad = runCli(['statement'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--period 2026-10, or --usage-file UF-/);
  });

  it('follows the usage record where a collected row or its Ledger row was typed over, with no sync between', async () => {
    const dir = tempDir();
    expect(runCli(['start'], dir).code).toBe(0);
    const collect = runCli(['usage', 'collect'], dir);
    expect(collect.code).toBe(0);
    const file = JSON.parse(
      readFileSync(join(dir, 'usage-files', `${/Usage file (UF-\S+):/.exec(collect.out)![1]}.json`), 'utf8'),
    ) as { records: { creditId: string; period: string; customerId: string; allocation: string }[] };
    const billed = file.records.find((r) => r.allocation === 'customer 100%')!;
    // The owner unprotects the tabs and types a reseller's share over the collected row, and another customer
    // over its Ledger row; no command runs in between.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'credits.xlsx'));
    const typeOver = (tab: string, header: string, value: string) => {
      const ws = wb.getWorksheet(tab)!;
      const head = ws.getRow(1).values as unknown[];
      for (let r = 2; r <= ws.rowCount; r++)
        if (ws.getRow(r).getCell(head.indexOf('Credit ID')).value === billed.creditId)
          ws.getRow(r).getCell(head.indexOf(header)).value = value;
    };
    typeOver('Credits', 'Allocation', 'reseller 100%');
    typeOver('Ledger', 'Customer ID', 'CUST-000270');
    await wb.xlsx.writeFile(join(dir, 'credits.xlsx'));

    const r = runCli(['statement', '--period', billed.period, '--format', 'csv', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/The sheet differs from the usage record .*; the statements follow the record/);
    const statementOf = (name: string) => {
      try {
        return readFileSync(join(dir, 'out', `statement-${billed.period}-${name}.csv`), 'utf8');
      } catch {
        return '';
      }
    };
    expect(statementOf(`customer-${billed.customerId}`)).toContain(billed.creditId);
    expect(statementOf('customer-CUST-000270')).not.toContain(billed.creditId);
    const resellers = readdirSync(join(dir, 'out')).filter((f) => f.includes('-reseller-'));
    for (const f of resellers)
      for (const line of readFileSync(join(dir, 'out', f), 'utf8').split('\r\n'))
        if (line.includes(billed.creditId)) expect(line).toContain(billed.customerId); // only as the customer's
    // `report` follows the record too, says so, and its per-party figures are the statements' totals
    const rep = runCli(['report', '--period', billed.period, '--format', 'json'], dir);
    expect(rep.code).toBe(0);
    expect(rep.err).toMatch(/The sheet differs from the usage record .*; the report follows the record/);
    const parties = (JSON.parse(rep.out) as ReportJson).parties.filter(
      (p) => p.role !== 'distributor' && Number(p.amount) !== 0,
    );
    expect(parties.map((p) => p.targetId)).toContain(billed.customerId);
    for (const p of parties) {
      const total = statementOf(`${p.role}-${p.targetId}`)
        .split('\r\n')
        .find((l) => l.startsWith(`Total ${p.currency},`));
      expect([p.targetId, total?.split(',')[6]]).toEqual([p.targetId, p.amount]);
    }
    // and nothing was written: the sheet is as typed until a writing command puts it back
    const after = new ExcelJS.Workbook();
    await after.xlsx.readFile(join(dir, 'credits.xlsx'));
    const ws = after.getWorksheet('Credits')!;
    const head = ws.getRow(1).values as unknown[];
    const typed = ws
      .getRows(2, ws.rowCount - 1)!
      .find((row) => row.getCell(head.indexOf('Credit ID')).value === billed.creditId)!;
    expect(typed.getCell(head.indexOf('Allocation')).value).toBe('reseller 100%');
  });
});
