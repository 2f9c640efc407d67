/**
 * `assign` on a Google Sheet reads only the rows it and the check against the usage record need
 * (docs/decisions/0026: ReadOptions.scope, sheets-scope.ts), falling back to the whole sheet whenever those rows
 * leave anything to repair. The property: after any hand edits, a scoped `assign` ends as the whole read's
 * `assign` does, on everything money depends on — the command's outcome, the Ledger tab, every row of a
 * collected credit or with a locked Status, and the assigned credit's row; and a write leaves the protection
 * on exactly the locked rows. What only the
 * whole read sees (a blank Key, a Credit ID edited on a credit nobody collected) is the next full run's; and a
 * duplicated row outside the scope, which the whole read refuses, must then have left every collected credit as
 * it was.
 *
 * Through the local Sheets v4 server: two copies of one spreadsheet, the same edits on both, one `assign` each.
 * (And an example: another sheet's usage files in the folder are said, and keep no `assign` from its scoped read.)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { UsageFile } from '../../../core/usage';
import { CreditDeskError } from '../../../core/errors';
import type { Cell } from '../../../core/table';
import { columnLetter } from '../../../core/sheet-layout';
import { runAssign } from '../../../sync-service/jobs/assign';
import { silentReporter } from '../../../sync-service/progress';
import type { Sink } from '../../../sync-service/sinks/sink';
import type { SheetsServer } from '../../../emulators/sheets-server';
import type { SpreadsheetState } from '../../../emulators/sheets-state';
import { useTempDirs } from '../../helpers/fixtures-io';
import { moveColumnByHand, sortByHand } from '../../helpers/hand-edits';
import { headersOf } from '../../../core/sheet-contract';
import { assignIn, collectedWorld, NOW, recordingReporter } from './ledger-helpers';
import { IDENTITY, lockRanges, makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';
import { lockedRuns } from '../../../sync-service/sinks/google/sheets-protection';

const tempDir = useTempDirs('credit-desk-assign-scoped-');

type Op =
  | { kind: 'status'; row: number; value: string }
  | { kind: 'blank'; row: number; header: 'Key' | 'Credit ID' | 'Allocation' }
  | { kind: 'copyCell'; row: number; from: number; header: 'Key' | 'Credit ID' }
  | { kind: 'set'; row: number; header: 'Credit ID' | 'Allocation' | 'Amount'; value: Cell }
  | { kind: 'deleteRow'; row: number }
  | { kind: 'duplicateRow'; row: number }
  | { kind: 'insertBlankRow'; row: number }
  | { kind: 'typeBelow'; header: 'Key' | 'Credit ID' | 'Status'; from: number }
  | { kind: 'sort'; seed: number }
  | { kind: 'moveColumn'; header: string; to: number }
  | { kind: 'deleteLedgerRow'; row: number };

// A sheet of 64 credits: few enough rows in scope (a quarter at most) for the scoped read to be taken.
const row = fc.nat(63);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('status' as const),
    row,
    value: fc.constantFrom('PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED', '', 'processed'),
  }),
  fc.record({
    kind: fc.constant('blank' as const),
    row,
    header: fc.constantFrom('Key' as const, 'Credit ID' as const, 'Allocation' as const),
  }),
  fc.record({
    kind: fc.constant('copyCell' as const),
    row,
    from: row,
    header: fc.constantFrom('Key' as const, 'Credit ID' as const),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    row,
    header: fc.constantFrom('Credit ID' as const, 'Allocation' as const, 'Amount' as const),
    value: fc.constantFrom<Cell>('AWSC-202610-0000-0001', 'customer 100%', 'reseller 50%', 12.5, 'x'),
  }),
  fc.record({ kind: fc.constant('deleteRow' as const), row }),
  fc.record({ kind: fc.constant('duplicateRow' as const), row }),
  fc.record({ kind: fc.constant('insertBlankRow' as const), row }),
  fc.record({
    kind: fc.constant('typeBelow' as const),
    header: fc.constantFrom('Key' as const, 'Credit ID' as const, 'Status' as const),
    from: row,
  }),
  fc.record({ kind: fc.constant('sort' as const), seed: fc.integer() }),
  fc.record({
    kind: fc.constant('moveColumn' as const),
    header: fc.constantFrom(...headersOf('credits')),
    to: fc.nat(21),
  }),
  fc.record({ kind: fc.constant('deleteLedgerRow' as const), row: fc.nat(6) }),
);

/** The same hand edit on a spreadsheet's state (its owner can edit anything, protections included). */
function apply(ss: SpreadsheetState, o: Op): void {
  const cells = tab(ss, 'Credits').cells;
  const at = (h: string) => cells[0].indexOf(h);
  const rowAt = (n: number) => (cells.length > 1 ? 1 + (n % (cells.length - 1)) : -1);
  const r = 'row' in o ? rowAt(o.row) : -1;
  switch (o.kind) {
    case 'status':
      if (r > 0) cells[r][at('Status')] = o.value;
      return;
    case 'blank':
      if (r > 0) cells[r][at(o.header)] = null;
      return;
    case 'copyCell': {
      const from = rowAt(o.from);
      if (r > 0) cells[r][at(o.header)] = cells[from][at(o.header)] ?? null;
      return;
    }
    case 'set':
      if (r > 0) cells[r][at(o.header)] = o.value;
      return;
    case 'deleteRow':
      if (r > 0) cells.splice(r, 1);
      return;
    case 'duplicateRow':
      if (r > 0) cells.splice(r + 1, 0, [...cells[r]]);
      return;
    case 'insertBlankRow':
      if (r > 0) cells.splice(r, 0, []);
      return;
    case 'typeBelow': {
      const from = rowAt(o.from);
      const typed: (typeof cells)[number] = [];
      typed[at(o.header)] = from > 0 ? (cells[from][at(o.header)] ?? 'typed') : 'typed';
      cells.push(typed);
      return;
    }
    case 'sort':
      sortByHand(cells, o.seed);
      return;
    case 'moveColumn':
      moveColumnByHand(cells, o.header, o.to);
      return;
    case 'deleteLedgerRow': {
      const ledger = tab(ss, 'Ledger').cells;
      if (ledger.length > 1) ledger.splice(1 + (o.row % (ledger.length - 1)), 1);
      return;
    }
  }
}

