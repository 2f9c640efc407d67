/**
 * The four Sheets API calls the sink makes, each behind the one retry policy, writes behind the rate limiter.
 * Nothing here decides anything; it is the edge between the sink's plans and the HTTP client.
 */
import { auth as googleAuth, sheets, type sheets_v4 } from '@googleapis/sheets';
import { tokenBucket, type RateLimiter } from './sheets-rate-limit';
import { withRetry, DEFAULT_RETRY, type RetryHooks, type SheetsRetryPolicy } from './sheets-retry';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

export type SheetsAuth = sheets_v4.Options['auth'];

export interface GatewayOptions {
  spreadsheetId: string;
  rootUrl?: string;
  auth?: SheetsAuth;
  maxWriteRequestsPerMinute?: number;
  retry?: Partial<SheetsRetryPolicy>;
  retryHooks?: RetryHooks;
  identity?: () => string | undefined;
}

/**
 * What each spreadsheets.get asks for (Google's `fields` parameter, a partial response:
 * https://developers.google.com/sheets/api/guides/field-masks#read_response_field_masks). Without a mask the
 * reply holds every protected range of every tab — ~3 MB on a sheet with many locked runs — and a command made
 * three such gets; now only the write's get asks for them.
 */
export const GET_FIELDS = {
  /** The sync lock and the add-on's write markers (sheets-lock.ts), nothing else. */
  lock: 'developerMetadata',
  /** What read() plans the layout from (sheets-layout.ts), and the markers (the lock's confirming get is it). */
  layout: 'properties(timeZone),developerMetadata,sheets(properties,basicFilter)',
  /** What write() plans the protection, the Ledger's setup and the Summary from (sheets-protection.ts, …). */
  write: 'sheets(properties,protectedRanges,charts(chartId,spec(title)))',
  /** Every tab's grid size, for the cell budget (grid-size.ts). */
  sizes: 'sheets(properties(title,gridProperties))',
} as const;

export interface SheetsGateway {
  spreadsheetId: string;
  get(
    what: string,
    fields: (typeof GET_FIELDS)[keyof typeof GET_FIELDS],
  ): Promise<sheets_v4.Schema$Spreadsheet>;
  /**
   * The ranges' values, row by row; with `byColumns`, column by column as Google sends them (majorDimension
   * COLUMNS): a tall one-column range then costs one JSON array, not one per cell (a tenth fewer bytes down
   * for the Key column), and a reader of columns builds no array per cell (asRows turns them back).
   */
  batchGet(what: string, ranges: string[], byColumns?: boolean): Promise<sheets_v4.Schema$ValueRange[]>;
  writeValues(what: string, data: sheets_v4.Schema$ValueRange[]): Promise<void>;
  batchUpdate(what: string, requests: sheets_v4.Schema$Request[]): Promise<sheets_v4.Schema$Response[]>;
}

/** Application Default Credentials limited to the spreadsheets scope (a key file via GOOGLE_APPLICATION_CREDENTIALS, or workload identity). */
export function defaultAuth(): SheetsAuth {
  return new googleAuth.GoogleAuth({ scopes: [SHEETS_SCOPE] });
}

/**
 * The longest batchGet URL the sink sends (characters of path and query). Google documents no limit for API URLs
 * and its front ends refuse long ones; past this budget the ranges go in the body of values.batchGetByDataFilter
 * instead (emulators/sheets-server.ts MAX_URL_CHARS models the refusal). A narrow read's whole Audit rows (a
 * range per column per run of rows) reached 25 KB with 150 drift rows scattered in the Audit, and was refused.
 */
export const URL_BUDGET = 1800;

/** The length of a values.batchGet URL's path and query for these ranges (googleapis encodes each range). */
export function urlLength(spreadsheetId: string, ranges: readonly string[]): number {
  const fixed = `/v4/spreadsheets/${spreadsheetId}/values:batchGet?majorDimension=COLUMNS&valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER`;
  // Counted as RFC 3986 encodes it (', !, (, ), * too): the longest a client may make it.
  const encoded = (r: string) =>
    encodeURIComponent(r).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return ranges.reduce((n, r) => n + '&ranges='.length + encoded(r).length, fixed.length);
}

/**
 * The value ranges of a batchGetByDataFilter reply in the order of the ranges asked: by each match's own
 * a1Range filter where every range asked finds its match that way (the reference does not promise the reply's
 * order), else by position (a server that wrote the filters back in another form).
 */
