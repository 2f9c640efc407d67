/**
 * Replays gspread's recorded conversations with the real Google Sheets API (../shared/reference/sheets-recordings/,
 * README.md there) against the local Sheets server, and lists where its answers differ from Google's. The
 * conformance test (test/emulators/sheets-conformance.test.ts) holds every difference to the list the emulator
 * keeps of the ones that do not matter (emulators/sheets-known-differences.ts).
 *
 * Only cassettes whose every Sheets call is one the project makes are replayed (the sink's and the add-on's calls:
 * values get/batchGet/update/batchUpdate/append/clear, spreadsheets.get, and spreadsheets.batchUpdate with the
 * request kinds the sink sends, plus the few structural kinds a cassette uses to set its sheet up). Drive calls
 * have no Sheets equivalent: Drive "create" becomes the emulator's createSpreadsheet, the rest are skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SheetsServer } from '../../emulators/sheets-server';

export const RECORDINGS = path.resolve(__dirname, '../../../shared/reference/sheets-recordings');

interface Interaction {
  request: { method: string; uri: string; body: string | null };
  response: { status: { code: number }; body: { string: string } };
}

export interface Cassette {
  name: string;
  interactions: Interaction[];
}

/**
 * The spreadsheets.batchUpdate request kinds the replay accepts: every kind the sink sends (grep
 * sync-service/sinks/google for them) and the add-on sends, plus clearBasicFilter, deleteSheet and
 * updateSpreadsheetProperties, which the cassettes use to set up or tear down around the calls we make.
 */
const REQUEST_KINDS = new Set([
  'addSheet',
  'updateSheetProperties',
  'appendDimension',
  'insertDimension',
  'deleteDimension',
  'setBasicFilter',
  'clearBasicFilter',
  'setDataValidation',
  'repeatCell',
  'updateDimensionProperties',
  'addProtectedRange',
  'updateProtectedRange',
  'deleteProtectedRange',
  'createDeveloperMetadata',
  'updateDeveloperMetadata',
  'deleteDeveloperMetadata',
  'deleteSheet',
  'updateSpreadsheetProperties',
]);

function isDrive(uri: string): boolean {
  return new URL(uri).hostname === 'www.googleapis.com';
}

/** The Sheets call an interaction makes, as "GET values" etc.; null for one the project never makes. */
export function callKind(i: Interaction): string | null {
  const url = new URL(i.request.uri);
  const rest = decodeURIComponent(url.pathname).replace(/^\/v4\/spreadsheets\/[^/:]+/, '');
  const m = i.request.method;
  if (rest === '' && m === 'GET') return 'get';
  if (rest === '/values:batchGet' && m === 'GET') return 'values.batchGet';
  if (rest === '/values:batchUpdate' && m === 'POST') return 'values.batchUpdate';
  if (rest.startsWith('/values/')) {
    if (m === 'GET') return 'values.get';
    if (m === 'PUT') return 'values.update';
    if (m === 'POST' && rest.endsWith(':append')) return 'values.append';
    if (m === 'POST' && rest.endsWith(':clear')) return 'values.clear';
    return null;
  }
  if (rest === ':batchUpdate' && m === 'POST') {
    const body = JSON.parse(i.request.body ?? '{}') as { requests?: Record<string, unknown>[] };
    const kinds = (body.requests ?? []).flatMap((r) => Object.keys(r));
    return kinds.every((k) => REQUEST_KINDS.has(k)) ? 'batchUpdate' : null;
  }
  return null;
}

export function loadCassettes(): Cassette[] {
  return fs
    .readdirSync(RECORDINGS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      ...(JSON.parse(fs.readFileSync(path.join(RECORDINGS, f), 'utf8')) as { interactions: Interaction[] }),
    }));
}

/**
 * A cassette is replayed when it makes at least one Sheets call and every one is a call the project makes.
 * gspread's notes and merges read cells with `fields=sheets/data/...` grid masks the project never asks for, so
 * a cassette that sends `fields` on spreadsheets.get with grid data is left out too.
 */
