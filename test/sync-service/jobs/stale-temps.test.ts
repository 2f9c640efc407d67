/**
 * Temp files a killed `usage collect` / `usage close` left in the usage folder (issue 21, item 8): the next usage
 * command removes those of processes no longer running, and never the temp of a run that is still running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listUsageFiles, runClose } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { removeStaleTemps, writeFileAtomically } from '../../../sync-service/files/atomic-file';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { withTempDir } from '../../helpers/fixtures-io';

/** A pid that is certainly not running: a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

/** A process that runs until the test stops it: its temps belong to a live writer. */
async function liveChild(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await new Promise((ready) => child.once('spawn', ready));
  return child as ChildProcess & { pid: number };
}

describe('temp files left in the usage folder', () => {
  let live: ChildProcess & { pid: number };
  beforeAll(async () => {
    live = await liveChild();
  });
  afterAll(() => {
    live.kill();
  });

  /** The temps a killed run (dead pid), a running one (live pid) and an earlier process with our pid would leave. */
  function plant(dir: string): { stale: string[]; kept: string[] } {
    const dead = deadPid();
    const stale = [
      `.UF-2026-11-0001.json.${dead}.tmp`,
      `.UF-2026-11-0001.xlsx.${dead}.tmp`,
      `.UF-2026-11-0003.json.${process.pid}.tmp`, // this process is not writing it: an earlier one was
    ];
    const kept = [`.UF-2026-11-0002.json.${live.pid}.tmp`, `.notes.txt.${dead}.tmp`]; // live; not a usage file
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), '');
    return { stale, kept };
  }

  test("`usage list` removes those of dead processes and keeps a running one's", () =>
    withTempDir(async (dir) => {
      const { kept } = plant(dir);
      expect(listUsageFiles(dir)).toBe(`No usage files in ${dir}.`);
      expect(readdirSync(dir).sort()).toEqual(kept.sort());
    }));

  test('`usage close` (and so collect, which reads the folder the same way) removes them too', () =>
    withTempDir(async (dir) => {
      const usageDir = join(dir, 'usage-files');
      mkdirSync(usageDir);
      const { kept } = plant(usageDir);
      const sink = createWorkbookSink({ path: join(dir, 'credits.xlsx'), lock: { command: 'test' } });
      try {
        // An empty workbook: the close itself is refused, after the folder was read (and cleaned).
        await expect(
          runClose(['UF-2026-11-0001'], { sink, usageDir, reporter: silentReporter, now: new Date() }),
        ).rejects.toMatchObject({ code: 'USAGE' });
      } finally {
        await sink.close();
      }
      expect(readdirSync(usageDir).sort()).toEqual(kept.sort());
    }));

  test('a temp this process is writing right now is never removed', () =>
    withTempDir(async (dir) => {
      const target = join(dir, 'UF-2026-11-0004.json');
      let seen: string[] = [];
      await writeFileAtomically(target, new TextEncoder().encode('{}'), {
        writeTemp: async (file, bytes) => {
          await file.writeFile(bytes);
          expect(removeStaleTemps(dir)).toEqual([]); // another part of this process cleaning mid-write
          seen = readdirSync(dir);
        },
      });
      expect(seen).toEqual([`.UF-2026-11-0004.json.${process.pid}.tmp`]);
      expect(existsSync(target)).toBe(true);
      expect(readdirSync(dir)).toEqual(['UF-2026-11-0004.json']);
    }));

  test("beside a workbook, the next writer removes this pid's earlier-life temps and keeps a live waiter's lock temp", () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const waiter = `.credits.xlsx.lock.${live.pid}.0123abcd.tmp`;
      writeFileSync(join(dir, `.credits.xlsx.${process.pid}.tmp`), 'half a workbook');
      writeFileSync(join(dir, waiter), '{}');
      const sink = createWorkbookSink({ path, lock: { command: 'test' } });
      await sink.read();
      await sink.close();
      expect(readdirSync(dir).sort()).toEqual([waiter]);
    }));
});
