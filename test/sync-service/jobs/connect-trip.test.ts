/**
 * The usage file's round trip through Connect (sync-service/jobs/usage-connect.ts) on a real workbook and the
 * in-memory Connect of test/helpers/connect-fake.ts: submitted, followed, PROCESSED only when Connect closes the
 * records; a rejection sends the credits back to ASSIGNED, and they are edited, collected into a new file,
 * accepted and closed; lost replies are found, not repeated; an invalid file keeps its credits locked.
 */
import { readFileSync } from 'node:fs';
import { readLedger, readReopened } from '../../../core/ledger';
import { readState } from '../../../core/sheet-state';
import type { UsageFile } from '../../../core/usage';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { runConnectTrip } from '../../../sync-service/jobs/usage-connect';
import { EXIT_ATTENTION, EXIT_OK, runMonth } from '../../../sync-service/jobs/run-month';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { usageJsonPath } from '../../../sync-service/usage/usage-files';
import { FakeConnect } from '../../helpers/connect-fake';
import { loadWorkbook } from '../sinks/workbook/workbook-helpers';
import { saveUsageJson } from '../../../sync-service/usage/usage-files';
import { useTempDirs } from '../../helpers/fixtures-io';
import { NOW, recordingReporter, sourceOf, syncedWorkbook } from './ledger-helpers';

const tempDir = useTempDirs('credit-desk-connect-');

interface Desk {
  settings: ReturnType<typeof resolveSettings>;
  path: string;
  usageDir: string;
  sink: () => ReturnType<typeof createWorkbookSink>;
  connect: FakeConnect;
  at: (minutes: number) => Date;
}

/** A workbook with `n` credits, all ASSIGNED to the customer, nothing collected yet. */
async function desk(n = 3): Promise<Desk> {
  const { settings, path, usageDir, sink } = await syncedWorkbook(tempDir(), {
    n,
    allocation: 'customer 100%',
  });
  const connect = new FakeConnect({ knownAssets: new Set(['AS-1']) });
  return { settings, path, usageDir, sink, connect, at: (m) => new Date(NOW.getTime() + m * 60_000) };
}

function deps(d: Desk, minutes: number, reporter = silentReporter) {
  return {
    sink: d.sink(),
    usageDir: d.usageDir,
    reporter,
    now: d.at(minutes),
    api: d.connect,
    connectApi: d.connect,
  };
}

const journal = (d: Desk, id: string) =>
  JSON.parse(readFileSync(usageJsonPath(d.usageDir, id), 'utf8')) as UsageFile;

async function rows(d: Desk) {
  return readState(await d.sink().read()).credits.map((e) => e.credit);
}

