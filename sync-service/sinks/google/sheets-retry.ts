/**
 * The one retry policy for every Sheets API call, POST included (gaxios retries only idempotent verbs by
 * default, and its retries are switched off in the client so they don't stack on these). Google's truncated
 * exponential backoff: wait min(2^n · base + jitter ≤ base, cap). Writes are idempotent by construction
 * (explicit ranges), which is what makes retrying a POST safe.
 *
 * Errors that end a call are rewritten into a message that says what to do, and carry no request config
 * (gaxios errors hold the Authorization header in `config`), so logging them can never leak a token.
 */
import { CreditDeskError } from '../../../core/errors';

export interface SheetsRetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: SheetsRetryPolicy = { maxAttempts: 6, baseMs: 1000, maxMs: 64_000 };

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ECONNABORTED',
]);

/** The HTTP status of a failed call, if the server answered at all. */
export function httpStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; response?: { status?: unknown } } | null;
  const s = e?.response?.status ?? e?.status;
  return typeof s === 'number' ? s : undefined;
}

/** A connection-level failure code, looking through the error's `cause` chain (fetch wraps socket errors twice). */
function networkCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; message?: unknown } | null | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    const msg = typeof e.message === 'string' ? e.message : '';
    if (/socket hang up|other side closed|fetch failed|network timeout/i.test(msg)) return 'ECONNRESET';
    e = e.cause as typeof e;
  }
  return undefined;
}

export function isRetryable(err: unknown): boolean {
  const status = httpStatus(err);
  if (status !== undefined) return RETRY_STATUSES.has(status);
  return networkCode(err) !== undefined;
}

/** Wait before retry number `attempt` (0-based): min(2^attempt · base + random·base, cap). */
export function backoffMs(
  attempt: number,
  policy: SheetsRetryPolicy,
  random: () => number = Math.random,
): number {
  return Math.min(2 ** attempt * policy.baseMs + random() * policy.baseMs, policy.maxMs);
}

/** A Sheets API failure that retrying did not (or could not) fix. `status` is the last HTTP status, if any. */
export class SheetsApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly hint: string,
  ) {
    super(hint ? `${message}\n  → ${hint}` : message);
    this.name = 'SheetsApiError';
  }
}

export interface CallContext {
  /** e.g. "reading the Credits tab" */
  what: string;
  spreadsheetId: string;
  /** The service account the sheet must be shared with, when known. */
  identity?: string;
}

/** Google's own message from an error body, which names the problem but never the caller's credentials. */
function googleMessage(err: unknown): string {
  const e = err as { response?: { data?: { error?: { message?: unknown } } }; message?: unknown } | null;
  const m = e?.response?.data?.error?.message;
  if (typeof m === 'string') return m;
  return '';
}

/** Turns a final failure into an error that says what to do; never includes tokens, headers or URLs with keys. */
export function explain(err: unknown, ctx: CallContext, attempts: number): Error {
  if (err instanceof CreditDeskError || err instanceof SheetsApiError) return err;
  const status = httpStatus(err);
  const google = googleMessage(err);
  const detail = google ? ` Google said: "${google}"` : '';
  const where = `Google Sheets ${ctx.spreadsheetId}`;
  const who = ctx.identity
    ? `the service account ${ctx.identity}`
    : 'the service account (client_email in the key file)';
  switch (status) {
    case 401:
      return new CreditDeskError(
        'BAD_CONFIG',
        `${where}: the credentials were refused while ${ctx.what}.${detail}`,
        'Check GOOGLE_APPLICATION_CREDENTIALS points at a valid service account key (or that workload identity is set up), and that the Sheets API is enabled for its project.',
      );
    case 403:
      return new CreditDeskError(
        'BAD_CONFIG',
        `${where}: permission denied while ${ctx.what}.${detail}`,
        `Share the spreadsheet with ${who} as Editor, make sure the Google Sheets API is enabled in the service account's project, and check the spreadsheet is not in Drive's trash (Google answers 403 for a deleted one).`,
      );
    case 404:
      return new CreditDeskError(
        'BAD_CONFIG',
        `${where} was not found while ${ctx.what}.${detail}`,
        'Check the spreadsheet ID (the part of the sheet URL between /d/ and /edit) and that the sheet was not deleted.',
      );
    case 429:
      return new SheetsApiError(
        `${where}: the Sheets API quota is exhausted (still 429 after ${attempts} attempts) while ${ctx.what}.${detail}`,
        status,
        'Wait a minute and run again; if it keeps happening, lower maxWriteRequestsPerMinute, stop other tools using the same project, or request a higher quota in the Google Cloud console.',
      );
    default:
      break;
  }
  if (status !== undefined && RETRY_STATUSES.has(status)) {
    return new SheetsApiError(
      `${where}: the Sheets API kept failing (HTTP ${status} after ${attempts} attempts) while ${ctx.what}.${detail}`,
      status,
      'Google may be having an outage; run again later. Nothing is half-written: every write uses explicit ranges and the next run converges.',
    );
  }
  if (status !== undefined) {
    return new SheetsApiError(
      `${where}: the Sheets API refused a request (HTTP ${status}) while ${ctx.what}.${detail}`,
      status,
      'This is likely a bug or a sheet change the sync does not understand; report it with this message.',
    );
  }
  const code = networkCode(err);
  if (code) {
    return new SheetsApiError(
      `${where}: the connection failed (${code} after ${attempts} attempts) while ${ctx.what}.`,
      undefined,
      'Check the network or proxy and run again; the next run converges.',
    );
  }
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new SheetsApiError(
    `${where}: ${ctx.what} failed: ${message.replace(/(access_token|key|token)=[^&\s]+/gi, '$1=…')}`,
    undefined,
    '',
  );
}

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; waitMs: number; status?: number; what: string }) => void;
}

export async function withRetry<T>(
  ctx: CallContext,
  call: () => Promise<T>,
  policy: SheetsRetryPolicy = DEFAULT_RETRY,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryable(err) || attempt + 1 >= policy.maxAttempts) throw explain(err, ctx, attempt + 1);
      const waitMs = backoffMs(attempt, policy, hooks.random);
      hooks.onRetry?.({ attempt: attempt + 1, waitMs, status: httpStatus(err), what: ctx.what });
      await sleep(waitMs);
    }
  }
}
