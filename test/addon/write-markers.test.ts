/**
 * The add-on's write markers (core/locks ADDON_WRITE_KEY) when an execution is killed at Apps Script's limit
 * (the emulator's CallLog.killExecutionAt: no finally runs), and onEdit against another add-on action's marker.
 */
import { handleEdit } from '../../addon/server/on-edit';
import { applyRules, previewRules } from '../../addon/server/rules';
import {
  ADDON_WRITE_KEY,
  ADDON_WRITE_TTL_MS,
  APPS_SCRIPT_MAX_RUN_MS,
  addonWriteMarker,
} from '../../core/locks';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import { ExecutionKilled } from '../../emulators/call-log';
import { auditRows, creditsById, makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => {
  desk?.fake.uninstall();
  jest.useRealTimers();
});

const ALLOCATION = CREDIT_COLUMNS.findIndex((c) => c.header === 'Allocation') + 1;
const markers = (d: Desk) => d.ss._metadata.filter((m) => m.key === ADDON_WRITE_KEY);

function typeAllocation(d: Desk, row: number, value: string): void {
  d.ss._onEdit = (e) => handleEdit(e as never);
  d.credits._typeByHand(row, ALLOCATION, [[value]]);
}

describe('a marker left by an execution killed at its limit', () => {
  test('outlives the longest execution, then the next add-on write removes it', () => {
    jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
    desk = setUpDesk(makeCredits(3));
    // onEdit is killed as it writes the sheet: its finally (which removes its marker) never runs.
    desk.fake.log.killExecutionAt((call) => call === 'Range.setValues');
    expect(() => typeAllocation(desk, 2, 'customer 100%')).toThrow(ExecutionKilled);
    desk.fake.log.nextExecution();
    expect(markers(desk)).toHaveLength(1);
    // The marker still counts for as long as any execution may have been running.
    expect(ADDON_WRITE_TTL_MS).toBeGreaterThan(APPS_SCRIPT_MAX_RUN_MS);
    // Past its expiry, the next onEdit removes it along with its own.
    jest.setSystemTime(new Date(Date.parse('2026-12-01T10:00:00Z') + ADDON_WRITE_TTL_MS + 1000));
    typeAllocation(desk, 3, 'customer 100%');
    expect(creditsById(desk).get('AWSC-202610-0000-0001')).toMatchObject({ Status: 'ASSIGNED' });
    expect(markers(desk)).toEqual([]);
  });

  test('Apply (Sheets API path) removes an expired marker it reads, in the request that removes its own', () => {
    desk = setUpDesk(makeCredits(2));
    const dead = addonWriteMarker(
      'bob@distributor.example',
      new Date(Date.now() - ADDON_WRITE_TTL_MS - 1000),
    );
    desk.ss._putMetadata(ADDON_WRITE_KEY, JSON.stringify(dead));
    const live = JSON.stringify(addonWriteMarker('carol@distributor.example', new Date()));
    desk.ss._putMetadata(ADDON_WRITE_KEY, live);
    const preview = previewRules('pending', false);
    expect(applyRules('pending', false, preview.token).applied).toBe(2);
    // The expired one is gone; another execution's live marker is left alone.
    expect(markers(desk).map((m) => m.value)).toEqual([live]);
  });
});

describe('onEdit while another add-on action writes', () => {
  test("an allocation typed during an Apply writes nothing from onEdit, and the person is told who's writing", () => {
    desk = setUpDesk(makeCredits(3));
    const preview = previewRules('pending', false);
    const api = (globalThis as unknown as { Sheets: { Spreadsheets: { get: unknown } } }).Sheets;
    const realGet = api.Spreadsheets.get as (...a: unknown[]) => unknown;
    let typed = false;
    // Ana types while the Apply (its marker set) is between its read and its write.
    api.Spreadsheets.get = (...a: unknown[]) => {
      const out = realGet(...a);
      if (!typed) {
        typed = true;
        typeAllocation(desk, 4, 'reseller 100%');
      }
      return out;
    };
    applyRules('pending', false, preview.token);
    expect(typed).toBe(true);
    expect(desk.ss._toasts.at(-1)?.message).toMatch(/Credit Desk is writing this sheet right now \(ana@/);
    // onEdit wrote no "manual" assignment and no Audit row of its own.
    expect(creditsById(desk).get('AWSC-202610-0000-0002')?.Rule).not.toBe('manual');
    expect(auditRows(desk).filter((a) => a.Rule === 'manual' || a.Action === 'edit')).toEqual([]);
    expect(markers(desk)).toEqual([]);
  });

  test("two people's onEdits do not refuse each other", () => {
    desk = setUpDesk(makeCredits(2));
    desk.ss._putMetadata(ADDON_WRITE_KEY, JSON.stringify(addonWriteMarker('bob@x', new Date(), 'onEdit')));
    typeAllocation(desk, 2, 'customer 100%');
    expect(creditsById(desk).get('AWSC-202610-0000-0000')).toMatchObject({
      Status: 'ASSIGNED',
      Rule: 'manual',
    });
  });
});
