/**
 * The local Sheets server compresses a reply as Google does (emulators/sheets-server.ts wantsGzip: an
 * Accept-Encoding with gzip and a User-Agent containing "gzip", per
 * https://developers.google.com/sheets/api/guides/performance), and otherwise sends plain JSON; the stats count
 * both the JSON and the bytes as sent.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startSheetsServer, type SheetsServer } from '../../emulators/sheets-server';

let server: SheetsServer;
beforeEach(async () => {
  server = await startSheetsServer();
  const ss = server.createSpreadsheet('s1', ['Data']);
  // Repetitive values, as a sheet's columns are: they compress well.
  ss.sheets[0].cells = Array.from({ length: 2_000 }, (_, i) => [`AWSC-202610-${i}`, 'PENDING_ASSIGN', 12.5]);
  ss.sheets[0].properties.gridProperties.rowCount = 2_000;
});
afterEach(() => server.close());

/** A raw GET (no client that decodes on its own): the status, headers and body bytes as sent. */
function get(path: string, headers: Record<string, string>) {
  const url = new URL(path, server.rootUrl);
  return new Promise<{ encoding?: string; body: Buffer }>((done, fail) => {
    http
      .get(url, { headers: { authorization: 'Bearer t', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
      .on('error', fail);
  });
}

const PATH = `v4/spreadsheets/s1/values/Data!A:C`;

describe('the local Sheets server on the wire', () => {
  it('gzips a reply only when asked both ways, and the reply decodes to the plain one', async () => {
    const plain = await get(PATH, {});
    expect(plain.encoding).toBeUndefined();
    const asked = await get(PATH, { 'accept-encoding': 'gzip', 'user-agent': 'my program (gzip)' });
    expect(asked.encoding).toBe('gzip');
    expect(gunzipSync(asked.body).equals(plain.body)).toBe(true);
    expect(asked.body.length).toBeLessThan(plain.body.length / 4);
    // one of the two alone: plain JSON (the stricter reading of the guide)
    for (const headers of <Record<string, string>[]>[
      { 'accept-encoding': 'gzip', 'user-agent': 'my program' },
      { 'accept-encoding': 'identity', 'user-agent': 'my program (gzip)' },
      { 'user-agent': 'my program (gzip)' },
    ]) {
      const reply = await get(PATH, headers);
      expect(reply.encoding).toBeUndefined();
      expect(reply.body.equals(plain.body)).toBe(true);
    }
    // Stats: the JSON always, the bytes as sent beside it.
    const [p, g] = server.stats.requests;
    expect(p.responseBytes).toBe(plain.body.length);
    expect(p.wireBytes).toBe(plain.body.length);
    expect(g.responseBytes).toBe(plain.body.length);
    expect(g.wireBytes).toBe(asked.body.length);
    expect(g.gzip).toBe(true);
  });

  it('a server started with gzip: false answers plain JSON whatever the client asks', async () => {
    const off = await startSheetsServer({ gzip: false });
    try {
      off.createSpreadsheet('s1', ['Data']);
      const url = new URL('v4/spreadsheets/s1', off.rootUrl);
      const reply = await new Promise<string | undefined>((done, fail) =>
        http
          .get(url, { headers: { 'accept-encoding': 'gzip', 'user-agent': 'x (gzip)' } }, (res) => {
            res.resume();
            done(res.headers['content-encoding']);
          })
          .on('error', fail),
      );
      expect(reply).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
