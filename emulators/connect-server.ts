/**
 * A local CloudBlue Connect Usage API on loopback, so the real client (sync-service/connect-api/client.ts) is
 * tested on the wire and `npm run servers` can run the usage process by hand. It serves the usage-files and
 * usage-records paths of Connect's description, at Connect's base path (`…/public/v1`, the description's
 * `servers`), with the state machine of emulators/connect-usage-model.ts and the upload check of
 * emulators/connect-usage-file.ts. Every request and reply is validated against the description
 * (emulators/connect-openapi.ts): a bad request is refused 400 as Connect would; a reply that breaks the
 * description is a bug of this server, answered 500 and kept in `violations` (tests assert it stays empty).
 *
 * Served (under /public/v1): GET/POST /usage/files, GET /usage/files/{id}, POST /usage/files/{id}/upload
 * (multipart, part `usage_file`), …/submit, …/accept, …/reject, …/close, GET /usage/records (filters
 * `usagefile.id`, `status`, `asset.id`; limit/offset), GET /usage/records/{id}, POST /usage/records/close-records,
 * POST /usage/records/{id}/close. The description's other usage paths answer 501.
 *
 * Auth: `Authorization: <apiKey>`, the key as Connect issues it ("ApiKey SU-…:…"; cloudblue/connect-python-openapi-
 * client, connect/client/utils.py get_headers sends the key as the whole header, and its docs show keys as
 * 'ApiKey SU-000-000-000:xxxxxxxxxxxxxxxx'). Anything else: 401.
 * Pagination: `limit` (default 100, the python client's default_limit; at most `maxPageSize`, the description's
 * "RQL1000Pagination": 1000) and `offset`; every list reply carries `Content-Range: items <first>-<last>/<count>`
 * (the format connect/client/utils.py parse_content_range reads).
 * Upload: the reply says `processing`; the check runs after it, and the file becomes `ready` (records `valid`)
 * or `invalid` with `error_detail` ([S] in connect-usage-model.ts: draft → uploading → processing → ready or
 * invalid). A client polls GET /usage/files/{id}; tests can await `settled()`.
 *
 * The provider's side, for tests and by hand (no auth; loopback only):
 *   POST /__admin/files/{id}/accept     {"note": "…"}            pending → accepted (records approved)
 *   POST /__admin/files/{id}/reject     {"note": "…"}            pending → rejected
 *   POST /__admin/files/{id}/close-all  {"note": "…"}            closes every approved record (external billing
 *                                                                id INV-<record id>), which closes the file
 *   POST /__admin/faults  {"method": "POST", "path": "/usage/files", "kind": 503, "count": 1}
 *        the next `count` requests matching method (optional) and path (a description template such as
 *        /usage/files/{id}, or a concrete path) answer 500, 503 or 429, or "hang" (never answer: the client's
 *        timeout), or "lose-reply" (do the work, then drop the connection before the reply)
 *   GET  /__admin/violations                                      replies that broke the description
 * `startConnectServer` returns the same as typed calls (`provider`, `fault`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConnectContract, type RouteMatch } from './connect-openapi';
import { checkUsageFile } from './connect-usage-file';
import {
  ConnectRefusal,
  ConnectUsageModel,
  type CreateInput,
  type ModelOptions,
} from './connect-usage-model';

export const CONNECT_BASE_PATH = '/public/v1';
const DEFAULT_API_KEY = 'ApiKey SU-000-000-000:local-connect-key';
const DEFAULT_LIMIT = 100;

export interface ConnectServerOptions extends ModelOptions {
  /** The asset IDs Connect knows: an upload billing another asset is invalid. */
  assets: readonly string[];
  /** The whole Authorization header the server accepts (default "ApiKey SU-000-000-000:local-connect-key"). */
  apiKey?: string;
  port?: number;
  /** The most records or files one page holds (default 1000). */
  maxPageSize?: number;
  /** How long an upload stays `processing` before its check is in (default 0: the next turn of the loop). */
  processingDelayMs?: number;
}

