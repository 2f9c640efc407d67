/**
 * The local Connect server's state: usage files and their records, moved through the state machine of Connect's
 * usage module, and shown in the shapes of Connect's own description. No HTTP here (emulators/connect-server.ts
 * serves it), so the state machine can be driven and property-tested directly.
 *
 * Sources:
 * [S] ../shared/reference/credits-domain.md §1.4 (from cloudblue/connect-workflows usage-files/*.md and
 *     https://connect.cloudblue.com/community/modules/usage_module/state-machine/): draft → uploading →
 *     processing → ready or invalid; ready --submit--> pending; pending → accepted or rejected (by the provider);
 *     accepted → closed; invalid, rejected and ready can be uploaded again; closed needs an external billing id
 *     and note on every record. Records: valid/invalid → approved/rejected → closed.
 * [A] ../shared/reference/connect-openapi30.yml: usage.UsageFileDetail, usage.UsageFileList,
 *     usage.UsageFileCreate, usage.UsageRecord (the reply shapes, typed here by the generated openapi.d.ts), the
 *     status enums, and error replies `usage.any_400` ({error_code, errors}).
 * [F] https://connect.cloudblue.com/community/modules/usage_module/usage-file-format/ (emulators/connect-usage-file.ts
 *     checks an upload by it).
 * An upload arrives whole in one request, so `uploading` is never seen: the reply already says `processing`.
 * Where a source is silent the stricter behaviour is modelled (each such place says so): an upload while one is
 * processing is refused; rejecting needs a note; closing a record needs both its external billing id and note.
 * The error codes are the emulator's own (USG_…): the description gives the shape, not the codes.
 */
import type { components } from '../sync-service/connect-api/openapi';
import { toSheetNumber } from '../core/money';
import type { UsageFileCheck } from './connect-usage-file';

type Schemas = components['schemas'];
export type FileStatus = NonNullable<Schemas['usage.UsageFileDetail']['status']>;
export type RecordStatus = NonNullable<Schemas['usage.UsageRecord']['status']>;
type UsageSchema = NonNullable<Schemas['usage.UsageFileDetail']['schema']>;

/** A refusal, answered as `usage.any_400` ([A]) with the HTTP status. */
export class ConnectRefusal extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errors: string[],
  ) {
    super(`${errorCode}: ${errors.join('; ')}`);
  }
}

export interface FileState {
  id: string;
  externalId: string;
  name: string;
  description: string | null;
  product: string;
  contract: string;
  marketplace: string;
  currency: string | null;
  schema: UsageSchema;
  periodFrom?: string;
  periodTo?: string;
  status: FileStatus;
  errorDetail: string | null;
  acceptanceNote: string | null;
  rejectionNote: string | null;
  events: Partial<Record<'created' | 'uploaded' | 'submitted' | 'accepted' | 'rejected' | 'closed', string>>;
  recordIds: string[];
}

export interface RecordState {
  id: string;
  fileId: string;
  status: RecordStatus;
  assetId: string;
  tier: number | null;
  /** In minor units of the file's currency (core/money.ts); shown as Connect's number. */
  amount: number;
  category: string;
  item: string;
  start: string;
  end: string;
  params: Record<string, string>;
  externalBillingId: string | null;
  externalBillingNote: string | null;
  closedAt: string | null;
}

export interface CreateInput {
  name?: string;
  description?: string;
  external_id?: string;
  currency?: string;
  product?: { id?: string };
  contract?: { id?: string };
  period?: { from?: string; to?: string };
}

export interface ModelOptions {
  /** The vendor and provider accounts every file is between (usage.ReferenceAccount). */
  vendor?: string;
  provider?: string;
  marketplace?: string;
  /** The usage schema of the product, which Connect files every usage file under ([A] create takes none). */
  schema?: UsageSchema;
  /** When given, only these products and distribution contracts exist (create names another: 400). */
  products?: readonly string[];
  contracts?: readonly string[];
  now?: () => Date;
}

