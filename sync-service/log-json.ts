/**
 * `--log-format json`: one JSON object per line on stderr ({"time","level","msg"}) for log collectors
 * (CloudWatch, Cloud Logging), instead of the TTY-friendly progress line. Progress becomes level "debug".
 */
import type { Reporter } from './progress';

export function createJsonReporter(
  stream: { write(s: string): unknown } = process.stderr,
  now: () => Date = () => new Date(),
): Reporter {
  const line = (level: string, msg: string) =>
    stream.write(JSON.stringify({ time: now().toISOString(), level, msg }) + '\n');
  return {
    progress: (msg) => line('debug', msg),
    info: (msg) => line('info', msg),
    warn: (msg) => line('warning', msg),
    done: () => undefined,
  };
}