/** The sink as it was before scoped reads: every read whole. */
function wholeReads(sink: Sink): Sink {
  return {
    label: sink.label,
    read: (o) => sink.read(o && { ...o, scope: undefined }),
    write: (c) => sink.write(c),
    close: () => sink.close(),
  };
}

type Outcome = { ok: true; allocation: string } | { ok: false; code: string; message: string };

async function assignOn(
  server: SheetsServer,
  id: string,
  creditId: string,
  allocation: string,
  whole: boolean,
  usageDir: string,
): Promise<Outcome> {
  const opened = makeSink(server, { spreadsheetId: id });
  const sink = whole ? wholeReads(opened) : opened;
  try {
    const o = await runAssign(creditId, allocation, {
      sink,
      now: NOW,
      actor: 'a@x',
      usageDir,
      reporter: silentReporter,
    });
    return { ok: true, allocation: o.credit.allocation };
  } catch (e) {
    if (!(e instanceof CreditDeskError)) throw e;
    return { ok: false, code: e.code, message: e.message };
  } finally {
    await sink.close();
  }
}

const rowsOf = (ss: SpreadsheetState, title: string) =>
  tab(ss, title).cells.map((r) => {
    const copy = [...r].map((v) => v ?? null);
    while (copy.length && (copy[copy.length - 1] === null || copy[copy.length - 1] === '')) copy.pop();
    return copy;
  });

/** Each Credits row money depends on, by position: a collected credit's, a locked one's, the assigned one's. */
function moneyRows(
  ss: SpreadsheetState,
  collected: ReadonlySet<string>,
  target: string,
): Map<number, unknown[]> {
  const rows = rowsOf(ss, 'Credits');
  const at = (h: string) => rows[0].indexOf(h);
  const out = new Map<number, unknown[]>();
  rows.forEach((r, i) => {
    if (i === 0) return;
    const id = String(r[at('Credit ID')] ?? '');
    const status = String(r[at('Status')] ?? '');
    if (collected.has(id) || id === target || status === 'PROCESSING' || status === 'PROCESSED') {
      const copy = [...r];
      copy[at('Last Change')] = null; // stamped with the time of the run, not compared
      out.set(i, copy);
    }
  });
  return out;
}

/** The protected ranges the Status column asks for: one per run of PROCESSING / PROCESSED rows. */
function locksOfStatuses(ss: SpreadsheetState): string[] {
  const rows = tab(ss, 'Credits').cells;
  const at = rows[0].indexOf('Status');
  const runs = lockedRuns(
    rows.slice(1).map((r) => ['PROCESSING', 'PROCESSED'].includes(String(r[at] ?? ''))),
  );
  return runs.map((r) => `${r.startRowIndex}-${r.endRowIndex}:${IDENTITY}`).sort();
}

let settled = 0;

