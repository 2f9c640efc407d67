/**
 * The real ConnectUsageApi (./usage-api.ts): Connect's Usage API over HTTPS with openapi-fetch, typed by the
 * paths generated from Connect's own description (./openapi.d.ts, `npm run gen:connect`), so a field this code
 * reads or sends that the description does not have is a compile error.
 *
 * - Auth: `Authorization: ApiKey SU-…:…`, the key as Connect issues it, sent whole (cloudblue/connect-python-
 *   openapi-client, connect/client/utils.py get_headers; its ConnectClient docs show 'ApiKey SU-000-000-000:…').
 *   A key given without the "ApiKey " prefix gets it. The key is never put in a message.
 * - Retries: GETs are retried on 5xx, 429 (after Retry-After when it says), network errors and timeouts, with
 *   exponential backoff. POSTs (create, upload, submit) are sent ONCE: a POST whose reply was lost may have
 *   happened, and repeating it could make a second file; the caller re-reads instead (usage-api.ts says how).
 * - Timeouts: every attempt has its own (AbortSignal.timeout).
 * - Errors: CreditDeskError('CONNECT'), naming the call, Connect's `error_code` and `errors` (usage.any_400),
 *   and what to do.
 * - Lists: every page, by limit/offset, until the `Content-Range: items <first>-<last>/<count>` reply header
 *   (connect/client/utils.py parse_content_range) says none is left.
 */
import createClient from 'openapi-fetch';
import { CreditDeskError } from '../../core/errors';
import type { components, paths } from './openapi';
import type {
  ConnectUsageApi,
  ConnectUsageFile,
  ConnectUsageRecordState,
  CreateUsageFile,
} from './usage-api';
import { pushAll } from '../../core/arrays';

type Schemas = components['schemas'];

