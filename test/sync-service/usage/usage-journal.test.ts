/**
 * The journal (a usage file's JSON twin) is written in pieces and its folder's parse is kept between loads
 * (sync-service/usage/usage-files.ts): the text must be `JSON.stringify(file, null, 2)` with each usage record on a
 * line of its own, read back by JSON.parse as the file it was written from, and a journal changed on disk, or an
 * object a caller changed, must never come back from a stale parse.
 */
import fc from 'fast-check';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { UsageFile, UsageRecord } from '../../../core/usage';
import { loadUsageFiles, saveUsageJson, usageJsonPath } from '../../../sync-service/usage/usage-files';
import { withTempDir } from '../../helpers/fixtures-io';

function record(i: number, description: string): UsageRecord {
  return {
    usageRecordId: `UR-2026-11-0001-0001-${String(i).padStart(5, '0')}`,
    creditId: `AWSC-202610-0000-${String(i).padStart(4, '0')}`,
    key: `k${i}`,
    period: '2026-10',
    accountId: '100000000001',
    customerId: 'CUST-1',
    assetId: 'AS-1',
    resellerId: 'RES-1',
    service: 'AmazonEC2',
    description,
    currency: 'USD',
    amount: 100 + i,
    allocation: 'customer 100%',
    lines: [{ role: 'customer', targetId: 'CUST-1', amount: 100 + i }] as UsageRecord['lines'],
    ruleId: '',
    distributorKeeps: i % 2 ? null : 0,
    billed: [
      {
        recordId: `r${i}-1`,
        role: 'customer',
        targetId: 'CUST-1',
        assetId: 'AS-1',
        tier: 0,
        amount: 100 + i,
      },
    ],
  };
}

function journal(descriptions: string[], extra: Partial<UsageFile> = {}): UsageFile {
  return {
    usageFileId: 'UF-2026-11-0001-0001',
    status: 'collecting',
    createdAt: '2026-11-27T00:00:00.000Z',
    closedAt: null,
    processingDate: '2026-11-27',
    period: '2026-10',
    currency: 'USD',
    records: descriptions.map((d, i) => record(i, d)),
    totals: [{ currency: 'USD', amount: 100, credits: descriptions.length }],
    ...extra,
  };
}

const written = (dir: string, file: UsageFile) => readFileSync(usageJsonPath(dir, file.usageFileId), 'utf8');

/**
 * What a journal's text must be: the file as JSON.parse reads it; its records between a line `  "records": [` and a
 * line `  ]`, one a line (four spaces, the record's compact JSON, a comma but after the last); and the rest, with
 * that block taken out, `JSON.stringify` of the file without records, indented by two.
 */
function expectJournal(text: string, file: UsageFile): void {
  expect(JSON.parse(text)).toEqual(file);
  expect(text.endsWith('}\n')).toBe(true);
  if (!file.records.length) {
    expect(text).toBe(JSON.stringify(file, null, 2) + '\n');
    return;
  }
  const lines = text.split('\n');
  const open = lines.indexOf('  "records": [');
  const close = lines.indexOf('  ],', open);
  expect(open).toBeGreaterThan(0);
  const recordLines = lines.slice(open + 1, close);
  expect(recordLines).toHaveLength(file.records.length);
  recordLines.forEach((line, i) => {
    const last = i === recordLines.length - 1;
    expect(line.startsWith('    {')).toBe(true);
    expect(line.endsWith(last ? '}' : '},')).toBe(true);
    expect(JSON.parse(last ? line : line.slice(0, -1))).toEqual(file.records[i]);
  });
  const rest = [...lines.slice(0, open), '  "records": [],', ...lines.slice(close + 1)].join('\n');
  expect(rest).toBe(JSON.stringify({ ...file, records: [] }, null, 2) + '\n');
}