// [S] which file statuses each action starts from, and where it leads.
const UPLOAD_FROM: FileStatus[] = ['draft', 'ready', 'invalid', 'rejected'];
const TRANSITIONS = {
  submit: { from: ['ready'], to: 'pending' },
  accept: { from: ['pending'], to: 'accepted' },
  reject: { from: ['pending'], to: 'rejected' },
  close: { from: ['accepted'], to: 'closed' },
} as const satisfies Record<string, { from: FileStatus[]; to: FileStatus }>;
// [A] usage.UsageFileDetail.error_detail: maxLength 200.
const ERROR_DETAIL_MAX = 200;

const refuse = (errorCode: string, ...errors: string[]) => new ConnectRefusal(400, errorCode, errors);

export class ConnectUsageModel {
  readonly files = new Map<string, FileState>();
  readonly records = new Map<string, RecordState>();
  private seq = 0;
  private readonly now: () => Date;

  constructor(private readonly opts: ModelOptions = {}) {
    this.now = opts.now ?? (() => new Date());
  }

  file(id: string): FileState {
    const f = this.files.get(id);
    if (!f || f.status === 'deleted')
      throw new ConnectRefusal(404, 'USG_404', [`usage file ${id} does not exist`]);
    return f;
  }

  record(id: string): RecordState {
    const r = this.records.get(id);
    if (!r) throw new ConnectRefusal(404, 'USG_404', [`usage record ${id} does not exist`]);
    return r;
  }

  create(input: CreateInput): FileState {
    const product = input.product?.id ?? '';
    const contract = input.contract?.id ?? '';
    // Stricter than the description (which marks nothing required): a file belongs to a product and contract.
    if (!product) throw refuse('USG_001', 'product.id is required');
    if (!contract) throw refuse('USG_001', 'contract.id is required');
    if (this.opts.products && !this.opts.products.includes(product))
      throw refuse('USG_002', `product ${product} is not one this account reports usage for`);
    if (this.opts.contracts && !this.opts.contracts.includes(contract))
      throw refuse('USG_002', `contract ${contract} is not a distribution contract of this account`);
    const at = this.now();
    const month = at.toISOString().slice(0, 7);
    this.seq += 1;
    const id = `UF-${month}-${String(1000 + this.seq).padStart(4, '0')}-${String((this.seq * 7919) % 10000).padStart(4, '0')}`;
    const f: FileState = {
      id,
      externalId: input.external_id ?? '',
      name: input.name ?? id,
      description: input.description ?? null,
      product,
      contract,
      marketplace: this.opts.marketplace ?? 'MP-00000',
      currency: input.currency ?? null,
      schema: this.opts.schema ?? 'tr',
      periodFrom: input.period?.from,
      periodTo: input.period?.to,
      status: 'draft',
      errorDetail: null,
      acceptanceNote: null,
      rejectionNote: null,
      events: { created: at.toISOString() },
      recordIds: [],
    };
    this.files.set(id, f);
    return f;
  }

  /** [S] upload: the file goes to processing until its check is in (finishUpload). */
  startUpload(id: string): FileState {
    const f = this.file(id);
    // Stricter: a second upload while the first is processing is refused, not raced.
    if (!UPLOAD_FROM.includes(f.status))
      throw refuse(
        'USG_003',
        `usage file ${id} is ${f.status}: a file is uploaded in ${UPLOAD_FROM.join(', ')}`,
      );
    for (const r of f.recordIds) this.records.delete(r); // a new upload replaces the records
    f.recordIds = [];
    f.status = 'processing';
    f.errorDetail = null;
    f.rejectionNote = null;
    f.events.uploaded = this.now().toISOString();
    return f;
  }

