/**
 * Writes that can't overwrite anyone: compare-and-set against the preview, the sync's lock, protections
 * (asked of Sheets, owner vs not), one atomic request with the Audit rows, and calls that do not grow with
 * the interleaving of locked rows.
 */
import { assignCredit } from '../../addon/server/assign';
import { applyRules, previewRules } from '../../addon/server/rules';
import { ADDON_WRITE_KEY, SYNC_LOCK_KEY } from '../../core/locks';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import type { Credit } from '../../core/credit';
import { installFakeAppsScript } from '../fakes/apps-script';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const col = (header: string) => CREDIT_COLUMNS.findIndex((c) => c.header === header) + 1;
const ALLOCATION = col('Allocation');
const STATUS = col('Status');
const SYNC = 'sync@project.iam.gserviceaccount.com';

const collected: Partial<Credit> = {
  status: 'PROCESSING',
  allocation: 'customer 100%',
  distributorKeeps: 0,
  ruleId: 'default',
  usageFileId: 'UF-2026-11-0001-0001',
};

/** The sync's protection of one row: only its service account is an editor. */
function protectRow(d: Desk, row: number): void {
  const p = d.credits.getRange(row, 1, 1, CREDIT_COLUMNS.length).protect();
  (p as unknown as { _editors: string[] })._editors = [SYNC];
}

function syncLock(d: Desk, expiresInMs: number): void {
  d.ss._putMetadata(
    SYNC_LOCK_KEY,
    JSON.stringify({
      owner: 'credit-desk sync (alice)',
      host: 'build-7',
      since: '2026-12-01T10:42:00.000Z',
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    }),
  );
}

describe('"changed since it was read" is core\'s rule (core/sheet-changes conflictOf), as in the sync', () => {
  test('a blank Status reads as PENDING_ASSIGN: Assign and Apply write the credit instead of refusing it', () => {
    desk = setUpDesk(makeCredits(2));
    desk.credits._set(2, STATUS, '');
    desk.credits._set(3, STATUS, '');
    const view = assignCredit('AWSC-202610-0000-0000', 'customer 100%');
    expect(view).toMatchObject({ status: 'ASSIGNED' });
    const preview = previewRules('pending', false);
    const result = applyRules('pending', false, preview.token);
    expect(result.changed).toEqual([]);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'ASSIGNED' });
  });
});

describe('Apply applies what was previewed', () => {
  test('a credit a teammate changed after the preview is skipped and listed; the others are applied', () => {
    desk = setUpDesk(makeCredits(4));
    const preview = previewRules('pending', false);
    expect(preview.credits).toBe(4);
    // A teammate types an allocation on row 3 between the preview and Apply (onEdit is not what matters here).
    desk.credits._set(3, ALLOCATION, 'reseller 100%');
    desk.credits._set(3, STATUS, 'ASSIGNED');
    const result = applyRules('pending', false, preview.token);
    expect(result.applied).toBe(3);
    expect(result.changed).toEqual([
      { creditId: 'AWSC-202610-0000-0001', why: 'its row changed since the preview' },
    ]);
    expect(result.message).toMatch(/1 changed since the preview .*AWSC-202610-0000-0001/);
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Allocation: 'reseller 100%' });
    expect(auditRows(desk).some((a) => a['Credit ID'] === 'AWSC-202610-0000-0001')).toBe(false);
  });

  test('Apply does not read the selection again: the previewed rows are applied even if the selection moved', () => {
    desk = setUpDesk(makeCredits(4));
    desk.ss._select('Credits', 'A2:A3');
    const preview = previewRules('selection', false);
    desk.ss._select('Credits', 'A5');
    const result = applyRules('selection', false, preview.token);
    expect(result.applied).toBe(2);
    const rows = creditsById(desk);
    expect(rows.get('AWSC-202610-0000-0003')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    expect(rows.get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'ASSIGNED' });
  });

  test('rows sorted between the preview and Apply are still found, by key', () => {
    desk = setUpDesk(makeCredits(4));
    const preview = previewRules('pending', false);
    desk.credits._sort(2, col('Amount'), true);
    expect(applyRules('pending', false, preview.token).applied).toBe(4);
    for (const r of creditsById(desk).values()) expect(r.Status).toBe('ASSIGNED');
  });

  test('when the rules changed in between, the credit is listed instead of given a different allocation', () => {
    desk = setUpDesk(makeCredits(2));
    const preview = previewRules('pending', false);
    // R1 (MAP split 60/40) becomes 50/50 in the Rules tab.
    desk.ss._sheet('Rules')._set(2, 5, '50');
    desk.ss._sheet('Rules')._set(2, 6, '50');
    const result = applyRules('pending', false, preview.token);
    expect(result.applied).toBe(1);
    expect(result.changed?.[0]).toMatchObject({
      creditId: 'AWSC-202610-0000-0000',
      why: expect.stringMatching(/rules now give R1 \(customer 50%, reseller 50%\)/),
    });
  });

  test('broken rules are reported as ignored, with why', () => {
    desk = setUpDesk(makeCredits(1), {
      rules: [
        {
          ruleId: 'R9',
          name: 'Bad',
          customerPercent: '70',
          resellerPercent: '40',
          enabled: true,
          created: '2026-01-01',
        },
      ],
    });
    const preview = previewRules('pending', false);
    expect(preview.ignoredRules).toEqual([
      expect.objectContaining({ row: 2, ruleId: 'R9', severity: 'error' }),
    ]);
    expect(applyRules('pending', false, preview.token).message).toMatch(
      /1 broken rule was ignored \(row 2 R9: /,
    );
  });
});

