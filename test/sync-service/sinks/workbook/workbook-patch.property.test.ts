/**
 * The patching writer (workbook-patch.ts) against the full ExcelJS writer: the same change set applied to two
 * copies of one workbook, one each way, must read back the same — through ExcelJS (values, number formats,
 * fonts, cell locks, sheet protection, data validations, filters, tab state, the Summary's data bars) and
 * through the fast reader — and the patched file must keep the invariants Excel relies on (shared-string and
 * style indexes in range, rows and cells in ascending order, no row twice).
 * Run counts: a third on a fixed seed in `npm test`, all of them in `npm run soak` (test/helpers/soak.ts).
 */
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type ExcelJS from 'exceljs';
import { ARCHIVED_STATUS } from '../../../../core/archived-ledger';
import { buildSummary } from '../../../../core/summary';
import { summaryLayout } from '../../../../core/summary-layout';
import { LEDGER_COLUMNS, type CreditField, type LedgerField } from '../../../../core/sheet-contract';
import type { Cell, Grid } from '../../../../core/table';
import type { ChangeSet } from '../../../../core/sheet-changes';
import {
  createWorkbookSink,
  type WorkbookSinkOptions,
} from '../../../../sync-service/sinks/workbook/workbook';
import { workbookTabSizes } from '../../../../sync-service/sinks/grid-size';
import {
  plainTabSizes,
  readPlainWorkbook,
  readPlainWorkbookParts,
} from '../../../../sync-service/sinks/workbook/workbook-read';
import { entryBytes, entryText, readZip } from '../../../../sync-service/xlsx/workbook-zip';
import {
  chunkMapPath,
  mapFor,
  readChunkRecords,
} from '../../../../sync-service/sinks/workbook/workbook-chunk-maps';
import { credit as domainCredit, directory } from '../../../helpers/domain';
import { changes, credit, loadWorkbook, protectionOf, withoutDeskIds } from './workbook-helpers';
import { withTempDir } from '../../../helpers/fixtures-io';
import { propertyRuns } from '../../../helpers/soak';

// zlib as it is, its createDeflateRaw counted: how many chunks the patcher deflated rather than copied.
jest.mock('node:zlib', () => {
  const actual = jest.requireActual<typeof import('node:zlib')>('node:zlib');
  return { ...actual, createDeflateRaw: jest.fn(actual.createDeflateRaw) };
});

const STATUSES = ['PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'] as const;
const BASE_CREDITS = 8;

const textArb = fc
  .array(
    fc.constantFrom('a', 'Z', ' ', '&', '<', '"', '\n', '\r', '\t', '\u0001', '😀', '_x0041_', '=', '0'),
    {
      maxLength: 6,
    },
  )
  .map((cs) => cs.join(''));

const dir = directory([{ accountId: '000123456789', customerId: 'CUST-1', resellerId: 'RES-1' }]);

function layoutOf(n: number) {
  const credits = Array.from({ length: n }, (_, i) =>
    domainCredit({ key: `k${i}`, amount: 1000 + i * 7, status: STATUSES[i % 4] }),
  );
  return summaryLayout(buildSummary(credits, { directory: dir, currentPeriod: '2026-11' }));
}

function ledgerRow(n: number, over: Partial<Record<LedgerField, Cell>> = {}): Record<LedgerField, Cell> {
  const c = credit(n, { status: 'PROCESSING', usageFileId: 'UF-1', processingDate: '2024-06-02' });
  const row = Object.fromEntries(LEDGER_COLUMNS.map((col) => [col.field, ''])) as Record<LedgerField, Cell>;
  for (const col of LEDGER_COLUMNS) if (col.field in c) row[col.field] = c[col.field as keyof typeof c];
  return { ...row, collectedAt: '2024-06-02T10:00:00.000Z', ...over };
}

