/**
 * Our own retry policy for Athena API calls (the SDK client is built with maxAttempts 1, so this is the only
 * one and tests can see it): exponential backoff with full jitter, a bounded number of attempts, and only for
 * errors that say "try again later" — throttling, the concurrent-query limit, 5xx and dropped connections.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AthenaQueryError } from './athena-errors';

export interface AthenaRetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; Math.random otherwise. */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: AthenaRetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
};

/** "Full jitter": a uniform delay between 0 and the exponential cap, so many clients don't retry in step. */
export function retryDelayMs(
  failedAttempt: number,
  policy: AthenaRetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.floor(random() * cap);
}

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalServerException',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Duck-typed, not `instanceof Error`: Node's network errors can come from another realm (jest's sandbox),
 * and the SDK then wraps them as "AWS SDK error wrapper for TimeoutError: socket hang up".
 */
function errorName(e: AwsLikeError): string {
  const wrapped = /^AWS SDK error wrapper for (\w+)/.exec(e.message ?? '');
  return wrapped ? wrapped[1] : e.name === 'Error' && e.code ? e.code : (e.name ?? 'Error');
}

const NETWORK_MESSAGE = /socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|network|connection/i;

export function isRetryableAwsError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as AwsLikeError;
  if (RETRYABLE_NAMES.has(errorName(e))) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (NETWORK_MESSAGE.test(e.message ?? '')) return true;
  const status = e.$metadata?.httpStatusCode;
  return e.$fault === 'server' || (status !== undefined && status >= 500);
}

/** A short, credential-free description of an SDK error: its name and message only. */
export function describeAwsError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as AwsLikeError;
  const name = errorName(e);
  const message = (e.message ?? '').replace(/^AWS SDK error wrapper for \w+: /, '');
  return message && message !== name ? `${name}: ${message}` : name;
}

/**
 * Runs `call`, retrying retryable errors. A non-retryable error is rethrown as it is (the caller knows what it
 * means); running out of attempts becomes an AthenaQueryError that says what to do.
 */
export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  policy: AthenaRetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetryableAwsError(err)) throw err;
      if (attempt >= policy.maxAttempts) {
        throw new AthenaQueryError(
          'RETRIES_EXHAUSTED',
          `Athena ${operation} failed ${attempt} times in a row (last: ${describeAwsError(err)}).`,
          'Athena is throttling this account or is unavailable: wait a minute and run again. If it keeps ' +
            "happening, other jobs may be using the account's Athena API rate or concurrent-query quota " +
            '(Service Quotas → Amazon Athena).',
        );
      }
      await delay(retryDelayMs(attempt, policy, policy.random), undefined, { signal });
    }
  }
}
