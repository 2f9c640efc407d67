/**
 * Issue 21's property on the embedded default, the `.xlsx` workbook: whatever a person does to it in Excel —
 * cells, rows, sorting, headers renamed, deleted or moved, the Credits, Ledger or Audit tab deleted, the usage
 * files deleted — followed by `sync`, `usage collect` and `usage close`, no credit key is ever in two usage
 * records, every credit a collection takes is locked in the sheet with exactly the allocation it was collected
 * with, and after every collection the locked cells are exactly the PROCESSING / PROCESSED rows. A command may
 * refuse (a missing header, a lost record), as a CreditDeskError, never otherwise.
 *
 * A hand edit is made the way Excel makes it (workbook-by-hand.ts); the edits are collect-proof-ops.ts's, shared
 * with the Google Sheet's property.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { runClose, runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { useTempDirs } from '../../helpers/fixtures-io';
import { trialCount } from '../../helpers/soak';
import { loadWorkbook } from '../sinks/workbook/workbook-helpers';
import { collectedWorld, creditsOf, sync } from './ledger-helpers';
import {
  collectedIn,
  expectCollectedOnce,
  expectIdsUnique,
  expectNothingLockedUnbilled,
  keepsOneRecord,
  op,
  orRefusal,
  type Op,
  type Renamed,
} from './collect-proof-ops';
import { byHandInExcel, valuesOf } from './workbook-by-hand';

const tempDir = useTempDirs('credit-desk-collect-workbook-property-');
const RUNS = trialCount(8, 25);
let collections = 0;

test('property: after any hand edits in Excel, sync, collect and close never put a credit into two usage records', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 7 }).filter(keepsOneRecord), run),
    { numRuns: RUNS, seed: 21 },
  );
  // the sequences did reach collections (not only refusals): more than two in five
  expect(collections).toBeGreaterThan((RUNS * 2) / 5);
}, 240_000);

async function run(ops: Op[]): Promise<void> {
  const dir = tempDir();
  const path = join(dir, 'credits.xlsx');
  const w = await collectedWorld(dir, () => createWorkbookSink({ path }), { workbook: path });
  const collected = collectedIn(w.usageDir);
  const renamed: Renamed = new Map();

  for (const o of ops) {
    await byHandInExcel(path, o, renamed, w.usageDir);
    if (await orRefusal(() => sync(w))) {
      expectIdsUnique(await creditsOf(w.sink()), ops);
      expectNothingLockedUnbilled(await creditsOf(w.sink()), collected, ops);
    }
    const deps = { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: new Date() };
    const result = await orRefusal(() => runCollect({}, deps));
    if (!result?.file) continue;
    collections++;
    expectCollectedOnce(result.file, await creditsOf(w.sink()), collected, ops);
    await expectLockedAsStatus(path, ops);
    // closing the new file is one more write over the edited workbook
    await orRefusal(() => runClose([result.file!.usageFileId], { ...deps, sink: w.sink() }));
  }
}

/**
 * Every cell of the table that holds a value is locked exactly when its row says PROCESSING or PROCESSED. Empty
 * cells are left out: ExcelJS's save (the hand edit here) drops an empty cell's style, which Excel keeps, so an
 * empty cell of a row nobody wrote since reads as its column's (unlocked) style.
 */
async function expectLockedAsStatus(path: string, ops: Op[]): Promise<void> {
  const ws = (await loadWorkbook(path)).getWorksheet('Credits')!;
  const headers = valuesOf(ws)[0];
  const status = headers.indexOf('Status') + 1;
  const wrong: string[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const locked = ['PROCESSING', 'PROCESSED'].includes(String(row.getCell(status).value ?? ''));
    for (let c = 1; c <= headers.length; c++) {
      const cell = row.getCell(c);
      if (cell.value !== null && (cell.protection?.locked !== false) !== locked)
        wrong.push(`row ${r} ${headers[c - 1]}`);
    }
  }
  if (wrong.length)
    throw new Error(
      `locked cells differ from Status: ${wrong.slice(0, 5).join(', ')} (ops ${JSON.stringify(ops)})`,
    );
}