/** A packed row of archived credits (core/archived-ledger.ts) listing a single key that is also a live key. */
function packedRow(key: string): Record<LedgerField, Cell> {
  const row = Object.fromEntries(LEDGER_COLUMNS.map((col) => [col.field, ''])) as Record<LedgerField, Cell>;
  return { ...row, key, creditId: 'AWSC-000000-0000-0099', status: ARCHIVED_STATUS };
}

function auditRow(n: number, text: string) {
  return {
    when: '2024-06-01T10:00:00.000Z',
    who: 'me',
    action: 'edit',
    creditId: `CR-${n}`,
    field: 'notes',
    before: '',
    after: text,
  };
}

const updateArb = fc.record(
  {
    n: fc.integer({ min: 0, max: BASE_CREDITS - 1 }),
    status: fc.constantFrom(...STATUSES),
    allocation: textArb,
    notes: textArb,
    distributorKeeps: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
    processingDate: fc.constantFrom('', '2024-07-01', '2025-01-31'),
    stale: fc.boolean(),
  },
  { requiredKeys: ['n', 'stale'] },
);

// A sync's new credits: any status (a restored credit can arrive locked), dollars, yen or dinars, text that
// stresses the escapes, a processing date or none.
const appendArb = fc.record({
  status: fc.constantFrom(...STATUSES),
  currency: fc.constantFrom('USD', 'JPY', 'KWD'),
  description: textArb,
  allocation: textArb,
  cents: fc.integer({ min: 1, max: 10_000_000 }),
  distributorKeeps: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
  processingDate: fc.constantFrom('', '2024-07-01'),
});

const changeArb = fc.record({
  updates: fc.array(updateArb, { maxLength: 4 }),
  appends: fc.array(appendArb, { maxLength: 3 }),
  audit: fc.array(textArb, { maxLength: 3 }),
  ledgerAppends: fc.integer({ min: 0, max: 2 }),
  ledgerCloses: fc.subarray([0, 1]),
  ledgerPacked: fc.boolean(),
  summary: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
  // Staff tabs replaced whole, as a sync replaces Config (its AWS bill rows) and Accounts from --accounts: text
  // that stresses the escapes, blank cells and blank rows, a number where staff typed one.
  replace: fc.record({
    config: fc.option(fc.array(fc.tuple(textArb, textArb), { maxLength: 3 }), { nil: undefined }),
    accounts: fc.option(
      fc.array(fc.tuple(textArb, textArb, fc.integer({ min: 0, max: 999 })), { maxLength: 3 }),
      {
        nil: undefined,
      },
    ),
  }),
});

type Drawn = typeof changeArb extends fc.Arbitrary<infer T> ? T : never;

/** `staff`: the Config and Accounts tabs the change set's replacements start from (they only add to them, as a sync's do). */
function changeSetOf(d: Drawn, staff?: StaffTabs): ChangeSet {
  return changes({
    appends: d.appends.map((a, i) =>
      credit(200 + i, {
        status: a.status,
        currency: a.currency,
        description: a.description,
        allocation: a.allocation,
        amount: a.currency === 'JPY' ? a.cents : a.cents / (a.currency === 'KWD' ? 1000 : 100),
        distributorKeeps: a.distributorKeeps ?? '',
        processingDate: a.processingDate,
      }),
    ),
    updates: d.updates.map((u) => {
      const { n, stale, ...fields } = u;
      // A stale plan (expect ≠ what the sheet holds) is skipped by both writers, its Audit rows with it.
      return {
        key: `key-${n}`,
        creditId: `CR-${n}`,
        fields,
        expect: stale ? { status: 'nonsense' } : undefined,
      };
    }),
    audit: d.audit.map((t, i) => auditRow(i, t)),
    ledger: {
      appends: [
        ...Array.from({ length: d.ledgerAppends }, (_, i) => ledgerRow(100 + i)),
        ...(d.ledgerPacked ? [packedRow('key-0')] : []),
      ],
      updates: d.ledgerCloses.map((n) => ({
        key: `key-${n}`,
        fields: { status: 'PROCESSED', closedAt: '2024-07-01T00:00:00.000Z' },
      })),
    },
    summary: d.summary === undefined ? undefined : layoutOf(d.summary),
    replaceTabs: staff && replaceTabsOf(d.replace, staff),
  });
}

