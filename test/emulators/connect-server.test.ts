/**
 * The local Connect server (emulators/connect-server.ts) as raw HTTP sees it: requests the description does not
 * allow are refused 400 with usage.any_400's shape, a reply that breaks the description is caught (500, kept in
 * violations), illegal transitions are refused, and the admin endpoint drives the provider's side and faults.
 * The state machine itself is property-tested on the model (emulators/connect-usage-model.ts).
 */
import fc from 'fast-check';
import { startConnectServer, type ConnectServer } from '../../emulators/connect-server';
import { ConnectRefusal, ConnectUsageModel, type FileStatus } from '../../emulators/connect-usage-model';
import type { UsageFileCheck } from '../../emulators/connect-usage-file';
import { CONNECT_TARGET, journal, usageXlsx } from '../helpers/connect-xlsx';

const ASSETS = ['AS-0001-0001-0001'];
let server: ConnectServer;

async function raw(
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; form?: FormData; auth?: boolean } = {},
): Promise<{ status: number; body: { error_code?: string; errors?: string[]; [k: string]: unknown } }> {
  const base = path.startsWith('/__admin') ? server.endpoint.replace(/\/public\/v1$/, '') : server.endpoint;
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(opts.auth === false ? {} : { Authorization: server.apiKey }),
      ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.form ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const createBody = (externalId: string) => ({
  name: externalId,
  external_id: externalId,
  product: { id: CONNECT_TARGET.product },
  contract: { id: CONNECT_TARGET.contract },
  currency: 'USD',
  period: { from: '2026-10-01', to: '2026-11-01' },
});

beforeEach(async () => {
  server = await startConnectServer({ assets: ASSETS });
});
afterEach(async () => {
  await server.close();
});

describe('the local Connect server, request by request', () => {
  it('refuses a request body the description does not allow, naming the field', async () => {
    const r = await raw('POST', '/usage/files', {
      body: { ...createBody('UF-1'), name: 5, period: { from: 'soon' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('VAL_001');
    expect(r.body.errors).toEqual(
      expect.arrayContaining([
        'request body/name must be string ({"type":"string"})',
        'request body/period/from must match format "date" ({"format":"date"})',
      ]),
    );
    expect(server.model.files.size).toBe(0);
  });

  it('refuses a query parameter the path does not take, and a wrongly typed one', async () => {
    const r = await raw('GET', '/usage/records?usagefile.id=UF-1&limit=ten&colour=red');
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      'query limit="ten" must be integer ({"type":"integer"})',
      'query parameter "colour" is not one GET /usage/records takes',
    ]);
  });

  it('refuses a body sent to an action that takes none, and a request without the API key', async () => {
    const { body } = await raw('POST', '/usage/files', { body: createBody('UF-2') });
    const submit = await raw('POST', `/usage/files/${body.id}/submit`, { body: { now: true } });
    expect(submit.body.errors).toEqual([
      'POST /usage/files/{id}/submit takes no request body, but one was sent',
    ]);
    const anon = await raw('GET', `/usage/files/${body.id}`, { auth: false });
    expect(anon).toEqual({
      status: 401,
      body: { error_code: 'AUTH_001', errors: ['the Authorization header does not carry a valid API key'] },
    });
  });

  it('refuses moves the state machine does not have, with usage.any_400', async () => {
    const { body } = await raw('POST', '/usage/files', { body: createBody('UF-3') });
    for (const action of ['submit', 'accept', 'close'])
      expect(
        await raw('POST', `/usage/files/${body.id}/${action}`, action === 'accept' ? { body: {} } : {}),
      ).toMatchObject({
        status: 400,
        body: { error_code: 'USG_003' },
      });
    expect((await raw('GET', `/usage/files/${body.id}`)).body.status).toBe('draft');
    expect(await raw('GET', '/usage/files/UF-0000-00-0000-0000')).toMatchObject({ status: 404 });
    expect(server.violations).toEqual([]);
  });

  it('catches its own reply that breaks the description: 500 with the errors, kept in violations', async () => {
    const { body } = await raw('POST', '/usage/files', { body: createBody('UF-4') });
    const real = server.model.fileDetail.bind(server.model);
    server.model.fileDetail = (f) => ({ ...real(f), status: 'lost' as never, error_detail: 'x'.repeat(201) });
    const r = await raw('GET', `/usage/files/${body.id}`);
    expect(r.status).toBe(500);
    expect(r.body.error_code).toBe('EMULATOR_BUG');
    expect(r.body.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('reply 200/status must be equal to one of the allowed values'),
        expect.stringContaining('reply 200/error_detail must NOT have more than 200 characters'),
      ]),
    );
    expect(server.violations).toHaveLength(1);
  });

  it('closes records one by one and in bulk, each needing its external billing id and note', async () => {
    const { body } = await raw('POST', '/usage/files', { body: createBody('UF-5') });
    const id = String(body.id);
    const form = new FormData();
    const bytes = await usageXlsx(journal('UF-5', ASSETS));
    form.append('usage_file', new Blob([new Uint8Array(bytes)]), 'UF-5.xlsx');
    expect((await raw('POST', `/usage/files/${id}/upload`, { form })).body.status).toBe('processing');
    await server.settled();
    expect((await raw('POST', `/usage/files/${id}/submit`)).body.status).toBe('pending');
    expect((await raw('POST', `/__admin/files/${id}/accept`, { body: { note: 'ok' } })).body.status).toBe(
      'accepted',
    );
    const [record] = (await raw('GET', `/usage/records?usagefile.id=${id}`)).body as unknown as {
      id: string;
    }[];
    const bulk = await raw('POST', '/usage/records/close-records', {
      body: [{ id: record.id, external_billing_id: 'INV-1' }, { id: 'UR-none' }],
    });
    expect(bulk.status).toBe(206);
    expect(bulk.body).toEqual([
      {
        id: record.id,
        error_codes: 'USG_007',
        error_details: `closing usage record ${record.id} needs external_billing_note`,
      },
      { id: 'UR-none', error_codes: 'USG_404', error_details: 'usage record UR-none does not exist' },
    ]);
    const closed = await raw('POST', `/usage/records/${record.id}/close`, {
      body: { external_billing_id: 'INV-1', external_billing_note: 'invoice 1' },
    });
    expect(closed.body).toMatchObject({
      status: 'closed',
      external_billing_id: 'INV-1',
      external_billing_note: 'invoice 1',
    });
    expect((await raw('GET', `/usage/files/${id}`)).body.status).toBe('closed');
    expect(server.violations).toEqual([]);
  });

  it('takes faults through the admin endpoint, and refuses one it does not know', async () => {
    expect((await raw('POST', '/__admin/faults', { body: { path: '/usage/files', kind: 503 } })).status).toBe(
      200,
    );
    expect((await raw('GET', '/usage/files')).status).toBe(503);
    expect((await raw('GET', '/usage/files')).status).toBe(200);
    const bad = await raw('POST', '/__admin/faults', { body: { path: '/usage/files', kind: 418 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0]).toContain('"kind": 500 | 503 | 429 | "hang" | "lose-reply"');
  });
});

// --- the state machine, on the model ---

const CHECK_OK: UsageFileCheck = {
  problems: [],
  currency: 'USD',
  schema: 'TR',
  general: { product_id: 'PRD-1', distribution_contract_id: 'CRD-1' },
  total: -300,
  records: [1, 2].map((i) => ({
    recordId: `R-${i}`,
    note: '',
    assetId: 'AS-1',
    tier: 0,
    amount: -100 * i,
    categoryId: 'aws_credit',
    item: 'AWS-CREDIT',
    start: '2026-10-01T00:00:00Z',
    end: '2026-11-01T00:00:00Z',
    params: { credit_desk_record: `R-${i}` },
  })),
};
const CHECK_BAD: UsageFileCheck = { ...CHECK_OK, problems: ['no "records" tab'], records: [] };

type Action =
  | { kind: 'upload'; valid: boolean }
  | { kind: 'submit' | 'accept' | 'reject' | 'close' | 'closeRecord'; index: number };

// Weighted towards the path forward, so runs reach accepted and closed, not only draft and invalid.
const moveOf = (kind: Exclude<Action['kind'], 'upload'>) =>
  fc.record({ kind: fc.constant(kind), index: fc.nat(2) });
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('upload' as const), valid: fc.nat(3).map((n) => n > 0) }),
    weight: 2,
  },
  { arbitrary: moveOf('submit'), weight: 2 },
  { arbitrary: moveOf('accept'), weight: 2 },
  { arbitrary: moveOf('reject'), weight: 1 },
  { arbitrary: moveOf('close'), weight: 1 },
  { arbitrary: moveOf('closeRecord'), weight: 3 },
);