export interface ConnectFault {
  method?: string;
  path: string;
  kind: 500 | 503 | 429 | 'hang' | 'lose-reply';
  /** How many matching requests it hits (default 1). */
  count?: number;
}

export interface ConnectServer {
  /** The base URL to give the client: http://127.0.0.1:<port>/public/v1 */
  endpoint: string;
  apiKey: string;
  model: ConnectUsageModel;
  /** The provider's actions (what /__admin/files/… does). */
  provider: {
    accept(fileId: string, note?: string): void;
    reject(fileId: string, note: string): void;
    closeAll(fileId: string, note?: string): void;
  };
  fault(f: ConnectFault): void;
  /** Resolves when every upload taken so far has been checked. */
  settled(): Promise<void>;
  /** Requests answered, in order ("POST /usage/files 201"). */
  log: string[];
  /** Replies that broke Connect's description: a bug of this server. */
  violations: string[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Parsed {
  json?: unknown;
  parts?: Map<string, FormDataEntryValue>;
}

const refusalBody = (e: ConnectRefusal) => ({ error_code: e.errorCode, errors: e.errors });

export async function startConnectServer(opts: ConnectServerOptions): Promise<ConnectServer> {
  const contract = loadConnectContract();
  const model = new ConnectUsageModel(opts);
  const knownAssets = new Set(opts.assets);
  const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
  const maxPage = opts.maxPageSize ?? 1000;
  const faults: Required<ConnectFault>[] = [];
  const pending = new Set<Promise<void>>();
  const log: string[] = [];
  const violations: string[] = [];

  const provider: ConnectServer['provider'] = {
    accept: (id, note) => void model.accept(id, note),
    reject: (id, note) => void model.reject(id, note),
    closeAll: (id, note = 'Invoiced by the local Connect server') => {
      const f = model.file(id);
      for (const r of f.recordIds)
        model.closeRecord(r, { external_billing_id: `INV-${r}`, external_billing_note: note });
    },
  };

  const takeFault = (method: string, path: string, route: RouteMatch | null) => {
    const i = faults.findIndex(
      (f) => (!f.method || f.method === method) && (f.path === path || f.path === route?.template),
    );
    if (i < 0) return null;
    const f = faults[i];
    if (--f.count <= 0) faults.splice(i, 1);
    return f;
  };

  const upload = (id: string, parts: Map<string, FormDataEntryValue> | undefined) => {
    const part = parts?.get('usage_file');
    if (!part || typeof part === 'string')
      throw new ConnectRefusal(400, 'USG_008', ['the multipart part usage_file (the .xlsx) is missing']);
    const f = model.startUpload(id);
    const done = (async () => {
      const bytes = new Uint8Array(await part.arrayBuffer());
      await new Promise((r) => setTimeout(r, opts.processingDelayMs ?? 0));
      model.finishUpload(f.id, await checkUsageFile(bytes, { knownAssets }));
    })().finally(() => pending.delete(done));
    pending.add(done);
    return f;
  };

  const page = <T>(all: T[], q: Record<string, unknown>): Reply => {
    const offset = Number(q.offset ?? 0);
    const limit = Math.min(Number(q.limit ?? DEFAULT_LIMIT), maxPage);
    const items = all.slice(offset, offset + limit);
    const range = items.length ? `${offset}-${offset + items.length - 1}` : `0-0`;
    return { status: 200, body: items, headers: { 'Content-Range': `items ${range}/${all.length}` } };
  };

  /** Equality filters the server models; any other filter the description lists is refused (not ignored). */
  const filtered = <T>(all: T[], q: Record<string, unknown>, fields: Record<string, (x: T) => unknown>) => {
    let out = all;
    for (const [name, value] of Object.entries(q)) {
      if (name === 'limit' || name === 'offset') continue;
      const get = fields[name];
      if (!get)
        throw new ConnectRefusal(400, 'USG_009', [`the local Connect server does not filter by ${name}`]);
      out = out.filter((x) => String(get(x) ?? '') === String(value));
    }
    return out;
  };

  const handle = (method: string, route: RouteMatch, q: Record<string, unknown>, body: Parsed): Reply => {
    const id = route.pathParams.id;
    const json = (body.json ?? {}) as Record<string, unknown>;
    switch (`${method} ${route.template}`) {
      case 'GET /usage/files': {
        const files = [...model.files.values()].filter((f) => f.status !== 'deleted');
        const shown = filtered(files, q, {
          id: (f) => f.id,
          external_id: (f) => f.externalId,
          status: (f) => f.status,
          'product.id': (f) => f.product,
          product_id: (f) => f.product,
          'contract.id': (f) => f.contract,
          distribution_contract_id: (f) => f.contract,
          'marketplace.id': (f) => f.marketplace,
        });
        return page(
          shown.map((f) => model.fileListItem(f)),
          q,
        );
      }
      case 'POST /usage/files':
        return { status: 201, body: model.fileCreated(model.create(json as CreateInput)) };
      case 'GET /usage/files/{id}':
        return { status: 200, body: model.fileDetail(model.file(id)) };
      case 'POST /usage/files/{id}/upload':
        return { status: 200, body: model.fileDetail(upload(id, body.parts)) };
      case 'POST /usage/files/{id}/submit':
        return { status: 200, body: model.fileDetail(model.submit(id)) };
      case 'POST /usage/files/{id}/accept':
        return { status: 200, body: model.fileDetail(model.accept(id, json.acceptance_note as string)) };
      case 'POST /usage/files/{id}/reject':
        return { status: 200, body: model.fileDetail(model.reject(id, json.rejection_note as string)) };
      case 'POST /usage/files/{id}/close':
        return { status: 200, body: model.fileDetail(model.close(id)) };
      case 'GET /usage/records': {
        const records = [...model.records.values()];
        const shown = filtered(records, q, {
          'usagefile.id': (r) => r.fileId,
          usage_file: (r) => r.fileId,
          status: (r) => r.status,
          'asset.id': (r) => r.assetId,
          asset_id: (r) => r.assetId,
        });
        return page(
          shown.map((r) => model.recordReply(r)),
          q,
        );
      }
      case 'GET /usage/records/{id}':
        return { status: 200, body: model.recordReply(model.record(id)) };
      case 'POST /usage/records/{id}/close':
        return { status: 200, body: model.recordReply(model.closeRecord(id, json)) };
      case 'POST /usage/records/close-records': {
        const items = (body.json ?? []) as {
          id?: string;
          external_billing_id?: string;
          external_billing_note?: string;
        }[];
        return {
          status: 206,
          body: items.map((item) => {
            try {
              return { id: item.id ?? '', status: model.closeRecord(item.id ?? '', item).status };
            } catch (e) {
              if (!(e instanceof ConnectRefusal)) throw e;
              return { id: item.id ?? '', error_codes: e.errorCode, error_details: e.errors.join('; ') };
            }
          }),
        };
      }
      default:
        throw new ConnectRefusal(501, 'USG_501', [
          `${method} ${route.template} is not served by the local Connect server`,
        ]);
    }
  };

  const admin = (method: string, path: string, json: Record<string, unknown>): Reply => {
    if (method === 'GET' && path === '/__admin/violations') return { status: 200, body: violations };
    if (method === 'POST' && path === '/__admin/faults') {
      const f = json as unknown as ConnectFault;
      if (typeof f.path !== 'string' || ![500, 503, 429, 'hang', 'lose-reply'].includes(f.kind))
        throw new ConnectRefusal(400, 'ADMIN_400', [
          'a fault is {"path": "/usage/files", "kind": 500 | 503 | 429 | "hang" | "lose-reply", "method"?, "count"?}',
        ]);
      server.fault(f);
      return { status: 200, body: { ok: true } };
    }
    const m = /^\/__admin\/files\/([^/]+)\/(accept|reject|close-all)$/.exec(path);
    if (method === 'POST' && m) {
      const note = typeof json.note === 'string' ? json.note : undefined;
      if (m[2] === 'accept') provider.accept(m[1], note);
      else if (m[2] === 'reject') provider.reject(m[1], note ?? '');
      else provider.closeAll(m[1], note);
      return { status: 200, body: model.fileDetail(model.file(m[1])) };
    }
    throw new ConnectRefusal(404, 'ADMIN_404', [
      `no admin route ${method} ${path}; see emulators/connect-server.ts`,
    ]);
  };

  const send = (res: ServerResponse, reply: Reply) => {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(text);
  };

  const parse = async (req: IncomingMessage, raw: Buffer): Promise<Parsed> => {
    const type = req.headers['content-type'] ?? '';
    if (!raw.length) return {};
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://local/', {
        method: 'POST',
        headers: { 'content-type': type },
        body: new Uint8Array(raw),
      }).formData();
      return { parts: new Map([...form.entries()]) };
    }
    try {
      return { json: JSON.parse(raw.toString('utf8')) };
    } catch (e) {
      throw new ConnectRefusal(400, 'VAL_001', [`the body is not JSON: ${(e as Error).message}`]);
    }
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://local');
    const label = `${method} ${url.pathname}`;
    if (url.pathname.startsWith('/__admin/')) {
      try {
        send(
          res,
          admin(method, url.pathname, ((await parse(req, raw)).json ?? {}) as Record<string, unknown>),
        );
      } catch (e) {
        if (!(e instanceof ConnectRefusal)) throw e;
        send(res, { status: e.status, body: refusalBody(e) });
      }
      return;
    }
    const path = url.pathname.startsWith(CONNECT_BASE_PATH)
      ? url.pathname.slice(CONNECT_BASE_PATH.length)
      : null;
    const route = path === null ? null : contract.match(method, path);
    let reply: Reply;
    let loseReply = false;
    try {
      if (!route) throw new ConnectRefusal(404, 'API_404', [`${label} is not a path of Connect's usage API`]);
      const fault = takeFault(method, path!, route);
      if (fault?.kind === 'hang') return void log.push(`${label} (hung)`);
      if (typeof fault?.kind === 'number')
        throw new ConnectRefusal(fault.kind, `FAULT_${fault.kind}`, [`injected fault on ${label}`]);
      loseReply = fault?.kind === 'lose-reply';
      if (req.headers.authorization !== apiKey)
        throw new ConnectRefusal(401, 'AUTH_001', [
          'the Authorization header does not carry a valid API key',
        ]);
      const parsed = await parse(req, raw);
      const problems = contract.checkRequest(method, route.template, {
        query: url.searchParams,
        contentType: req.headers['content-type'] ?? '',
        body: parsed.parts ? [...parsed.parts.keys()] : parsed.json,
        hasBody: raw.length > 0,
      });
      if (problems.length) throw new ConnectRefusal(400, 'VAL_001', problems);
      reply = handle(method, route, contract.typedQuery(method, route.template, url.searchParams), parsed);
    } catch (e) {
      if (!(e instanceof ConnectRefusal)) {
        reply = { status: 500, body: { error_code: 'USG_500', errors: [String((e as Error).stack ?? e)] } };
      } else
        reply = {
          status: e.status,
          body: refusalBody(e),
          ...(e.status === 429 ? { headers: { 'Retry-After': '0' } } : {}),
        };
    }
    if (route) {
      const broken = contract.checkResponse(method, route.template, reply.status, reply.body);
      if (broken.length) {
        violations.push(`${label} ${reply.status}: ${broken.join('; ')}`);
        reply = { status: 500, body: { error_code: 'EMULATOR_BUG', errors: broken } };
      }
    }
    log.push(`${label} ${reply.status}${loseReply ? ' (reply lost)' : ''}`);
    if (loseReply) return void res.socket?.destroy();
    send(res, reply);
  };

  const http = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error_code: 'USG_500', errors: [String(e)] } });
    });
  });
  await new Promise<void>((r) => http.listen(opts.port ?? 0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;

  const server: ConnectServer = {
    endpoint: `http://127.0.0.1:${port}${CONNECT_BASE_PATH}`,
    apiKey,
    model,
    provider,
    fault: (f) => void faults.push({ ...f, method: f.method?.toUpperCase() ?? '', count: f.count ?? 1 }),
    settled: async () => {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    log,
    violations,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
  return server;
}
