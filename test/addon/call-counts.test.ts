/**
 * Spreadsheet calls must not grow with the number of rows: each action is run on 10 and on 2,000 credits
 * and the per-method call counts must be identical.
 */
import { assignCredit } from '../../addon/server/assign';
import { downloadFilteredRows } from '../../addon/server/download';
import { getSelectedCredit } from '../../addon/server/selected';
import { applyRules, previewRules } from '../../addon/server/rules';
import { handleEdit } from '../../addon/server/on-edit';
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
      } as never);
    },
  ],
];

test.each(ACTIONS)('%s: the same calls for 10 and 2,000 rows', (_name, action) => {
  const small = calls(10, action);
  const large = calls(2000, action);
  expect(large).toEqual(small);
  // A download reads the filter's criteria once per column of the filter (22 here): still no per-row calls.
  expect(Object.values(large).reduce((a, b) => a + b, 0)).toBeLessThan(100);
});