export function matchedInOrder(
  ranges: readonly string[],
  matched: readonly sheets_v4.Schema$MatchedValueRange[],
): sheets_v4.Schema$ValueRange[] {
  const byPosition = () => matched.map((m) => m.valueRange ?? {});
  const queues = new Map<string, sheets_v4.Schema$ValueRange[]>();
  for (const m of matched) {
    const key = m.dataFilters?.[0]?.a1Range;
    if (key === undefined || key === null) return byPosition();
    const q = queues.get(key) ?? [];
    q.push(m.valueRange ?? {});
    queues.set(key, q);
  }
  const out: sheets_v4.Schema$ValueRange[] = [];
  for (const r of ranges) {
    const next = queues.get(r)?.shift();
    if (!next) return byPosition();
    out.push(next);
  }
  return out;
}

export function createGateway(opts: GatewayOptions): SheetsGateway {
  const policy: SheetsRetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const limiter: RateLimiter = tokenBucket(opts.maxWriteRequestsPerMinute ?? 60);
  // retry: false turns gaxios's own retries off, so this module's policy is the only one. Node's own fetch
  // replaces gaxios's lazy `import('node-fetch')`, which fails inside VM sandboxes such as jest.
  const api = sheets({
    version: 'v4',
    auth: opts.auth,
    retry: false,
    fetchImplementation: fetch,
    ...(opts.rootUrl ? { rootUrl: opts.rootUrl } : {}),
  });
  const spreadsheetId = opts.spreadsheetId;
  const ctx = (what: string) => ({ what, spreadsheetId, identity: opts.identity?.() });
  const read = <T>(what: string, call: () => Promise<T>) =>
    withRetry(ctx(what), call, policy, opts.retryHooks);
  const write = <T>(what: string, call: () => Promise<T>) =>
    withRetry(
      ctx(what),
      async () => {
        await limiter.take(); // every attempt is a request against the quota
        return call();
      },
      policy,
      opts.retryHooks,
    );

  return {
    spreadsheetId,
    get: (what, fields) =>
      read(
        what,
        async () => (await api.spreadsheets.get({ spreadsheetId, includeGridData: false, fields })).data,
      ),
    batchGet: (what, ranges, byColumns = false) =>
      read(what, async () => {
        const how = {
          majorDimension: byColumns ? 'COLUMNS' : 'ROWS',
          valueRenderOption: 'UNFORMATTED_VALUE',
          // Serial numbers, not the cell's own format ("06/12/2026"): sheets-serial.ts turns them into ISO text.
          dateTimeRenderOption: 'SERIAL_NUMBER',
        };
        if (urlLength(spreadsheetId, ranges) <= URL_BUDGET) {
          const res = await api.spreadsheets.values.batchGet({ spreadsheetId, ranges, ...how });
          return res.data.valueRanges ?? [];
        }
        // Too many ranges for a URL: the same read with the ranges in the body, still one request (one moment
        // of the sheet, which splitting it into several batchGets would not be).
        const res = await api.spreadsheets.values.batchGetByDataFilter({
          spreadsheetId,
          requestBody: { dataFilters: ranges.map((a1Range) => ({ a1Range })), ...how },
        });
        return matchedInOrder(ranges, res.data.valueRanges ?? []);
      }),
    writeValues: (what, data) =>
      write(what, async () => {
        await api.spreadsheets.values.batchUpdate({
          spreadsheetId,
          requestBody: { valueInputOption: 'RAW', data },
        });
      }),
    batchUpdate: (what, requests) =>
      write(
        what,
        async () =>
          (await api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } })).data.replies ??
          [],
      ),
  };
}

/**
 * Values answered by columns, as Google would answer them by rows: an empty cell inside a row stays "", trailing
 * empty cells of a row go, and a row with nothing in it is [] (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values#ValueRange:
 * "empty trailing rows and columns will not be included").
 */
export function asRows(columns: unknown[][] | null | undefined): unknown[][] {
  // (Also the shape of a ValueRange read by columns, for callers that want rows.)
  const cols = columns ?? [];
  const height = cols.reduce((h, c) => Math.max(h, c.length), 0);
  const rows: unknown[][] = [];
  for (let r = 0; r < height; r++) {
    const row: unknown[] = [];
    for (let c = 0; c < cols.length; c++) row.push(cols[c][r] ?? '');
    while (row.length && row[row.length - 1] === '') row.pop();
    rows.push(row);
  }
  return rows;
}

/** A ValueRange read by columns, as read by rows. */
export function rowsOf(vr: sheets_v4.Schema$ValueRange | undefined): sheets_v4.Schema$ValueRange {
  return { ...vr, majorDimension: 'ROWS', values: asRows(vr?.values) };
}
