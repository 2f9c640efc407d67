import { applyRules, assignSelectedWithDefault, previewRules, validateRules } from '../../addon/server/rules';
import { assignCredit, unassignCredit } from '../../addon/server/assign';
import { getSelectedCredit } from '../../addon/server/selected';
import { correctionKey } from '../../core/correction-key';
import { REOPENED_STATUS } from '../../core/ledger';
import { creditKey } from '../../core/ids';
import { ACCOUNTS, auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

describe('assignCredit / unassignCredit', () => {
  test('assign, edit and unassign write the assignment columns and Audit rows with the user', () => {
    desk = setUpDesk(makeCredits(3));
    const id = 'AWSC-202610-0000-0001';
    const view = assignCredit(id, 'customer 60%, reseller 40%');
    expect(view).toMatchObject({
      creditId: id,
      status: 'ASSIGNED',
      ruleId: 'manual',
      distributorKeeps: '0.00',
      sheetRow: 3,
      locked: false,
    });
    let row = creditsById(desk).get(id)!;
    expect(row).toMatchObject({
      Status: 'ASSIGNED',
      Allocation: 'customer 60%, reseller 40%',
      'Distributor Keeps': 0,
      Rule: 'manual',
    });
    expect(typeof row['Last Change']).toBe('string');
    // Neighbours untouched.
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Allocation: '',
    });

    assignCredit(id, 'customer 50%');
    row = creditsById(desk).get(id)!;
    expect(row).toMatchObject({ Allocation: 'customer 50%', 'Distributor Keeps': 50 }); // 100.01 × 50%: the odd cent goes to the customer

    const after = unassignCredit(id);
    expect(after).toMatchObject({
      status: 'PENDING_ASSIGN',
      allocation: '',
      distributorKeeps: '',
      ruleId: '',
    });
    row = creditsById(desk).get(id)!;
    expect(row).toMatchObject({
      Status: 'PENDING_ASSIGN',
      Allocation: '',
      'Distributor Keeps': '',
      Rule: '',
    });

    const audit = auditRows(desk);
    expect(new Set(audit.map((a) => a.Who))).toEqual(new Set(['ana@distributor.example']));
    expect(audit.map((a) => a.Action)).toEqual(expect.arrayContaining(['assign', 'edit', 'unassign']));
    expect(audit.filter((a) => a.Field === 'allocation').map((a) => [a.Before, a.After])).toEqual([
      ['', 'customer 60%, reseller 40%'],
      ['customer 60%, reseller 40%', 'customer 50%'],
      ['customer 50%', ''],
    ]);
    expect(desk.fake.lock.hasLock()).toBe(false);
  });

  test('the row is found by Credit ID even after the rows moved', () => {
    desk = setUpDesk(makeCredits(3));
    desk.credits.insertRowsBefore(2, 2); // staff inserted rows above: the sidebar's row number is stale
    const view = assignCredit('AWSC-202610-0000-0002', 'reseller 25%');
    expect(view.sheetRow).toBe(6);
    expect(desk.credits._rows[5][11]).toBe('ASSIGNED');
  });

  test('a PROCESSING or PROCESSED credit is refused server-side, and nothing is written', () => {
    desk = setUpDesk(
      makeCredits(2, (i) =>
        i === 1
          ? {
              status: 'PROCESSED',
              allocation: 'customer 100%',
              ruleId: 'manual',
              distributorKeeps: 0,
              usageFileId: 'UF-2026-11-0001-0001',
            }
          : {},
      ),
    );
    const before = JSON.stringify(desk.credits._rows);
    expect(() => assignCredit('AWSC-202610-0000-0001', 'customer 10%')).toThrow(
      /PROCESSED.*can no longer change/,
    );
    expect(() => unassignCredit('AWSC-202610-0000-0001')).toThrow(/PROCESSED/);
    expect(JSON.stringify(desk.credits._rows)).toBe(before);
    expect(auditRows(desk)).toHaveLength(0);
  });

  test('bad input gets the core message; unknown credits are named', () => {
    desk = setUpDesk(makeCredits(1));
    expect(() => assignCredit('AWSC-202610-0000-0000', 'customer 70%, reseller 40%')).toThrow(/over 100%/);
    expect(() => assignCredit('AWSC-209901-0000-0000', 'customer 10%')).toThrow(
      /AWSC-209901-0000-0000 is not on the Credits tab/,
    );
    expect(() => unassignCredit('AWSC-202610-0000-0000')).toThrow(/Cannot unassign/);
  });

  test('a Credit ID two credits hold (copied by hand) is refused, naming both rows; neither credit changes', () => {
    // the copy is the later row: the sidebar shows it when selected, and "the first row with the ID" is the other
    desk = setUpDesk(makeCredits(3, (i) => (i === 2 ? { creditId: 'AWSC-202610-0000-0000' } : {})));
    expect(() => assignCredit('AWSC-202610-0000-0000', 'customer 100%')).toThrow(
      /AWSC-202610-0000-0000 is on rows 2 and 4 of the Credits tab.*nothing was changed/s,
    );
    expect(() => unassignCredit('AWSC-202610-0000-0000')).toThrow(/is on rows 2 and 4/);
    const statuses = desk.credits._rows.slice(1).map((r) => r[desk.credits._rows[0].indexOf('Status')]);
    expect(statuses).toEqual(['PENDING_ASSIGN', 'PENDING_ASSIGN', 'PENDING_ASSIGN']);
    expect(auditRows(desk)).toEqual([]);
  });

  test('a busy document lock gives a clear message', () => {
    desk = setUpDesk(makeCredits(1));
    desk.fake.lock.heldElsewhere = true;
    expect(() => assignCredit('AWSC-202610-0000-0000', 'customer 10%')).toThrow(
      /Someone else is changing this spreadsheet/,
    );
  });

  test('formula-looking text never becomes a formula in the sheet', () => {
    desk = setUpDesk(makeCredits(1));
    desk.credits._rows[1][0] = '=HYPERLINK("http://x")'; // literal text in the sheet (the sync wrote it as text)
    assignCredit('=HYPERLINK("http://x")', 'customer 100%');
    expect(desk.audit._formulas.size).toBe(0);
    expect(desk.credits._formulas.size).toBe(0);
    expect(auditRows(desk)[0]['Credit ID']).toBe('=HYPERLINK("http://x")');
  });
});

