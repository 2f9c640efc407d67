/**
 * A local Google Sheets API v4 server for tests and benchmarks: Node http on 127.0.0.1, state in memory
 * (./sheets-model.ts), the subset of endpoints the Google Sheets sink and the `google-spreadsheet` library use,
 * request/byte counting (as JSON and as sent: gzip when asked, wantsGzip), fault injection (429/5xx, reset connections before or after applying, slow replies)
 * and hooks that let a test act as a person between two requests.
 *
 * The caller is the sync's service account (`callerEmail`); the server does not check protected ranges against it
 * (the sync is an editor of every range it protects, and the tests protect nothing against it), but adds it to
 * the editors of every range it protects, as Google does. The same spreadsheet can be opened through
 * SpreadsheetApp as a person (shared-spreadsheet.ts): one store, two fronts.
 *
 * Answers are held to Google's recorded ones by test/emulators/sheets-conformance.test.ts; the differences left
 * are listed, with why they do not matter, in ./sheets-known-differences.ts.
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { sheets_v4 } from '@googleapis/sheets';
import {
  appendValues,
  parseA1,
  applyRequest,
  newSpreadsheet,
  readValues,
  readValuesIn,
  renderOf,
  spreadsheetResource,
  writeValues,
} from './sheets-model';
import { ApiError, type SpreadsheetState, type Stored } from './sheets-state';
import { selectFields } from './sheets-field-mask';
import { seededRandom } from '../sync-service/demo/seeded-random';

export type Op =
  | 'get'
  | 'batchUpdate'
  | 'values.get'
  | 'values.update'
  | 'values.append'
  | 'values.clear'
  | 'values.batchGet'
  | 'values.batchGetByDataFilter'
  | 'values.batchUpdate'
  | 'unknown';

export interface RequestRecord {
  n: number;
  method: string;
  path: string;
  op: Op;
  /** Request body bytes plus response body bytes (the response as JSON, before any compression). */
  bytes: number;
  requestBytes: number;
  /** The request URL's path and query, in characters as sent (MAX_URL_CHARS bounds it). */
  urlChars: number;
  /** The response body as JSON, before compression: what the client decodes. */
  responseBytes: number;
  /**
   * The response body as sent: gzip-compressed when the request asked as Google's performance guide says
   * (wantsGzip), else the same as responseBytes.
   */
  wireBytes: number;
  /** Whether the response was sent gzip-compressed. */
  gzip?: boolean;
  /** The `fields` parameter (a partial response: sheets-field-mask.ts), when the request gave one. */
  fields?: string;
  /**
   * The A1 ranges a values.batchGet or get asked for (its repeated `ranges` query parameter:
   * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGet,
   * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/get), so a test can check what a
   * client downloads as well as how much (responseBytes).
   */
  ranges?: string[];
  /** Server-side handling time. */
  ms: number;
  fault?: string;
}

export interface Match {
  op?: Op;
  method?: string;
  path?: RegExp;
  /** The n-th (1-based, over all requests) request only. */
  nth?: number;
  /** Requests whose body matches, e.g. /"addSheet"/ for the batchUpdate that creates tabs. */
  body?: RegExp;
}

export type Fault =
  | { status: 403 | 404 | 429 | 500 | 502 | 503 | 504; message?: string }
  | { reset: 'before' | 'after' }
  | { delayMs: number }
  /**
   * Applies the request, then answers 500 — like a server that did the work but failed to say so. For a
   * spreadsheets.batchUpdate the whole batch was applied (Google applies a batch atomically:
   * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate), so a client that
   * retries it sends "add the Credits tab" (or a pinned protected-range / metadata id) a second time and
   * gets Google's 400 "already exists" (see sheets-model.ts addSheet, addProtectedRange, createDeveloperMetadata).
   */
  | { failAfterApply: true };

export interface InjectRule {
  match?: Match;
  fault: Fault;
  /** How many matching requests to hit (default 1; Infinity for all). */
  times?: number;
}