// [S] ../shared/reference/credits-domain.md §1.4: which move leads where, from where.
const LEGAL: Record<string, [FileStatus[], FileStatus]> = {
  submit: [['ready'], 'pending'],
  accept: [['pending'], 'accepted'],
  reject: [['pending'], 'rejected'],
};

describe('the usage state machine (property)', () => {
  it('moves only as the reference says, and a refused move changes nothing', () => {
    const reached = new Set<FileStatus>();
    fc.assert(
      fc.property(fc.array(action, { minLength: 15, maxLength: 40 }), (actions) => {
        const m = new ConnectUsageModel({ now: () => new Date('2026-11-27T00:00:00Z') });
        const f = m.create({ product: { id: 'PRD-1' }, contract: { id: 'CRD-1' }, external_id: 'UF-X' });
        for (const a of actions) {
          const before = JSON.stringify([f, [...m.records.values()]]);
          const from = f.status;
          try {
            if (a.kind === 'upload') {
              m.startUpload(f.id);
              m.finishUpload(f.id, a.valid ? CHECK_OK : CHECK_BAD);
              expect(['draft', 'ready', 'invalid', 'rejected']).toContain(from);
              expect(f.status).toBe(a.valid ? 'ready' : 'invalid');
            } else if (a.kind === 'closeRecord') {
              m.closeRecord(f.recordIds[a.index] ?? 'UR-none', {
                external_billing_id: 'INV',
                external_billing_note: 'note',
              });
              expect(['accepted', 'closed']).toContain(from);
            } else if (a.kind === 'close') {
              m.close(f.id);
              expect(from).toBe('accepted');
            } else {
              if (a.kind === 'reject') m.reject(f.id, 'why');
              else if (a.kind === 'accept') m.accept(f.id);
              else m.submit(f.id);
              expect(LEGAL[a.kind][0]).toContain(from);
              expect(f.status).toBe(LEGAL[a.kind][1]);
            }
          } catch (e) {
            if (!(e instanceof ConnectRefusal)) throw e;
            expect(JSON.stringify([f, [...m.records.values()]])).toBe(before);
          }
          reached.add(f.status);
          const statuses = new Set(f.recordIds.map((r) => m.record(r).status));
          // Records follow their file: valid until accepted (approved) or rejected, closed only once accepted.
          if (['ready', 'pending'].includes(f.status))
            expect([...statuses].every((s) => s === 'valid')).toBe(true);
          if (f.status === 'rejected') expect([...statuses]).toEqual(['rejected']);
          if (f.status === 'accepted')
            expect([...statuses].every((s) => s === 'approved' || s === 'closed')).toBe(true);
          if (f.status === 'invalid' || f.status === 'draft') expect(f.recordIds).toEqual([]);
          // [S] closed needs an external billing id and note on every record.
          if (f.status === 'closed')
            for (const r of f.recordIds)
              expect(m.record(r)).toMatchObject({
                status: 'closed',
                externalBillingId: 'INV',
                externalBillingNote: 'note',
              });
        }
      }),
      { numRuns: 200 },
    );
    // The runs went everywhere the state machine goes, so the checks above were exercised.
    expect([...reached].sort()).toEqual([
      'accepted',
      'closed',
      'draft',
      'invalid',
      'pending',
      'ready',
      'rejected',
    ]);
  });
});
