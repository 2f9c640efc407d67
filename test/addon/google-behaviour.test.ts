/**
 * The add-on under what Google really does (issue 28, items 4, 5, 6, 8): bundled SpreadsheetApp operations that
 * land only on flush(), atomic and chunked writes, the download's filter as Sheets evaluates it, developer
 * metadata visibility, and 429s. Each test goes through the emulator's model of the behaviour
 * (emulators/spreadsheet-app.ts, sheets-advanced.ts), which cites Google's reference for it.
 */
import { sendBatches, writeBatches, PAYLOAD_BUDGET } from '../../addon/server/api-batch';
import { assignCredit } from '../../addon/server/assign';
import { downloadFilteredRows } from '../../addon/server/download';
import { handleEdit } from '../../addon/server/on-edit';
import { applyRules, previewRules } from '../../addon/server/rules';
import { ADDON_WRITE_KEY } from '../../core/locks';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import { MAX_PAYLOAD_BYTES } from '../../emulators/sheets-advanced';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const col = (header: string) => CREDIT_COLUMNS.findIndex((c) => c.header === header) + 1;

interface Api {
  _failNext(n: number): void;
  _payloads(): number[];
  Spreadsheets: {
    get: (...a: unknown[]) => { developerMetadata?: { metadataKey?: string }[] };
    batchUpdate: (...a: unknown[]) => unknown;
  };
}
const sheetsApi = () => (globalThis as unknown as { Sheets: Api }).Sheets;

describe('4. SpreadsheetApp operations are bundled: the add-on flushes before the Sheets API depends on them', () => {
  test('the write marker set with SpreadsheetApp is visible to the Sheets API and to the sync before any API call', () => {
    desk = setUpDesk(makeCredits(2));
    const api = sheetsApi();
    const real = api.Spreadsheets.get;
    const seenByApi: string[][] = [];
    const seenBySync: string[][] = [];
    api.Spreadsheets.get = (...a: unknown[]) => {
      const res = real(...a);
      seenByApi.push((res.developerMetadata ?? []).map((m) => m.metadataKey ?? ''));
      // The store is what the sync's HTTP front serves (PROJECT-visible metadata is kept out of it).
      seenBySync.push(desk.ss._state().developerMetadata.map((m) => m.metadataKey ?? ''));
      return res;
    };
    assignCredit('AWSC-202610-0000-0000', 'customer 100%');
    expect(seenByApi.length).toBeGreaterThan(0);
    for (const keys of seenByApi) expect(keys).toContain(ADDON_WRITE_KEY);
    for (const keys of seenBySync) expect(keys).toContain(ADDON_WRITE_KEY);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'ASSIGNED' });
  });

  test('an Audit tab with no room left is grown inside the API batch, not by a SpreadsheetApp insert that lands later', () => {
    desk = setUpDesk(makeCredits(3));
    desk.audit._maxRows = 1; // the header only: every Audit row needs a new grid row
    const result = applyRules('pending', false, previewRules('pending', false).token);
    expect(result.applied).toBe(3);
    expect(new Set(auditRows(desk).map((a) => a['Credit ID']))).toEqual(
      new Set(['AWSC-202610-0000-0000', 'AWSC-202610-0000-0001', 'AWSC-202610-0000-0002']),
    );
    expect(desk.fake.log.count('Sheet.insertRowsAfter')).toBe(0);
  });

  test('a deleted Audit tab is made again and flushed before the API batch writes into it', () => {
    desk = setUpDesk(makeCredits(2));
    const state = desk.ss._state();
    state.sheets = state.sheets.filter((s) => s.properties.title !== 'Audit');
    assignCredit('AWSC-202610-0000-0001', 'customer 100%');
    const audit = desk.ss._sheet('Audit');
    expect(audit._rows.length).toBeGreaterThan(1);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'ASSIGNED' });
  });
});