export interface ChaosOptions {
  /** Probability that a request fails. */
  rate: number;
  seed?: number;
  faults?: Fault[];
}

export interface BetweenHook {
  match: Match;
  run(state: ServerState): void | Promise<void>;
}

export interface ServerState {
  spreadsheets: Map<string, SpreadsheetState>;
  /** The spreadsheet a test created (or the first one). */
  sheet(id?: string): SpreadsheetState;
}

export interface SheetsServer {
  rootUrl: string;
  state: ServerState;
  stats: {
    requests: RequestRecord[];
    count(op?: Op): number;
    bytes(op?: Op): number;
    /** Response bytes as sent (compressed when the client asked for gzip: wantsGzip). */
    wireBytes(op?: Op): number;
    reset(): void;
  };
  /** Creates (or replaces) a spreadsheet with these empty tabs. */
  createSpreadsheet(id: string, sheetTitles?: string[]): SpreadsheetState;
  inject(rule: InjectRule): void;
  chaos(opts: ChaosOptions | null): void;
  /**
   * Every request waits this long before it is handled (null: none), like a slow network or a busy Google
   * backend; writes of two clients then overlap in time. Google documents only the 180 s timeout
   * (https://developers.google.com/sheets/api/limits), so any latency below that is realistic.
   */
  latency(ms: number | null): void;
  /** Runs `hook.run` once, just before the first request matching `hook.match` is handled. */
  onBetween(hook: BetweenHook): void;
  /** Header values of the most recent requests, for checking what a client sent (never printed). */
  lastAuthorization(): string | undefined;
  close(): Promise<void>;
}

const DEFAULT_CHAOS_FAULTS: Fault[] = [
  { status: 429 },
  { status: 500 },
  { status: 503 },
  { reset: 'before' },
  { reset: 'after' },
];

function matches(m: Match | undefined, n: number, method: string, path: string, op: Op, body = ''): boolean {
  if (!m) return true;
  if (m.body && !m.body.test(body)) return false;
  if (m.nth !== undefined && m.nth !== n) return false;
  if (m.op && m.op !== op) return false;
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path && !m.path.test(path)) return false;
  return true;
}

interface Route {
  op: Op;
  spreadsheetId: string;
  range?: string;
}

function route(method: string, pathname: string): Route {
  const m = /^\/v4\/spreadsheets\/([A-Za-z0-9_-]+)(.*)$/.exec(pathname);
  if (!m) return { op: 'unknown', spreadsheetId: '' };
  const [, spreadsheetId, raw] = m;
  // ky (google-spreadsheet's client) joins its prefix with a slash: ".../ID/" and ".../ID/:batchUpdate".
  const rest = raw === '/' ? '' : raw.startsWith('/:') ? raw.slice(1) : raw;
  const decoded = decodeURIComponent(rest);
  if (rest === '' && method === 'GET') return { op: 'get', spreadsheetId };
  if (rest === ':batchUpdate' && method === 'POST') return { op: 'batchUpdate', spreadsheetId };
  if (decoded === '/values:batchGet' && method === 'GET') return { op: 'values.batchGet', spreadsheetId };
  if (decoded === '/values:batchGetByDataFilter' && method === 'POST')
    return { op: 'values.batchGetByDataFilter', spreadsheetId };
  if (decoded === '/values:batchUpdate' && method === 'POST')
    return { op: 'values.batchUpdate', spreadsheetId };
  if (decoded.startsWith('/values/')) {
    const range = decoded.slice('/values/'.length);
    if (method === 'POST' && range.endsWith(':append'))
      return { op: 'values.append', spreadsheetId, range: range.slice(0, -':append'.length) };
    if (method === 'POST' && range.endsWith(':clear'))
      return { op: 'values.clear', spreadsheetId, range: range.slice(0, -':clear'.length) };
    if (method === 'GET') return { op: 'values.get', spreadsheetId, range };
    if (method === 'PUT') return { op: 'values.update', spreadsheetId, range };
  }
  return { op: 'unknown', spreadsheetId };
}

