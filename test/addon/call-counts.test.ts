/**
 * Spreadsheet calls must not grow with the number of rows: each action is run on 10 and on 2,000 credits
 * and the per-method call counts must be identical. Apply-rules and download are then held to the issue's
 * targets on ALL spreadsheet calls (SpreadsheetApp and the Sheets advanced service: getSheetByName, getId,
 * spreadsheets.get … not only the calls that move cells), on the worst interleaving of locked rows.
 */
import { assignCredit } from '../../addon/server/assign';
import { getSelectedCredit } from '../../addon/server/selected';
import { applyRules, previewRules } from '../../addon/server/rules';
import {
  CHUNK_ROWS,
  downloadChunk,
  downloadFilteredRows,
  prepareDownload,
} from '../../addon/server/download';
import { handleEdit } from '../../addon/server/on-edit';
import { PAYLOAD_BUDGET } from '../../addon/server/api-batch';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import { makeCredits, setUpDesk, type Desk } from './fixtures';

const ALLOCATION = CREDIT_COLUMNS.findIndex((c) => c.header === 'Allocation') + 1;
const STATUS = CREDIT_COLUMNS.findIndex((c) => c.header === 'Status') + 1;

function calls(rows: number, action: (d: Desk) => void): Record<string, number> {
  // The last 3 credits are PROCESSED: writes must step around them (a fixed shape, so the same rectangles).
  const desk = setUpDesk(
    makeCredits(rows, (i) =>
      i >= rows - 3
        ? { status: 'PROCESSED', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'default' }
        : {},
    ),
  );
  // A grid tall enough for the Audit rows of both sizes, so growing it is not counted for one only.
  desk.audit._maxRows = 100_000;
  try {
    desk.fake.log.reset();
    action(desk);
    return desk.fake.log.snapshot();
  } finally {
    desk.fake.uninstall();
  }
}

const ACTIONS: [string, (d: Desk) => void][] = [
  [
    'applyRules pending',
    (d) => {
      const token = previewRules('pending', false).token;
      d.fake.log.reset();
      applyRules('pending', false, token);
    },
  ],
  ['previewRules pending', () => previewRules('pending', false)],
  ['assignCredit', () => assignCredit('AWSC-202610-0000-0005', 'customer 50%')],
  ['getSelectedCredit', (d) => (d.ss._select('Credits', 'A5'), getSelectedCredit())],
  [
    'downloadFilteredRows with a filter',
    (d) => {
      d.credits
        .getDataRange()
        .createFilter()
        .setColumnFilterCriteria(
          STATUS,
          SpreadsheetApp.newFilterCriteria().setHiddenValues(['PROCESSED']).build() as never,
        );
      d.fake.log.reset();
      downloadFilteredRows('csv');
    },
  ],
  [
    'onEdit allocation',
    (d) => {
      d.credits._set(4, ALLOCATION, 'customer 100%');
      handleEdit({
        range: d.credits._range(4, ALLOCATION, 1, 1),
        source: d.ss._wrapped(),
        oldValue: undefined,
        value: 'customer 100%', // typed into an empty cell (a paste would give no value)
      } as never);
    },
  ],
];

/** Write batches: every spreadsheets.batchUpdate but the marker's set and removal (apply-rules' API path). */
const WRITES = 'Sheets.Spreadsheets.batchUpdate';

test.each(ACTIONS)('%s: the same calls for 10 and 2,000 rows', (name, action) => {
  const small = calls(10, action);
  const large = calls(2000, action);
  if (name === 'applyRules pending') {
    // The one thing that grows, by design: a write batch per ~1.8 MB (api-batch.ts), checked below.
    expect(large[WRITES]).toBeGreaterThan(small[WRITES]);
    delete large[WRITES];
    delete small[WRITES];
  }
  expect(large).toEqual(small);
  // A download reads the filter's criteria once per column of the filter (22 here): still no per-row calls.
  expect(Object.values(large).reduce((a, b) => a + b, 0)).toBeLessThan(100);
});

describe('the targets on all spreadsheet calls, every other row collected and protected by the sync', () => {
  const SYNC = 'sync@project.iam.gserviceaccount.com';
  const col = (h: string) => CREDIT_COLUMNS.findIndex((c) => c.header === h) + 1;

  function worstDesk(rows: number): Desk {
    const desk = setUpDesk(
      makeCredits(rows, (i) =>
        i % 2 === 1
          ? { status: 'PROCESSING', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'default' }
          : {},
      ),
    );
    for (let r = 3; r <= rows + 1; r += 2) {
      const p = desk.credits.getRange(r, 1, 1, CREDIT_COLUMNS.length).protect();
      (p as unknown as { _editors: string[] })._editors = [SYNC];
    }
    desk.audit._maxRows = rows * 4;
    return desk;
  }

  test.each([10, 2_000, 20_000])('apply-rules on %i rows: 6 calls + 1 per ≤ 1.8 MB written', (rows) => {
    const desk = worstDesk(rows);
    try {
      const token = previewRules('pending', false).token;
      desk.fake.log.reset();
      expect(applyRules('pending', false, token).applied).toBe(rows / 2);
      // Fixed: marker set, one get, one batchGet, marker removed, active spreadsheet, its id; then the write:
      // one atomic batch per ≤ 1.8 MB of changes (Google recommends ≤ 2 MB per request).
      const writes = desk.fake.log.count(WRITES) - 2;
      expect(desk.fake.log.spreadsheetCalls()).toBe(6 + writes);
      const sheets = desk.fake.globals.Sheets as { _payloads(): number[] };
      const sizes = sheets._payloads().slice(1, -1); // the write batches, between the marker's two calls
      expect(sizes).toHaveLength(writes);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(PAYLOAD_BUDGET);
      // Batches are full: no more of them than the bytes need (all but the last over half the budget).
      for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(PAYLOAD_BUDGET / 2);
      if (rows <= 10) expect(writes).toBe(1);
    } finally {
      desk.fake.uninstall();
    }
  });

  test.each([10, 2 * CHUNK_ROWS + 1])(
    'download on %i rows (hidden values, a custom formula, rows hidden by hand): 4 calls + 1 per chunk, ≤ 15',
    (rows) => {
      const desk = worstDesk(rows);
      try {
        const filter = desk.credits.getDataRange().createFilter();
        const criteria = () => SpreadsheetApp.newFilterCriteria();
        filter.setColumnFilterCriteria(
          col('Service'),
          criteria().setHiddenValues(['AWSLambda']).build() as never,
        );
        filter.setColumnFilterCriteria(
          col('Amount'),
          criteria().whenFormulaSatisfied('=MOD(ROW(),7)<>0').build() as never,
        );
        desk.credits.hideRows(4, 2);
        desk.fake.log.reset();
        const plan = prepareDownload('csv', false);
        for (const c of plan.chunks) downloadChunk(c);
        expect(plan.rows).toBe(rows - 2);
        // Active spreadsheet, id, spreadsheets.get, values.batchGet; no displayed text (the custom formula is
        // Sheets' to decide, so its hiddenByFilter is used); then one values.batchGet per chunk.
        expect(desk.fake.log.spreadsheetCalls()).toBe(4 + plan.chunks.length);
        expect(desk.fake.log.spreadsheetCalls()).toBeLessThanOrEqual(15);
      } finally {
        desk.fake.uninstall();
      }
    },
  );
});
