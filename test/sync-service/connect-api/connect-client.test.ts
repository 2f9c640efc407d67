/**
 * The real Connect client (sync-service/connect-api/client.ts) against the local Connect server
 * (emulators/connect-server.ts) on the wire: the usage file's whole life, the provider's rejection, uploads
 * Connect must find invalid, and the faults a real network brings (5xx, a lost reply, a hang). Every reply the
 * server gave is checked against Connect's description (server.violations stays empty).
 */
import { isCreditDeskError } from '../../../core/errors';
import { createConnectUsageApi, type ConnectClientOptions } from '../../../sync-service/connect-api/client';
import type { ConnectUsageApi, CreateUsageFile } from '../../../sync-service/connect-api/usage-api';
import { startConnectServer, type ConnectServer } from '../../../emulators/connect-server';
import { addParamColumn, CONNECT_TARGET, journal, usageXlsx } from '../../helpers/connect-xlsx';

const ASSETS = ['AS-0001-0001-0001', 'AS-0002-0002-0002', 'AS-0003-0003-0003'];

let server: ConnectServer;
const api = (extra: Partial<ConnectClientOptions> = {}): ConnectUsageApi =>
  createConnectUsageApi({
    endpoint: server.endpoint,
    apiKey: server.apiKey,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });

const create = (externalId: string): CreateUsageFile => ({
  externalId,
  name: externalId,
  description: 'AWS credits passed on for 2026-10',
  product: CONNECT_TARGET.product,
  contract: CONNECT_TARGET.contract,
  currency: 'USD',
  schema: 'tr',
  periodFrom: '2026-10-01',
  periodTo: '2026-11-01T00:00:00Z',
});

/** The error a promise rejects with (a test fails if it resolves). */
async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Uploads and waits for Connect's check, as the usage process polls. */
async function uploadAndSettle(c: ConnectUsageApi, id: string, bytes: Uint8Array) {
  const reply = await c.uploadFile(id, bytes, `${id}.xlsx`);
  await server.settled();
  return { reply, file: await c.getFile(id) };
}

beforeEach(async () => {
  server = await startConnectServer({ assets: ASSETS, maxPageSize: 2 });
});
afterEach(async () => {
  expect(server.violations).toEqual([]);
  await server.close();
});