test('property: after any hand edits, a scoped assign leaves money where the whole read leaves it', async () => {
  const server = await startServer();
  try {
    const dir = tempDir();
    const w = await collectedWorld(dir, () => makeSink(server), {}, 64);
    const base = structuredClone(server.state.sheet(SHEET_ID));
    const cells = tab(base, 'Credits').cells;
    const ids = cells.slice(1).map((r) => String(r[cells[0].indexOf('Credit ID')]));
    const ledger = tab(base, 'Ledger').cells;
    const collected = new Set(ledger.slice(1).map((r) => String(r[ledger[0].indexOf('Credit ID')])));
    expect(collected.size).toBe(5); // collectedWorld: 2 closed, 3 open
    // A whole read asks for the Description column; the scoped one never does (nor does a write).
    const description = `'Credits'!${columnLetter(cells[0].indexOf('Description'))}:${columnLetter(cells[0].indexOf('Description'))}`;
    const readWhole = () =>
      server.stats.requests.some(
        (q) => q.path.includes('/scoped/') && (q.ranges ?? []).includes(description),
      );

    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 5 }),
        fc.nat(63),
        fc.constantFrom('customer 100%', 'reseller 50%', 'customer 60%, reseller 40%'),
        async (ops, t, allocation) => {
          const copies = ['scoped', 'whole'] as const;
          for (const id of copies) {
            const ss = structuredClone(base);
            ss.spreadsheetId = id;
            for (const o of ops) apply(ss, o);
            server.state.spreadsheets.set(id, ss);
          }
          const target = ids[t % ids.length];
          server.stats.reset();
          const a = await assignOn(server, 'scoped', target, allocation, false, w.usageDir);
          if (!readWhole()) settled++;
          const b = await assignOn(server, 'whole', target, allocation, true, w.usageDir);
          const scoped = server.state.sheet('scoped');
          const whole = server.state.sheet('whole');
          const duplicate = (x: Outcome) =>
            !x.ok && x.code === 'BAD_SHEET' && /more than once/.test(x.message);
          if (duplicate(b) && !duplicate(a)) {
            // A duplicated row the scoped read did not look at: the whole read refuses it; the scoped one (which
            // may still refuse for its own reason) must have changed nothing money depends on but the assigned
            // credit.
            const before = structuredClone(base);
            for (const o of ops) apply(before, o);
            expect(rowsOf(scoped, 'Ledger')).toEqual(rowsOf(before, 'Ledger'));
            const was = moneyRows(before, collected, target);
            for (const [i, r] of moneyRows(scoped, collected, target)) {
              const id = String(r[rowsOf(scoped, 'Credits')[0].indexOf('Credit ID')]);
              if (id !== target) expect(r).toEqual(was.get(i));
            }
            return;
          }
          // Both refusing a duplicated row is the same outcome; the scoped refusal names the copies it read.
          const same = (x: Outcome) => (duplicate(x) ? { ok: false, code: 'BAD_SHEET' } : x);
          expect(same(a)).toEqual(same(b));
          expect(rowsOf(scoped, 'Ledger')).toEqual(rowsOf(whole, 'Ledger'));
          expect(moneyRows(scoped, collected, target)).toEqual(moneyRows(whole, collected, target));
          // A write leaves the protection on exactly the locked rows (a refused command may write nothing, and
          // these hand edits do not move protected ranges as Google's row deletions would).
          if (a.ok) expect(lockRanges(scoped)).toEqual(locksOfStatuses(scoped));
          if (b.ok) expect(lockRanges(whole)).toEqual(locksOfStatuses(whole));
        },
      ),
      { numRuns: 60, seed: 26 },
    );
    // the scoped path settled runs on its own (no whole column read), not only fell back
    expect(settled).toBeGreaterThan(10);
  } finally {
    await server.close();
  }
}, 240_000);

test("another sheet's usage files in the folder: a scoped assign stays scoped, and still says they were not read", async () => {
  const server = await startServer();
  try {
    const dir = tempDir();
    const w = await collectedWorld(dir, () => makeSink(server), {}, 64);
    // a usage file of another sheet (another Credit Desk ID) in the same folder
    const own = readdirSync(w.usageDir).find((f) => /^UF-.*\.json$/.test(f))!;
    const file = JSON.parse(readFileSync(join(w.usageDir, own), 'utf8')) as UsageFile;
    const other = {
      ...file,
      usageFileId: 'UF-2026-11-9999-0001',
      deskId: 'CD-00000000-0000-4000-8000-000000000000',
    };
    writeFileSync(join(w.usageDir, 'UF-2026-11-9999-0001.json'), JSON.stringify(other));
    const cells = tab(server.state.sheet(SHEET_ID), 'Credits').cells;
    const at = (h: string) => cells[0].indexOf(h);
    const target = String(cells.find((r) => r[at('Status')] === 'PENDING_ASSIGN')![at('Credit ID')]);
    const description = `'Credits'!${columnLetter(at('Description'))}:${columnLetter(at('Description'))}`;
    const before = server.stats.requests.length;
    const reporter = recordingReporter();
    await assignIn(w, target, 'customer 100%', reporter);
    expect(reporter.warnings.join('\n')).toMatch(
      /1 usage file\(s\) of another sheet \(UF-2026-11-9999-0001\)/,
    );
    const readWhole = server.stats.requests.slice(before).some((q) => (q.ranges ?? []).includes(description));
    expect(readWhole).toBe(false);
  } finally {
    await server.close();
  }
});
