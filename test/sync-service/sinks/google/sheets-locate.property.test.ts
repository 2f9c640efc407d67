/**
 * A write locates its rows without the whole Key column when nothing moved (sheets-reread.ts, decision 0022):
 * whatever a person does between the read and the write — sorts, deletes, inserts, blank or typed rows — every
 * update lands on the row whose Key is the one the command decided on, or is skipped as gone; no other row's
 * cells change, and the protection of locked rows follows the Status column as it is after the write. Through
 * the local Sheets v4 server, with the person's edits made in its grid (the Sheets UI is not a client of ours).
 */
import fc from 'fast-check';
import { headersOf, type CreditField } from '../../../../core/sheet-contract';
import { indexColumns, text, type Cell } from '../../../../core/table';
import { columnLetter } from '../../../../core/sheet-layout';
import { sortRows } from '../../../../emulators/sheets-model';
import type { Stored } from '../../../../emulators/sheets-state';
import type { CellUpdate } from '../../../../core/sheet-changes';
import { changesFor, creditRow, makeSink, SHEET_ID, startServer, tab } from './sheets-helpers';

const idx = indexColumns<CreditField>('credits', headersOf('credits'));

/** What a person does to the Credits tab between the command's read and its write. */
type Edit =
  | { kind: 'sort'; by: 'creditId' | 'status' | 'amount'; descending: boolean }
  | { kind: 'delete'; at: number; shrink: boolean }
  | { kind: 'insert'; at: number; typed: boolean }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'none' };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('sort' as const),
    by: fc.constantFrom('creditId' as const, 'status' as const, 'amount' as const),
    descending: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(40), shrink: fc.boolean() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(40), typed: fc.boolean() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(40), b: fc.nat(40) }),
  fc.constant({ kind: 'none' as const }),
);

describe('a write locates its rows by Key without the whole Key column', () => {
  it('never lands on a row whose Key is not the one decided on, whatever moved between read and write', async () => {
    const server = await startServer();
    let typed = 0;
    try {
      const first = makeSink(server);
      await first.read(); // the tabs, their headers
      await first.close();
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 3, max: 25 }),
          fc.array(editArb, { maxLength: 3 }),
          fc.array(fc.nat(30), { minLength: 1, maxLength: 6 }),
          fc.boolean(),
          async (n, edits, picks, guarded) => {
            // The sheet as the sink wrote it: n credits, every third PROCESSED.
            const seed = makeSink(server);
            const old = tab(server.state.sheet(SHEET_ID), 'Credits');
            old.cells = [old.cells[0] ?? []];
            old.protectedRanges = [];
            const rows = Array.from({ length: n }, (_, i) =>
              creditRow(i, i % 3 ? {} : { status: 'PROCESSED' }),
            );
            await seed.write(changesFor(await seed.read(), rows));
            await seed.close();

            const sink = makeSink(server);
            await sink.read();
            const t = tab(server.state.sheet(SHEET_ID), 'Credits');
            const grid = t.properties.gridProperties;
            for (const e of edits) {
              const data = t.cells.length - 1;
              if (e.kind === 'sort') sortRows(t, 1, idx[e.by], e.descending);
              else if (e.kind === 'delete' && data > 0) {
                t.cells.splice(1 + (e.at % data), 1);
                if (e.shrink) grid.rowCount -= 1;
                else t.cells.push([]);
              } else if (e.kind === 'insert') {
                const row: Stored[] = new Array<Stored>(t.cells[0].length).fill(null);
                if (e.typed) {
                  row[idx.key] = `typed-${++typed}`;
                  row[idx.description] = 'typed by hand';
                }
                t.cells.splice(1 + (e.at % (data + 1)), 0, row);
                grid.rowCount += 1;
              } else if (e.kind === 'swap' && data > 1) {
                const [a, b] = [1 + (e.a % data), 1 + (e.b % data)];
                [t.cells[a], t.cells[b]] = [t.cells[b], t.cells[a]];
              }
            }
            const keysBefore = t.cells.slice(1).map((r) => text((r?.[idx.key] ?? null) as Cell));

            // The command decided from its read: these credits get a Description naming their Key.
            const chosen = [...new Set(picks.map((p) => p % n))];
            const updates: CellUpdate[] = chosen.map((i) => ({
              key: creditRow(i).key as string,
              creditId: `CR-${i}`,
              fields: { description: `for ${creditRow(i).key as string}` },
              ...(guarded && i % 3 ? { expect: { status: 'PENDING_ASSIGN' } } : {}),
            }));
            server.stats.reset();
            const report = await sink.write({ updates, appends: [], audit: [] });
            // Nothing moved: located without the whole Key column (what decision 0022 saves on the wire).
            const keyColumn = `'Credits'!${columnLetter(idx.key)}:${columnLetter(idx.key)}`;
            const asked = server.stats.requests.flatMap((r) =>
              r.op === 'values.batchGet' ? (r.ranges ?? []) : [],
            );
            if (edits.every((e) => e.kind === 'none')) expect(asked).not.toContain(keyColumn);
            await sink.close();

            const now = tab(server.state.sheet(SHEET_ID), 'Credits'); // the server's grid after the write
            const after = now.cells.slice(1);
            // No row moved by the write itself, and each row written holds the Key it was written for.
            expect(after.map((r) => text((r?.[idx.key] ?? null) as Cell))).toEqual(keysBefore);
            for (const r of after) {
              const d = text((r?.[idx.description] ?? null) as Cell);
              if (d.startsWith('for ')) expect(d).toBe(`for ${text((r?.[idx.key] ?? null) as Cell)}`);
            }
            // Every update whose Key is still there was written (its compare-and-set, when it has one, holds:
            // nobody typed a Status); the others are reported gone.
            const present = new Set(keysBefore);
            const writable = (i: number) => present.has(creditRow(i).key as string);
            chosen.forEach((i, k) => {
              const u = updates[k];
              const written = after.some(
                (r) => r?.[idx.key] === u.key && r?.[idx.description] === u.fields.description,
              );
              expect(written).toBe(writable(i));
            });
            expect(report.skipped.map((s) => s.key).sort()).toEqual(
              chosen
                .filter((i) => !writable(i))
                .map((i) => creditRow(i).key as string)
                .sort(),
            );
            // Protection follows the Status column as the write leaves it.
            const locked = new Set<number>();
            for (const p of now.protectedRanges.filter((x) => x.description === 'credit-desk:locked'))
              for (let r = p.range!.startRowIndex!; r < p.range!.endRowIndex!; r++) locked.add(r);
            const want = after
              .map((r, i) =>
                ['PROCESSED', 'PROCESSING'].includes(text((r?.[idx.status] ?? null) as Cell)) ? i + 1 : -1,
              )
              .filter((i) => i > 0);
            expect([...locked].sort((a, b) => a - b)).toEqual(want);
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await server.close();
    }
  }, 300_000);
});
