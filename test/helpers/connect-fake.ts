/**
 * An in-memory CloudBlue Connect Usage API (sync-service/connect-api/usage-api.ts) for the usage process's tests,
 * following the usage file state machine of ../shared/reference/credits-domain.md §1.4 (cloudblue/connect-workflows
 * usage-files/*.md): draft → (upload) processing → ready or invalid; ready → (submit) pending; pending → accepted or
 * rejected (the provider, here the test: accept/reject); accepted → closed (close, with an external billing id and
 * note for every record). invalid, rejected and ready may be uploaded again; anything else is refused, as Connect
 * refuses an action from the wrong state (the stricter reading where the reference is silent).
 *
 * Uploads are checked by emulators/connect-usage-file.ts; a file with problems becomes `invalid` with them as its
 * error_detail. Each records row becomes a record whose params are the columns after `tier` ([P] there).
 *
 * Faults a test injects: `failNext(method)` throws before the work (Connect down), `loseReplyNext(method)` does the
 * work and then throws (the reply was lost: the case a resumed run must find, not repeat).
 */
import { checkUsageFile } from '../../emulators/connect-usage-file';
import { toSheetNumber } from '../../core/money';
import type {
  ConnectFileStatus,
  ConnectUsageApi,
  ConnectUsageFile,
  ConnectUsageRecordState,
  CreateUsageFile,
} from '../../sync-service/connect-api/usage-api';

type Method = keyof ConnectUsageApi;

interface StoredFile extends ConnectUsageFile {
  input: CreateUsageFile;
  records: ConnectUsageRecordState[];
  uploads: number;
  /** With `checkLater`: the upload's verdict, shown on the next read (Connect checks after answering). */
  verdict?: () => void;
}

export class FakeConnect implements ConnectUsageApi {
  readonly files: StoredFile[] = [];
  /** Every call, in order, by method name: what a test asserts was (not) repeated. */
  readonly calls: Method[] = [];
  private faults: { method: Method; kind: 'fail' | 'lose' }[] = [];
  private seq = 0;

  constructor(
    private readonly opts: {
      knownAssets?: ReadonlySet<string>;
      /** Answer an upload `processing` and show ready/invalid on the next read, as Connect usually does. */
      checkLater?: boolean;
    } = {},
  ) {}

  failNext(method: Method): void {
    this.faults.push({ method, kind: 'fail' });
  }

  loseReplyNext(method: Method): void {
    this.faults.push({ method, kind: 'lose' });
  }

  private async call<T>(method: Method, work: () => T | Promise<T>): Promise<T> {
    this.calls.push(method);
    const at = this.faults.findIndex((f) => f.method === method);
    const fault = at >= 0 ? this.faults.splice(at, 1)[0] : null;
    if (fault?.kind === 'fail') throw new Error(`Connect: ${method} failed (connection refused)`);
    const result = await work();
    if (fault?.kind === 'lose') throw new Error(`Connect: ${method} reply lost (socket hang up)`);
    return structuredClone(result);
  }

  private file(id: string): StoredFile {
    const f = this.files.find((x) => x.id === id);
    if (!f) throw new Error(`Connect: 404 usage file ${id} not found`);
    if (f.verdict) {
      f.verdict();
      delete f.verdict;
    }
    return f;
  }

  private view(f: StoredFile): ConnectUsageFile {
    const { id, externalId, status, errorDetail, rejectionNote, acceptanceNote } = f;
    return { id, externalId, status, errorDetail, rejectionNote, acceptanceNote };
  }

  private move(f: StoredFile, from: ConnectFileStatus[], to: ConnectFileStatus, action: string): void {
    if (!from.includes(f.status))
      throw new Error(`Connect: 400 cannot ${action} usage file ${f.id} in status ${f.status}`);
    f.status = to;
  }

  findFile(externalId: string) {
    return this.call('findFile', () => {
      const f = this.files.find((x) => x.externalId === externalId && x.status !== 'deleted');
      return f ? this.view(f) : null;
    });
  }

  createFile(input: CreateUsageFile) {
    return this.call('createFile', () => {
      const n = String(++this.seq).padStart(4, '0');
      const f: StoredFile = {
        id: `UF-2099-01-${n}-${n}`, // Connect's own ID, never ours
        externalId: input.externalId,
        status: 'draft',
        errorDetail: null,
        rejectionNote: null,
        acceptanceNote: null,
        input,
        records: [],
        uploads: 0,
      };
      this.files.push(f);
      return this.view(f);
    });
  }

  uploadFile(id: string, xlsx: Uint8Array) {
    return this.call('uploadFile', async () => {
      const f = this.file(id);
      this.move(f, ['draft', 'invalid', 'rejected', 'ready'], 'processing', 'upload');
      f.uploads++;
      const check = await checkUsageFile(xlsx, { knownAssets: this.opts.knownAssets });
      const verdict = () => (check.problems.length ? invalid() : ready());
      const invalid = () => {
        f.status = 'invalid';
        f.errorDetail = check.problems.join('; ');
        f.records = [];
      };
      const ready = () => {
        f.status = 'ready';
        f.errorDetail = null;
        f.rejectionNote = null;
        f.records = records;
      };
      const records: ConnectUsageRecordState[] = check.records.map((r, i) => ({
        id: `UR-${f.id.slice(3)}-${String(i).padStart(5, '0')}`,
        status: 'valid',
        assetId: r.assetId,
        tier: r.tier,
        amount: toSheetNumber(r.amount, check.currency),
        params: r.params,
        externalBillingId: '',
        externalBillingNote: '',
      }));
      if (this.opts.checkLater) f.verdict = verdict;
      else verdict();
      return this.view(f);
    });
  }

  submitFile(id: string) {
    return this.call('submitFile', () => {
      const f = this.file(id);
      this.move(f, ['ready'], 'pending', 'submit');
      return this.view(f);
    });
  }

  getFile(id: string) {
    return this.call('getFile', () => this.view(this.file(id)));
  }

  listRecords(fileId: string) {
    return this.call('listRecords', () => this.file(fileId).records);
  }

  // --- the provider's side (the test plays it) ---

  /** The file Connect holds for our usage file ID (throws when there is none or several). */
  byExternal(externalId: string): StoredFile {
    const all = this.files.filter((f) => f.externalId === externalId);
    if (all.length !== 1) throw new Error(`${all.length} Connect files for ${externalId}`);
    return all[0];
  }

  accept(id: string, note = 'accepted'): void {
    const f = this.file(id);
    this.move(f, ['pending'], 'accepted', 'accept');
    f.acceptanceNote = note;
    for (const r of f.records) r.status = 'approved';
  }

  reject(id: string, note: string): void {
    const f = this.file(id);
    this.move(f, ['pending'], 'rejected', 'reject');
    f.rejectionNote = note;
    for (const r of f.records) r.status = 'rejected';
  }

  /** Closes records (all, or those `only` picks) with a billing id; the file closes when all are closed. */
  close(id: string, only?: (r: ConnectUsageRecordState) => boolean): void {
    const f = this.file(id);
    if (f.status !== 'accepted') throw new Error(`Connect: cannot close ${id} in status ${f.status}`);
    for (const r of f.records.filter(only ?? (() => true))) {
      r.status = 'closed';
      r.externalBillingId = `INV-${r.id.slice(3)}`;
      r.externalBillingNote = `invoiced ${r.params.credit_desk_record ?? r.id}`;
    }
    if (f.records.every((r) => r.status === 'closed')) f.status = 'closed';
  }
}