export interface ConnectRetry {
  /** Attempts of a GET in all (default 4). */
  attempts?: number;
  /** The first wait between attempts, doubled each time (default 500 ms), capped at maxDelayMs (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface ConnectClientOptions {
  /** Connect's API base URL, e.g. https://api.connect.cloudblue.com/public/v1 (setting connect.endpoint). */
  endpoint: string;
  /** The API key (CONNECT_API_KEY): "ApiKey SU-…:…", or the same without "ApiKey ". */
  apiKey: string;
  fetch?: typeof fetch;
  retry?: ConnectRetry;
  /** Each attempt's timeout (default 60 s: an upload carries the whole .xlsx). */
  timeoutMs?: number;
  /** Records (and files) asked for per page (default 100). */
  pageSize?: number;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

/** The failure of one call, with what to do about it. */
function connectError(call: string, status: number | null, body: unknown, cause?: unknown): CreditDeskError {
  if (status === null) {
    const timedOut = (cause as Error)?.name === 'TimeoutError';
    const what = timedOut
      ? 'did not answer in time'
      : `could not be reached (${(cause as Error)?.message ?? cause})`;
    return new CreditDeskError(
      'CONNECT',
      `Connect ${what}: ${call}.`,
      call.startsWith('GET')
        ? 'Check connect.endpoint and the network, then run the command again.'
        : 'Connect may have done it before the reply was lost: run the command again; it reads back what Connect ' +
            'has before sending anything twice.',
    );
  }
  const err = (body ?? {}) as { error_code?: string; errors?: unknown };
  const detail = [err.error_code, Array.isArray(err.errors) ? err.errors.join('; ') : undefined]
    .filter(Boolean)
    .join(': ');
  const hint =
    status === 401 || status === 403
      ? 'Check CONNECT_API_KEY: an API key from Connect (Integrations > API Keys) with access to the usage module.'
      : status === 404
        ? 'The file or record is not in this Connect account: check connect.endpoint and the IDs.'
        : status === 429 || status >= 500
          ? call.startsWith('GET')
            ? 'Connect is busy or failing: run the command again later; nothing is lost.'
            : 'Connect is busy or failing: run the command again later; it reads back what Connect has before ' +
              'sending anything twice.'
          : 'Fix what Connect names, then run the command again.';
  return new CreditDeskError(
    'CONNECT',
    `Connect refused ${call} (HTTP ${status}${detail ? `, ${detail}` : ''}).`,
    hint,
  );
}

export function createConnectUsageApi(opts: ConnectClientOptions): ConnectUsageApi {
  const baseFetch = opts.fetch ?? globalThis.fetch;
  const attempts = Math.max(1, opts.retry?.attempts ?? 4);
  const baseDelay = opts.retry?.baseDelayMs ?? 500;
  const maxDelay = opts.retry?.maxDelayMs ?? 8000;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const pageSize = opts.pageSize ?? 100;
  const authorization = /^ApiKey /i.test(opts.apiKey) ? opts.apiKey : `ApiKey ${opts.apiKey}`;

  /** One request, retried only when it is a GET (see the header). */
  const fetchWithPolicy = async (request: Request): Promise<Response> => {
    const tries = request.method === 'GET' ? attempts : 1;
    for (let i = 1; ; i++) {
      let wait = Math.min(maxDelay, baseDelay * 2 ** (i - 1));
      try {
        const res = await baseFetch(request.clone(), { signal: AbortSignal.timeout(timeoutMs) });
        if (i >= tries || !RETRYABLE(res.status)) return res;
        // Retry-After in seconds (RFC 9110 §10.2.3); a date or no header keeps the backoff.
        const after = res.headers.get('retry-after')?.trim() ?? '';
        if (res.status === 429 && /^\d+$/.test(after)) wait = Math.min(maxDelay, Number(after) * 1000);
        await res.body?.cancel();
      } catch (e) {
        if (i >= tries) throw e;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  };

  const client = createClient<paths>({
    baseUrl: opts.endpoint.replace(/\/+$/, ''),
    fetch: fetchWithPolicy,
    headers: { Authorization: authorization },
  });

  /** Runs one openapi-fetch call, turning every failure into a CreditDeskError that names it. */
  async function call<T>(
    label: string,
    run: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  ): Promise<{ data: T; response: Response }> {
    let out: { data?: T; error?: unknown; response: Response };
    try {
      out = await run();
    } catch (e) {
      throw connectError(label, null, undefined, e);
    }
    if (out.error !== undefined || !out.response.ok || out.data === undefined)
      throw connectError(label, out.response.status, out.error);
    return { data: out.data, response: out.response };
  }

  const toFile = (
    f: Schemas['usage.UsageFileDetail'] | Schemas['usage.UsageFileList'],
  ): ConnectUsageFile => ({
    id: f.id!,
    externalId: f.external_id,
    status: f.status!,
    errorDetail: f.error_detail ?? null,
    rejectionNote: f.rejection_note ?? null,
    acceptanceNote: f.acceptance_note ?? null,
  });

  const toRecord = (r: Schemas['usage.UsageRecord']): ConnectUsageRecordState => ({
    id: r.id!,
    status: r.status ?? null,
    assetId: r.asset?.id ?? r.asset_id ?? '',
    tier: r.tier ?? null,
    amount: r.amount ?? null,
    params: Object.fromEntries((r.params ?? []).map((p) => [p.parameter_name, p.parameter_value ?? ''])),
    externalBillingId: r.external_billing_id ?? '',
    externalBillingNote: r.external_billing_note ?? '',
  });

  /** Every item of a list, page by page (Content-Range: items <first>-<last>/<count>). */
  async function everyPage<T>(
    label: string,
    page: (limit: number, offset: number) => Promise<{ data?: T[]; error?: unknown; response: Response }>,
  ): Promise<T[]> {
    const all: T[] = [];
    for (;;) {
      const { data, response } = await call(label, () => page(pageSize, all.length));
      pushAll(all, data);
      const range = /^items\s+\d+-\d+\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
      const total = range ? Number(range[1]) : null;
      // Without the header, a short page is the last one.
      if (!data.length || (total !== null ? all.length >= total : data.length < pageSize)) return all;
    }
  }

  const getFile = async (id: string): Promise<ConnectUsageFile> => {
    const { data } = await call(`GET /usage/files/${id}`, () =>
      client.GET('/usage/files/{id}', { params: { path: { id } } }),
    );
    return toFile(data);
  };

  /** A period bound as the description's `format: date` (a timestamp's day, or the date as given). */
  const day = (what: string, value: string): string => {
    const m = /^\d{4}-\d{2}-\d{2}/.exec(value);
    if (!m)
      throw new CreditDeskError(
        'CONNECT',
        `The usage file's ${what} "${value}" is not a date.`,
        'Give YYYY-MM-DD.',
      );
    return m[0];
  };

  return {
    async findFile(externalId) {
      const found = await everyPage(`GET /usage/files?external_id=${externalId}`, (limit, offset) =>
        client.GET('/usage/files', { params: { query: { external_id: externalId, limit, offset } } }),
      );
      const live = found.filter((f) => f.external_id === externalId && f.status !== 'deleted');
      if (live.length > 1)
        throw new CreditDeskError(
          'CONNECT',
          `Connect has ${live.length} usage files for ${externalId}: ${live.map((f) => `${f.id} (${f.status})`).join(', ')}.`,
          'Delete the extra ones in Connect (Usage > the file > Delete), keeping the one to bill, then run the command again.',
        );
      return live.length ? toFile(live[0]) : null;
    },

    async createFile(input: CreateUsageFile) {
      const { data } = await call('POST /usage/files', () =>
        client.POST('/usage/files', {
          body: {
            name: input.name,
            ...(input.description !== undefined ? { description: input.description } : {}),
            external_id: input.externalId,
            product: { id: input.product },
            contract: { id: input.contract },
            currency: input.currency,
            period: { from: day('periodFrom', input.periodFrom), to: day('periodTo', input.periodTo) },
          },
        }),
      );
      // The description's create takes no schema: Connect files it under the product's own.
      if (data.schema && data.schema !== input.schema)
        throw new CreditDeskError(
          'CONNECT',
          `Connect filed usage file ${data.id} (${input.externalId}) under usage schema ${data.schema.toUpperCase()}, not ${input.schema.toUpperCase()}.`,
          `Set product ${input.product}'s usage schema to ${input.schema.toUpperCase()} in Connect, delete ${data.id}, and run the command again.`,
        );
      return getFile(data.id!);
    },

    async uploadFile(id, xlsx, fileName) {
      const form = new FormData();
      form.append(
        'usage_file',
        new Blob([new Uint8Array(xlsx)], {
          type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        }),
        fileName,
      );
      const { data } = await call(`POST /usage/files/${id}/upload`, () =>
        client.POST('/usage/files/{id}/upload', {
          params: { path: { id } },
          // The description types the part as a string (format: binary); it is sent as the file it is.
          body: form as unknown as { usage_file?: string },
          bodySerializer: (b) => b as unknown as FormData,
        }),
      );
      return toFile(data);
    },

    async submitFile(id) {
      const { data } = await call(`POST /usage/files/${id}/submit`, () =>
        client.POST('/usage/files/{id}/submit', { params: { path: { id } } }),
      );
      return toFile(data);
    },

    getFile,

    async listRecords(fileId) {
      const records = await everyPage(`GET /usage/records?usagefile.id=${fileId}`, (limit, offset) =>
        client.GET('/usage/records', { params: { query: { 'usagefile.id': fileId, limit, offset } } }),
      );
      return records.map(toRecord);
    },
  };
}