type Body = Record<string, unknown>;

/**
 * spreadsheets.get: `ranges` limits the sheets (and grid data) to the ones named, `fields` keeps only the fields
 * selected (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/get; field masks:
 * https://developers.google.com/sheets/api/guides/field-masks). Both were ignored before, so a client that
 * forgot a field in its mask still got it here and not on Google.
 */
function getSpreadsheet(ss: SpreadsheetState, query: URLSearchParams): sheets_v4.Schema$Spreadsheet {
  const resource = spreadsheetResource(ss, query.get('includeGridData') === 'true');
  const ranges = query.getAll('ranges');
  if (ranges.length) {
    const titles = new Set(ranges.map((range) => parseA1(ss, range).sheet.properties.title));
    resource.sheets = resource.sheets?.filter((s) => titles.has(s.properties?.title ?? ''));
  }
  return selectFields(resource, query.get('fields'));
}

/** Handles one API call on the state; throws ApiError for Google-shaped errors. */
function handle(state: ServerState, r: Route, query: URLSearchParams, body: Body, caller: string): unknown {
  const ss = state.spreadsheets.get(r.spreadsheetId);
  if (r.op === 'unknown') throw new ApiError(404, 'Method not found.');
  if (!ss) throw new ApiError(404, 'Requested entity was not found.');
  const render = () => renderOf(query.get('valueRenderOption'), query.get('dateTimeRenderOption'));
  switch (r.op) {
    case 'get':
      return getSpreadsheet(ss, query);
    case 'values.get':
      return readValuesIn(ss, r.range!, render(), query.get('majorDimension'));
    case 'values.batchGet':
      return {
        spreadsheetId: ss.spreadsheetId,
        valueRanges: query
          .getAll('ranges')
          .map((range) => readValuesIn(ss, range, render(), query.get('majorDimension'))),
      };
    case 'values.batchGetByDataFilter': {
      // The same reads as batchGet, the ranges in the body: one MatchedValueRange per filter, in their order
      // (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGetByDataFilter).
      // Only a1Range filters are answered here; the sink sends no other kind.
      const filters = (body.dataFilters as sheets_v4.Schema$DataFilter[] | undefined) ?? [];
      const rendered = renderOf(
        (body.valueRenderOption as string | undefined) ?? null,
        (body.dateTimeRenderOption as string | undefined) ?? null,
      );
      return {
        spreadsheetId: ss.spreadsheetId,
        valueRanges: filters.map((f) => {
          if (!f.a1Range)
            throw new ApiError(400, 'The local Sheets server answers a1Range data filters only.');
          return {
            valueRange: readValuesIn(
              ss,
              f.a1Range,
              rendered,
              (body.majorDimension as string | undefined) ?? null,
            ),
            dataFilters: [f],
          };
        }),
      };
    }
    case 'values.update': {
      const res = writeValues(
        ss,
        r.range!,
        (body.values as unknown[][]) ?? [],
        query.get('valueInputOption') ?? '',
      );
      return {
        spreadsheetId: ss.spreadsheetId,
        ...res,
        ...(query.get('includeValuesInResponse') === 'true'
          ? { updatedData: readValues(ss, res.updatedRange, 'FORMATTED_VALUE') }
          : {}),
      };
    }
    case 'values.append': {
      const res = appendValues(
        ss,
        r.range!,
        (body.values as unknown[][]) ?? [],
        query.get('valueInputOption') ?? '',
        query.get('insertDataOption') ?? 'OVERWRITE',
      );
      return {
        spreadsheetId: ss.spreadsheetId,
        ...(res.tableRange ? { tableRange: res.tableRange } : {}),
        updates: {
          spreadsheetId: ss.spreadsheetId,
          ...res.updates,
          ...(query.get('includeValuesInResponse') === 'true'
            ? { updatedData: readValues(ss, res.updates.updatedRange, 'FORMATTED_VALUE') }
            : {}),
        },
      };
    }
    case 'values.clear': {
      const cleared = readValues(ss, r.range!);
      const rows = (cleared.values ?? []).map((row) => row.map(() => ''));
      if (rows.length) writeValues(ss, r.range!, rows, 'RAW');
      return { spreadsheetId: ss.spreadsheetId, clearedRange: cleared.range };
    }
    case 'values.batchUpdate': {
      const b = body as sheets_v4.Schema$BatchUpdateValuesRequest;
      // Atomic: apply to a copy, keep it only if every range succeeds.
      const copy = cloneState(ss);
      const responses = (b.data ?? []).map((vr) =>
        writeValues(copy, vr.range ?? '', (vr.values as unknown[][]) ?? [], b.valueInputOption ?? ''),
      );
      state.spreadsheets.set(ss.spreadsheetId, copy);
      return {
        spreadsheetId: ss.spreadsheetId,
        totalUpdatedRows: responses.reduce((s, x) => s + x.updatedRows, 0),
        totalUpdatedColumns: Math.max(0, ...responses.map((x) => x.updatedColumns)),
        totalUpdatedCells: responses.reduce((s, x) => s + x.updatedCells, 0),
        totalUpdatedSheets: new Set(responses.map((x) => x.updatedRange.split('!')[0])).size,
        responses: responses.map((x) => ({ spreadsheetId: ss.spreadsheetId, ...x })),
      };
    }
    case 'batchUpdate': {
      const b = body as sheets_v4.Schema$BatchUpdateSpreadsheetRequest;
      const copy = cloneState(ss);
      const replies = (b.requests ?? []).map((req, i) => {
        try {
          return applyRequest(copy, req, caller);
        } catch (e) {
          if (e instanceof ApiError) throw new ApiError(e.code, `Invalid requests[${i}]: ${e.message}`);
          throw e;
        }
      });
      state.spreadsheets.set(ss.spreadsheetId, copy);
      return {
        spreadsheetId: ss.spreadsheetId,
        replies,
        ...(b.includeSpreadsheetInResponse ? { updatedSpreadsheet: spreadsheetResource(copy, false) } : {}),
      };
    }
  }
}

