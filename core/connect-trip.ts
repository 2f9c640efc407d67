/**
 * The usage file's round trip through CloudBlue Connect, decided purely: what to do next with a collected file
 * given what Connect says of it, and what Connect's records mean for the credits. The adapter
 * (sync-service/jobs/usage-connect.ts) asks Connect, calls these, and writes journal, sheet and Ledger.
 *
 * The file's states are Connect's (../shared/reference/credits-domain.md §1.4, from cloudblue/connect-workflows
 * usage-files/*.md): draft → uploading → processing → ready or invalid; ready → (submit) pending; pending →
 * accepted or rejected (the provider's choice); accepted → closed. invalid, rejected and ready may be uploaded
 * again. A record closes only with an external billing id and note.
 *
 * What that means for a credit (credits-domain.md §1.2 and §1.4 "Mapping"):
 * - PROCESSING while the file is uploaded, ready, pending or accepted;
 * - PROCESSED only when Connect has closed every record billed for it (its external billing IDs and notes go
 *   into the Ledger and the Audit);
 * - a rejected file sends its credits back to ASSIGNED (docs/decisions/0008): the one way out of PROCESSING;
 * - an invalid file keeps its credits locked in it (nothing is locked twice): Connect's error_detail is shown.
 * A record Connect has that the journal does not, or a journal record Connect lacks, is reported and its credit
 * flagged, never guessed at.
 */
import type { AuditEntry } from './audit';
import { REOPEN_FIELD } from './collect-trace';
import { NOT_COLLECTED, type Credit } from './credit';
import { hasFlag, withFlags } from './flags';
import { USAGE_ACTOR, type UsageFile } from './usage';

/**
 * The records tab's parameter column that names our billed row (its record ID, UR-…-00007-1). Columns after
 * `tier` are the record's parameters (cloudblue/connect-haxe-sdk, connect/models/UsageFile.hx
 * `createSpreadsheet`: "params" columns follow the fixed ones), and Connect returns them with each record, so
 * each of Connect's records maps back to exactly one billed row of one credit.
 */
export const CONNECT_RECORD_PARAM = 'credit_desk_record';

/** What to do next with a collected file, from Connect's status of it (null: Connect has no such file). */
export type ConnectStep =
  | 'create'
  | 'upload'
  | 'submit'
  /** Connect is working on it (uploading, processing), or it is ready and this run does not submit. */
  | 'wait'
  /** Submitted: read its records back and close the credits Connect closed. */
  | 'follow'
  | 'invalid'
  | 'reopen'
  /** Deleted in Connect: the credits stay locked; a person decides. */
  | 'gone';

export function nextConnectStep(
  status: string | null,
  opts: { submit: boolean; reupload: boolean },
): ConnectStep {
  switch (status) {
    case null:
      return opts.submit ? 'create' : 'wait';
    case 'draft':
      return opts.submit ? 'upload' : 'wait';
    case 'invalid':
      // Uploading the same file again only makes sense once what Connect named is fixed there: asked for.
      return opts.submit && opts.reupload ? 'upload' : 'invalid';
    case 'ready':
      return opts.submit ? 'submit' : 'wait';
    case 'pending':
    case 'accepted':
    case 'closed':
      return 'follow';
    case 'rejected':
      return 'reopen';
    case 'deleted':
      return 'gone';
    default:
      return 'wait'; // uploading, uploaded, processing: Connect's turn
  }
}

/** One of Connect's records, as the usage process reads it (ConnectUsageRecordState narrowed). */
export interface RemoteRecord {
  id: string;
  status: string | null;
  params: Record<string, string>;
  externalBillingId: string;
  externalBillingNote: string;
}

export interface ClosedCredit {
  key: string;
  creditId: string;
  /** "external billing id: note" per billed record, joined with "; " when the credit has several. */
  note: string;
}

export interface RecordsMapping {
  /** Credits every billed record of which Connect closed (with its billing id): PROCESSED now. */
  closed: ClosedCredit[];
  /** Credits Connect and the journal disagree about (they stay PROCESSING), with why. */
  mismatched: { key: string; creditId: string; why: string }[];
  /** Records of Connect that are no billed row of this file's journal (no credit to pin them on). */
  unknown: string[];
  /** Credits still open in Connect (some record not closed yet). */
  open: number;
}