type StaffTabs = { config: Grid; accounts: Grid };

/**
 * The replacements a sync makes: Config with the rows it had (one value changed) and AWS bill rows added; Accounts
 * with the rows it had and more. (A replacement that drops rows or values is the full writer's: see the test below.)
 */
function replaceTabsOf(r: Drawn['replace'], staff: StaffTabs): ChangeSet['replaceTabs'] {
  const out: NonNullable<ChangeSet['replaceTabs']> = {};
  if (r.config)
    out.config = {
      headers: staff.config.headers,
      rows: [
        ...staff.config.rows.map((row, i) => (i ? row : [row[0], '7', row[2]])),
        ...r.config.map(([s, v]) => [`aws.bill.${s}`, v, '']),
      ],
    };
  if (r.accounts)
    out.accounts = {
      headers: staff.accounts.headers,
      rows: [
        ...staff.accounts.rows,
        ...r.accounts.map(([id, name, n]) => [id, name, `CUST-${n}`, '', n, '', '']),
      ],
    };
  return Object.keys(out).length ? out : undefined;
}

/** Everything about a workbook that the two writers must agree on, through ExcelJS. */
function describeWorkbook(wb: ExcelJS.Workbook): unknown {
  return wb.worksheets.map((ws) => {
    const rows: unknown[] = [];
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      const cells: unknown[] = [];
      row.eachCell({ includeEmpty: true }, (c, col) => {
        const v = c.value instanceof Date ? c.value.toISOString() : c.value;
        cells.push([col, v, c.numFmt ?? null, c.style?.protection?.locked ?? true, c.font ?? null]);
      });
      rows.push([r, cells]);
    });
    const dv = (ws as unknown as { dataValidations: { model: unknown } }).dataValidations.model;
    const cf = (
      ws as unknown as { conditionalFormattings: { ref: string; rules: { type: string }[] }[] }
    ).conditionalFormattings.map((f) => [f.ref, f.rules.map((x) => x.type)]);
    return {
      name: ws.name,
      state: ws.state,
      rows,
      protection: protectionOf(ws),
      dv,
      cf,
      filter: ws.autoFilter ?? null,
      views: ws.views,
    };
  });
}