describe("the sync's lock", () => {
  test('a live sync lock refuses the write, naming who and since when; nothing is written; our marker is gone', () => {
    desk = setUpDesk(makeCredits(2));
    const preview = previewRules('pending', false);
    syncLock(desk, 60_000);
    expect(() => applyRules('pending', false, preview.token)).toThrow(
      /sync is writing this spreadsheet right now \(credit-desk sync \(alice\) on build-7, since 2026-12-01 10:42 UTC\)/,
    );
    expect(() => assignCredit('AWSC-202610-0000-0000', 'customer 100%')).toThrow(/sync is writing/);
    for (const r of creditsById(desk).values()) expect(r.Status).toBe('PENDING_ASSIGN');
    expect(auditRows(desk)).toEqual([]);
    expect(desk.ss._metadata.filter((m) => m.key === ADDON_WRITE_KEY)).toEqual([]);
  });

  test('an expired sync lock is ignored; the add-on marks its own write while it runs', () => {
    desk = setUpDesk(makeCredits(1));
    syncLock(desk, -1000);
    const seen: string[] = [];
    const api = (globalThis as unknown as { Sheets: { Spreadsheets: { batchUpdate: unknown } } }).Sheets;
    const real = api.Spreadsheets.batchUpdate as (...a: unknown[]) => unknown;
    api.Spreadsheets.batchUpdate = (...a: unknown[]) => {
      seen.push(
        ...desk.ss._metadata.filter((m) => m.key === ADDON_WRITE_KEY).map((m) => JSON.parse(m.value).owner),
      );
      return real(...a);
    };
    assignCredit('AWSC-202610-0000-0000', 'customer 100%');
    expect(seen).toEqual(['ana@distributor.example']);
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'ASSIGNED' });
  });
});

describe("the sync's lock, through the Sheets API", () => {
  test('apply-rules sets its marker before it reads, so a sync lock taken before the read refuses it', () => {
    desk = setUpDesk(makeCredits(2));
    const preview = previewRules('pending', false);
    const api = (globalThis as unknown as { Sheets: { Spreadsheets: { get: unknown } } }).Sheets;
    const realGet = api.Spreadsheets.get as (...a: unknown[]) => unknown;
    const markers: string[] = [];
    // The sync takes its lock after our marker is set but before our one read: the read must see it.
    api.Spreadsheets.get = (...a: unknown[]) => {
      markers.push(...desk.ss._metadata.filter((m) => m.key === ADDON_WRITE_KEY).map((m) => m.key));
      syncLock(desk, 60_000);
      return realGet(...a);
    };
    expect(() => applyRules('pending', false, preview.token)).toThrow(/sync is writing/);
    expect(markers).toEqual([ADDON_WRITE_KEY]);
    for (const r of creditsById(desk).values()) expect(r.Status).toBe('PENDING_ASSIGN');
    expect(desk.ss._metadata.filter((m) => m.key === ADDON_WRITE_KEY)).toEqual([]);
  });
});

describe('protections, as Sheets enforces them', () => {
  test('a pending row protected against this person is skipped and listed, not written half-way', () => {
    desk = setUpDesk(makeCredits(3));
    protectRow(desk, 3);
    const preview = previewRules('pending', false);
    const result = applyRules('pending', false, preview.token);
    expect(result.applied).toBe(2);
    expect(result.message).toMatch(
      /1 on rows protected against you were left alone \(first: AWSC-202610-0000-0001\)/,
    );
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'PENDING_ASSIGN' });
    expect(new Set(auditRows(desk).map((a) => a['Credit ID']))).toEqual(
      new Set(['AWSC-202610-0000-0000', 'AWSC-202610-0000-0002']),
    );
  });

  test("the spreadsheet's owner is not stopped by protections (Sheets lets owners edit everything)", () => {
    desk = setUpDesk(makeCredits(3), { user: 'owner@example.com' });
    protectRow(desk, 3);
    const result = applyRules('pending', false, previewRules('pending', false).token);
    expect(result.applied).toBe(3);
  });

  test('a protection added after the check fails the one request: no cell and no Audit row is written', () => {
    desk = setUpDesk(makeCredits(3));
    // The preview reads through spreadsheets.get too: taken before the sync's protection is staged.
    const preview = previewRules('pending', false);
    const api = (globalThis as unknown as { Sheets: { Spreadsheets: { get: unknown } } }).Sheets;
    // Sheets reports no protection at check time; the sync protects row 3 just before the write.
    const realGet = api.Spreadsheets.get as (...a: unknown[]) => unknown;
    api.Spreadsheets.get = (...a: unknown[]) => {
      const res = realGet(...a);
      protectRow(desk, 3);
      return res;
    };
    expect(() => applyRules('pending', false, preview.token)).toThrow(/protected cell/);
    for (const r of creditsById(desk).values()) expect(r.Status).toBe('PENDING_ASSIGN');
    expect(auditRows(desk)).toEqual([]);
  });
});

