/**
 * The Rules tab's Created date as staff type it in a Google Sheet: Sheets stores a serial number with the typed
 * format (issue 28 item 12). The sync read it with dateTimeRenderOption FORMATTED_STRING and got "06/12/2026",
 * which readCreated refuses; both fronts must hand core ISO text for it.
 */
import fc from 'fast-check';
import { readCreated, readPeriod } from '../../../../core/rules/cells';
import { headersOf } from '../../../../core/sheet-contract';
import { dateToText, serialIn, serialToText } from '../../../../core/sheet-dates';
import { makeSink, SHEET_ID, startServer } from './sheets-helpers';

async function typeInto(rootUrl: string, range: string, value: string) {
  const res = await fetch(
    `${rootUrl}v4/spreadsheets/${SHEET_ID}/values/${encodeURIComponent(range)}?valueInputOption=USER_ENTERED`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ values: [[value]] }),
    },
  );
  expect(res.status).toBe(200);
}

describe("the Rules tab's Created date typed by staff", () => {
  test.each([
    ['en_GB', '06/12/2026', '2026-12-06'],
    ['en_US', '06/12/2026', '2026-06-12'],
    ['de_DE', '2026-03-01', '2026-03-01'],
  ])('in a %s sheet, "%s" reaches core as %s and is accepted', async (locale, typed, iso) => {
    const server = await startServer();
    try {
      const sink = makeSink(server);
      await sink.read(); // creates the tabs
      server.state.sheet(SHEET_ID).properties.locale = locale;
      const col = headersOf('rules').indexOf('Created');
      const letter = String.fromCharCode(65 + col);
      await typeInto(server.rootUrl, `Rules!${letter}2`, typed);
      await typeInto(server.rootUrl, `Rules!A2`, 'R1');
      const snap = await sink.read();
      const cell = snap.tabs.rules.rows[0][col];
      expect(cell).toBe(iso);
      expect(readCreated(cell)).toEqual({ text: iso, ms: Date.parse(`${iso}T00:00:00Z`) });
      await sink.close();
    } finally {
      await server.close();
    }
  });

  test('a month typed as a date into From reaches core as that day, which readPeriod reads as its month', async () => {
    const server = await startServer();
    try {
      const sink = makeSink(server);
      await sink.read();
      const col = headersOf('rules').indexOf('From');
      await typeInto(server.rootUrl, `Rules!${String.fromCharCode(65 + col)}2`, '2026-03-01');
      await typeInto(server.rootUrl, `Rules!A2`, 'R1');
      const cell = (await sink.read()).tabs.rules.rows[0][col];
      expect(cell).toBe('2026-03-01');
      expect(readPeriod(cell, 'From')).toBe('2026-03');
      await sink.close();
    } finally {
      await server.close();
    }
  });

  test('a Date (SpreadsheetApp) and its serial (the API) give the add-on and the sync the same text (fast-check), which readCreated accepts for whole days', () => {
    const zones = ['Etc/GMT', 'Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.integer({ min: 1, max: 80_000 }),
        fc.constantFrom(...zones),
        (seconds, day, zone) => {
          const date = new Date(seconds * 1000);
          const serial = serialIn(date, zone);
          const text = serialToText(serial, zone);
          const direct = dateToText(date, zone);
          if (/^\d{4}-\d{2}-\d{2}$/.test(direct)) expect(text).toBe(direct);
          // In a DST overlap one wall-clock time is two instants: the serial keeps the wall clock, not which.
          else expect(serialIn(new Date(text), zone)).toBeCloseTo(serial, 9);
          expect('refused' in (readCreated(serialToText(day, zone)) as object)).toBe(false);
        },
      ),
    );
  });
});