export function replayable(c: Cassette): boolean {
  const sheetsCalls = c.interactions.filter((i) => !isDrive(i.request.uri));
  if (!sheetsCalls.length) return false;
  // Drive copies, imports and listings make spreadsheets the replay cannot create through Sheets.
  const driveOnly = c.interactions.filter((i) => isDrive(i.request.uri));
  if (!driveOnly.every((i) => isPlainDriveCall(i))) return false;
  return sheetsCalls.every((i) => {
    if (callKind(i) === null) return false;
    const url = new URL(i.request.uri);
    return !(url.searchParams.get('fields') ?? '').includes('data');
  });
}

/** Drive's create (POST /files), delete and metadata get: the calls around a test spreadsheet's life. */
function isPlainDriveCall(i: Interaction): boolean {
  const { pathname, searchParams } = new URL(i.request.uri);
  if (i.request.method === 'POST') return pathname === '/drive/v3/files';
  if (i.request.method === 'DELETE') return /^\/drive\/v3\/files\/[^/]+$/.test(pathname);
  if (i.request.method === 'GET')
    return /^\/drive\/v3\/files\/[^/]+$/.test(pathname) && !searchParams.has('alt');
  return false;
}

export interface Difference {
  cassette: string;
  /** Index of the interaction in the cassette. */
  at: number;
  call: string;
  what: 'status' | 'body';
  google: unknown;
  local: unknown;
}

/** Ids Google chose and the emulator chose differently, recorded → local, learned from replies. */
interface IdMap {
  sheet: Map<number, number>;
  protectedRange: Map<number, number>;
}

/**
 * Request bodies carry Google's ids (a sheet gspread added, a protected range it created); the emulator gave
 * its own ids to the same objects, so they are rewritten before sending.
 */
function rewriteIds(value: unknown, ids: IdMap, toLocal: boolean): unknown {
  const flip = (m: Map<number, number>) =>
    toLocal ? m : new Map([...m].map(([google, local]) => [local, google]));
  const sheet = flip(ids.sheet);
  const prot = flip(ids.protectedRange);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'sheetId' && typeof x === 'number') out[k] = sheet.get(x) ?? x;
      else if (k === 'protectedRangeId' && typeof x === 'number') out[k] = prot.get(x) ?? x;
      else out[k] = walk(x);
    }
    return out;
  };
  return walk(value);
}

/** Learns the id Google and the emulator each gave to what a batchUpdate added (replies line up by index). */
function learnIds(google: unknown, local: unknown, ids: IdMap): void {
  const g = (google as { replies?: Record<string, Record<string, Record<string, unknown>>>[] }).replies ?? [];
  const l = (local as { replies?: Record<string, Record<string, Record<string, unknown>>>[] }).replies ?? [];
  g.forEach((reply, i) => {
    const gs = reply.addSheet?.properties?.sheetId;
    const ls = l[i]?.addSheet?.properties?.sheetId;
    if (typeof gs === 'number' && typeof ls === 'number') ids.sheet.set(gs, ls);
    const gp = reply.addProtectedRange?.protectedRange?.protectedRangeId;
    const lp = l[i]?.addProtectedRange?.protectedRange?.protectedRangeId;
    if (typeof gp === 'number' && typeof lp === 'number') ids.protectedRange.set(gp, lp);
  });
}

/**
 * Google writes JSON the proto3 way: a field holding its default (0, false, "", an empty list, null) is left
 * out, so `sheetId: 0` and `warningOnly: false` never appear in its answers. googleapis' types make every field
 * optional and the project reads a missing field as its default (`range.sheetId ?? 0`), so the emulator's
 * explicit defaults are dropped before comparing. Only object fields: a 0 or "" inside a row of values is data.
 */
export function withoutDefaults(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x !== null && typeof x === 'object' ? withoutDefaults(x) : x));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === 0 || x === false || x === '' || (Array.isArray(x) && x.length === 0)) continue;
    out[k] = withoutDefaults(x);
  }
  return out;
}

/**
 * What of a spreadsheets.get answer is compared: the parts the project reads (sheet properties, protected
 * ranges, basic filter, developer metadata, charts, and the spreadsheet's title, locale and time zone). Google
 * also returns its default cell format, theme and named styles, which nothing in the project reads and the
 * emulator does not model.
 */
