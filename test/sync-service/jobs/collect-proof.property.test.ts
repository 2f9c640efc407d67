/**
 * Issue 21's property: whatever sequence of hand edits people make — cells, rows, and structural ones (headers
 * renamed, deleted or moved; the Credits, Ledger or Audit tab deleted; the usage files deleted; an Audit
 * collection row edited to name another credit) — followed by `sync` and `usage collect`, no credit key is ever in
 * two usage records, every credit a collection takes is locked in the sheet with exactly the allocation it was
 * collected with, and no row is locked that no usage record bills (a credit dropped). A command may refuse (a missing header,
 * a lost record): that is the safe outcome, and it must say so as a CreditDeskError, never fail otherwise.
 *
 * On the Google Sheet through the local Sheets v4 server, where a hand edit is a direct change of its state
 * (the owner of a spreadsheet can edit anything, protections included). 8 sequences in `npm test`, 25 in
 * `npm run soak` (test/helpers/soak.ts), on the same seed: the first 8 are the soak's first 8.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { useTempDirs } from '../../helpers/fixtures-io';
import { trialCount } from '../../helpers/soak';
import { collectedWorld, creditsOf, sync } from './ledger-helpers';
import { makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';
import {
  collectedIn,
  editAuditTrace,
  editCells,
  expectCollectedOnce,
  expectIdsUnique,
  expectNothingLockedUnbilled,
  keepsOneRecord,
  op,
  orRefusal,
  type Op,
  type Renamed,
} from './collect-proof-ops';

const tempDir = useTempDirs('credit-desk-collect-property-');
const RUNS = trialCount(8, 25);

test('property: after any hand edits, sync and collect never put a credit into two usage records', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 7 }).filter(keepsOneRecord), async (ops) => {
      const server: SheetsServer = await startServer();
      try {
        await run(server, ops);
      } finally {
        await server.close();
      }
    }),
    { numRuns: RUNS, seed: 21 },
  );
  // the sequences did reach collections (not only refusals): more than two in five
  expect(collections).toBeGreaterThan((RUNS * 2) / 5);
}, 180_000);

let collections = 0;

async function run(server: SheetsServer, ops: Op[]): Promise<void> {
  const dir = tempDir();
  const w = await collectedWorld(dir, () => makeSink(server));
  const ss = () => server.state.sheet(SHEET_ID);
  const credits = () => tab(ss(), 'Credits').cells;
  const collected = collectedIn(w.usageDir);
  const renamed: Renamed = new Map();

  const apply = (o: Op) => {
    switch (o.kind) {
      case 'deleteTab': {
        const state = ss();
        const t = state.sheets.find((s) => s.properties.title === o.name);
        if (t) state.sheets.splice(state.sheets.indexOf(t), 1);
        return;
      }
      case 'deleteUsageFiles':
        rmSync(w.usageDir, { recursive: true, force: true });
        return;
      case 'editAuditTrace': {
        const audit = ss().sheets.find((s) => s.properties.title === 'Audit');
        if (audit) editAuditTrace(o, audit.cells, credits());
        return;
      }
      default:
        editCells(o, credits(), renamed);
    }
  };

  for (const o of ops) {
    apply(o);
    if (await orRefusal(() => sync(w))) {
      expectIdsUnique(await creditsOf(w.sink()), ops);
      expectNothingLockedUnbilled(await creditsOf(w.sink()), collected, ops);
    }
    const result = await orRefusal(() =>
      runCollect({}, { sink: w.sink(), usageDir: w.usageDir, reporter: silentReporter, now: new Date() }),
    );
    if (!result?.file) continue;
    collections++;
    expectCollectedOnce(result.file, await creditsOf(w.sink()), collected, ops);
  }
}
