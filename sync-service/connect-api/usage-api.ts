/**
 * What the usage process needs of Connect's Usage API (../shared/reference/connect-openapi30.yml, paths
 * `/usage/files…` and `/usage/records…`, schemas `usage.*`), as one small interface: the real client
 * (./client.ts, typed from the same description) and tests' fakes implement it, and the usage commands
 * depend on nothing else of Connect. The shapes are the description's own (UsageFileDetail, UsageRecord),
 * narrowed to the fields the usage process reads.
 *
 * The contract on failures (what the real client does, and what a caller must do):
 * - Every method throws a CreditDeskError (code CONNECT) naming the call, Connect's error_code/errors and what
 *   to do; never the API key.
 * - GETs (findFile, getFile, listRecords) are retried by the client on 5xx, 429, network errors and timeouts.
 * - POSTs (createFile, uploadFile, submitFile) are sent ONCE and never retried: a POST whose reply was lost may
 *   have happened. The caller resolves it by re-reading before sending again: after a failed createFile,
 *   findFile(externalId) (the file may exist); after a failed uploadFile or submitFile, getFile(id) (the status
 *   shows whether it happened: processing/ready/invalid after an upload, pending after a submit).
 * - uploadFile's reply is usually `processing`: Connect checks the file after answering; poll getFile until
 *   `ready` or `invalid` (invalid carries errorDetail).
 */

/** usage.UsageFileDetail.status */
export type ConnectFileStatus =
  | 'draft'
  | 'uploading'
  | 'uploaded'
  | 'invalid'
  | 'processing'
  | 'ready'
  | 'rejected'
  | 'pending'
  | 'accepted'
  | 'closed'
  | 'deleted';

/** usage.UsageRecord.status */
export type ConnectRecordStatus = 'valid' | 'invalid' | 'approved' | 'rejected' | 'closed';

export interface ConnectUsageFile {
  /** Connect's own ID of the file (UF-…), not ours. */
  id: string;
  /** Ours: the usage file ID the collection gave it, so a file created by a run whose reply was lost is found. */
  externalId: string;
  status: ConnectFileStatus;
  /** usage.UsageFileDetail.error_detail: why Connect found the upload invalid. */
  errorDetail: string | null;
  rejectionNote: string | null;
  acceptanceNote: string | null;
}

export interface ConnectUsageRecordState {
  /** Connect's record ID. */
  id: string;
  status: ConnectRecordStatus | null;
  assetId: string;
  tier: number | null;
  /** In the file's currency, as Connect echoes it (a number, not minor units). */
  amount: number | null;
  /** The record's parameters (the extra columns after `tier` in the records tab), by name. */
  params: Record<string, string>;
  externalBillingId: string;
  externalBillingNote: string;
}

export interface CreateUsageFile {
  /** Our usage file ID (UF-…), sent as `external_id` and `name`. */
  externalId: string;
  name: string;
  description?: string;
  product: string;
  contract: string;
  currency: string;
  /**
   * usage.UsageFileCreate.schema. Connect's create takes no schema (it files the file under the product's); the
   * client refuses a file Connect filed under another one.
   */
  schema: 'tr' | 'pr' | 'qt' | 'cr';
  /** The period's first and last day, YYYY-MM-DD (the description's `format: date`; a timestamp's day is sent). */
  periodFrom: string;
  periodTo: string;
}

export interface ConnectUsageApi {
  /** GET /usage/files?external_id=…: the file a run created for this collection, if any (lost replies). */
  findFile(externalId: string): Promise<ConnectUsageFile | null>;
  /** POST /usage/files */
  createFile(input: CreateUsageFile): Promise<ConnectUsageFile>;
  /** POST /usage/files/{id}/upload (multipart, field `usage_file`) */
  uploadFile(id: string, xlsx: Uint8Array, fileName: string): Promise<ConnectUsageFile>;
  /** POST /usage/files/{id}/submit */
  submitFile(id: string): Promise<ConnectUsageFile>;
  /** GET /usage/files/{id} */
  getFile(id: string): Promise<ConnectUsageFile>;
  /** GET /usage/records?usagefile.id=… (every page) */
  listRecords(fileId: string): Promise<ConnectUsageRecordState[]>;
}