  /** The upload's check is in: ready with its records (status valid), or invalid with why ([S], [F]). */
  finishUpload(id: string, check: UsageFileCheck): FileState {
    const f = this.file(id);
    if (f.status !== 'processing') return f;
    const problems = [...check.problems];
    if (!problems.length) {
      // [F] the general tab states what the file is for; it must be this file's.
      if (check.schema.toLowerCase() !== f.schema)
        problems.push(`usage_schema ${check.schema} is not the product's schema ${f.schema.toUpperCase()}`);
      if (f.currency && check.currency !== f.currency)
        problems.push(`currency ${check.currency} is not the file's currency ${f.currency}`);
      // Stricter than [F] says outright: a file for another product or contract is not this usage file's.
      if (check.general.product_id !== f.product)
        problems.push(`product_id ${check.general.product_id} is not the file's product ${f.product}`);
      if (check.general.distribution_contract_id !== f.contract)
        problems.push(
          `distribution_contract_id ${check.general.distribution_contract_id} is not the file's contract ${f.contract}`,
        );
    }
    if (problems.length) {
      f.status = 'invalid';
      const all = problems.join('; ');
      f.errorDetail = all.length <= ERROR_DETAIL_MAX ? all : all.slice(0, ERROR_DETAIL_MAX - 1) + '…';
      return f;
    }
    f.currency = check.currency;
    check.records.forEach((c, i) => {
      const r: RecordState = {
        id: `UR-${f.id.slice(3)}-${String(i + 1).padStart(5, '0')}`,
        fileId: f.id,
        status: 'valid',
        assetId: c.assetId,
        tier: f.schema === 'tr' ? c.tier : null,
        amount: c.amount,
        category: c.categoryId,
        item: c.item,
        start: c.start,
        end: c.end,
        params: c.params,
        externalBillingId: null,
        externalBillingNote: null,
        closedAt: null,
      };
      this.records.set(r.id, r);
      f.recordIds.push(r.id);
    });
    f.status = 'ready';
    return f;
  }

  private move(id: string, action: keyof typeof TRANSITIONS): FileState {
    const f = this.file(id);
    const t = TRANSITIONS[action];
    if (!(t.from as readonly FileStatus[]).includes(f.status))
      throw refuse(
        'USG_003',
        `usage file ${id} is ${f.status}: ${action} moves a file from ${t.from.join(' or ')} to ${t.to}`,
      );
    f.status = t.to;
    return f;
  }

  private setRecords(f: FileState, status: RecordStatus): void {
    for (const r of f.recordIds) this.record(r).status = status;
  }

  submit(id: string): FileState {
    const f = this.move(id, 'submit');
    f.events.submitted = this.now().toISOString();
    return f;
  }

  accept(id: string, note?: string): FileState {
    const f = this.move(id, 'accept');
    f.acceptanceNote = note ?? null;
    f.events.accepted = this.now().toISOString();
    this.setRecords(f, 'approved');
    return f;
  }

  reject(id: string, note?: string): FileState {
    // Stricter: the vendor must learn why (rejection_note is what it reads).
    if (!note?.trim()) throw refuse('USG_004', 'rejection_note is required to reject a usage file');
    const f = this.move(id, 'reject');
    f.rejectionNote = note;
    f.events.rejected = this.now().toISOString();
    this.setRecords(f, 'rejected');
    return f;
  }

  /** [S] closed needs an external billing id and note on every record. */
  close(id: string): FileState {
    const f = this.file(id);
    const open = f.recordIds.map((r) => this.record(r)).filter((r) => r.status !== 'closed');
    if (f.status === 'accepted' && open.length)
      throw refuse(
        'USG_005',
        `usage file ${id} has ${open.length} record(s) without an external billing id and note (first: ${open[0].id}); close them first`,
      );
    const closed = this.move(id, 'close');
    closed.events.closed = this.now().toISOString();
    return closed;
  }

  /** [S] a record of an accepted file closes with its external billing id and note; once closed only they change. */
  closeRecord(
    id: string,
    billing: { external_billing_id?: string; external_billing_note?: string },
  ): RecordState {
    const r = this.record(id);
    const f = this.file(r.fileId);
    if (!['accepted', 'closed'].includes(f.status) || !['approved', 'closed'].includes(r.status))
      throw refuse(
        'USG_006',
        `usage record ${id} is ${r.status} in a ${f.status} file: records close once the provider accepted the file`,
      );
    const missing = (['external_billing_id', 'external_billing_note'] as const).filter(
      (k) => !billing[k]?.trim(),
    );
    if (missing.length) throw refuse('USG_007', `closing usage record ${id} needs ${missing.join(' and ')}`);
    r.externalBillingId = billing.external_billing_id!;
    r.externalBillingNote = billing.external_billing_note!;
    r.status = 'closed';
    r.closedAt ??= this.now().toISOString();
    // The brief's "file closed when all closed": the last record closed closes the accepted file.
    if (f.status === 'accepted' && f.recordIds.every((x) => this.record(x).status === 'closed'))
      this.close(f.id);
    return r;
  }