describe('getSelectedCredit', () => {
  test('a pending credit comes with the suggested rule, its exact lines and the targets', () => {
    desk = setUpDesk(makeCredits(2));
    desk.ss._select('Credits', 'C2');
    const res = getSelectedCredit();
    expect(res.credit).toMatchObject({
      creditId: 'AWSC-202610-0000-0000',
      amount: '100.00',
      locked: false,
      sheetRow: 2,
    });
    expect(res.suggestion).toMatchObject({
      ruleId: 'R1',
      ruleName: 'MAP split',
      allocation: 'customer 60%, reseller 40%',
    });
    expect(res.suggestion!.lines).toEqual([
      { role: 'customer', targetId: 'CUST-1', percent: '60', amount: '60.00' },
      { role: 'reseller', targetId: 'RES-1', percent: '40', amount: '40.00' },
      { role: 'distributor', targetId: '', percent: null, amount: '0.00' },
    ]);
    expect(res.targets).toEqual([
      { role: 'customer', id: 'CUST-1', name: 'Acme' },
      { role: 'customer', id: 'CUST-2', name: 'Globex Corp' },
      { role: 'reseller', id: 'RES-1', name: 'Resell One' },
      { role: 'reseller', id: 'RES-2', name: 'Resell Two' },
    ]);
    expect(JSON.parse(JSON.stringify(res))).toEqual(res); // JSON-safe: no Dates, no undefined
  });

  test('a credit whose row is not what the sync wrote says why usage collect would leave it out (decision 0029)', () => {
    // Keys as the sync makes them, from the row's cells (the fixtures' own are placeholders).
    desk = setUpDesk(makeCredits(2).map((c) => ({ ...c, key: creditKey(c) })));
    desk.ss._select('Credits', 'C2');
    expect(getSelectedCredit().unproven).toBeUndefined();
    // Another account's customer typed over the row: collect would leave it out, so the sidebar says so now.
    const head = desk.credits._rows[0].map(String);
    desk.credits._set(2, head.indexOf('Customer ID') + 1, 'CUST-2');
    expect(getSelectedCredit().unproven).toMatch(
      /^its Customer ID CUST-2 is not the CUST-1 the Accounts tab gives AWS account/,
    );
    // The Currency typed over: its Key's cells no longer give its Key.
    desk.credits._set(2, head.indexOf('Customer ID') + 1, 'CUST-1');
    desk.credits._set(2, head.indexOf('Currency') + 1, 'EUR');
    expect(getSelectedCredit().unproven).toMatch(/no longer give its Key/);
    // A locked credit is not warned about: it is collected already.
    desk.credits._set(2, head.indexOf('Status') + 1, 'PROCESSED');
    expect(getSelectedCredit().unproven).toBeUndefined();
  });

  test('a correction credit is checked against the Ledger row of the credit it corrects', () => {
    const [first] = makeCredits(1).map((c) => ({ ...c, key: creditKey(c) }));
    const original = {
      ...first,
      status: 'PROCESSED' as const,
      allocation: 'customer 100%',
      distributorKeeps: 0,
      usageFileId: 'UF-2026-11-0001-0001',
      usageRecordId: 'UF-2026-11-0001-0001-000001',
    };
    const correction = {
      ...first,
      key: correctionKey(original.key, 1),
      creditId: 'AWSC-202610-0000-0007',
      description: `Correction 1 of ${original.creditId}`,
      amount: -2500,
    };
    desk = setUpDesk([original, correction]);
    // A collection of the original Connect rejected before (a row the Ledger keeps, marked, and reads past).
    const ledger = desk.ss._sheet('Ledger');
    const status = ledger._rows[0].map(String).indexOf('Status');
    const rejected = [...ledger._rows[1]];
    rejected[status] = REOPENED_STATUS;
    ledger._rows = [ledger._rows[0], rejected, ...ledger._rows.slice(1)];
    desk.ss._select('Credits', 'C3');
    expect(getSelectedCredit().credit?.creditId).toBe(correction.creditId);
    expect(getSelectedCredit().unproven).toBeUndefined();
    // Another customer typed over the correction: it goes to whom its original was invoiced, so collect would not.
    const head = desk.credits._rows[0].map(String);
    desk.credits._set(3, head.indexOf('Customer ID') + 1, 'CUST-2');
    expect(getSelectedCredit().unproven).toMatch(
      new RegExp(`^its Customer ID .*of ${original.creditId}, the credit it corrects`),
    );
    // Without the original's Ledger row (archived: its usage file proves it to collect, not to the add-on): silent.
    ledger._rows = ledger._rows.slice(0, 1);
    expect(getSelectedCredit().unproven).toBeUndefined();
  });

  test('no rule → the default configuration', () => {
    desk = setUpDesk(makeCredits(1, () => ({ description: 'Something else' })));
    desk.ss._select('Credits', 'A2');
    expect(getSelectedCredit().suggestion).toMatchObject({ ruleId: 'default', allocation: 'customer 100%' });
  });

  test('a locked credit is shown locked, with its usage fields and no suggestion', () => {
    desk = setUpDesk(
      makeCredits(1, () => ({
        status: 'PROCESSING',
        allocation: 'customer 100%',
        distributorKeeps: 0,
        usageFileId: 'UF-2026-11-0001-0001',
        usageRecordId: 'UF-2026-11-0001-0001-000001',
        processingDate: '2026-11-20',
        ruleId: 'R1',
      })),
    );
    desk.ss._select('Credits', 'B2');
    const res = getSelectedCredit();
    expect(res.credit).toMatchObject({
      locked: true,
      usageFileId: 'UF-2026-11-0001-0001',
      processingDate: '2026-11-20',
    });
    expect(res.suggestion).toBeNull();
    // By name, as the other views show it: the targets, the lines passed on, the rule.
    expect(res.targets.map((t) => t.name)).toEqual(
      expect.arrayContaining([ACCOUNTS[0].customerName, ACCOUNTS[0].resellerName]),
    );
    expect(res.passedOn).toEqual([
      {
        role: 'customer',
        targetId: 'CUST-1',
        name: ACCOUNTS[0].customerName,
        percent: '100',
        amount: '100.00',
      },
      { role: 'distributor', targetId: '', name: 'Distributor keeps', percent: null, amount: '0.00' },
    ]);
    expect(res.ruleName).toBe('R1 MAP split');
  });

  test('outside Credits or on the header there is a message instead', () => {
    desk = setUpDesk(makeCredits(1));
    desk.ss._select('Rules', 'A2');
    expect(getSelectedCredit()).toMatchObject({ credit: null, message: 'Select a row on the Credits tab.' });
    desk.ss._select('Credits', 'A1');
    expect(getSelectedCredit().credit).toBeNull();
  });
});

