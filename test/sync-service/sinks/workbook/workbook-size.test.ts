/**
 * A workbook write that would not fit in the heap is refused before it starts, naming how many credits fit,
 * instead of dying half-way with "JavaScript heap out of memory".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreditDeskError } from '../../../../core/errors';
import { cellsThatFit, createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import { changes, credit } from './workbook-helpers';
import { withTempDir } from '../../../helpers/fixtures-io';

describe('workbook size check', () => {
  it('refuses a write past the limit with the number that fits, and writes nothing', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path, maxCells: 2_000 });
      await sink.read();
      const many = changes({ appends: Array.from({ length: 100 }, (_, i) => credit(i)) });
      const err = await sink.write(many).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CreditDeskError);
      expect((err as Error).message).toMatch(
        /would hold 100 credits .* fits about \d+ credits in a workbook/,
      );
      expect((err as Error).message).toMatch(/max-old-space-size=\d+/);
      expect(existsSync(path)).toBe(false);
      // Under the limit, the same sink writes.
      await sink.write(changes({ appends: [credit(1)] }));
      expect(existsSync(path)).toBe(true);
    });
  });

  it('lets a patched first load hold twice what the whole write may, and refuses past that the same way', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path, maxCells: 2_000, firstLoadSplit: 2 });
      await sink.read();
      const tooMany = changes({ appends: Array.from({ length: 200 }, (_, i) => credit(i)) });
      const err = await sink.write(tooMany).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /would hold 200 credits .* fits about \d+ credits in a workbook/,
      );
      expect(existsSync(path)).toBe(false);
      // 100 credits are past the whole write's limit (above) but within the patched first load's.
      const report = await sink.write(changes({ appends: Array.from({ length: 100 }, (_, i) => credit(i)) }));
      expect(report.appendedRows).toBe(100);
      expect(existsSync(path)).toBe(true);
    });
  });

  it('the default limit follows the heap: 4 GiB fits millions of cells, not tens of millions', () => {
    const fits = cellsThatFit(4 * 2 ** 30);
    expect(fits).toBeGreaterThan(2_000_000);
    expect(fits).toBeLessThan(20_000_000);
    expect(cellsThatFit(8 * 2 ** 30)).toBeGreaterThanOrEqual(2 * fits);
  });
});
