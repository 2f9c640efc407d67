/**
 * usageXlsxMatches decides whether a collection's usage .xlsx must be rewritten from its journal: "same" only for
 * exactly the file writeUsageXlsx writes from that journal (sync-service/xlsx/xlsx-stream.ts compares them).
 */
import { copyFileSync, readFileSync, renameSync, rmSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { UsageFile, UsageRecord } from '../../../core/usage';
import { checkUsageFile } from '../../../emulators/connect-usage-file';
import { readPlainSheet } from '../../../sync-service/sinks/workbook/workbook-read';
import { usageXlsxMatches, usageXlsxPath, writeUsageXlsx } from '../../../sync-service/usage/usage-files';
import { withTempDir } from '../../helpers/fixtures-io';

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
      // …and the file holds those records, read back another way
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

  it('is false for the same records saved by another writer: the file is rewritten from the journal', async () => {
    await withTempDir(async (dir) => {
      const ids = ['UR-1', 'UR-2'];
      await writeUsageXlsx(dir, usageFile(ids));
      const path = usageXlsxPath(dir, usageFile(ids).usageFileId);
      // Opened and saved in ExcelJS (as Excel would): the same values, another file.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path);
      await wb.xlsx.writeFile(path);
      expect(readPlainSheet(readFileSync(path), 'records')?.rows.map((r) => r[0])).toEqual([
        'UR-1-1',
        'UR-2-1',
      ]);
      expect(await usageXlsxMatches(dir, usageFile(ids))).toBe(false);
      await writeUsageXlsx(dir, usageFile(ids));
      expect(await usageXlsxMatches(dir, usageFile(ids))).toBe(true);
    });
  });

  it('compares again a file touched after this process wrote it, even from the same journal', async () => {
    await withTempDir(async (dir) => {
      const file = usageFile(['UR-1', 'UR-2']);
      const path = await writeUsageXlsx(dir, file);
      expect(await usageXlsxMatches(dir, file)).toBe(true);
      // Replaced by another file (another writer, a copy put back): its identity changed, so it is compared.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(path);
      await wb.xlsx.writeFile(path);
      expect(await usageXlsxMatches(dir, file)).toBe(false);
      // Written again by another journal object of the same records: compared, and the same.
      await writeUsageXlsx(dir, usageFile(['UR-1', 'UR-2']));
      expect(await usageXlsxMatches(dir, file)).toBe(true);
      // The same bytes put back under a new inode (a copy): compared, and the same.
      copyFileSync(path, `${path}.copy`);
      rmSync(path);
      renameSync(`${path}.copy`, path);
      expect(await usageXlsxMatches(dir, file)).toBe(true);
    });
  });

  it("writes a file Connect's check accepts, with every record as the journal has it, at 5,000 records", async () => {
    await withTempDir(async (dir) => {
      const ids = Array.from({ length: 5_000 }, (_, i) => `UR-${i}`);
      const file = usageFile(ids);
      await writeUsageXlsx(dir, file);
      const check = await checkUsageFile(readFileSync(usageXlsxPath(dir, file.usageFileId)));
      expect(check.problems).toEqual([]);
      expect(check.records.map((r) => [r.recordId, r.assetId, r.tier, r.amount])).toEqual(
        ids.map((id) => [`${id}-1`, 'AS-1', 0, -100]),
      );
      expect(check.total).toBe(-100 * ids.length);
      expect(await usageXlsxMatches(dir, file)).toBe(true);
    });
  });
});
