/**
 * Whether the usage process talks to Connect, and the client it talks through. Connect is followed only when the
 * environment has CONNECT_API_KEY (settings.connectApi; `connect.endpoint` says where, Connect's own API by
 * default): without it everything works as before — usage files uploaded by hand, `usage close` — which is also
 * how distributors who invoice outside CloudBlue Commerce work.
 */
import { createConnectUsageApi } from '../connect-api/client';
import type { ConnectUsageApi } from '../connect-api/usage-api';
import { CONNECT_API_KEY_ENV, SettingsError, type Settings } from '../settings';

/** The Usage API client when Connect is configured, else undefined (the usage commands then stay local). */
export function connectApiOf(settings: Settings): ConnectUsageApi | undefined {
  const { endpoint, apiKey } = settings.connectApi;
  return apiKey ? createConnectUsageApi({ endpoint, apiKey }) : undefined;
}

/** For `usage submit` / `usage status`, which only make sense with Connect: a clear refusal without it. */
export function requireConnectApi(settings: Settings): ConnectUsageApi {
  const api = connectApiOf(settings);
  if (api) return api;
  throw new SettingsError(
    `Connect is not configured: ${CONNECT_API_KEY_ENV} is not set in the environment. ` +
      `Set ${CONNECT_API_KEY_ENV} (Connect: Integrations → API Keys) and, for another Connect than ${settings.connectApi.endpoint}, connect.endpoint. ` +
      "Without Connect, upload the usage files by hand and, once invoiced, run credit-desk usage close with the file's ID (credit-desk usage list shows them).",
  );
}