describe('5. writes: one atomic spreadsheets.batchUpdate per ≤ 1.8 MB, never one request over 2 MB', () => {
  test('apply-rules on 4,000 pending credits sends no request over the recommended 2 MB', () => {
    desk = setUpDesk(makeCredits(4000));
    desk.audit._maxRows = 20_000;
    const token = previewRules('pending', false).token;
    const result = applyRules('pending', false, token);
    expect(result.applied).toBe(4000);
    const sizes = sheetsApi()._payloads();
    expect(sizes.length).toBeGreaterThan(3); // the marker's two, and more than one write batch
    for (const s of sizes) expect(s).toBeLessThanOrEqual(PAYLOAD_BUDGET);
    expect(desk.fake.log.count('Sheets.Spreadsheets.Values.batchUpdate')).toBe(0);
    expect(auditRows(desk).filter((a) => a.Field === 'status')).toHaveLength(4000);
  });

  test('each batch carries whole credits with their Audit rows; a failing batch leaves the earlier ones whole and says so', () => {
    desk = setUpDesk(makeCredits(3));
    const cells = [0, 1, 2].map((i) => ({ row: i + 2, col: 5, value: `v${i}`, creditId: `C${i}` }));
    const audit = [0, 1, 2].map((i) => ({
      when: '2026-12-01T00:00:00Z',
      who: 'ana',
      action: 'assign',
      creditId: `C${i}`,
      field: 'status',
      before: '',
      after: 'x'.repeat(300),
    }));
    const place = {
      sheetId: 9,
      idx: { when: 0, who: 1, action: 2, creditId: 3, field: 4, before: 5, after: 6 } as never,
      width: 7,
      firstRow: 2,
      rowCount: 2,
    };
    const batches = writeBatches(1, place, cells, audit as never, 1400);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.bytes).toBeLessThanOrEqual(1400);
    expect(batches.flatMap((b) => b.creditIds)).toEqual(['C0', 'C1', 'C2']);
    // Audit grows in the batch that needs it, and each batch's Audit rows follow the previous batch's.
    const starts = batches.map(
      (b) =>
        (b.requests.at(-1) as { updateCells: { start: { sheetId: number; rowIndex: number } } }).updateCells
          .start,
    );
    expect(starts.every((s) => s.sheetId === 9)).toBe(true);
    expect(starts.map((s) => s.rowIndex)).toEqual(
      starts.map((_s, i) => 1 + batches.slice(0, i).reduce((n, b) => n + b.creditIds.length, 0)),
    );
    let calls = 0;
    const api = {
      Spreadsheets: {
        batchUpdate: () => {
          if (++calls === 2) throw new Error('You are trying to edit a protected cell');
          return {};
        },
      },
    };
    expect(() => sendBatches(api, 'id', batches)).toThrow(
      /1 credit was written with its Audit rows; \d were not \(C1.*protected cell[\s\S]*Run the action again/,
    );
  });

  test('a protection Sheets meets inside a batch refuses the whole batch: no cell and no Audit row', () => {
    desk = setUpDesk(makeCredits(3));
    const preview = previewRules('pending', false);
    const api = sheetsApi();
    const real = api.Spreadsheets.batchUpdate;
    api.Spreadsheets.batchUpdate = (...a: unknown[]) => {
      const requests = (a[0] as { requests: object[] }).requests;
      if (requests.some((r) => 'updateCells' in r)) {
        const p = desk.credits.getRange(3, 1, 1, CREDIT_COLUMNS.length).protect();
        (p as unknown as { _editors: string[] })._editors = ['sync@project.iam.gserviceaccount.com'];
      }
      return real(...a);
    };
    expect(() => applyRules('pending', false, preview.token)).toThrow(/protected cell/);
    for (const r of creditsById(desk).values()) expect(r.Status).toBe('PENDING_ASSIGN');
    expect(auditRows(desk)).toEqual([]);
  });

  test('the emulator refuses a request over 2 MB', () => {
    desk = setUpDesk(makeCredits(1));
    const huge = 'x'.repeat(MAX_PAYLOAD_BYTES);
    expect(() =>
      sheetsApi().Spreadsheets.batchUpdate(
        {
          requests: [
            { deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataKey: huge } } } },
          ],
        },
        desk.ss.getId(),
      ),
    ).toThrow(/over the recommended 2000000/);
  });
});