describe('the usage journal', () => {
  it('is JSON.stringify(file, null, 2) with a record a line, whatever text the records hold', async () => {
    await withTempDir(async (dir) => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 6 }),
          async (texts) => {
            const file = journal(texts);
            await saveUsageJson(dir, file);
            expectJournal(written(dir, file), file);
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  it('is written whole when a text holds the marker the pieces are cut at', async () => {
    await withTempDir(async (dir) => {
      const file = journal(['a'], { period: '\u0000records UF-2026-11-0001-0001\u0000' });
      await saveUsageJson(dir, file);
      expect(written(dir, file)).toBe(JSON.stringify(file, null, 2) + '\n');
    });
  });

  it('saved again with another status (the same records) says that status', async () => {
    await withTempDir(async (dir) => {
      const file = journal(['one', 'two']);
      await saveUsageJson(dir, file);
      const ready: UsageFile = { ...file, status: 'ready' };
      await saveUsageJson(dir, ready);
      expectJournal(written(dir, ready), ready);
    });
  });

  it('is parsed again when the file changed since the last load; a caller’s change to a loaded one stays its own', async () => {
    await withTempDir(async (dir) => {
      await saveUsageJson(dir, journal(['one']));
      const first = loadUsageFiles(dir)[0];
      first.status = 'closed'; // the caller's own copy
      expect(loadUsageFiles(dir)[0].status).toBe('collecting');
      await saveUsageJson(dir, journal(['one'], { status: 'ready' }));
      expect(loadUsageFiles(dir)[0].status).toBe('ready');
      // Rewritten in place by someone else (same inode): read again all the same.
      const path = usageJsonPath(dir, first.usageFileId);
      writeFileSync(path, readFileSync(path, 'utf8').replace('"ready"', '"rejected"'));
      expect(loadUsageFiles(dir)[0].status).toBe('rejected');
    });
  });

  it('hands out records that cannot be changed in place: the kept parse is every later load’s', async () => {
    await withTempDir(async (dir) => {
      await saveUsageJson(dir, journal(['one', 'two']));
      const loaded = loadUsageFiles(dir)[0];
      expect(() => {
        loaded.records[0].amount = 1;
      }).toThrow(TypeError);
      expect(() => {
        loaded.records[0].lines[0].amount = 1;
      }).toThrow(TypeError);
      expect(() => loaded.records.push(loaded.records[0])).toThrow(TypeError);
      expect(loadUsageFiles(dir)[0].records).toEqual(journal(['one', 'two']).records);
    });
  });

  describe('saved again after a load (usage close): the records copied from the file, not encoded again', () => {
    const block = (text: string) => text.slice(text.indexOf('\n  "records": ['), text.indexOf('\n  ]') + 4);

    it('gives the text a fresh encoding gives, whatever text the records hold', async () => {
      await withTempDir(async (dir) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 6 }),
            async (texts) => {
              const file = journal(texts, { status: 'ready' });
              await saveUsageJson(dir, file);
              const loaded = loadUsageFiles(dir)[0];
              expect(loaded).toEqual(file);
              const closed = { ...loaded, status: 'closed' as const, closedAt: '2026-12-01T00:00:00.000Z' };
              await saveUsageJson(dir, closed);
              const text = written(dir, closed);
              expectJournal(text, closed);
              await saveUsageJson(dir, structuredClone(closed)); // another array: encoded
              expect(text).toBe(written(dir, closed));
            },
          ),
          { numRuns: 60 },
        );
      });
    });

    it('after a save too: the records are copied from the file just written, not encoded again', async () => {
      await withTempDir(async (dir) => {
        const file = journal(['one', 'two']);
        await saveUsageJson(dir, file);
        // Journals are never changed in place (core/usage.ts makes new ones); one changed here shows where the
        // next save takes the records from: the file, as written.
        (file.records[1] as { description: string }).description = 'changed in memory';
        const ready: UsageFile = { ...file, status: 'ready' };
        await saveUsageJson(dir, ready);
        expect(JSON.parse(written(dir, ready)).records[1].description).toBe('two');
        expect(JSON.parse(written(dir, ready)).status).toBe('ready');
      });
    });

    it('copies the bytes on disk (a journal with every field on a line keeps its records so)', async () => {
      await withTempDir(async (dir) => {
        const file = journal(['one', 'line\n  ]\n  "records": [\n'], { status: 'ready' });
        const path = usageJsonPath(dir, file.usageFileId);
        const old = JSON.stringify(file, null, 2) + '\n';
        writeFileSync(path, old);
        const loaded = loadUsageFiles(dir)[0];
        expect(loaded).toEqual(file);
        const closed = { ...loaded, status: 'closed' as const };
        await saveUsageJson(dir, closed);
        const text = written(dir, closed);
        expect(JSON.parse(text)).toEqual(closed);
        expect(block(text)).toBe(block(old));
      });
    });

    it('reads a journal laid out otherwise whole: the lines it cuts at inside another structure', async () => {
      await withTempDir(async (dir) => {
        const file = journal(['one'], { status: 'ready' });
        const path = usageJsonPath(dir, file.usageFileId);
        // Valid JSON whose first top-level-looking "records" line opens a nested array (hand-written, say).
        const odd = `{\n  "meta": {\n  "records": [\n1\n  ]\n},\n${JSON.stringify(file, null, 2).slice(2)}\n`;
        writeFileSync(path, odd);
        expect(loadUsageFiles(dir)[0]).toEqual({ meta: { records: [1] }, ...file });
        // Valid JSON whose first closing line closes an inner array: neither piece parses; the whole does.
        const inner = JSON.stringify(file, null, 2).replace(
          /\n {2}"records": \[\n/,
          '\n  "records": [\n    [\n  ],\n',
        );
        writeFileSync(path, inner);
        expect(loadUsageFiles(dir)[0].records).toEqual([[], ...file.records]);
        writeFileSync(path, `{\n  "x": "a",\n  "records": [\n    1,\n  ]\n}\n`); // not JSON at all
        expect(() => loadUsageFiles(dir)).toThrow(/is not a readable usage file/);
      });
    });

    it('encodes the records it holds when the file changed since the load', async () => {
      await withTempDir(async (dir) => {
        const file = journal(['one', 'two'], { status: 'ready' });
        await saveUsageJson(dir, file);
        const loaded = loadUsageFiles(dir)[0];
        // Rewritten by someone else meanwhile, other records: the loaded ones are what is saved.
        const path = usageJsonPath(dir, file.usageFileId);
        const { mtime } = statSync(path);
        writeFileSync(path, readFileSync(path, 'utf8').replace('"description":"two"', '"description":"TWO"'));
        utimesSync(path, mtime, mtime); // as a rewrite within one tick of a coarse clock (as far as utimes can put it back)
        const closed = { ...loaded, status: 'closed' as const };
        await saveUsageJson(dir, closed);
        expectJournal(written(dir, closed), closed);
        expect(closed.records[1].description).toBe('two');
      });
    });
  });
});
