/**
 * usageXlsxMatches decides whether a collection's usage .xlsx must be rewritten from its journal. It reads the
 * file the fast way and falls back to ExcelJS; both must say "same" only for exactly the journal's records.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { UsageFile, UsageRecord } from '../../core/usage';
import { readPlainSheet } from '../../sync-service/sinks/workbook-read';
import { usageXlsxMatches, usageXlsxPath, writeUsageXlsx } from '../../sync-service/usage/usage-files';
import { withTempDir } from '../helpers/fixtures-io';

function usageFile(ids: string[]): UsageFile {
  const records: UsageRecord[] = ids.map((id, i) => ({
    usageRecordId: id,
    creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
    key: `k${i}`,
    period: '2026-10',
    accountId: '100000000001',
    customerId: 'CUST-1',
    assetId: 'AS-1',
    resellerId: 'RES-1',
    service: 'AmazonEC2',
    description: 'credit',
    currency: 'USD',
    amount: 100,
    allocation: 'customer 100%',
    lines: [{ role: 'customer', targetId: 'CUST-1', amount: 100 }] as UsageRecord['lines'],
    ruleId: '',
    billed: [
      { recordId: `${id}-1`, role: 'customer', targetId: 'CUST-1', assetId: 'AS-1', tier: 0, amount: 100 },
    ],
  }));
  return {
    usageFileId: 'UF-2026-11-0001-0001',
    status: 'ready',
    createdAt: '2026-11-27T00:00:00.000Z',
    closedAt: null,
    processingDate: '2026-11-27',
    period: '2026-10',
    currency: 'USD',
    records,
    totals: [{ currency: 'USD', amount: ids.length * 100, credits: ids.length }],
  };
}

describe('usageXlsxMatches', () => {
  it('is true for the file written from the journal, false for a different or missing one', async () => {
    await withTempDir(async (dir) => {
      const ids = ['UR-1', 'UR-2', 'UR-3'];
      expect(await usageXlsxMatches(dir, usageFile(ids))).toBe(false); // missing
      await writeUsageXlsx(dir, usageFile(ids));
      expect(await usageXlsxMatches(dir, usageFile(ids))).toBe(true);
      // …decided by the fast read (ExcelJS only when that gives up)
      const path = usageXlsxPath(dir, usageFile(ids).usageFileId);
      expect(readPlainSheet(readFileSync(path), 'records')?.rows.map((r) => r[0])).toEqual(
        ids.map((id) => `${id}-1`),
      );
      expect(await usageXlsxMatches(dir, usageFile(['UR-1', 'UR-2']))).toBe(false);
      expect(await usageXlsxMatches(dir, usageFile(['UR-1', 'UR-2', 'UR-4']))).toBe(false);
      expect(await usageXlsxMatches(dir, usageFile([...ids, 'UR-5']))).toBe(false);
      // Another beneficiary's asset or amount is another file.
      const moved = usageFile(ids);
      moved.records[1].billed = [{ ...moved.records[1].billed![0], assetId: 'AS-2' }];
      expect(await usageXlsxMatches(dir, moved)).toBe(false);
      const halved = usageFile(ids);
      halved.records[2].billed = [{ ...halved.records[2].billed![0], amount: 50 }];
      expect(await usageXlsxMatches(dir, halved)).toBe(false);
      // A journal of an older version (no billed rows) never matches: its file is rewritten in the new layout.
      const older = usageFile(ids);
      for (const r of older.records) delete r.billed;
      expect(await usageXlsxMatches(dir, older)).toBe(false);
    });
  });

  it('gives the same answer through ExcelJS when the file holds what only ExcelJS reads', async () => {
    await withTempDir(async (dir) => {
      const ids = ['UR-1', 'UR-2'];
      await writeUsageXlsx(dir, usageFile(ids));
      const path = usageXlsxPath(dir, usageFile(ids).usageFileId);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path);
      // A formula somewhere in the records sheet: the fast read gives up on the file.
      wb.getWorksheet('records')!.getCell('Z1').value = { formula: '1+1', result: 2 } as never;
      await wb.xlsx.writeFile(path);
      expect(readPlainSheet(readFileSync(path), 'records')).toBeNull();
      expect(await usageXlsxMatches(dir, usageFile(ids))).toBe(true);
      expect(await usageXlsxMatches(dir, usageFile(['UR-1', 'UR-3']))).toBe(false);
    });
  });
});
