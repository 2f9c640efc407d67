/**
 * What the Google Sheets sink puts on the wire (issue #25): its replies come gzip-compressed, as Google sends
 * them to googleapis (emulators/sheets-server.ts wantsGzip), and decode to what plain JSON gives; and each
 * spreadsheets.get names the fields it needs (sheets-gateway.ts GET_FIELDS), so the protected ranges — ~3 MB on
 * a sheet with many locked runs — come down once per command, with the write's get, not with every get.
 */
import http from 'node:http';
import { startSheetsServer, type SheetsServer } from '../../../../emulators/sheets-server';
import { changesFor, creditRow, IDENTITY, makeSink, SHEET_ID, startServer } from './sheets-helpers';

let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

/** A sheet of `n` credits, every 4th PROCESSED: n / 4 locked runs, each its own protected range. */
async function loaded(n: number): Promise<void> {
  const sink = makeSink(server);
  const rows = Array.from({ length: n }, (_, i) => creditRow(i, i % 4 ? {} : { status: 'PROCESSED' }));
  await sink.write(changesFor(await sink.read(), rows));
}

/** One credit's Notes changed: a read and a write, as any writing command makes them. */
async function oneEdit(on: SheetsServer, note: string): Promise<void> {
  const sink = makeSink(on);
  await sink.read();
  await sink.write({
    updates: [{ key: creditRow(1).key as string, fields: { notes: note } }],
    appends: [],
    audit: [],
  });
}

describe('the Google Sheets sink on the wire', () => {
  it('gets gzip-compressed replies that decode to what plain JSON gives', async () => {
    await loaded(400);
    const plain = await startSheetsServer({ callerEmail: IDENTITY, gzip: false });
    try {
      plain.state.spreadsheets.set(SHEET_ID, structuredClone(server.state.sheet(SHEET_ID)));
      server.stats.reset();
      const zipped = await makeSink(server, { readOnly: true }).read();
      const asJson = await makeSink(plain, { readOnly: true }).read();
      expect(zipped).toEqual(asJson);
      expect(server.stats.requests.length).toBeGreaterThan(0);
      expect(server.stats.requests.every((r) => r.gzip)).toBe(true);
      expect(plain.stats.requests.some((r) => r.gzip)).toBe(false);
      expect(server.stats.wireBytes()).toBeLessThan(server.stats.bytes() / 3);
      // and a write through each leaves the same sheet
      await oneEdit(server, 'gz');
      await oneEdit(plain, 'gz');
      const cells = (s: SheetsServer) =>
        s.state.sheet(SHEET_ID).sheets.map((t) => [t.properties.title, t.cells]);
      expect(cells(server)).toEqual(cells(plain));
    } finally {
      await plain.close();
    }
  });

  it('names the fields of every spreadsheets.get; only the write’s get brings the protected ranges', async () => {
    await loaded(2_000);
    // What a get without a mask costs on this sheet.
    const whole = await new Promise<number>((done, fail) =>
      http
        .get(new URL(`v4/spreadsheets/${SHEET_ID}`, server.rootUrl), (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => done(n));
        })
        .on('error', fail),
    );
    server.stats.reset();
    await oneEdit(server, 'masked');
    const gets = server.stats.requests.filter((r) => r.op === 'get');
    expect(gets.length).toBeGreaterThanOrEqual(3); // the lock's two, the write's
    for (const g of gets) expect(g.fields).toBeTruthy();
    expect(gets.filter((g) => g.fields!.includes('protectedRanges'))).toHaveLength(1);
    const getBytes = gets.reduce((s, g) => s + g.responseBytes, 0);
    expect(whole).toBeGreaterThan(100_000); // 500 protected ranges
    expect(getBytes).toBeLessThan(whole * 1.2);
  });
});
