/**
 * A read-only command that names its tabs (ReadOptions.only: `rules validate`, `report`, `export`) downloads the
 * other tabs' header rows only, as the workbook sink returns them (contract headers, no rows), and the tabs it
 * names whole.
 */
import { headersOf } from '../../../../core/sheet-contract';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import { credit } from '../workbook/workbook-helpers';
import { makeSink, startServer } from './sheets-helpers';

let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

describe('Google Sheets sink: a read of named tabs', () => {
  it('gets the named tabs whole and only the header row of the others', async () => {
    const sink = makeSink(server);
    const first = await sink.read();
    const rules = {
      headers: first.tabs.rules.headers,
      rows: [['customer 100%', 'Credit *', '', '', '', '', '']],
    };
    await sink.write({
      updates: [],
      appends: Array.from({ length: 200 }, (_, i) => credit(i + 1)),
      audit: [],
      replaceTabs: {
        rules: { headers: rules.headers, rows: rules.rows.map((r) => r.slice(0, rules.headers.length)) },
      },
    });

    server.stats.reset();
    const snap = await makeSink(server, { readOnly: true }).read({ only: ['rules', 'accounts'] });
    const ranges = server.stats.requests.flatMap((r) => r.ranges ?? []);
    // Credits, Ledger, Audit and Config: their first row only; Rules and Accounts: the whole tab.
    const beyondHeader = ranges.filter(
      (r) => /^'?(Credits|Ledger|Audit|Config)'?(!|$)/.test(r) && !/!1:1$/.test(r),
    );
    expect(beyondHeader).toEqual([]);
    expect(ranges.some((r) => /^'?Rules'?$/.test(r))).toBe(true);
    expect(snap.tabs.credits).toEqual({ headers: headersOf('credits'), rows: [] });
    expect(snap.tabs.rules.rows).toHaveLength(1);

    // Without `only`, the same sink reads the Credits rows.
    const whole = await makeSink(server, { readOnly: true }).read();
    expect(whole.tabs.credits.rows).toHaveLength(200);
  });
});
