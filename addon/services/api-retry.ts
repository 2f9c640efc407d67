/**
 * The Sheets advanced service with Google's answer to a 429: "If you exceed a quota, you'll get a 429: Too many
 * requests HTTP status code response … use a truncated exponential backoff algorithm" — wait
 * min((2^n) + random_number_milliseconds, maximum_backoff) and retry (https://developers.google.com/sheets/api/limits;
 * the quota is 60 requests per minute per user per project). Only a 429 is retried: the request was refused,
 * nothing applied, so sending it again cannot write twice. Other errors pass through at once.
 *
 * The four calls the add-on makes are wrapped one by one (the advanced service is a host object: no Proxy).
 */

/** Waits before retries 1…5: 1, 2, 4, 8, 16 s (+ up to 1 s of jitter) — 31 s at most, well inside 6 minutes. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000];

/** Whether an advanced-service error is Google's 429 (GoogleJsonResponseException details.code, or its text). */
export function isRateLimited(e: unknown): boolean {
  const code = (e as { details?: { code?: unknown } } | null)?.details?.code;
  if (code === 429) return true;
  const message = e instanceof Error ? e.message : String(e);
  return /\b429\b|RESOURCE_EXHAUSTED|Quota exceeded|Rate Limit Exceeded/i.test(message);
}

function retrying<A extends unknown[], R>(call: (...args: A) => R, sleep: (ms: number) => void) {
  return (...args: A): R => {
    for (let attempt = 0; ; attempt++) {
      try {
        return call(...args);
      } catch (e) {
        if (attempt >= BACKOFF_MS.length || !isRateLimited(e)) throw e;
        sleep(BACKOFF_MS[attempt] + Math.floor(Math.random() * 1000));
      }
    }
  };
}

interface Service {
  Spreadsheets: {
    get(...a: never[]): unknown;
    batchUpdate(...a: never[]): unknown;
    Values: { batchGet(...a: never[]): unknown; batchUpdate(...a: never[]): unknown };
  };
}

/** `service` with each call retried on 429; `sleep` is Utilities.sleep. */
export function withBackoff<S extends Service>(service: S, sleep: (ms: number) => void): S {
  const s = service.Spreadsheets;
  const v = s.Values;
  return {
    Spreadsheets: {
      get: retrying((...a: never[]) => s.get(...a), sleep),
      batchUpdate: retrying((...a: never[]) => s.batchUpdate(...a), sleep),
      Values: {
        batchGet: retrying((...a: never[]) => v.batchGet(...a), sleep),
        batchUpdate: retrying((...a: never[]) => v.batchUpdate(...a), sleep),
      },
    },
  } as unknown as S;
}
