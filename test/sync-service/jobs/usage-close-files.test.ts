/**
 * `usage close A B …`: a month's usage files (one per currency) closed by one command, in one sheet write, every
 * ID checked before anything is written; through the job and through the CLI as an operator types it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UsageFile } from '../../../core/usage';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import type { Sink } from '../../../sync-service/sinks/sink';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { useTempDirs } from '../../helpers/fixtures-io';
import { creditsOf, ledgerOf, NOW, sourceOf, writeAccounts } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-close-files-');
const BIN = join(__dirname, '../../../bin/credit-desk.cjs');

/** Six credits in USD and EUR, all assigned and (unless `collect` is false) collected: two usage files. */
async function collectedInTwoCurrencies(collect = true) {
  const dir = tempDir();
  const path = join(dir, 'credits.xlsx');
  const usageDir = join(dir, 'usage');
  const sink = () => createWorkbookSink({ path });
  const settings = resolveSettings({ period: '2026-10', accounts: writeAccounts(dir), usageDir }, {});
  await runSync(
    { ...settings, workbook: path },
    { previous: false },
    { source: sourceOf(6, ['USD', 'EUR']), sink: sink(), reporter: silentReporter, now: NOW },
  );
  for (const c of await creditsOf(sink()))
    await runAssign(c.creditId, 'customer 70%, reseller 30%', { sink: sink(), now: NOW, actor: 'a@x' });
  if (!collect) return { path, usageDir, sink, ids: [] };
  const collected = await runCollect({}, { sink: sink(), usageDir, reporter: silentReporter, now: NOW });
  const ids = collected.files.map((f) => f.file.usageFileId);
  expect(ids).toHaveLength(2);
  return { path, usageDir, sink, ids };
}

/** A sink that counts its writes. */
function counting(sink: Sink): Sink & { writes: number } {
  const counted = Object.assign(Object.create(sink) as Sink, { writes: 0 });
  counted.write = (changes) => {
    counted.writes++;
    return sink.write(changes);
  };
  return counted as Sink & { writes: number };
}

const journal = (usageDir: string, id: string) =>
  JSON.parse(readFileSync(join(usageDir, `${id}.json`), 'utf8')) as UsageFile;

describe('usage close of several files', () => {
  it('closes every file named (once each, in any case) in one sheet write: rows, Ledger and journals', async () => {
    const w = await collectedInTwoCurrencies();
    const sink = counting(w.sink());
    const now = new Date('2026-12-01T09:00:00Z');
    const r = await runClose([w.ids[0], w.ids[1].toLowerCase(), ` ${w.ids[0]} `], {
      sink,
      usageDir: w.usageDir,
      reporter: silentReporter,
      now,
    });
    await sink.close();
    expect(sink.writes).toBe(1);
    expect(r.files.map((f) => [f.usageFileId, f.closed])).toEqual([
      [w.ids[0], 3],
      [w.ids[1], 3],
    ]);
    expect(r.closed).toBe(6);
    for (const c of await creditsOf(w.sink())) expect(c.status).toBe('PROCESSED');
    const ledger = await ledgerOf(w.sink());
    expect(ledger).toHaveLength(6);
    for (const e of ledger) expect([e.status, e.closedAt]).toEqual(['PROCESSED', now.toISOString()]);
    for (const id of w.ids) expect(journal(w.usageDir, id).status).toBe('closed');
  });

  it('one ID that cannot be closed refuses them all, and nothing is written', async () => {
    const w = await collectedInTwoCurrencies();
    const before = readFileSync(w.path);
    await expect(
      runClose([w.ids[0], 'UF-2026-11-9999'], {
        sink: w.sink(),
        usageDir: w.usageDir,
        reporter: silentReporter,
        now: NOW,
      }),
    ).rejects.toThrow('No credit in the sheet belongs to usage file UF-2026-11-9999.');
    expect(readFileSync(w.path).equals(before)).toBe(true);
    expect(journal(w.usageDir, w.ids[0]).status).toBe('ready');
    for (const c of await creditsOf(w.sink())) expect(c.status).toBe('PROCESSING');
  });

  it('collect prints one close command for all its files; pasted, it closes them and prints a line per file', async () => {
    const w = await collectedInTwoCurrencies(false);
    const cli = (args: string[]) =>
      execFileSync(process.execPath, [BIN, ...args, '--workbook', w.path, '--usage-dir', w.usageDir], {
        encoding: 'utf8',
      });
    const collected = cli(['usage', 'collect']);
    const printed = /in one command: \.\/credit-desk (usage close UF-\S+ UF-\S+)$/m.exec(collected)![1];
    const ids = printed.split(' ').slice(2);
    const out = cli(printed.split(' '));
    expect(out.trim().split('\n')).toEqual(ids.map((id) => `${id}: 3 credits marked PROCESSED.`));
    for (const c of await creditsOf(w.sink())) expect(c.status).toBe('PROCESSED');
  });
});