describe('the Connect client against the local Connect server', () => {
  it('takes a usage file from draft to closed, its records with their parameters, page by page', async () => {
    const c = api();
    expect(await c.findFile('UF-2026-11-0001-0001')).toBeNull();
    const created = await c.createFile(create('UF-2026-11-0001-0001'));
    expect(created).toMatchObject({ externalId: 'UF-2026-11-0001-0001', status: 'draft', errorDetail: null });
    expect(await c.findFile('UF-2026-11-0001-0001')).toEqual(created);

    const file = journal('UF-2026-11-0001-0001', ASSETS);
    const bytes = await usageXlsx(
      file,
      // The writer names each billed row in credit_desk_record itself; a second parameter rides along.
      addParamColumn('billing_hint', (id) => `billed:${id}`),
    );
    const { reply, file: ready } = await uploadAndSettle(c, created.id, bytes);
    expect(reply.status).toBe('processing');
    expect(ready.status).toBe('ready');

    // Three records over pages of two (the server's maxPageSize), each mapped back by its parameter.
    const records = await c.listRecords(created.id);
    expect(records.map((r) => [r.assetId, r.tier, r.amount, r.status, r.params])).toEqual(
      file.records.map((r) => [
        r.assetId,
        0,
        -r.amount / 100,
        'valid',
        { credit_desk_record: r.billed![0].recordId, billing_hint: `billed:${r.billed![0].recordId}` },
      ]),
    );
    expect(server.log.filter((l) => l.startsWith('GET /public/v1/usage/records')).length).toBe(2);

    expect((await c.submitFile(created.id)).status).toBe('pending');
    server.provider.accept(created.id, 'looks right');
    expect(await c.getFile(created.id)).toMatchObject({ status: 'accepted', acceptanceNote: 'looks right' });
    expect(new Set((await c.listRecords(created.id)).map((r) => r.status))).toEqual(new Set(['approved']));

    server.provider.closeAll(created.id, 'invoice 2026-11');
    expect((await c.getFile(created.id)).status).toBe('closed');
    for (const r of await c.listRecords(created.id))
      expect(r).toMatchObject({
        status: 'closed',
        externalBillingId: `INV-${r.id}`,
        externalBillingNote: 'invoice 2026-11',
      });
  });

  it('shows a rejection with its note, and takes the corrected file again', async () => {
    const c = api();
    const { id } = await c.createFile(create('UF-2026-11-0002-0001'));
    const bytes = await usageXlsx(journal('UF-2026-11-0002-0001', ASSETS.slice(0, 1)));
    await uploadAndSettle(c, id, bytes);
    await c.submitFile(id);
    server.provider.reject(id, 'wrong month');
    expect(await c.getFile(id)).toMatchObject({ status: 'rejected', rejectionNote: 'wrong month' });
    expect((await c.listRecords(id)).map((r) => r.status)).toEqual(['rejected']);
    // [S] a rejected file can be uploaded again.
    const again = await uploadAndSettle(
      c,
      id,
      await usageXlsx(journal('UF-2026-11-0002-0001', ASSETS.slice(1, 3))),
    );
    expect(again.file).toMatchObject({ status: 'ready', rejectionNote: null });
    expect((await c.listRecords(id)).map((r) => r.assetId)).toEqual(ASSETS.slice(1, 3));
  });

  it.each([
    [
      'a tab missing',
      (wb: import('exceljs').Workbook) => wb.removeWorksheet(wb.getWorksheet('categories')!.id),
      'no "categories" tab',
    ],
    [
      'two currencies',
      (wb: import('exceljs').Workbook) => void wb.getWorksheet('general')!.addRow(['currency', 'EUR']),
      'general tab states currency twice',
    ],
    [
      'an unknown asset',
      (wb: import('exceljs').Workbook) => {
        wb.getWorksheet('records')!.getRow(2).getCell('J').value = 'AS-9999-9999-9999';
      },
      'asset AS-9999-9999-9999 is not a known asset',
    ],
    [
      "another contract's general tab",
      (wb: import('exceljs').Workbook) => {
        wb.getWorksheet('general')!.eachRow((row) => {
          if (row.getCell(1).value === 'distribution_contract_id')
            row.getCell(2).value = 'CRD-99999-99999-99999';
        });
      },
      "distribution_contract_id CRD-99999-99999-99999 is not the file's contract CRD-12345-12345-12345",
    ],
  ])('finds an upload with %s invalid, and says why in error_detail', async (_what, edit, why) => {
    const c = api();
    const { id } = await c.createFile(create('UF-2026-11-0003-0001'));
    const { file } = await uploadAndSettle(
      c,
      id,
      await usageXlsx(journal('UF-2026-11-0003-0001', ASSETS), edit),
    );
    expect(file.status).toBe('invalid');
    expect(file.errorDetail).toContain(why);
    expect(await c.listRecords(id)).toEqual([]);
    const refused = await errorOf(c.submitFile(id));
    expect(refused.message).toMatch(/HTTP 400, USG_003: .* is invalid: submit moves a file from ready/);
  });

  it('retries a GET that answers 5xx or 429, and never a POST', async () => {
    const c = api();
    const { id } = await c.createFile(create('UF-2026-11-0004-0001'));
    const before = server.log.length;
    server.fault({ method: 'GET', path: '/usage/files/{id}', kind: 503, count: 2 });
    server.fault({ method: 'GET', path: '/usage/files/{id}', kind: 429 });
    expect((await c.getFile(id)).status).toBe('draft');
    expect(server.log.slice(before)).toEqual([
      `GET /public/v1/usage/files/${id} 503`,
      `GET /public/v1/usage/files/${id} 503`,
      `GET /public/v1/usage/files/${id} 429`,
      `GET /public/v1/usage/files/${id} 200`,
    ]);

    server.fault({ method: 'POST', path: '/usage/files/{id}/upload', kind: 500 });
    const e = await errorOf(
      c.uploadFile(id, await usageXlsx(journal('UF-2026-11-0004-0001', ASSETS)), 'f.xlsx'),
    );
    expect(isCreditDeskError(e) && e.code).toBe('CONNECT');
    expect(e.message).toContain(`Connect refused POST /usage/files/${id}/upload (HTTP 500, FAULT_500`);
    expect(e.message).toContain('it reads back what Connect has before sending anything twice');
    expect(server.log.filter((l) => l.includes('/upload'))).toHaveLength(1);
  });

  it('retries a GET whose connection was dropped', async () => {
    const c = api();
    const { id } = await c.createFile(create('UF-2026-11-0009-0001'));
    const before = server.log.length;
    server.fault({ path: '/usage/files/{id}', kind: 'lose-reply' });
    expect((await c.getFile(id)).id).toBe(id);
    expect(server.log.slice(before)).toEqual([
      `GET /public/v1/usage/files/${id} 200 (reply lost)`,
      `GET /public/v1/usage/files/${id} 200`,
    ]);
  });

  it('gives up on a GET that keeps failing, saying what to do', async () => {
    server.fault({ path: '/usage/files/{id}', kind: 503, count: 10 });
    const e = await errorOf(api({ retry: { attempts: 3, baseDelayMs: 1 } }).getFile('UF-2026-11-0000-0000'));
    expect(e.message).toContain('Connect refused GET /usage/files/UF-2026-11-0000-0000 (HTTP 503');
    expect(e.message).toContain('run the command again later');
    expect(server.log).toHaveLength(3);
  });

  it('a create whose reply was lost: the error says it may have happened, and findFile finds the file', async () => {
    const c = api();
    server.fault({ method: 'POST', path: '/usage/files', kind: 'lose-reply' });
    const e = await errorOf(c.createFile(create('UF-2026-11-0005-0001')));
    expect(isCreditDeskError(e) && e.code).toBe('CONNECT');
    expect(e.message).toContain('could not be reached');
    expect(e.message).toContain('Connect may have done it');
    const found = await c.findFile('UF-2026-11-0005-0001');
    expect(found).toMatchObject({ externalId: 'UF-2026-11-0005-0001', status: 'draft' });
    expect(server.model.files.size).toBe(1); // not created twice
  });

  it('an upload whose reply was lost happened: getFile shows it, and it is not uploaded again', async () => {
    const c = api();
    const { id } = await c.createFile(create('UF-2026-11-0006-0001'));
    server.fault({ path: '/usage/files/{id}/upload', kind: 'lose-reply' });
    await errorOf(c.uploadFile(id, await usageXlsx(journal('UF-2026-11-0006-0001', ASSETS)), 'f.xlsx'));
    await server.settled();
    expect((await c.getFile(id)).status).toBe('ready');
    expect(server.log.filter((l) => l.includes('/upload'))).toEqual([
      `POST /public/v1/usage/files/${id}/upload 200 (reply lost)`,
    ]);
  });

  it('a submit whose reply was lost happened: getFile shows it pending', async () => {
    const c = api();
    const { id } = await c.createFile(create('UF-2026-11-0008-0001'));
    await uploadAndSettle(c, id, await usageXlsx(journal('UF-2026-11-0008-0001', ASSETS)));
    server.fault({ method: 'POST', path: `/usage/files/${id}/submit`, kind: 'lose-reply' });
    const e = await errorOf(c.submitFile(id));
    expect(e.message).toContain(`POST /usage/files/${id}/submit`);
    expect((await c.getFile(id)).status).toBe('pending');
    // Sending it again would be refused: it is no longer ready.
    expect((await errorOf(c.submitFile(id))).message).toContain('is pending: submit moves a file from ready');
  });

  it('a hung request times out with a clear error', async () => {
    server.fault({ path: '/usage/files/{id}', kind: 'hang', count: 5 });
    // Attempts are counted at the client: under load a request can time out before the server has logged it.
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const e = await errorOf(
      api({ timeoutMs: 100, fetch: counting, retry: { attempts: 2, baseDelayMs: 1 } }).getFile('UF-1'),
    );
    expect(e.message).toContain('Connect did not answer in time: GET /usage/files/UF-1.');
    expect(e.message).toContain('Check connect.endpoint and the network');
    expect(attempts).toBe(2);
    expect(server.log.length).toBeGreaterThanOrEqual(1);
    for (const line of server.log) expect(line).toBe('GET /public/v1/usage/files/UF-1 (hung)');
  });

  it('a wrong API key is refused with what to check, and the key is never in the message', async () => {
    const e = await errorOf(api({ apiKey: 'SU-111-111-111:secret-value' }).findFile('UF-x'));
    expect(e.message).toContain('HTTP 401, AUTH_001');
    expect(e.message).toContain('Check CONNECT_API_KEY');
    expect(e.message).not.toContain('secret-value');
  });

  it('accepts the key without its "ApiKey " prefix', async () => {
    const bare = server.apiKey.replace(/^ApiKey /, '');
    expect(await api({ apiKey: bare }).findFile('UF-none')).toBeNull();
  });

  it('refuses a usage file Connect files under another schema than the one written', async () => {
    const e = await errorOf(api().createFile({ ...create('UF-2026-11-0007-0001'), schema: 'cr' }));
    expect(e.message).toMatch(/under usage schema TR, not CR/);
    expect(e.message).toContain("Set product PRD-123-456-789's usage schema to CR");
  });
});
