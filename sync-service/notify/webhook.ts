/**
 * Posts a run's summary to a chat webhook (Slack incoming webhooks and Google Chat spaces both take a JSON
 * body with a `text` field). A webhook URL is a secret (whoever holds it can post to the channel), so it is
 * never printed: errors name the setting, the HTTP status or the network error code, never the URL.
 */
// A wrong URL is a wrong setting: exit 2, like every other (cli/exit-codes.ts).
import { SettingsError } from '../settings';

export const WEBHOOK_ENV = 'CREDIT_DESK_WEBHOOK_URL';

/** https only, except plain http to this machine (a local relay, and the tests' server). */
export function checkWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SettingsError(
      `The chat webhook URL (--webhook-url or ${WEBHOOK_ENV}) is not a URL. Paste the incoming-webhook URL your chat tool gave you.`,
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SettingsError(
      `The chat webhook URL (--webhook-url or ${WEBHOOK_ENV}) must use https. Use the https:// URL your chat tool gave you.`,
    );
  }
  return url;
}

export interface WebhookResult {
  ok: boolean;
  /** Safe to log: a status or an error code, never the URL. */
  detail: string;
}

export async function postWebhook(
  url: URL,
  payload: { text: string; [k: string]: unknown },
  opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<WebhookResult> {
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      redirect: 'error', // a redirect would carry the body somewhere the URL's owner did not choose
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, detail: `HTTP ${res.status}` } : { ok: false, detail: `HTTP ${res.status}` };
  } catch (err) {
    // fetch errors can quote the URL; keep only the code.
    const e = err as { name?: string; cause?: { code?: string } };
    const code = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'network error');
    return { ok: false, detail: code };
  }
}
