import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor, writeFileAtomically } from '../../../sync-service/files/atomic-file';
import { withTempDir } from '../../helpers/fixtures-io';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('writeFileAtomically', () => {
  it('writes a new file, then replaces it keeping the previous version as the backup', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'book.xlsx');
      const backupPath = `${target}.bak`;
      await writeFileAtomically(target, bytes('v1'), { backupPath });
      expect((await readdir(dir)).sort()).toEqual(['book.xlsx']);
      await writeFileAtomically(target, bytes('v2'), { backupPath });
      expect(await readFile(target, 'utf8')).toBe('v2');
      expect(await readFile(backupPath, 'utf8')).toBe('v1');
      expect((await readdir(dir)).sort()).toEqual(['book.xlsx', 'book.xlsx.bak']);
    }));

  it('writes pieces one after another, as many as there are, and their failure as a whole write fails', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'book.xlsx');
      // More pieces than one writev(2) takes (IOV_MAX is 1024 on Linux), of every size.
      const pieces = Array.from({ length: 2500 }, (_, i) => bytes(String(i).repeat(i % 7)));
      await writeFileAtomically(target, pieces, { backupPath: `${target}.bak` });
      expect(await readFile(target)).toEqual(Buffer.concat(pieces));
      let written = 0;
      const failure = writeFileAtomically(target, pieces, {
        backupPath: `${target}.bak`,
        writeTemp: async (file, data) => {
          if (++written === 3) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
          await file.write(data);
        },
      });
      await expect(failure).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(await readFile(target)).toEqual(Buffer.concat(pieces));
      expect(await readdir(dir)).toEqual(['book.xlsx']); // the first version: no backup, no temp file left
    }));

  it('names its temp file next to the target, hidden and per process', () => {
    expect(tempPathFor('/data/credits.xlsx')).toBe(`/data/.credits.xlsx.${process.pid}.tmp`);
  });

  it('a write that dies half-way leaves the target and the old backup untouched and removes the temp file', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'book.xlsx');
      const backupPath = `${target}.bak`;
      await writeFile(target, 'current');
      await writeFile(backupPath, 'older');
      const failure = writeFileAtomically(target, bytes('new content that never lands'), {
        backupPath,
        writeTemp: async (file, data) => {
          await file.write(data.subarray(0, 5));
          throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
        },
      });
      await expect(failure).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(await readFile(target, 'utf8')).toBe('current');
      expect(await readFile(backupPath, 'utf8')).toBe('older');
      expect((await readdir(dir)).sort()).toEqual(['book.xlsx', 'book.xlsx.bak']);
    }));

  it('fails cleanly when the folder does not exist', () =>
    withTempDir(async (dir) => {
      await expect(writeFileAtomically(join(dir, 'missing', 'book.xlsx'), bytes('x'))).rejects.toMatchObject({
        code: 'ENOENT',
      });
      expect(await readdir(dir)).toEqual([]);
    }));
});