/** The calling account when a test names none: the sync's service account in the tests' made-up project. */
export const DEFAULT_CALLER = 'credit-desk-sync@credit-desk-tests.iam.gserviceaccount.com';

export async function startSheetsServer(
  opts: {
    spreadsheetId?: string;
    sheetTitles?: string[];
    callerEmail?: string;
    /** Tests: false answers plain JSON even to a client that asks for gzip (to compare the decoded replies). */
    gzip?: boolean;
  } = {},
): Promise<SheetsServer> {
  const caller = opts.callerEmail ?? DEFAULT_CALLER;
  const spreadsheets = new Map<string, SpreadsheetState>();
  const state: ServerState = {
    spreadsheets,
    sheet(id) {
      const ss = id ? spreadsheets.get(id) : spreadsheets.values().next().value;
      if (!ss) throw new Error(`no spreadsheet ${id ?? ''} on the local server`);
      return ss;
    },
  };
  if (opts.spreadsheetId)
    spreadsheets.set(opts.spreadsheetId, newSpreadsheet(opts.spreadsheetId, opts.sheetTitles));

  const requests: RequestRecord[] = [];
  const rules: (InjectRule & { left: number })[] = [];
  const hooks: BetweenHook[] = [];
  let chaos: { rate: number; faults: Fault[]; random: () => number } | null = null;
  let counter = 0;
  let lastAuth: string | undefined;
  let latencyMs = 0;

  function pickFault(n: number, method: string, path: string, op: Op, body: string): Fault | undefined {
    for (const rule of rules) {
      if (rule.left > 0 && matches(rule.match, n, method, path, op, body)) {
        rule.left--;
        return rule.fault;
      }
    }
    if (chaos && chaos.random() < chaos.rate)
      return chaos.faults[Math.floor(chaos.random() * chaos.faults.length)];
    return undefined;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const n = ++counter;
        const method = (req.method ?? 'GET').toUpperCase();
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const r = route(method, url.pathname);
        const raw = Buffer.concat(chunks);
        const record: RequestRecord = {
          n,
          method,
          path: url.pathname,
          op: r.op,
          bytes: raw.length,
          requestBytes: raw.length,
          responseBytes: 0,
          wireBytes: 0,
          ms: 0,
          gzip: opts.gzip !== false && wantsGzip(req.headers),
          urlChars: (req.url ?? '').length,
          ...(url.searchParams.has('ranges') ? { ranges: url.searchParams.getAll('ranges') } : {}),
          ...(r.op === 'values.batchGetByDataFilter' ? { ranges: filterRanges(raw) } : {}),
          ...(url.searchParams.has('fields') ? { fields: url.searchParams.get('fields')! } : {}),
        };
        requests.push(record);
        const started = performance.now();
        lastAuth = req.headers.authorization;

        for (const hook of [...hooks]) {
          if (matches(hook.match, n, method, url.pathname, r.op)) {
            hooks.splice(hooks.indexOf(hook), 1);
            await hook.run(state);
          }
        }

        if ((req.url ?? '').length > MAX_URL_CHARS) {
          send(res, record, 414, errorBody(414, 'The requested URL is too large to process.'));
          return;
        }
        if (raw.length > MAX_BODY_BYTES) {
          send(
            res,
            record,
            400,
            errorBody(400, `Request payload size exceeds the limit: ${MAX_BODY_BYTES} bytes.`),
          );
          return;
        }
        if (latencyMs) await new Promise((done) => setTimeout(done, latencyMs));
        const fault = pickFault(n, method, url.pathname, r.op, raw.toString('utf8'));
        if (fault) record.fault = JSON.stringify(fault);
        if (fault && 'reset' in fault && fault.reset === 'before') {
          req.socket.destroy();
          return;
        }
        if (fault && 'status' in fault) {
          send(
            res,
            record,
            fault.status,
            errorBody(fault.status, fault.message ?? defaultMessage(fault.status)),
          );
          return;
        }
        if (fault && 'delayMs' in fault) await new Promise((done) => setTimeout(done, fault.delayMs));

        let status = 200;
        let payload: unknown;
        try {
          const body = raw.length ? (JSON.parse(raw.toString('utf8')) as Body) : {};
          payload = handle(state, r, url.searchParams, body, caller);
        } catch (e) {
          const err =
            e instanceof ApiError
              ? e
              : new ApiError(400, `Invalid JSON payload received. ${(e as Error).message}`);
          status = err.code;
          payload = errorBody(err.code, err.message);
        }
        if (fault && 'reset' in fault) {
          req.socket.destroy(); // applied, but the client never hears back
          return;
        }
        if (fault && 'failAfterApply' in fault) {
          send(res, record, 500, errorBody(500, 'Internal error encountered.'));
          return;
        }
        record.ms = Math.round(performance.now() - started);
        send(res, record, status, payload);
      })().catch((e: unknown) => {
        send(
          res,
          { responseBytes: 0, wireBytes: 0, bytes: 0, ms: 0 } as RequestRecord,
          500,
          errorBody(500, String(e)),
        );
      });
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;

  return {
    rootUrl: `http://127.0.0.1:${port}/`,
    state,
    stats: {
      requests,
      count: (op) => requests.filter((r) => !op || r.op === op).length,
      bytes: (op) => requests.filter((r) => !op || r.op === op).reduce((s, r) => s + r.bytes, 0),
      wireBytes: (op) => requests.filter((r) => !op || r.op === op).reduce((s, r) => s + r.wireBytes, 0),
      reset: () => {
        requests.length = 0;
      },
    },
    createSpreadsheet(id, titles = ['Sheet1']) {
      const ss = newSpreadsheet(id, titles);
      spreadsheets.set(id, ss);
      return ss;
    },
    inject(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    chaos(o) {
      chaos = o
        ? { rate: o.rate, faults: o.faults ?? DEFAULT_CHAOS_FAULTS, random: seededRandom(o.seed ?? 1) }
        : null;
    },
    latency(ms) {
      latencyMs = ms ?? 0;
    },
    onBetween(hook) {
      hooks.push(hook);
    },
    lastAuthorization: () => lastAuth,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((e) => (e ? fail(e) : done()));
        server.closeAllConnections();
      }),
  };
}