describe('spreadsheet calls do not depend on how locked rows interleave', () => {
  function applyCalls(n: number): { snapshot: Record<string, number>; data: number } {
    // Worst interleaving: every other row collected and protected by the sync.
    const credits = makeCredits(n, (i) => (i % 2 === 1 ? collected : {}));
    desk = setUpDesk(credits);
    desk.audit._maxRows = 200_000;
    for (let i = 1; i < n; i += 2) protectRow(desk, i + 2);
    const token = previewRules('pending', false).token;
    desk.fake.log.reset();
    const result = applyRules('pending', false, token);
    expect(result.applied).toBe(Math.ceil(n / 2));
    const out = { snapshot: desk.fake.log.snapshot(), data: desk.fake.log.dataCalls() };
    desk.fake.uninstall();
    return out;
  }

  test('alternating collected/pending rows: the same calls for 10 and 2,000 rows but the write batches', () => {
    const small = applyCalls(10);
    const large = applyCalls(2000);
    // The writes: one atomic spreadsheets.batchUpdate per ≤ 1.8 MB (api-batch.ts), the marker's two besides.
    const writes = 'Sheets.Spreadsheets.batchUpdate';
    expect(small.snapshot[writes]).toBe(3);
    expect(large.snapshot[writes]).toBeGreaterThan(3);
    delete small.snapshot[writes];
    delete large.snapshot[writes];
    expect(large.snapshot).toEqual(small.snapshot);
    expect(large.snapshot['Sheets.Spreadsheets.Values.batchUpdate']).toBeUndefined();
  });
});

describe('without the Sheets advanced service', () => {
  function withoutService(d: Desk): void {
    d.fake.uninstall();
    d.fake = installFakeAppsScript(d.ss, {
      userEmail: 'ana@distributor.example',
      noSheetsService: true,
    }) as typeof d.fake;
  }

  test('the same cells are written with SpreadsheetApp, as text that stays text', () => {
    desk = setUpDesk(makeCredits(3));
    withoutService(desk);
    const result = applyRules('pending', false, previewRules('pending', false).token);
    expect(result.applied).toBe(3);
    const row = creditsById(desk).get('AWSC-202610-0000-0000')!;
    // Last Change is an ISO timestamp: SpreadsheetApp would have turned it into a Date without the apostrophe.
    expect(typeof row['Last Change']).toBe('string');
    expect(auditRows(desk).every((a) => typeof a.When === 'string')).toBe(true);
    expect(desk.fake.log.count('Sheets.Spreadsheets.Values.batchUpdate')).toBe(0);
  });

  test('a write Sheets refuses (a protection that appeared after the check) does not stop the other rows', () => {
    desk = setUpDesk(makeCredits(3));
    withoutService(desk);
    const token = previewRules('pending', false).token;
    const lastChangeBefore = creditsById(desk).get('AWSC-202610-0000-0001')!['Last Change'];
    // The protection list is read empty; the sync protects row 3's Rule cell just after.
    desk.credits.getProtections = () => {
      const p = desk.credits.getRange(3, col('Rule'), 1, 1).protect();
      (p as unknown as { _editors: string[] })._editors = [SYNC];
      desk.credits.getProtections = () => [];
      return [];
    };
    expect(() => applyRules('pending', false, token)).toThrow(
      /1 credit could not be written .*AWSC-202610-0000-0001\. The others were written/,
    );
    const rows = creditsById(desk);
    expect(rows.get('AWSC-202610-0000-0000')).toMatchObject({ Status: 'ASSIGNED' });
    expect(rows.get('AWSC-202610-0000-0002')).toMatchObject({ Status: 'ASSIGNED' });
    expect(rows.get('AWSC-202610-0000-0001')).toMatchObject({
      Rule: '',
      Status: 'PENDING_ASSIGN',
      'Last Change': lastChangeBefore, // not half written
    });
    expect(auditRows(desk).some((a) => a['Credit ID'] === 'AWSC-202610-0000-0001')).toBe(false);
  });
});
