/**
 * Every usage file a test wrote, through the Connect usage-file check (emulators/connect-usage-file.ts), and
 * compared with its journal: one currency, the schema's columns, every record on a known asset, and each
 * credit's records adding up to what it bills (the credit minus what the distributor keeps), negative.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkUsageFile, type UsageFileCheck } from '../../emulators/connect-usage-file';
import type { UsageFile } from '../../core/usage';

export async function expectConnectValid(
  usageDir: string,
  knownAssets?: ReadonlySet<string>,
): Promise<{ file: UsageFile; check: UsageFileCheck }[]> {
  const out: { file: UsageFile; check: UsageFileCheck }[] = [];
  for (const name of readdirSync(usageDir).filter((n) => /^UF-.*\.json$/.test(n))) {
    const file = JSON.parse(readFileSync(join(usageDir, name), 'utf8')) as UsageFile;
    const check = await checkUsageFile(readFileSync(join(usageDir, name.replace(/\.json$/, '.xlsx'))), {
      knownAssets,
    });
    expect({ file: file.usageFileId, problems: check.problems }).toEqual({
      file: file.usageFileId,
      problems: [],
    });
    expect(new Set(file.records.map((r) => r.currency))).toEqual(new Set([check.currency]));
    for (const r of file.records) {
      const billed = r.lines.filter((l) => l.role !== 'distributor').reduce((s, l) => s + l.amount, 0);
      const rows = check.records.filter((x) => x.recordId.startsWith(`${r.usageRecordId}-`));
      expect({ credit: r.creditId, billed: rows.reduce((s, x) => s + x.amount, 0) }).toEqual({
        credit: r.creditId,
        billed: 0 - billed, // 0 - 0 is 0, not -0 (toEqual tells them apart)
      });
      for (const x of rows) expect(x.note).toContain(r.creditId);
    }
    out.push({ file, check });
  }
  return out;
}