/** Shared strings and styles in range, rows and cells ascending, no row twice — in every sheet part. */
async function checkInvariants(path: string): Promise<void> {
  const entries = readZip(await readFile(path));
  // Each entry's CRC-32 is its content's, as `unzip -t` and Excel check it: the patcher combines it per chunk
  // (crc32-combine.ts) instead of computing it over the part.
  for (const e of entries) expect([e.name, e.crc]).toEqual([e.name, crc32(entryBytes(e)) >>> 0]);
  const parts = new Map(entries.map((e) => [e.name, entryText(e)]));
  const sst = parts.get('xl/sharedStrings.xml')!;
  const strings = (sst.match(/<si>|<si\/>/g) ?? []).length;
  expect(Number(/uniqueCount="(\d+)"/.exec(sst)![1])).toBe(strings);
  const styles = parts.get('xl/styles.xml')!;
  const xfs = /<cellXfs count="(\d+)">([\s\S]*?)<\/cellXfs>/.exec(styles)!;
  expect((xfs[2].match(/<xf\b/g) ?? []).length).toBe(Number(xfs[1]));
  for (const [name, xml] of parts) {
    if (!/^xl\/worksheets\/sheet\d+\.xml$/.test(name)) continue;
    let lastRow = 0;
    for (const row of xml.matchAll(/<row\b[^>]*?\sr="(\d+)"[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
      const r = Number(row[1]);
      expect(r).toBeGreaterThan(lastRow);
      lastRow = r;
      let lastCol = '';
      for (const c of (row[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const ref = /\sr="([A-Z]+)(\d+)"/.exec(c[1])!;
        expect(Number(ref[2])).toBe(r);
        const col = ref[1].padStart(3, ' ');
        expect(col > lastCol).toBe(true);
        lastCol = col;
        const s = /\ss="(\d+)"/.exec(c[1]);
        if (s) expect(Number(s[1])).toBeLessThan(Number(xfs[1]));
        if (/\st="s"/.test(c[1])) expect(Number(/<v>(\d+)<\/v>/.exec(c[2] ?? '')![1])).toBeLessThan(strings);
      }
    }
  }
}

/** The workbook both writers start from, written whole: BASE_CREDITS credits of every status, and the tabs given. */
async function seedWorkbook(
  path: string,
  with_: {
    credit: (n: number) => Partial<Record<CreditField, Cell>>;
    audit: ReturnType<typeof auditRow>[];
    ledger: Record<LedgerField, Cell>[];
  },
): Promise<void> {
  const seed = createWorkbookSink({ path, patch: false });
  await seed.read();
  await seed.write(
    changes({
      appends: Array.from({ length: BASE_CREDITS }, (_, n) =>
        credit(n, {
          status: STATUSES[n % 4],
          allocation: n % 4 ? 'customer 100%' : '',
          processingDate: n % 4 > 1 ? '2024-06-02' : '',
          ...with_.credit(n),
        }),
      ),
      audit: with_.audit,
      ledger: { appends: with_.ledger, updates: [] },
      summary: layoutOf(3),
    }),
  );
  await seed.close();
}

/**
 * One change set written to two copies: by the full writer, and by the sink as it is (the patcher first), with
 * `options` for that sink.
 */
async function writeBothWays(
  full: string,
  patched: string,
  change: ChangeSet,
  options: Partial<WorkbookSinkOptions> = {},
) {
  const fullSink = createWorkbookSink({ path: full, patch: false });
  await fullSink.read();
  const fullReport = await fullSink.write(structuredClone(change));
  const messages: string[] = [];
  const patchSink = createWorkbookSink({ ...options, path: patched, onProgress: (m) => messages.push(m) });
  await patchSink.read();
  const patchReport = await patchSink.write(structuredClone(change));
  return { fullReport, patchReport, messages };
}

describe('patching writer', () => {
  it('writes what the full writer writes, for random small change sets', async () => {
    await withTempDir(async (tmp) => {
      const base = join(tmp, 'base.xlsx');
      await seedWorkbook(base, {
        credit: (n) => ({ currency: n === 5 ? 'JPY' : 'USD', amount: n === 5 ? 1500 : 10 + n / 100 }),
        audit: [auditRow(0, 'first')],
        // The packed row comes first, so a writer that took any row with the Key would close it instead.
        ledger: [packedRow('key-1'), ledgerRow(0), ledgerRow(1)],
      });

      const staff = (await readPlainWorkbook(base))!;
      let run = 0;
      await fc.assert(
        fc.asyncProperty(changeArb, async (drawn) => {
          run++;
          const full = join(tmp, `full-${run}.xlsx`);
          const patched = join(tmp, `patched-${run}.xlsx`);
          await copyFile(base, full);
          await copyFile(base, patched);
          const change = changeSetOf(drawn, staff);

          const { fullReport, patchReport, messages } = await writeBothWays(full, patched, change);
          expect(messages.filter((m) => m.startsWith('writing the whole'))).toEqual([]);
          expect(patchReport.skipped).toEqual(fullReport.skipped);
          expect(patchReport.updatedRows).toBe(fullReport.updatedRows);
          expect(patchReport.appendedRows).toBe(fullReport.appendedRows);
          expect(patchReport.lockedRows).toBe(fullReport.lockedRows);

          expect(describeWorkbook(await loadWorkbook(patched))).toEqual(
            describeWorkbook(await loadWorkbook(full)),
          );
          const fast = await readPlainWorkbook(patched);
          expect(fast).not.toBeNull();
          expect(fast).toEqual(await readPlainWorkbook(full));
          await checkInvariants(patched);
          // A credit whose Credits change was skipped (a stale plan) keeps its Ledger as it was.
          const skipped = new Set(patchReport.skipped.map((x) => x.key));
          const closes = (n: number) => drawn.ledgerCloses.includes(n) && !skipped.has(`key-${n}`);
          const ledger = fast!.ledger;
          const at = (h: string) => ledger.headers.indexOf(h);
          const rowsOf = (key: string) =>
            ledger.rows.filter((r) => r[at('Key')] === key).map((r) => [r[at('Status')], r[at('Closed At')]]);
          expect(rowsOf('key-1')).toEqual([
            [ARCHIVED_STATUS, ''],
            closes(1) ? ['PROCESSED', '2024-07-01T00:00:00.000Z'] : ['PROCESSING', ''],
          ]);
          expect(rowsOf('key-0').filter(([s]) => s === ARCHIVED_STATUS)).toHaveLength(
            drawn.ledgerPacked && !skipped.has('key-0') ? 1 : 0,
          );
        }),
        propertyRuns(10, 30, 30),
      );
    });
  }, 300_000);

  /**
   * The patcher copies the deflated chunks no edit touches, found through the map it keeps next to the workbook
   * (workbook-chunk-maps.ts). With chunks of 256 bytes, so these small parts have dozens: change sets applied one
   * after another to the same two files still read back the same, the map always describes the file as saved, and
   * a map left from another version of the file (the workbook restored from an older copy) is not used.
   */
  it('writes what the full writer writes, change set after change set, copying untouched chunks', async () => {
    await withTempDir(async (tmp) => {
      const base = join(tmp, 'base.xlsx');
      await seedWorkbook(base, {
        credit: (n) => ({ description: `credit ${n} `.repeat(n + 1) }),
        audit: Array.from({ length: 40 }, (_, i) => auditRow(i % BASE_CREDITS, `note ${i}`)),
        ledger: [ledgerRow(0), ledgerRow(1)],
      });
      let run = 0;
      // After the first step (which has no map yet): chunks in the entries the patcher rewrote, and the chunks it
      // deflated; the others it copied.
      let written = 0;
      let deflated = 0;
      const deflate = jest.requireMock<{ createDeflateRaw: jest.Mock }>('node:zlib').createDeflateRaw;
      await fc.assert(
        fc.asyncProperty(
          fc.array(changeArb, { minLength: 2, maxLength: 3 }),
          fc.boolean(),
          async (steps, restore) => {
            run++;
            const full = join(tmp, `chain-full-${run}.xlsx`);
            const patched = join(tmp, `chain-patched-${run}.xlsx`);
            await copyFile(base, full);
            await copyFile(base, patched);
            const older = join(tmp, `chain-older-${run}.xlsx`);
            for (const [i, drawn] of steps.entries()) {
              if (restore && i === steps.length - 1) {
                // The workbook put back as it was one step ago, on both sides; the map describes the newer file.
                await copyFile(older, patched);
                await copyFile(`${older}.full`, full);
              }
              await copyFile(patched, older);
              await copyFile(full, `${older}.full`);
              const change = changeSetOf(
                { ...drawn, summary: undefined },
                (await readPlainWorkbook(patched))!,
              );
              const fullSink = createWorkbookSink({ path: full, patch: false });
              await fullSink.read();
              await fullSink.write(structuredClone(change));
              const messages: string[] = [];
              const patchSink = createWorkbookSink({
                path: patched,
                zipChunkBytes: 256,
                onProgress: (m) => messages.push(m),
              });
              const before = await readFile(patched);
              const deflatedBefore = deflate.mock.calls.length;
              await patchSink.read();
              await patchSink.write(structuredClone(change));
              expect(messages.filter((m) => m.startsWith('writing the whole'))).toEqual([]);
              expect(describeWorkbook(await loadWorkbook(patched))).toEqual(
                describeWorkbook(await loadWorkbook(full)),
              );
              expect(await readPlainWorkbook(patched)).toEqual(await readPlainWorkbook(full));
              await checkInvariants(patched);
              // Once the patcher saved the file, the map describes it as it is: every entry it deflated, and those it
              // copied that a map described before. (Nothing to write: the file and the map are left as they were.)
              const after = await readFile(patched);
              if (!after.equals(before)) {
                const records = readChunkRecords(patched);
                expect(records.size).toBeGreaterThan(0);
                const previous = new Map(readZip(before).map((e) => [e.name, e]));
                const later = i > 0 && !(restore && i === steps.length - 1);
                if (later) deflated += deflate.mock.calls.length - deflatedBefore;
                for (const e of readZip(after)) {
                  const record = records.get(e.name);
                  if (!record) continue;
                  expect(mapFor(record, e)?.crcs).toBeDefined();
                  if (later && !previous.get(e.name)?.raw.equals(e.raw)) written += record.u.length - 1;
                }
              }
            }
          },
        ),
        propertyRuns(4, 12, 12),
      );
      expect(deflated).toBeLessThan(written); // all of them when nothing is copied
    });
  }, 300_000);

  /**
   * A first load (a new workbook): ExcelJS writes the first credit with the tabs, the Summary and the Ledger, and
   * the patcher appends the other credits and the Audit (workbook.ts firstLoadPatched). It must give the workbook
   * the whole write gives, whatever the credits.
   */
  it('writes a first load as the whole write does: one row by ExcelJS, the rest patched', async () => {
    await withTempDir(async (tmp) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(appendArb, { minLength: 2, maxLength: 8 }),
          fc.array(textArb, { maxLength: 3 }),
          fc.integer({ min: 0, max: 2 }),
          fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
          async (appends, audit, ledgerAppends, summary) => {
            run++;
            const change = changeSetOf({
              updates: [],
              appends,
              audit,
              ledgerAppends,
              ledgerCloses: [],
              ledgerPacked: false,
              summary,
              replace: { config: undefined, accounts: undefined },
            });
            const full = join(tmp, `first-full-${run}.xlsx`);
            const split = join(tmp, `first-split-${run}.xlsx`);
            const {
              fullReport,
              patchReport: splitReport,
              messages,
            } = await writeBothWays(full, split, change, { firstLoadSplit: 2 });
            expect(messages.filter((m) => m.startsWith('writing the whole'))).toEqual([]);
            // Patched (only the patcher leaves a chunk map; the whole write removes it).
            expect(existsSync(chunkMapPath(split))).toBe(true);
            expect(existsSync(chunkMapPath(full))).toBe(false);
            expect(splitReport).toEqual(fullReport);
            expect(withoutDeskIds(describeWorkbook(await loadWorkbook(split)))).toEqual(
              withoutDeskIds(describeWorkbook(await loadWorkbook(full))),
            );
            expect(withoutDeskIds(await readPlainWorkbook(split))).toEqual(
              withoutDeskIds(await readPlainWorkbook(full)),
            );
            await checkInvariants(split);
            expect(await plainTabSizes(split)).toEqual(await plainTabSizes(full));
            // The first load's text is shared; a later sync's new row is inline (the table would grow all year).
            const creditsXml = () =>
              readFile(split).then((b) => entryText(readZip(b).find((e) => e.name.endsWith('sheet1.xml'))!));
            expect(await creditsXml()).not.toContain('inlineStr');
            const later = createWorkbookSink({ path: split });
            await later.read();
            await later.write(changes({ appends: [credit(900, { description: 'later' })] }));
            expect(await creditsXml()).toContain('<is><t>later</t></is>');
          },
        ),
        propertyRuns(5, 15, 15),
      );
    });
  }, 300_000);

  it('removes rows as the full writer does (archive): Credits by Key, Audit by Credit ID, Ledger rows but packed ones', async () => {
    await withTempDir(async (tmp) => {
      const base = join(tmp, 'base.xlsx');
      await seedWorkbook(base, {
        credit: (n) => ({ description: n === 3 ? 'Crédit é 😀 & <b>' : `credit ${n}` }),
        audit: Array.from({ length: BASE_CREDITS + 2 }, (_, i) => auditRow(i % BASE_CREDITS, `é ${i}`)),
        ledger: [packedRow('key-1'), ledgerRow(0), ledgerRow(1), ledgerRow(2)],
      });

      const keyArb = fc.subarray(Array.from({ length: BASE_CREDITS }, (_, n) => n));
      const removeArb = fc.record({
        keys: keyArb,
        audit: keyArb,
        ledger: fc.subarray([0, 1, 2, 5]),
        packed: fc.subarray([0, 1, 2]),
        summary: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(removeArb, async (d) => {
          run++;
          const full = join(tmp, `rm-full-${run}.xlsx`);
          const patched = join(tmp, `rm-patched-${run}.xlsx`);
          await copyFile(base, full);
          await copyFile(base, patched);
          const change = changes({
            ledger: { appends: d.packed.map((n) => packedRow(`key-${n}`)), updates: [] },
            remove: {
              keys: d.keys.map((n) => `key-${n}`),
              auditCreditIds: d.audit.map((n) => `CR-${n}`),
              ledgerKeys: d.ledger.map((n) => `key-${n}`),
            },
            summary: d.summary === undefined ? undefined : layoutOf(d.summary),
          });
          const { fullReport, patchReport, messages } = await writeBothWays(full, patched, change);
          // Only a tab left with no data rows is the full writer's.
          if (d.keys.length < BASE_CREDITS && d.audit.length < BASE_CREDITS)
            expect(messages.filter((m) => m.startsWith('writing the whole'))).toEqual([]);
          expect(patchReport).toEqual(fullReport);
          expect(describeWorkbook(await loadWorkbook(patched))).toEqual(
            describeWorkbook(await loadWorkbook(full)),
          );
          const fast = await readPlainWorkbook(patched);
          expect(fast).not.toBeNull();
          expect(fast).toEqual(await readPlainWorkbook(full));
          expect(await plainTabSizes(patched)).toEqual(await plainTabSizes(full));
          await checkInvariants(patched);
        }),
        propertyRuns(8, 25, 25),
      );
    });
  }, 300_000);

  it('gives the tab sizes ExcelJS gives (the cell budget), without loading ExcelJS', async () => {
    await withTempDir(async (tmp) => {
      const path = join(tmp, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(
        changes({ appends: [credit(1), credit(2, { status: 'PROCESSED' })], summary: layoutOf(5) }),
      );
      const patched = createWorkbookSink({ path });
      await patched.read();
      await patched.write(changes({ audit: [auditRow(1, 'x'), auditRow(2, 'y')], summary: layoutOf(9) }));
      const wb = await loadWorkbook(path);
      expect(await plainTabSizes(path)).toEqual(workbookTabSizes(wb));
      // Measured while parsing (what a sync with nothing to write reports), for every tab or only some.
      const bytes = await readFile(path);
      expect((await readPlainWorkbookParts(bytes))!.sizes()).toEqual(workbookTabSizes(wb));
      expect((await readPlainWorkbookParts(bytes, ['credits']))!.sizes()).toEqual(workbookTabSizes(wb));
      const reader = createWorkbookSink({ path });
      await reader.read();
      expect(await reader.gridSize!()).toEqual(workbookTabSizes(wb));
      // After a patched write (a sync's last step): the parts the patch left as they were keep the sizes the read
      // measured, the others are measured again, and together they are still what ExcelJS counts.
      await reader.write(changes({ appends: [credit(3)], audit: [auditRow(3, 'z')] }));
      const after = await loadWorkbook(path);
      expect(workbookTabSizes(after)).not.toEqual(workbookTabSizes(wb));
      expect(await reader.gridSize!()).toEqual(workbookTabSizes(after));
    });
  });

  it('falls back to the full writer, and says why, when the first credits are added', async () => {
    await withTempDir(async (tmp) => {
      const path = join(tmp, 'credits.xlsx');
      const first = createWorkbookSink({ path });
      await first.read();
      await first.write(changes({ audit: [auditRow(1, 'x')] })); // the tabs, no credit yet
      const messages: string[] = [];
      const sink = createWorkbookSink({ path, onProgress: (m) => messages.push(m) });
      await sink.read();
      await sink.write(changes({ appends: [credit(1)] }));
      expect(
        messages.some((m) => m.startsWith('writing the whole of credits.xlsx (a Credits tab without rows')),
      ).toBe(true);
      const patched: string[] = [];
      const next = createWorkbookSink({ path, onProgress: (m) => patched.push(m) });
      await next.read();
      await next.write(changes({ appends: [credit(2)] }));
      expect(patched.filter((m) => m.startsWith('writing the whole'))).toEqual([]); // later syncs patch
      expect((await readPlainWorkbook(path))!.credits.rows).toHaveLength(2);
    });
  });

  it('patches a replaced Config that gains rows, and falls back, saying why, when a replacement drops a value', async () => {
    await withTempDir(async (tmp) => {
      const path = join(tmp, 'credits.xlsx');
      const first = createWorkbookSink({ path });
      await first.read();
      await first.write(changes({ appends: [credit(1), credit(2)] }));
      const replaceConfig = async (rows: (config: Grid) => Grid['rows']) => {
        const messages: string[] = [];
        const sink = createWorkbookSink({ path, onProgress: (m) => messages.push(m) });
        const { tabs } = await sink.read();
        await sink.write(
          changes({ replaceTabs: { config: { headers: tabs.config.headers, rows: rows(tabs.config) } } }),
        );
        await sink.close();
        return { messages, config: (await readPlainWorkbook(path))!.config };
      };
      const grown = await replaceConfig((c) => [...c.rows, ['aws.bill.2024-05', 'final', 'é & <x>']]);
      expect(grown.messages.filter((m) => m.startsWith('writing the whole'))).toEqual([]);
      expect(grown.config.rows.at(-1)).toEqual(['aws.bill.2024-05', 'final', 'é & <x>']);
      const dropped = await replaceConfig((c) => c.rows.slice(0, -1));
      expect(dropped.messages).toContainEqual(
        expect.stringMatching(
          /^writing the whole of credits\.xlsx \(the Config tab has a value the new rows leave blank \(A\d+\)\)/,
        ),
      );
    });
  });

  it('falls back when someone unprotected the Credits tab, so the next save protects it again', async () => {
    await withTempDir(async (tmp) => {
      const path = join(tmp, 'credits.xlsx');
      const first = createWorkbookSink({ path });
      await first.read();
      await first.write(changes({ appends: [credit(1), credit(2)] }));
      const wb = await loadWorkbook(path);
      wb.getWorksheet('Credits')!.unprotect();
      await wb.xlsx.writeFile(path);
      const messages: string[] = [];
      const sink = createWorkbookSink({ path, onProgress: (m) => messages.push(m) });
      await sink.read();
      await sink.write(changes({ updates: [{ key: 'key-1', fields: { notes: 'x' } }] }));
      expect(messages.some((m) => m.includes('the Credits tab is not protected'))).toBe(true);
      expect(protectionOf((await loadWorkbook(path)).getWorksheet('Credits')!)).toMatchObject({
        sheet: true,
      });
    });
  });
});