function readPart(body: unknown): unknown {
  const b = body as { properties?: Record<string, unknown>; sheets?: Record<string, unknown>[] };
  if (!b || typeof b !== 'object' || !('sheets' in b || 'properties' in b)) return body;
  const props = b.properties ?? {};
  return {
    ...(b.properties
      ? { properties: { title: props.title, locale: props.locale, timeZone: props.timeZone } }
      : {}),
    ...(b.sheets
      ? {
          sheets: b.sheets.map((s) => ({
            properties: s.properties,
            basicFilter: s.basicFilter,
            protectedRanges: s.protectedRanges,
            developerMetadata: s.developerMetadata,
            charts: s.charts,
          })),
        }
      : {}),
  };
}

/**
 * Error answers are compared by code and status (what the sink's retry policy and the add-on's messages key
 * on); the message text is Google's to word and the emulator words its own, naming what to do.
 */
function errorPart(body: unknown): unknown {
  const e = (body as { error?: { code?: number; status?: string } }).error;
  return e ? { error: { code: e.code, status: e.status } } : body;
}

function normalise(call: string, body: unknown): unknown {
  const b = errorPart(body);
  return withoutDefaults(call === 'get' || call === 'batchUpdate' ? readPartDeep(b) : b);
}

/** batchUpdate answers may embed an updatedSpreadsheet: compared the same way as spreadsheets.get. */
function readPartDeep(body: unknown): unknown {
  const b = body as { updatedSpreadsheet?: unknown };
  if (b && typeof b === 'object' && 'updatedSpreadsheet' in b)
    return { ...b, updatedSpreadsheet: readPart(b.updatedSpreadsheet) };
  return readPart(body);
}

/** JSON with keys sorted: Google and the emulator list an object's fields in different orders. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return text;
  }
}

/**
 * Replays one cassette against a running local server and returns every difference. The account that made the
 * recordings is not in the requests (tokens are redacted), so `caller` — the email Google lists as the
 * protected ranges' editor — is read from the cassette and given to the server as the calling account.
 */
export async function replay(c: Cassette, server: SheetsServer): Promise<Difference[]> {
  const diffs: Difference[] = [];
  const ids: IdMap = { sheet: new Map(), protectedRange: new Map() };
  const root = server.rootUrl.replace(/\/$/, '');
  for (let at = 0; at < c.interactions.length; at++) {
    const i = c.interactions[at];
    const url = new URL(i.request.uri);
    if (isDrive(i.request.uri)) {
      if (i.request.method === 'POST' && url.pathname === '/drive/v3/files') {
        const created = parse(i.response.body.string) as { id: string; name?: string };
        server.createSpreadsheet(created.id).properties.title = created.name ?? 'Untitled spreadsheet';
        ids.sheet.clear();
        ids.protectedRange.clear();
      }
      continue;
    }
    const call = callKind(i) ?? 'unknown';
    const sent = i.request.body
      ? JSON.stringify(rewriteIds(JSON.parse(i.request.body), ids, true))
      : undefined;
    const res = await fetch(`${root}${url.pathname}${url.search}`, {
      method: i.request.method,
      headers: { 'content-type': 'application/json' },
      ...(sent !== undefined ? { body: sent } : {}),
    });
    const localRaw = parse(await res.text());
    const googleRaw = parse(i.response.body.string);
    if (call === 'batchUpdate') learnIds(googleRaw, localRaw, ids);
    if (res.status !== i.response.status.code) {
      diffs.push({
        cassette: c.name,
        at,
        call,
        what: 'status',
        google: i.response.status.code,
        local: res.status,
      });
      continue;
    }
    const google = normalise(call, googleRaw);
    const local = normalise(call, rewriteIds(localRaw, ids, false));
    if (canonical(google) !== canonical(local))
      diffs.push({ cassette: c.name, at, call, what: 'body', google, local });
  }
  return diffs;
}

/** The calling account's email as Google recorded it: the editor it added to a protected range, if any. */
export function callerOf(c: Cassette): string | undefined {
  for (const i of c.interactions) {
    const m = /"users": \[\s*"([^"]+@[^"]+)"/.exec(i.response.body.string);
    if (m) return m[1];
  }
  return undefined;
}