/** A deep copy for atomic batches; rows are copied shallowly (stored cells are never mutated in place), which keeps 50k-row sheets cheap. */
function cloneState(ss: SpreadsheetState): SpreadsheetState {
  const copy = structuredClone({ ...ss, sheets: ss.sheets.map((s) => ({ ...s, cells: [] as Stored[][] })) });
  copy.sheets.forEach((s, i) => (s.cells = ss.sheets[i].cells.map((r): Stored[] => (r ? [...r] : []))));
  return copy;
}

function defaultMessage(status: number): string {
  switch (status) {
    case 429:
      return "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com'.";
    case 403:
      return 'The caller does not have permission';
    case 404:
      return 'Requested entity was not found.';
    case 503:
      return 'The service is currently unavailable.';
    default:
      return 'Internal error encountered.';
  }
}

/**
 * The longest request URL (path and query) answered. Google documents no limit for its API URLs, and its front
 * ends refuse long ones (414; Node's own server, 431 past its 16 KB of headers): the stricter reading is
 * modelled, the 2,048 characters commonly given as the safe length of a URL. A client with many ranges sends them
 * in a body (values.batchGetByDataFilter), as the sink does past its own budget (sheets-gateway.ts).
 */
export const MAX_URL_CHARS = 2048;

/**
 * The largest request body answered. Google recommends 2 MB (https://developers.google.com/sheets/api/limits) and
 * refuses more than 10 MiB: "Request payload size exceeds the limit: 10485760 bytes." (400), observed in
 * https://github.com/scrt-hq/psgsuite/issues/62 and googleworkspace/dotnet-samples#23 (../shared/reference/
 * sheets-athena-duckdb.md, its limits table).
 */
