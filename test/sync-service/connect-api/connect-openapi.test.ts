/**
 * The committed Connect usage API files (sync-service/connect-api/usage-openapi.json and openapi.d.ts) are what
 * `npm run gen:connect` makes of Connect's own description (../shared/reference/connect-openapi30.yml) today:
 * regenerating gives the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTempDir } from '../../helpers/fixtures-io';

const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, 'sync-service/connect-api');

describe('the generated Connect usage API', () => {
  it('is what the description in ../shared/reference generates (run npm run gen:connect if not)', async () => {
    await withTempDir(async (out) => {
      execFileSync(
        process.execPath,
        ['bin/run-ts.cjs', 'sync-service/connect-api/generate.ts', '--out', out],
        { cwd: ROOT, stdio: 'pipe' },
      );
      for (const name of ['usage-openapi.json', 'openapi.d.ts'])
        expect({
          name,
          same: readFileSync(join(out, name), 'utf8') === readFileSync(join(DIR, name), 'utf8'),
        }).toEqual({ name, same: true });
    });
  }, 60_000);

  it('holds the usage paths only, and the schemas they reach transitively', () => {
    const doc = JSON.parse(readFileSync(join(DIR, 'usage-openapi.json'), 'utf8'));
    for (const p of [
      '/usage/files',
      '/usage/files/{id}/upload',
      '/usage/records',
      '/usage/records/close-records',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    expect(Object.keys(doc.paths).filter((p: string) => !p.startsWith('/usage/'))).toEqual([]);
    // usage.UsageEvents is reached only through usage.UsageFileDetail.events: the cut follows references.
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['usage.UsageRecord', 'usage.UsageRecordParameters', 'usage.UsageEvents']),
    );
    expect(Object.keys(doc.components.schemas).filter((s: string) => !s.startsWith('usage.'))).toEqual([]);
  });
});