  // --- replies, in the description's shapes ([A]) ---

  private common(f: FileState) {
    return {
      id: f.id,
      name: f.name,
      external_id: f.externalId,
      status: f.status,
      vendor: { id: this.opts.vendor ?? 'VA-000-000', name: 'Local vendor' },
      provider: { id: this.opts.provider ?? 'PA-000-000', name: 'Local provider' },
      environment: 'production' as const,
      marketplace: { id: f.marketplace, name: null },
      contract: { id: f.contract, name: null },
      product: { id: f.product, name: null, icon: null },
      error_detail: f.errorDetail,
      description: f.description,
      acceptance_note: f.acceptanceNote,
      rejection_note: f.rejectionNote,
      schema: f.schema,
      currency: f.currency,
      ...(f.periodFrom || f.periodTo
        ? {
            period: {
              ...(f.periodFrom ? { from: f.periodFrom } : {}),
              ...(f.periodTo ? { to: f.periodTo } : {}),
            },
          }
        : {}),
      stats: this.stats(f),
      events: Object.fromEntries(
        Object.entries(f.events).map(([k, at]) => [
          k,
          { at, by: { id: 'UR-000-000-000', name: 'Local user' } },
        ]),
      ),
    };
  }

  private stats(f: FileState) {
    const rs = f.recordIds.map((r) => this.record(r));
    const count = (...s: RecordStatus[]) => rs.filter((r) => s.includes(r.status)).length;
    return {
      uploaded: rs.length,
      validated: count('valid', 'approved', 'closed'),
      pending: f.status === 'pending' ? rs.length : 0,
      accepted: count('approved', 'closed'),
      closed: count('closed'),
      billed: count('closed'),
    };
  }

  fileDetail(f: FileState): Schemas['usage.UsageFileDetail'] {
    const rs = f.recordIds.map((r) => this.record(r));
    return {
      ...this.common(f),
      sub_status: null,
      usage_file_uri: `/files/${f.id}/usage_file.xlsx`,
      records: {
        valid: rs.filter((r) => r.status !== 'invalid').length,
        invalid: rs.filter((r) => r.status === 'invalid').length,
        closed: rs.filter((r) => r.status === 'closed').length,
      },
    };
  }

  fileListItem(f: FileState): Schemas['usage.UsageFileList'] {
    return this.common(f);
  }

  fileCreated(f: FileState): Schemas['usage.UsageFileCreate'] {
    return {
      id: f.id,
      name: f.name,
      external_id: f.externalId,
      vendor: this.opts.vendor ?? 'VA-000-000',
      provider: this.opts.provider ?? 'PA-000-000',
      environment: 'production',
      marketplace: f.marketplace,
      distribution_contract: f.contract,
      product_id: f.product,
      product_name: null,
      description: f.description,
      schema: f.schema,
      currency: f.currency ?? '',
      start_datetime_utc: f.periodFrom ? `${f.periodFrom}T00:00:00Z` : null,
      end_datetime_utc: f.periodTo ? `${f.periodTo}T00:00:00Z` : null,
    };
  }

  recordReply(r: RecordState): Schemas['usage.UsageRecord'] {
    const f = this.file(r.fileId);
    return {
      id: r.id,
      start_date: r.start,
      end_date: r.end,
      product_id: f.product,
      ...(r.externalBillingId !== null ? { external_billing_id: r.externalBillingId } : {}),
      ...(r.externalBillingNote !== null ? { external_billing_note: r.externalBillingNote } : {}),
      item: { id: r.item, name: r.item, mpn: r.item },
      asset: { id: r.assetId },
      category: r.category,
      tier: r.tier,
      amount: toSheetNumber(r.amount, f.currency ?? 'USD'),
      // [F] a money schema (TR, CR, PR) reports an amount; the record's usage is its one unit.
      usage: 1,
      status: r.status,
      closed_at: r.closedAt,
      closed_by: r.closedAt ? 'Local provider' : null,
      params: Object.entries(r.params).map(([parameter_name, parameter_value]) => ({
        parameter_name,
        parameter_value,
      })),
      item_id: r.item,
      asset_id: r.assetId,
      usagefile: { id: f.id, name: f.name, schema: f.schema, currency: f.currency },
    };
  }
}