describe("6. the download follows Sheets' own hiddenByFilter", () => {
  test('a condition whose value is a formula (=Lookups!$A$1) shows the rows Sheets shows', () => {
    desk = setUpDesk(
      makeCredits(4, (i) =>
        i < 2
          ? { status: 'ASSIGNED', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'manual' }
          : {},
      ),
    );
    desk.ss._addSheet('Lookups', [['ASSIGNED']]);
    const filter = desk.credits.getDataRange().createFilter();
    filter.setColumnFilterCriteria(
      col('Status'),
      SpreadsheetApp.newFilterCriteria().whenTextEqualTo("='Lookups'!$A$1").build() as never,
    );
    expect([2, 3, 4, 5].map((r) => desk.credits.isRowHiddenByFilter(r))).toEqual([false, false, true, true]);
    const file = downloadFilteredRows('csv');
    expect(file.rows).toBe(2);
    // The filter's value changes: Sheets re-evaluates, and so does the download.
    desk.ss._sheet('Lookups')._set(1, 1, 'PENDING_ASSIGN');
    expect(downloadFilteredRows('csv').rows).toBe(2);
    expect(downloadFilteredRows('csv').content).toMatch(/AWSC-202610-0000-0002/);
  });
});

describe('8. developer metadata visibility and 429s', () => {
  test('the marker is DOCUMENT-visible (the overload without a visibility is modelled as PROJECT)', () => {
    desk = setUpDesk(makeCredits(1));
    desk.ss._wrapped().addDeveloperMetadata('k', 'v');
    expect(desk.ss._state().developerMetadata.map((m) => m.metadataKey)).not.toContain('k');
    expect(desk.ss._metadata.map((m) => m.key)).toContain('k'); // its own project still sees it
    const visibilities: string[] = [];
    const api = sheetsApi();
    const real = api.Spreadsheets.get;
    api.Spreadsheets.get = (...a: unknown[]) => {
      visibilities.push(
        ...desk.ss
          ._state()
          .developerMetadata.filter((m) => m.metadataKey === ADDON_WRITE_KEY)
          .map((m) => m.visibility ?? ''),
      );
      return real(...a);
    };
    assignCredit('AWSC-202610-0000-0000', 'customer 100%');
    expect(visibilities).toEqual(['DOCUMENT']);
  });

  test('a 429 is retried with exponential backoff, and the action completes', () => {
    desk = setUpDesk(makeCredits(2));
    const token = previewRules('pending', false).token;
    sheetsApi()._failNext(3);
    expect(applyRules('pending', false, token).applied).toBe(2);
    expect(desk.fake.sleeps).toHaveLength(3);
    desk.fake.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(1000 * 2 ** i);
      expect(ms).toBeLessThan(1000 * 2 ** i + 1000);
    });
  });

  test('after five retries the 429 is passed on, and nothing was written', () => {
    desk = setUpDesk(makeCredits(2));
    const token = previewRules('pending', false).token;
    sheetsApi()._failNext(6);
    expect(() => applyRules('pending', false, token)).toThrow(/Quota exceeded/);
    expect(desk.fake.sleeps).toHaveLength(5);
    for (const r of creditsById(desk).values()) expect(r.Status).toBe('PENDING_ASSIGN');
  });
});

describe('10. rows moved or sorted may fire onEdit (whole rows, no values): nothing is re-decided', () => {
  test('an ASSIGNED credit keeps its rule, a collected one its cells; no Audit row, no "press Undo"', () => {
    desk = setUpDesk(
      makeCredits(4, (i) =>
        i === 0
          ? {
              status: 'ASSIGNED',
              allocation: 'customer 60%, reseller 40%',
              distributorKeeps: 0,
              ruleId: 'R1',
            }
          : i === 1
            ? {
                status: 'PROCESSED',
                allocation: 'customer 100%',
                distributorKeeps: 0,
                ruleId: 'default',
                usageFileId: 'UF-2026-11-0001-0001',
              }
            : {},
      ),
      { user: 'owner@example.com' },
    );
    desk.ss._onEdit = (e) => handleEdit(e as never);
    const before = creditsById(desk);
    desk.credits._moveRowsByHand(2, 2, 6); // the ASSIGNED and the PROCESSED credit to the bottom
    desk.credits._sort(2, col('Amount'), true);
    const after = creditsById(desk);
    for (const [id, row] of before) expect(after.get(id)).toEqual(row);
    expect(auditRows(desk)).toEqual([]);
    expect(desk.ss._toasts).toEqual([]);
  });
});
