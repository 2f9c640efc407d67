/**
 * interrupt.ts in one process: the first signal makes every later stop point throw, and a file about to be
 * replaced is left as it was; while a step finishes what it started, stop points let it go on, and after it they
 * stop again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../sync-service/files/atomic-file';
import { finishing, handleStopSignals, Interrupted, stopPoint } from '../../sync-service/interrupt';
import { useTempDirs } from '../helpers/fixtures-io';

describe('stop points', () => {
  const tempDir = useTempDirs('credit-desk-stop-');

  it('stop after a signal, leave the file as it was, and let a committed run finish', async () => {
    const path = join(tempDir(), 'credits.xlsx');
    writeFileSync(path, 'before');
    const told: string[] = [];
    const unhandle = handleStopSignals((s) => told.push(s));
    try {
      await expect(stopPoint()).resolves.toBeUndefined();
      process.emit('SIGTERM', 'SIGTERM');
      expect(told).toEqual(['SIGTERM']);
      await expect(stopPoint()).rejects.toThrow(Interrupted);
      await expect(writeFileAtomically(path, new TextEncoder().encode('after'))).rejects.toThrow(/stopped/);
      expect(readFileSync(path, 'utf8')).toBe('before');

      await finishing(async () => {
        await expect(stopPoint()).resolves.toBeUndefined();
        await writeFileAtomically(path, new TextEncoder().encode('after'));
      });
      expect(readFileSync(path, 'utf8')).toBe('after');
      // The step done, the stop asked for stops what comes after it (run-month's statements after its collection),
      // and so after a step that failed.
      await expect(stopPoint()).rejects.toThrow(Interrupted);
      await expect(
        finishing(async () => {
          throw new Error('killed');
        }),
      ).rejects.toThrow('killed');
      await expect(stopPoint()).rejects.toThrow(Interrupted);
      await expect(writeFileAtomically(path, new TextEncoder().encode('later'))).rejects.toThrow(/stopped/);
      expect(readFileSync(path, 'utf8')).toBe('after');
    } finally {
      unhandle();
    }
  });
});
