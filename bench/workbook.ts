/**
 * Workbook sink speed: a new workbook with 50,000 credit rows (read of the missing file + first write), a
 * re-read of that file, and a re-write with 1 % of the rows updated (the usual daily sync).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreditField } from '../core/sheet-contract';
import type { Cell } from '../core/table';
import type { CellUpdate } from '../core/sheet-changes';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';

const ROWS = 50_000;
const STATUSES = ['PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'];

function creditRecord(i: number): Record<CreditField, Cell> {
  const account = String(100000000000 + (i % 2000)).padStart(12, '0');
  return {
    creditId: `CR-2024-05-${String(i).padStart(6, '0')}`,
    period: '2024-05',
    accountId: account,
    payerAccountId: '000123456789',
    customerId: `C${i % 500}`,
    assetId: `A${i % 700}`,
    resellerId: `R${i % 40}`,
    service: i % 3 ? 'AmazonEC2' : 'AmazonS3',
    description: `AWS Activate credit ${i % 97} for ${account}`,
    amount: ((i * 7919) % 100000) / 100,
    currency: 'USD',
    status: STATUSES[i % 4],
    allocation: i % 4 ? 'customer 60%, reseller 40%' : '',
    distributorKeeps: i % 4 ? 0 : '',
    ruleId: i % 4 ? 'R-1' : '',
    usageFileId: i % 4 >= 2 ? `UF-${i % 30}` : '',
    usageRecordId: i % 4 >= 2 ? `UR-${i}` : '',
    processingDate: i % 4 >= 2 ? '2024-06-03' : '',
    flags: '',
    notes: '',
    lastChange: '2024-06-01T10:00:00.000Z',
    key: `k${i.toString(36)}`,
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

export async function benchWorkbook(): Promise<{ name: string; value: number; unit: string }[]> {
  const dir = await mkdtemp(join(tmpdir(), 'credit-desk-bench-'));
  const path = join(dir, 'credits.xlsx');
  try {
    const appends = Array.from({ length: ROWS }, (_, i) => creditRecord(i));
    const first = createWorkbookSink({ path });
    const [, newMs] = await timed(async () => {
      await first.read();
      await first.write({ updates: [], appends, audit: [] });
    });
    await first.close();

    const second = createWorkbookSink({ path });
    const [snapshot, readMs] = await timed(() => second.read());
    const updates: CellUpdate[] = [];
    const keyAt = snapshot.tabs.credits.headers.indexOf('Key');
    for (let i = 0; i < snapshot.tabs.credits.rows.length; i += 100) {
      updates.push({
        key: String(snapshot.tabs.credits.rows[i][keyAt]),
        fields: { notes: 'x', lastChange: '2024-06-02T10:00:00.000Z' },
      });
    }
    const [, updateMs] = await timed(() => second.write({ updates, appends: [], audit: [] }));
    await second.close();
    const size = (await stat(path)).size;

    return [
      {
        name: `workbook: new ${ROWS.toLocaleString('en-US')}-row workbook (read + write)`,
        value: Math.round(newMs),
        unit: 'ms',
      },
      { name: `workbook: read ${ROWS.toLocaleString('en-US')} rows`, value: Math.round(readMs), unit: 'ms' },
      { name: 'workbook: re-write with 1 % of rows updated', value: Math.round(updateMs), unit: 'ms' },
      {
        name: `workbook: file size for ${ROWS.toLocaleString('en-US')} rows`,
        value: Math.round(size / 1024),
        unit: 'KiB',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
