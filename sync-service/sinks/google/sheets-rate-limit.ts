/**
 * A token bucket that keeps write requests under the per-user quota (60 a minute for one service account).
 * Waiting here is cheaper than a 429 followed by a back-off, and keeps other tools on the same project alive.
 */
export interface RateLimiter {
  take(): Promise<void>;
}

export function tokenBucket(
  perMinute: number,
  clock: { now(): number; sleep(ms: number): Promise<void> } = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
  },
): RateLimiter {
  if (!(perMinute > 0)) throw new Error(`maxWriteRequestsPerMinute must be positive, got ${perMinute}`);
  const capacity = Math.max(1, Math.floor(perMinute));
  const refillPerMs = perMinute / 60_000;
  let tokens = capacity;
  let last = clock.now();
  return {
    async take() {
      for (;;) {
        const now = clock.now();
        tokens = Math.min(capacity, tokens + (now - last) * refillPerMs);
        last = now;
        if (tokens >= 1) {
          tokens -= 1;
          return;
        }
        await clock.sleep(Math.ceil((1 - tokens) / refillPerMs));
      }
    },
  };
}