describe('previewRules / applyRules', () => {
  test('preview counts and totals match what apply writes; manual rows are skipped unless overwriteManual', () => {
    const credits = makeCredits(6, (i) =>
      i === 5
        ? { status: 'ASSIGNED', allocation: 'customer 10%', distributorKeeps: 9005, ruleId: 'manual' }
        : {},
    );
    desk = setUpDesk(credits);
    desk.ss._select('Credits', 'A2:A7');
    const preview = previewRules('selection', false);
    expect(preview.credits).toBe(5);
    expect(preview.skippedManual).toBe(1);
    expect(preview.byRule).toEqual([
      { ruleId: 'R1', name: 'MAP split', credits: 3 },
      { ruleId: 'R2', name: 'Promo to Globex', credits: 2 },
    ]);
    const result = applyRules('selection', false, preview.token);
    expect(result).toMatchObject({ applied: 5, skipped: 1 });

    // Totals recomputed from what was written: customer/reseller amounts per target.
    const written = [...creditsById(desk).values()].filter((r) => r.Rule === 'R1' || r.Rule === 'R2');
    expect(written).toHaveLength(5);
    const cents = (target: string) =>
      preview.totals
        .filter((t) => t.targetId === target)
        .reduce((s, t) => s + Math.round(Number(t.amount) * 100), 0);
    // R1 rows (i = 0, 2, 4): 60% / 40% of 10000, 10002, 10004 cents; R2 rows (i = 1, 3): 100% to CUST-2.
    expect(cents('CUST-1')).toBe(6000 + 6001 + 6002);
    expect(cents('RES-1')).toBe(4000 + 4001 + 4002);
    expect(cents('CUST-2')).toBe(10001 + 10003);
    // Each target named from the Accounts tab (ACCOUNTS), as the other views name it.
    for (const t of preview.totals.filter((x) => x.role !== 'distributor')) {
      const a = ACCOUNTS.find((x) => (t.role === 'customer' ? x.customerId : x.resellerId) === t.targetId);
      expect(t.name).toBe(t.role === 'customer' ? a?.customerName : a?.resellerName);
    }
    expect(creditsById(desk).get('AWSC-202610-0000-0005')).toMatchObject({
      Rule: 'manual',
      Allocation: 'customer 10%',
    });
    expect(
      auditRows(desk).every((a) => a.Action === 'rule-applied' && a.Who === 'ana@distributor.example'),
    ).toBe(true);

    desk.ss._select('Credits', 'A7');
    expect(applyRules('selection', true, previewRules('selection', true).token)).toMatchObject({
      applied: 1,
      skipped: 0,
    });
    expect(creditsById(desk).get('AWSC-202610-0000-0005')).toMatchObject({ Rule: 'R2' });
  });

  test("scope 'pending' takes every PENDING_ASSIGN credit and leaves locked rows alone", () => {
    const credits = makeCredits(5, (i) =>
      i === 2
        ? { status: 'PROCESSED', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'default' }
        : {},
    );
    desk = setUpDesk(credits);
    desk.credits.getRange(4, 1, 1, 22).protect(); // the sync's protection: only its account may edit
    desk.credits._protections[0]._editors = ['sync@project.iam.gserviceaccount.com'];
    const r = applyRules('pending', false, previewRules('pending', false).token);
    expect(r.applied).toBe(4);
    const rows = creditsById(desk);
    expect(rows.get('AWSC-202610-0000-0002')).toMatchObject({ Status: 'PROCESSED', Rule: 'default' });
    expect([0, 1, 3, 4].map((i) => rows.get(`AWSC-202610-0000-000${i}`)!.Status)).toEqual(
      Array(4).fill('ASSIGNED'),
    );
  });

  test('a credit whose Credit ID another row holds is not applied from a preview: listed, with why', () => {
    desk = setUpDesk(makeCredits(4));
    const token = previewRules('pending', false).token;
    // between the preview and the apply, someone copies the first credit's ID onto the last row
    const idAt = desk.credits._rows[0].indexOf('Credit ID');
    desk.credits._rows[4][idAt] = 'AWSC-202610-0000-0000';
    const r = applyRules('pending', false, token);
    expect(r.applied).toBe(2);
    expect(r.changed).toEqual(
      expect.arrayContaining([
        { creditId: 'AWSC-202610-0000-0000', why: expect.stringMatching(/on more than one row/) },
        { creditId: 'AWSC-202610-0000-0003', why: 'it is no longer on Credits' },
      ]),
    );
    const statuses = desk.credits._rows.slice(1).map((row) => row[desk.credits._rows[0].indexOf('Status')]);
    expect(statuses).toEqual(['PENDING_ASSIGN', 'ASSIGNED', 'ASSIGNED', 'PENDING_ASSIGN']);
  });

  test('selection across several ranges', () => {
    desk = setUpDesk(makeCredits(6));
    desk.ss._select('Credits', 'A2', 'C5:D6');
    expect(previewRules('selection', false).credits).toBe(3);
  });

  test('assignSelectedWithDefault uses the Config tab, not the rules', () => {
    desk = setUpDesk(makeCredits(2));
    desk.ss._select('Credits', 'A2:A3');
    expect(assignSelectedWithDefault().applied).toBe(2);
    for (const r of creditsById(desk).values())
      expect(r).toMatchObject({ Rule: 'default', Allocation: 'customer 100%', Status: 'ASSIGNED' });
  });

  test('an unknown scope and an empty selection are refused clearly', () => {
    desk = setUpDesk(makeCredits(1));
    expect(() => previewRules('everything' as never, false)).toThrow(/"everything" is not a scope/);
    desk.ss._select('Rules', 'A1');
    expect(() => previewRules('selection', false)).toThrow(/Nothing is selected on the Credits tab/);
    expect(() => applyRules('selection', false, '')).toThrow(/preview to apply is missing/);
  });
});

describe('validateRules', () => {
  test('reports problems with their rows and is JSON-safe', () => {
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
    const problems = validateRules();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ row: 2, ruleId: 'R9', severity: 'error' });
  });

  test('valid rules give no errors', () => {
    desk = setUpDesk(makeCredits(1));
    expect(validateRules().filter((p) => p.severity === 'error')).toEqual([]);
  });
});
