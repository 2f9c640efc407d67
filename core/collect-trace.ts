/**
 * The Audit tab's copy of what the usage process collected. The record of a collection lives in three places —
 * the Ledger tab, the usage files, and the Audit — and each must be enough on its own to prove that a credit was
 * collected, and for how much, so that losing any one (a deleted tab, a fresh container without the usage
 * folder) never lets a credit be collected twice.
 *
 * `usage collect` writes, with its other Audit entries for the credit, one entry of field `record` whose After is
 * the collection as one line of JSON. Audit rows are compacted (core/audit.ts: one row per change, its fields
 * listed in Field and one `field: value` line each in Before and After), so the reader here takes both forms,
 * and also the rows older versions wrote (`status, usageRecordId` only: the record ID, no amounts).
 */
import { auditAfterValues, type AuditEntry } from './audit';
import { USAGE_FILE_ID_PATTERN } from './ids';
import type { Minor } from './money';
import type { AuditField } from './sheet-contract';
import { indexColumns, text, type Grid } from './table';

export const TRACE_FIELD = 'record';

/**
 * The Audit field of a reopening (docs/decisions/0008): Connect rejected the usage file, the credit went back to
 * ASSIGNED, and the After names the usage record ID whose collection no longer locks it. A collect trace of a
 * reopened record ID is no collection, so losing the Ledger tab never locks a reopened credit again.
 */
export const REOPEN_FIELD = 'reopened';

/** A collection as the Audit tab records it. Amounts are absent only on rows older versions wrote. */
export interface CollectTrace {
  creditId: string;
  usageFileId: string;
  usageRecordId: string;
  /** When the Audit row was written (the collection's time). */
  when: string;
  key?: string;
  allocation?: string;
  amount?: Minor;
  currency?: string;
  distributorKeeps?: Minor | null;
  processingDate?: string;
  /** When `usage close` marked it PROCESSED (an Audit `close` row after the collection); absent while open. */
  closedAt?: string;
}

interface TraceJson {
  key: string;
  usageFileId: string;
  usageRecordId: string;
  processingDate: string;
  allocation: string;
  amount: Minor;
  currency: string;
  distributorKeeps: Minor | null;
}

/** The `record` Audit entry collect writes for one credit (see the module comment). */
export function traceEntry(
  base: Pick<AuditEntry, 'when' | 'who' | 'creditId'>,
  record: TraceJson,
): AuditEntry {
  const json: TraceJson = {
    key: record.key,
    usageFileId: record.usageFileId,
    usageRecordId: record.usageRecordId,
    processingDate: record.processingDate,
    allocation: record.allocation,
    amount: record.amount,
    currency: record.currency,
    distributorKeeps: record.distributorKeeps,
  };
  return { ...base, action: 'collect', field: TRACE_FIELD, before: '', after: JSON.stringify(json) };
}

function parseJson(value: string | undefined): Partial<TraceJson> | null {
  if (!value) return null;
  try {
    const v = JSON.parse(value) as unknown;
    return v && typeof v === 'object' ? (v as Partial<TraceJson>) : null;
  } catch {
    return null; // a hand-edited Audit cell: the row's record ID still counts, its amounts do not
  }
}

const isMinor = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * Every collection the Audit tab shows, by Credit ID (the latest, should one credit show two). A row counts when
 * its action is `collect` and it names a usage record ID; a record ID's file is its prefix (UR-… → UF-…).
 */
export function readCollectTraces(audit: Grid): Map<string, CollectTrace> {
  const out = new Map<string, CollectTrace>();
  if (!audit.rows.length) return out;
  const idx = indexColumns<AuditField>('audit', audit.headers);
  const closes = new Map<string, string>();
  const reopened = readReopenedIds(audit);
  for (const row of audit.rows) {
    const action = text(row[idx.action]);
    if (action === 'close') closes.set(text(row[idx.creditId]), text(row[idx.when]));
    if (action !== 'collect') continue;
    const creditId = text(row[idx.creditId]);
    if (!creditId) continue;
    const values = auditAfterValues(
      text(row[idx.field]),
      row[idx.after] === null ? '' : String(row[idx.after]),
    );
    const json = parseJson(values.get(TRACE_FIELD));
    const usageRecordId = (json?.usageRecordId ?? values.get('usageRecordId') ?? '').trim();
    const usageFileId = usageRecordId.replace(/^UR-/, 'UF-').replace(/-\d{5}$/, '');
    if (!USAGE_FILE_ID_PATTERN.test(usageFileId) || reopened.has(usageRecordId)) continue;
    const trace: CollectTrace = { creditId, usageFileId, usageRecordId, when: text(row[idx.when]) };
    if (json && typeof json.key === 'string') trace.key = json.key;
    if (json && typeof json.allocation === 'string') trace.allocation = json.allocation;
    if (json && isMinor(json.amount) && typeof json.currency === 'string') {
      trace.amount = json.amount;
      trace.currency = json.currency;
    }
    if (json && (json.distributorKeeps === null || isMinor(json.distributorKeeps)))
      trace.distributorKeeps = json.distributorKeeps;
    if (json && typeof json.processingDate === 'string') trace.processingDate = json.processingDate;
    const prior = out.get(creditId);
    if (!prior || prior.when <= trace.when) out.set(creditId, trace);
  }
  for (const [creditId, when] of closes) {
    const trace = out.get(creditId);
    if (trace && when >= trace.when) trace.closedAt = when;
  }
  return out;
}

/** The usage record IDs the Audit tab shows reopened (action `reopen`, field REOPEN_FIELD). */
export function readReopenedIds(audit: Grid): Set<string> {
  const out = new Set<string>();
  if (!audit.rows.length) return out;
  const idx = indexColumns<AuditField>('audit', audit.headers);
  for (const row of audit.rows) {
    if (text(row[idx.action]) !== 'reopen') continue;
    const values = auditAfterValues(
      text(row[idx.field]),
      row[idx.after] === null ? '' : String(row[idx.after]),
    );
    const id = (values.get(REOPEN_FIELD) ?? '').trim();
    if (id) out.add(id);
  }
  return out;
}
