/**
 * The local Athena server's tables of a CUR folder (emulators/athena-cur-table.ts) and the arguments of
 * `npm run servers` (emulators/servers-args.ts). Property: however AWS spelled the partition folders (any case of
 * BILLING_PERIOD, month=7 or month=07, a version folder or none), every file of the current version is in exactly
 * one partition, whose values are the folder's own text, and no other file is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { curTable } from '../../emulators/athena-cur-table';
import { parseServersArgs } from '../../emulators/servers-args';
import { inspectCurFolder } from '../../sync-service/sources/cur-folder';
import { useTempDirs } from '../helpers/fixtures-io';

const tmpDir = useTempDirs('credit-desk-cur-table-');

const month = fc.record({
  year: fc.integer({ min: 2018, max: 2027 }),
  month: fc.integer({ min: 1, max: 12 }),
  padded: fc.boolean(),
  upper: fc.boolean(),
  files: fc.integer({ min: 1, max: 3 }),
  versionFolder: fc.boolean(),
});

test('every file of the current version is in one partition, with its folder’s values', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.uniqueArray(month, {
        minLength: 1,
        maxLength: 5,
        selector: (m) => `${m.year}-${m.month}-${m.padded}`,
      }),
      (cur2, months) => {
        const root = tmpDir();
        for (const m of months) {
          const mm = m.padded ? String(m.month).padStart(2, '0') : String(m.month);
          const dir = cur2
            ? path.join(
                root,
                'data',
                `${m.upper ? 'BILLING_PERIOD' : 'billing_period'}=${m.year}-${String(m.month).padStart(2, '0')}`,
              )
            : path.join(root, 'r', `${m.upper ? 'YEAR' : 'year'}=${m.year}`, `month=${mm}`);
          const versions = m.versionFolder ? ['v-old', 'v-new'] : [''];
          versions.forEach((v, i) => {
            for (let f = 0; f < m.files; f++) {
              const file = path.join(dir, v, `part-${f}.parquet`);
              fs.mkdirSync(path.dirname(file), { recursive: true });
              fs.writeFileSync(file, 'x'.repeat(f + 1));
              const t = new Date(Date.UTC(2026, 0, 1 + i));
              fs.utimesSync(file, t, t);
            }
          });
        }
        const table = curTable(root);
        const current = inspectCurFolder(root).periods.flatMap((p) => p.files);
        const served = table.partitions.flatMap((p) => p.files.map((f) => f.path));
        expect([...served].sort()).toEqual([...current].sort());
        expect(served.some((f) => f.includes('v-old'))).toBe(false);
        for (const p of table.partitions) {
          for (const f of p.files) {
            const folders = path.relative(table.location, f.path).split(path.sep);
            for (const key of table.partitionKeys) {
              expect(folders).toContainEqual(
                expect.stringMatching(new RegExp(`^${key}=${p.values[key]}$`, 'i')),
              );
            }
            expect(f.size).toBe(fs.statSync(f.path).size);
          }
        }
        // One partition per distinct folder spelling: month=7 and month=07 stay two, as Glue registers them.
        const spellings = new Set(
          served.map((f) =>
            path
              .relative(table.location, f)
              .split(path.sep)
              .filter((s) => s.includes('='))
              .join('/')
              .toLowerCase(),
          ),
        );
        expect(table.partitions).toHaveLength(spellings.size);
      },
    ),
    { numRuns: 40 },
  );
});

describe('npm run servers arguments', () => {
  it('takes --cur DIR or --cur=DIR, once', () => {
    expect(parseServersArgs([])).toEqual({});
    expect(parseServersArgs(['--cur', 'a b'])).toEqual({ cur: 'a b' });
    expect(parseServersArgs(['--cur=x'])).toEqual({ cur: 'x' });
  });

  it.each([
    [['--cur'], /--cur needs a folder/],
    [['--cur', '--port'], /--cur needs a folder/],
    [['--cur='], /--cur needs a folder/],
    [['--cur', 'a', '--cur', 'b'], /--cur is given twice/],
    [['cur'], /unknown argument "cur"/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServersArgs(argv)).toThrow(message);
    expect(() => parseServersArgs(argv)).toThrow(/→ Run `npm run servers`/);
  });
});
