/**
 * The usage process on a real workbook: a collection killed after writing the usage file and before updating
 * the sheet is completed by the next run, and no credit ends up half-collected or in two files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { runSync } from '../../../sync-service/jobs/sync';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { expectConnectValid } from '../../helpers/connect-usage';
import { smallMonthSource } from '../../helpers/small-month';

// Never the repo's own usage-files/ (a developer's `npm start` walk leaves one there): an empty folder of its own.
const ISOLATED_USAGE_DIR = mkdtempSync(join(tmpdir(), 'credit-desk-usage-'));

const source = smallMonthSource;

describe('usage collect / close on a workbook', () => {
  let dir: string;
  const now = new Date('2026-11-26T10:00:00Z');
  const sink = () => createWorkbookSink({ path: join(dir, 'credits.xlsx') });
  const credits = async () => readState(await sink().read()).credits.map((e) => e.credit);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-usage-'));
    const accounts = join(dir, 'accounts.csv');
    writeFileSync(
      accounts,
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
    );
    const settings = resolveSettings(
      { usageDir: ISOLATED_USAGE_DIR, workbook: join(dir, 'credits.xlsx'), period: '2026-10', accounts },
      {},
    );
    await runSync(settings, { previous: false }, { source, sink: sink(), reporter: silentReporter, now });
    for (const c of (await credits()).slice(0, 2))
      await runAssign(c.creditId, 'customer 100%', { sink: sink(), now, actor: 'test' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a run killed between the usage file and the sheet is completed by the next run, once', async () => {
    const deps = { usageDir: join(dir, 'usage'), reporter: silentReporter, now };
    await expect(runCollect({ crashAfterFile: true }, { ...deps, sink: sink() })).rejects.toThrow(
      /simulated crash/,
    );
    const files = readdirSync(deps.usageDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(deps.usageDir, files[0]), 'utf8')).status).toBe('collecting');
    expect((await credits()).filter((c) => c.status === 'PROCESSING')).toHaveLength(0);

    const resumed = await runCollect({}, { ...deps, sink: sink() });
    expect(resumed.resumed).toEqual([files[0].replace('.json', '')]);
    expect(resumed.file).toBeNull();
    const after = await credits();
    const processing = after.filter((c) => c.status === 'PROCESSING');
    expect(processing).toHaveLength(2);
    expect(new Set(processing.map((c) => c.usageFileId))).toEqual(new Set([resumed.resumed[0]]));
    expect(readdirSync(deps.usageDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    await expectConnectValid(deps.usageDir, new Set(['AS-1']));

    const closed = await runClose([resumed.resumed[0]], { ...deps, sink: sink() });
    expect(closed.closed).toBe(2);
    expect((await credits()).filter((c) => c.status === 'PROCESSED')).toHaveLength(2);
    // closing twice is harmless
    expect((await runClose([resumed.resumed[0]], { ...deps, sink: sink() })).closed).toBe(0);
  });

  it('usage close with a blank ID (a shell variable left empty) is refused before anything is read or written', async () => {
    const deps = { usageDir: join(dir, 'usage'), reporter: silentReporter, now };
    const before = readFileSync(join(dir, 'credits.xlsx'));
    await expect(runClose(['  '], { ...deps, sink: sink() })).rejects.toThrow('No usage file ID was given.');
    expect(readFileSync(join(dir, 'credits.xlsx')).equals(before)).toBe(true);
  });
});
