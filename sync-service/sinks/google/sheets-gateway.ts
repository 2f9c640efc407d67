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
        const res = await api.spreadsheets.values.batchGet({
          spreadsheetId,
          ranges,
          majorDimension: byColumns ? 'COLUMNS' : 'ROWS',
          valueRenderOption: 'UNFORMATTED_VALUE',
          // Serial numbers, not the cell's own format ("06/12/2026"): sheets-serial.ts turns them into ISO text.
          dateTimeRenderOption: 'SERIAL_NUMBER',
        });
        return res.data.valueRanges ?? [];
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
