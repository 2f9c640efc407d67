/**
 * A command whose reconciliation repairs something writes twice in one session: the repairs, then its own change.
 * The first write releases the sync lock; the second takes it again — and that get returned the layout fields
 * only, without the protected ranges and charts, so the second write protected every locked run a second time
 * and added the Summary's charts again (found by assign-scoped.property.test.ts). On the Google Sheet, through
 * the local Sheets v4 server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SheetsServer } from '../../../emulators/sheets-server';
import type { SpreadsheetState } from '../../../emulators/sheets-state';
import { lockedRuns } from '../../../sync-service/sinks/google/sheets-protection';
import { IDENTITY, lockRanges, makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';
import { assignIn, collectedWorld, recordingReporter, sync } from './ledger-helpers';

let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

const charts = (ss: SpreadsheetState) =>
  ((tab(ss, 'Summary') as unknown as { charts?: unknown[] }).charts ?? []).length;

function locksOfStatuses(ss: SpreadsheetState): string[] {
  const rows = tab(ss, 'Credits').cells;
  const at = rows[0].indexOf('Status');
  return lockedRuns(rows.slice(1).map((r) => ['PROCESSING', 'PROCESSED'].includes(String(r[at] ?? ''))))
    .map((r) => `${r.startRowIndex}-${r.endRowIndex}:${IDENTITY}`)
    .sort();
}

test.each(['assign', 'sync'] as const)(
  'a repair and then `%s`: each locked run protected once, the Summary charts once',
  async (command) => {
    const w = await collectedWorld(mkdtempSync(join(tmpdir(), 'credit-desk-repair-google-')), () =>
      makeSink(server),
    );
    const before = server.state.sheet(SHEET_ID);
    expect(lockRanges(before)).toEqual(locksOfStatuses(before));
    const chartsBefore = charts(before);
    expect(chartsBefore).toBeGreaterThan(0);

    // A collected credit's Allocation typed over by hand: the command restores it (a write), then writes its own
    // change (assign: a credit still ASSIGNED; sync: the Summary, with its charts).
    const cells = tab(before, 'Credits').cells;
    const at = (h: string) => cells[0].indexOf(h);
    const row = cells.findIndex((r) => r[at('Status')] === 'PROCESSED');
    cells[row][at('Allocation')] = 'reseller 100%';
    const assigned = String(cells.find((r) => r[at('Status')] === 'ASSIGNED')![at('Credit ID')]);
    const reporter = recordingReporter();
    if (command === 'sync') await sync(w, reporter);
    else await assignIn(w, assigned, 'customer 100%', reporter);
    expect(reporter.warnings.join('\n')).toMatch(/restored 1 row/);

    // The state as it is now (the server swaps in a new copy of the spreadsheet on each atomic batchUpdate).
    const now = server.state.sheet(SHEET_ID);
    expect(lockRanges(now)).toEqual(locksOfStatuses(now));
    expect(charts(now)).toBe(chartsBefore);
  },
);