export const MAX_BODY_BYTES = 10_485_760;

/** The a1Range of each data filter of a batchGetByDataFilter body, for the request's record. */
function filterRanges(raw: Buffer): string[] {
  try {
    const body = JSON.parse(raw.toString('utf8')) as { dataFilters?: { a1Range?: string }[] };
    return (body.dataFilters ?? []).map((f) => f.a1Range ?? '');
  } catch {
    return [];
  }
}

function errorBody(code: number, message: string) {
  return { error: { code, message, status: new ApiError(code, message).status } };
}

/**
 * Whether Google would answer this request gzip-compressed. Its performance guide
 * (https://developers.google.com/sheets/api/guides/performance, "Compression using gzip"): "In order to receive a
 * gzip-encoded response you must do two things: Set an Accept-Encoding header, and modify your user agent to
 * contain the string gzip" — e.g. `Accept-Encoding: gzip` and `User-Agent: my program (gzip)`. The guide does
 * not say what Google does with one of the two alone; the stricter reading is modelled: both, or plain JSON.
 * googleapis sends both (googleapis-common apirequest.js: Accept-Encoding: gzip, a User-Agent with "(gzip)").
 */
export function wantsGzip(headers: http.IncomingHttpHeaders): boolean {
  const accept = String(headers['accept-encoding'] ?? '')
    .split(',')
    .map((e) => e.split(';')[0].trim().toLowerCase());
  return accept.includes('gzip') && /gzip/.test(String(headers['user-agent'] ?? ''));
}

function send(res: http.ServerResponse, record: RequestRecord, status: number, payload: unknown): void {
  const text = Buffer.from(JSON.stringify(payload));
  const body = record.gzip ? gzipSync(text) : text;
  record.responseBytes = text.length;
  record.wireBytes = body.length;
  record.bytes += record.responseBytes;
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    ...(record.gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
}