/** Connect's records of a file read back onto the journal's credits (see the module comment). */
export function mapConnectRecords(
  file: UsageFile,
  fileStatus: string,
  records: readonly RemoteRecord[],
): RecordsMapping {
  const owner = new Map<string, number>(); // billed record ID → index in file.records
  file.records.forEach((r, i) => {
    for (const b of r.billed ?? []) owner.set(b.recordId, i);
  });
  const byRow = new Map<string, RemoteRecord>();
  const trouble = new Map<number, string[]>();
  const note = (i: number, why: string) => trouble.set(i, [...(trouble.get(i) ?? []), why]);
  const unknown: string[] = [];
  for (const rec of records) {
    const row = (rec.params[CONNECT_RECORD_PARAM] ?? '').trim();
    const i = owner.get(row);
    if (i === undefined) {
      unknown.push(`${rec.id} (${CONNECT_RECORD_PARAM} "${row}")`);
      continue;
    }
    if (byRow.has(row)) {
      note(i, `Connect has two records for ${row} (${byRow.get(row)!.id}, ${rec.id})`);
      continue;
    }
    byRow.set(row, rec);
    if (rec.status === 'invalid' || rec.status === 'rejected')
      note(i, `Connect's record ${rec.id} for ${row} is ${rec.status}`);
    else if (rec.status === 'closed' && !rec.externalBillingId.trim())
      note(i, `Connect's record ${rec.id} for ${row} is closed with no external billing id`);
  }
  const out: RecordsMapping = { closed: [], mismatched: [], unknown, open: 0 };
  file.records.forEach((r, i) => {
    const billed = r.billed ?? [];
    for (const b of billed) if (!byRow.has(b.recordId)) note(i, `Connect has no record for ${b.recordId}`);
    const why = trouble.get(i);
    if (why) {
      out.mismatched.push({ key: r.key, creditId: r.creditId, why: why.join('; ') });
      return;
    }
    const remote = billed.map((b) => byRow.get(b.recordId)!);
    // A credit with no billed record (the distributor keeps it all) is closed with its file.
    const done = remote.length ? remote.every((x) => x.status === 'closed') : fileStatus === 'closed';
    if (!done) {
      out.open++;
      return;
    }
    out.closed.push({
      key: r.key,
      creditId: r.creditId,
      note: remote.map((x) => `${x.externalBillingId.trim()}: ${x.externalBillingNote.trim()}`).join('; '),
    });
  });
  return out;
}

export interface CreditsChange {
  credits: Credit[];
  audit: AuditEntry[];
}

/**
 * The credits of `fileId` Connect closed become PROCESSED; the Audit gets Connect's billing id and note. Only a
 * credit PROCESSING in that very file moves (idempotent: a PROCESSED one is left as it is).
 */
export function applyConnectClose(
  fileId: string,
  closed: readonly ClosedCredit[],
  credits: readonly Credit[],
  now: string,
): CreditsChange {
  const byKey = new Map(credits.map((c) => [c.key, c]));
  const out: CreditsChange = { credits: [], audit: [] };
  for (const x of closed) {
    const c = byKey.get(x.key);
    if (!c || c.status !== 'PROCESSING' || c.usageFileId !== fileId) continue;
    out.credits.push({ ...c, status: 'PROCESSED', lastChange: now });
    const base = { when: now, who: USAGE_ACTOR, action: 'close' as const, creditId: c.creditId };
    out.audit.push(
      { ...base, field: 'status', before: 'PROCESSING', after: 'PROCESSED' },
      { ...base, field: 'connectNote', before: '', after: x.note },
    );
  }
  return out;
}

/**
 * Connect rejected `file`: each credit still PROCESSING in it goes back to ASSIGNED (its allocation kept, ready to
 * be edited and collected into a new file), its usage IDs cleared, flagged REJECTED, and the Audit records the
 * rejection note and the reopened record ID (core/collect-trace.ts REOPEN_FIELD). Idempotent.
 */
export function applyReopen(
  file: UsageFile,
  note: string,
  credits: readonly Credit[],
  now: string,
): CreditsChange & { reopened: { key: string; usageRecordId: string }[] } {
  const byKey = new Map(credits.map((c) => [c.key, c]));
  const out: ReturnType<typeof applyReopen> = { credits: [], audit: [], reopened: [] };
  for (const r of file.records) {
    const c = byKey.get(r.key);
    if (!c || c.status !== 'PROCESSING' || c.usageFileId !== file.usageFileId) continue;
    const flags = withFlags(c.flags, ['REJECTED']);
    out.credits.push({
      ...c,
      status: 'ASSIGNED',
      ...NOT_COLLECTED,
      flags,
      lastChange: now,
    });
    out.reopened.push({ key: r.key, usageRecordId: r.usageRecordId });
    const base = { when: now, who: USAGE_ACTOR, action: 'reopen' as const, creditId: c.creditId };
    out.audit.push(
      { ...base, field: 'status', before: 'PROCESSING', after: 'ASSIGNED' },
      { ...base, field: 'usageFileId', before: c.usageFileId, after: '' },
      { ...base, field: 'usageRecordId', before: c.usageRecordId, after: '' },
      { ...base, field: 'flags', before: c.flags, after: flags },
      { ...base, field: 'connectNote', before: '', after: note || '(Connect gave no rejection note)' },
      { ...base, field: REOPEN_FIELD, before: '', after: r.usageRecordId },
    );
  }
  return out;
}

/** Flags CONNECT_MISMATCH on the credits Connect disagrees about (once), with an Audit row saying why. */
export function applyMismatchFlags(
  mismatched: RecordsMapping['mismatched'],
  credits: readonly Credit[],
  now: string,
): CreditsChange {
  const byKey = new Map(credits.map((c) => [c.key, c]));
  const out: CreditsChange = { credits: [], audit: [] };
  for (const m of mismatched) {
    const c = byKey.get(m.key);
    if (!c || hasFlag(c.flags, 'CONNECT_MISMATCH')) continue;
    const flags = withFlags(c.flags, ['CONNECT_MISMATCH']);
    out.credits.push({ ...c, flags, lastChange: now });
    out.audit.push({
      when: now,
      who: USAGE_ACTOR,
      action: 'connect',
      creditId: c.creditId,
      field: 'flags',
      before: c.flags,
      after: `${flags}\n${m.why}`,
    });
  }
  return out;
}