describe('the usage file in Connect', () => {
  it('rejected → ASSIGNED → edited → collected into a new file → accepted → closed → PROCESSED with the billing id', async () => {
    const d = await desk(3);
    const first = await runCollect({}, { ...deps(d, 1), connectApi: d.connect });
    const ufA = first.file!.usageFileId;

    const sent = await runConnectTrip({ submit: true }, deps(d, 2));
    expect(sent.files.map((f) => [f.usageFileId, f.status])).toEqual([[ufA, 'pending']]);
    const inConnectA = d.connect.byExternal(ufA);
    expect(journal(d, ufA).connectFile).toMatchObject({ id: inConnectA.id, status: 'pending' });
    // Every billed row is a record in Connect, mapped back by its parameter column.
    expect(inConnectA.records.map((r) => r.params.credit_desk_record).sort()).toEqual(
      journal(d, ufA)
        .records.flatMap((r) => r.billed!.map((b) => b.recordId))
        .sort(),
    );
    expect((await rows(d)).map((c) => c.status)).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING']);

    d.connect.reject(inConnectA.id, 'amounts disputed by the provider');
    const reporter = recordingReporter();
    const seen = await runConnectTrip({ submit: false }, deps(d, 3, reporter));
    expect(seen.files[0]).toMatchObject({ usageFileId: ufA, step: 'reopen', reopened: 3 });
    expect(reporter.warnings.join('\n')).toContain('amounts disputed by the provider');
    const reopened = await rows(d);
    for (const c of reopened)
      expect({ status: c.status, file: c.usageFileId, record: c.usageRecordId, flags: c.flags }).toEqual({
        status: 'ASSIGNED',
        file: '',
        record: '',
        flags: 'REJECTED',
      });
    const snapshot = await d.sink().read();
    expect(readLedger(snapshot.tabs.ledger)).toEqual([]); // nothing collected any more
    expect(readReopened(snapshot.tabs.ledger).map((r) => [r.usageFileId, r.note])).toEqual([
      [ufA, 'amounts disputed by the provider'],
      [ufA, 'amounts disputed by the provider'],
      [ufA, 'amounts disputed by the provider'],
    ]);
    expect(journal(d, ufA).status).toBe('rejected');

    // Edited, then collected again into a NEW file: the earlier collection's traces do not block it.
    await runAssign(reopened[0].creditId, 'customer 50%', { sink: d.sink(), now: d.at(4), actor: 'a@x' });
    const again = await runCollect({}, { ...deps(d, 5), connectApi: d.connect });
    const ufB = again.file!.usageFileId;
    expect(ufB).not.toBe(ufA);
    expect(again.skipped).toEqual([]);
    expect(again.file!.records.map((r) => r.creditId).sort()).toEqual(reopened.map((c) => c.creditId).sort());
    expect(again.file!.records.find((r) => r.creditId === reopened[0].creditId)!.allocation).toBe(
      'customer 50%',
    );
    expect((await rows(d)).map((c) => [c.status, c.usageFileId, c.flags])).toEqual(
      reopened.map(() => ['PROCESSING', ufB, '']),
    );

    await runConnectTrip({ submit: true }, deps(d, 6));
    const inConnectB = d.connect.byExternal(ufB);
    d.connect.accept(inConnectB.id);
    await runConnectTrip({ submit: false }, deps(d, 7));
    expect((await rows(d)).map((c) => c.status)).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING']); // accepted is not invoiced

    d.connect.close(inConnectB.id);
    const done = await runConnectTrip({ submit: false }, deps(d, 8));
    expect(done.files[0]).toMatchObject({ usageFileId: ufB, step: 'closed', processed: 3 });
    expect((await rows(d)).map((c) => [c.status, c.usageFileId])).toEqual(
      reopened.map(() => ['PROCESSED', ufB]),
    );
    const ledger = readLedger((await d.sink().read()).tabs.ledger);
    expect(ledger.map((e) => [e.status, e.usageFileId])).toEqual(reopened.map(() => ['PROCESSED', ufB]));
    for (const e of ledger)
      expect(e.connectNote).toMatch(new RegExp(`^INV-\\S+: invoiced ${e.usageRecordId}-1$`));
    expect(journal(d, ufB).status).toBe('closed');
    // No credit in two accepted files: A was rejected, B holds each credit once.
    expect(d.connect.files.map((f) => f.status)).toEqual(['rejected', 'closed']);
    // A later sync does not restore the rejected collection, nor import the credits again.
    const after = await runConnectTrip({ submit: false }, deps(d, 9));
    expect(after.files).toEqual([]);
    expect((await rows(d)).map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED', 'PROCESSED']);
  });

  it('finds a file whose create reply was lost, and does not upload or submit twice when those replies are lost', async () => {
    const d = await desk(2);
    const uf = (await runCollect({}, deps(d, 1))).file!.usageFileId;
    d.connect.loseReplyNext('createFile');
    await expect(runConnectTrip({ submit: true }, deps(d, 2))).rejects.toThrow('reply lost');
    expect(journal(d, uf).connectFile).toBeUndefined();
    d.connect.loseReplyNext('uploadFile');
    await expect(runConnectTrip({ submit: true }, deps(d, 3))).rejects.toThrow('reply lost');
    d.connect.loseReplyNext('submitFile');
    await expect(runConnectTrip({ submit: true }, deps(d, 4))).rejects.toThrow('reply lost');
    await runConnectTrip({ submit: true }, deps(d, 5));
    expect(d.connect.files).toHaveLength(1);
    expect(d.connect.files[0]).toMatchObject({ externalId: uf, status: 'pending', uploads: 1 });
    expect(
      d.connect.calls.filter((c) => c === 'createFile' || c === 'uploadFile' || c === 'submitFile'),
    ).toEqual(['createFile', 'uploadFile', 'submitFile']);
    expect(journal(d, uf).connectFile).toMatchObject({ id: d.connect.files[0].id, status: 'pending' });
  });

  it('waits for Connect to check an upload, then submits in the same run; says to come back when it takes longer', async () => {
    const d = await desk(2);
    d.connect = new FakeConnect({ knownAssets: new Set(['AS-1']), checkLater: true });
    const uf = (await runCollect({}, deps(d, 1))).file!.usageFileId;
    const slow = await runConnectTrip({ submit: true }, { ...deps(d, 2), pollMs: [] });
    expect(slow.files[0].status).toBe('processing');
    expect(slow.files[0].problems[0]).toContain(`credit-desk usage submit ${uf}`);
    expect(journal(d, uf).connectFile!.status).toBe('processing');
    const next = await runConnectTrip({ submit: true }, { ...deps(d, 3), pollMs: [0] });
    expect(next.files[0].status).toBe('pending');

    const d2 = await desk(1);
    d2.connect = new FakeConnect({ knownAssets: new Set(['AS-1']), checkLater: true });
    await runCollect({}, deps(d2, 1));
    const once = await runConnectTrip({ submit: true }, { ...deps(d2, 2), pollMs: [0, 0] });
    expect(once.files[0]).toMatchObject({ status: 'pending', problems: [] });
    expect(d2.connect.calls.filter((c) => c === 'uploadFile')).toHaveLength(1);
  });

  it('collects when Connect is down, and leaves submission for later', async () => {
    const d = await desk(2);
    const reporter = recordingReporter();
    d.connect.failNext('findFile');
    const first = await runCollect({}, { ...deps(d, 1, reporter), connectApi: d.connect });
    expect(first.file!.records).toHaveLength(2);
    // No file yet to follow: nothing was asked of Connect, nothing failed.
    d.connect.failNext('findFile');
    await expect(runConnectTrip({ submit: true }, deps(d, 2))).rejects.toThrow('connection refused');
    const second = await runCollect({}, { ...deps(d, 3, reporter), connectApi: d.connect });
    expect(second.file).toBeNull();
    expect(reporter.warnings.join('\n')).toContain('Connect could not be read (Connect: findFile failed');
    await runConnectTrip({ submit: true }, deps(d, 4));
    expect(d.connect.files.map((f) => f.status)).toEqual(['pending']);
  });

  it('an invalid file shows Connect\u2019s error and keeps its credits locked in it; --reupload sends it again', async () => {
    const d = await desk(2);
    d.connect = new FakeConnect({ knownAssets: new Set(['AS-OTHER']) });
    const uf = (await runCollect({}, deps(d, 1))).file!.usageFileId;
    const r = await runConnectTrip({ submit: true }, deps(d, 2));
    expect(r.files[0].step).toBe('invalid');
    expect(r.files[0].problems[0]).toContain('asset AS-1 is not a known asset');
    expect(r.files[0].problems[0]).toContain(`credit-desk usage submit ${uf} --reupload`);
    expect((await rows(d)).map((c) => [c.status, c.usageFileId])).toEqual([
      ['PROCESSING', uf],
      ['PROCESSING', uf],
    ]);
    expect((await runCollect({}, deps(d, 3))).file).toBeNull(); // nothing locked twice
    // Without --reupload the same file is not sent again.
    await runConnectTrip({ submit: true }, deps(d, 4));
    expect(d.connect.files[0].uploads).toBe(1);
    (d.connect as unknown as { opts: { knownAssets: Set<string> } }).opts.knownAssets = new Set(['AS-1']);
    const again = await runConnectTrip({ submit: true, only: uf, reupload: true }, deps(d, 5));
    expect(again.files[0].status).toBe('pending');
    expect(d.connect.files[0].uploads).toBe(2);
  });

  it('a journal record Connect lacks, or a record Connect has that the journal does not, is flagged, never guessed', async () => {
    const d = await desk(3);
    const uf = (await runCollect({}, deps(d, 1))).file!.usageFileId;
    await runConnectTrip({ submit: true }, deps(d, 2));
    const f = d.connect.byExternal(uf);
    const dropped = f.records.shift()!;
    f.records.push({ ...dropped, id: 'UR-STRAY', params: { credit_desk_record: 'UR-NOT-OURS-1' } });
    d.connect.accept(f.id);
    d.connect.close(f.id);
    const r = await runConnectTrip({ submit: false }, deps(d, 3));
    expect(r.files[0].processed).toBe(2);
    expect(r.files[0].problems.join('\n')).toContain('UR-STRAY');
    expect(r.files[0].problems.join('\n')).toContain(
      `Connect has no record for ${dropped.params.credit_desk_record}`,
    );
    const after = await rows(d);
    const missing = after.find((c) => dropped.params.credit_desk_record.startsWith(`${c.usageRecordId}-`))!;
    expect([missing.status, missing.flags]).toEqual(['PROCESSING', 'CONNECT_MISMATCH']);
    expect(after.filter((c) => c.status === 'PROCESSED')).toHaveLength(2);
    expect(journal(d, uf).status).toBe('ready'); // not closed while Connect and the journal disagree
  });

  it('usage close refuses a file Connect follows, and stays for files invoiced outside Commerce', async () => {
    const d = await desk(2);
    const uf = (await runCollect({}, deps(d, 1))).file!.usageFileId;
    await runConnectTrip({ submit: true }, deps(d, 2));
    await expect(runClose([uf], deps(d, 3))).rejects.toThrow(`credit-desk usage status ${uf}`);
    const d2 = await desk(1);
    const uf2 = (await runCollect({}, deps(d2, 1))).file!.usageFileId;
    expect((await runClose([uf2], deps(d2, 2))).closed).toBe(1);
  });

  it('run-month --collect submits the new file; the next run-month reports a rejection and a Connect outage as attention', async () => {
    const d = await desk(2);
    const month = (minutes: number) =>
      runMonth(
        d.settings,
        { collect: true, usageDir: d.usageDir, previous: false },
        {
          source: sourceOf(2),
          sink: d.sink(),
          reporter: silentReporter,
          now: d.at(minutes),
          connectApi: d.connect,
        },
      );
    const first = await month(1);
    expect(first.exitCode).toBe(EXIT_OK);
    const uf = first.collected!.files[0].file.usageFileId;
    expect(first.connect!.files.map((f) => [f.usageFileId, f.status])).toEqual([[uf, 'pending']]);
    d.connect.reject(d.connect.byExternal(uf).id, 'wrong contract');
    const second = await month(2);
    expect(second.exitCode).toBe(EXIT_ATTENTION);
    expect(second.attention.join('\n')).toContain(`Connect rejected ${uf}: 2 credit(s) are ASSIGNED again`);
    expect(second.collected!.files).toEqual([]); // left for the next collection, to be edited first
    d.connect.failNext('findFile');
    const third = await month(3);
    expect(third.exitCode).toBe(EXIT_ATTENTION);
    expect(third.attention.join('\n')).toContain('Connect could not be read (Connect: findFile failed');
    expect(third.collected!.files).toHaveLength(1); // collected locally all the same, submitted next time
    expect(d.connect.files).toHaveLength(1);
    const fourth = await month(4);
    expect(fourth.connect!.files.map((f) => f.status)).toEqual(['pending']);
    expect(d.connect.files.map((f) => f.status)).toEqual(['rejected', 'pending']);
  });

  it('a rejected collection locks nothing again: not the Audit once the Ledger tab is deleted, not an old journal put back', async () => {
    const d = await desk(2);
    const uf = (await runCollect({}, deps(d, 1))).file!.usageFileId;
    const before = journal(d, uf);
    await runConnectTrip({ submit: true }, deps(d, 2));
    d.connect.reject(d.connect.byExternal(uf).id, 'no');
    await runConnectTrip({ submit: false }, deps(d, 3));
    // The Ledger tab deleted, and the journal as it was before the rejection copied back into the folder.
    const wb = await loadWorkbook(d.path);
    wb.removeWorksheet(wb.getWorksheet('Ledger')!.id);
    await wb.xlsx.writeFile(d.path);
    await saveUsageJson(d.usageDir, before);
    const r = await runCollect({}, deps(d, 4));
    // The Audit's reopen rows prove the rejection: the credits are collected again, into a new file.
    expect(r.file!.usageFileId).not.toBe(uf);
    expect(r.file!.records).toHaveLength(2);
    expect((await rows(d)).map((c) => [c.status, c.usageFileId])).toEqual([
      ['PROCESSING', r.file!.usageFileId],
      ['PROCESSING', r.file!.usageFileId],
    ]);
  });

  it('a file collected before Connect was configured goes to Connect only when named (it may have been uploaded by hand)', async () => {
    const d = await desk(2);
    const { connectApi: _none, ...local } = deps(d, 1);
    const uf = (await runCollect({}, local)).file!.usageFileId;
    const all = await runConnectTrip({ submit: true }, deps(d, 2));
    expect(all.files).toEqual([]);
    expect(d.connect.calls).toEqual([]); // not even looked up
    const named = await runConnectTrip({ submit: true, only: uf }, deps(d, 3));
    expect(named.files.map((f) => [f.usageFileId, f.status])).toEqual([[uf, 'pending']]);
    // From then on Connect knows it: every status read follows it.
    d.connect.accept(named.files[0].connectId!);
    d.connect.close(named.files[0].connectId!);
    expect((await runConnectTrip({ submit: false }, deps(d, 4))).files[0].step).toBe('closed');
  });
});
