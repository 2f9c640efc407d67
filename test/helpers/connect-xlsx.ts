/**
 * Usage .xlsx files for the Connect server and client tests, written by the project's own writer
 * (sync-service/usage/usage-files.ts writeUsageXlsx) from a small journal, then changed where a test needs a
 * file Connect must refuse (a tab missing, two currencies) or a parameter column after `tier`.
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { UsageFile, UsageRecord } from '../../core/usage';
import { usageXlsxPath, writeUsageXlsx } from '../../sync-service/usage/usage-files';
import { withTempDir } from './fixtures-io';

export const CONNECT_TARGET = {
  product: 'PRD-123-456-789',
  marketplace: 'MP-12345',
  contract: 'CRD-12345-12345-12345',
  item: 'AWS-CREDIT',
};

/** A journal of one credit per asset, each billed whole to the customer (tier 0), in USD. */
export function journal(usageFileId: string, assets: string[], currency = 'USD'): UsageFile {
  const records: UsageRecord[] = assets.map((assetId, i) => {
    const id = `UR-2026-11-0001-${String(i + 1).padStart(5, '0')}`;
    const amount = 1000 * (i + 1) + 1;
    return {
      usageRecordId: id,
      creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
      key: `k${i}`,
      period: '2026-10',
      accountId: '100000000001',
      customerId: `CUST-${i}`,
      assetId,
      resellerId: 'RES-1',
      service: 'AmazonEC2',
      description: 'credit',
      currency,
      amount,
      allocation: 'customer 100%',
      lines: [{ role: 'customer', targetId: `CUST-${i}`, amount }] as UsageRecord['lines'],
      ruleId: '',
      billed: [{ recordId: `${id}-1`, role: 'customer', targetId: `CUST-${i}`, assetId, tier: 0, amount }],
    };
  });
  return {
    usageFileId,
    status: 'ready',
    createdAt: '2026-11-27T00:00:00.000Z',
    closedAt: null,
    processingDate: '2026-11-27',
    period: '2026-10',
    currency,
    connect: CONNECT_TARGET,
    records,
    totals: [{ currency, amount: records.reduce((s, r) => s + r.amount, 0), credits: records.length }],
  };
}

/** The .xlsx the writer makes of `file`, changed by `edit` (an ExcelJS workbook) when given. */
export async function usageXlsx(file: UsageFile, edit?: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const bytes = await withTempDir(async (dir) => {
    await writeUsageXlsx(dir, file);
    return new Uint8Array(readFileSync(usageXlsxPath(dir, file.usageFileId)));
  });
  if (!edit) return bytes;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  edit(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Adds a parameter column after `tier` (how Connect's SDKs write record parameters), one value per row. */
export function addParamColumn(name: string, value: (recordId: string) => string) {
  return (wb: ExcelJS.Workbook) => {
    const ws = wb.getWorksheet('records')!;
    const col = ws.getRow(1).cellCount + 1;
    ws.getRow(1).getCell(col).value = name;
    for (let r = 2; r <= ws.rowCount; r++)
      ws.getRow(r).getCell(col).value = value(String(ws.getRow(r).getCell(1).value));
  };
}
