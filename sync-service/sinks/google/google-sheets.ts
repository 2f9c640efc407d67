/**
 * The Google Sheets sink: the staff's spreadsheet through the Sheets API v4.
 *
 * A sync is a small constant number of requests whatever the number of rows:
 *   read():  lock (get, batchUpdate, get) → values.batchGet (every tab but Audit, and Audit's header; only the
 *            Credits header too when the command names its fields: ReadOptions.creditFields) →
 *            values.batchGet (the Audit columns the command reads: ReadOptions.auditColumns, and those Credits
 *            columns; the whole Audit tab only when no auditColumns are named, for archive) → values.batchGet (the
 *            whole Audit rows of AUDIT_WHOLE_ROWS and auditDetail, the Audit's length) →
 *            [one batchUpdate if the layout is incomplete]
 *   write(): values.batchGet of the header row and where its rows are — their Key cells, the last row's and the
 *            Status column when nothing moved, else the Key column (decision 0022) — with what the change set
 *            needs (./sheets-reread.ts) → [values.batchGet of the Key column, or of Status and Allocation on
 *            the rows it compare-and-sets, when the first did not settle it] →
 *            [one batchUpdate growing the grids] → one values.batchUpdate per ~2 MB chunk (RAW) →
 *            one batchUpdate with the protection changes and the lock release.
 *
 * The lock (./sheets-lock.ts) is taken before the read, so read → plan → write is one critical section
 * against other syncs and the add-on. Staff typing in the grid are not stopped by it, so the write still
 * re-reads under the lock: rows are matched by key (staff may sort, insert and delete rows), a new row is
 * appended only if its key is still absent, and an update whose Status or Allocation a person changed since
 * the read is skipped (CellUpdate.expect) and reported.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { CreditDeskError } from '../../../core/errors';
import {
  TABS,
  type AuditField,
  type CreditField,
  type LedgerField,
  type TabId,
} from '../../../core/sheet-contract';
import { isLocked, isStatus } from '../../../core/status';
import { columnAt, indexColumns, text, type Cell, type ColumnIndex, type Grid } from '../../../core/table';
import { stopPoint } from '../../interrupt';
import { a1Column, a1ColumnFrom, a1Range, a1Row, quoteSheet } from './sheets-a1';
import {
  createGateway,
  defaultAuth,
  GET_FIELDS,
  rowsOf,
  type SheetsAuth,
  type SheetsGateway,
} from './sheets-gateway';
import { datesAsText } from './sheets-serial';
import { gridFromValues, moneyFormatRequests, planLayout, TAB_IDS, type TabInfo } from './sheets-layout';
import { ledgerRowsSeen, ledgerSheetRequests, planLedgerWrites, planRowRepairs } from './sheets-ledger';
import { SheetLock } from './sheets-lock';
import { planProtection } from './sheets-protection';
import { creditColumnRanges, creditColumns, valuesFromColumns } from './sheets-columns';
import { rereadForWrite, seenAfterWrite, seenInRead, type SeenRows } from './sheets-reread';
import {
  auditIds,
  auditWholeIds,
  ledgerCreditIds,
  scopedRows,
  scopeRuns,
  scopeRanges,
  valuesFromScope,
} from './sheets-scope';
import { planSummaryRequests } from './sheets-summary';
import { sheetsTabSizes } from '../grid-size';
import { removeArchivedRows } from './sheets-remove';
import { SheetsApiError, type RetryHooks, type SheetsRetryPolicy } from './sheets-retry';
import {
  chunkBySize,
  chunkRanges,
  planAppends,
  planReplace,
  planUpdates,
  rowsPerBlock,
} from './sheets-writes';
import { AUDIT_WHOLE_ROWS, TRACE_ROWS, type ReadOptions, type Sink } from '../sink';
import { collectionsHeld } from '../../../core/ledger';
import {
  auditWithout,
  conflictOf,
  withoutKeys,
  type ChangeSet,
  type LedgerChanges,
  type SkippedChange,
  type Snapshot,
  type WriteReport,
} from '../../../core/sheet-changes';
import { skippedAsAdded, skippedAsChanged } from '../../../core/write-contract';
import { ledgerUpdatesNameIds } from '../../../core/ledger-placement';

export interface SheetsProgress {
  phase: 'layout' | 'read' | 'lock' | 'write' | 'protect';
  done: number;
  total: number;
}

export interface GoogleSheetsSinkOptions {
  spreadsheetId: string;
  /** Tests: the local server. Production: unset (https://sheets.googleapis.com/). */
  rootUrl?: string;
  /** Default: Application Default Credentials with the spreadsheets scope only. */
  auth?: SheetsAuth;
  /** The only editor of locked rows; default: the credentials' client_email. */
  syncIdentity?: string;
  maxWriteRequestsPerMinute?: number;
  retry?: Partial<SheetsRetryPolicy>;
  /** Tests: a fake sleep/random to keep retries instant and reproducible. */
  retryHooks?: RetryHooks;
  onProgress?: (p: SheetsProgress) => void;
  now?: () => Date;
  lockTtlMs?: number;
  /** How often and how long to wait for another run's lock. */
  lockWait?: { attempts: number; ms: number };
  /** Total time to wait for another writer (the sync lock or an add-on write); overrides lockWait's product. */
  lockWaitMs?: number;
  /** Told once when this run starts waiting, and for whom. */
  onLockWait?: (message: string) => void;
  /** Told when this run takes over the lock of a run killed on this machine (see sheets-lock.ts). */
  onLockTakeOver?: (message: string) => void;
  /** Who this run is, in the lock marker another writer is shown ("credit-desk assign … (alice)"). */
  lockOwner?: string;
  /** Read-only use (export): take no lock; write() is refused. */
  readOnly?: boolean;
  /** Per values.batchUpdate request body. Google recommends ≤ 2 MB. */
  maxRequestBytes?: number;
  /**
   * Tests: called after each write request, to simulate a crash between two writes (n = 0: after the Ledger
   * rows an archive writes ahead of its deletions).
   */
  afterWriteRequest?: (n: number) => void;
}

export type GoogleSheetsWriteReport = WriteReport;

export interface GoogleSheetsSink extends Sink {
  write(changes: ChangeSet): Promise<GoogleSheetsWriteReport>;
}

interface Layout {
  info: Record<TabId, TabInfo>;
  tabs: Record<TabId, Grid>;
  credits: ColumnIndex<CreditField>;
  audit: ColumnIndex<AuditField>;
  ledger: ColumnIndex<LedgerField>;
  /** What the sink last read or wrote, so a write re-reads only the Key column and the rows it touches. */
  seen: SeenRows | null;
}

const DEFAULT_MAX_BYTES = 1_900_000;

export function createGoogleSheetsSink(opts: GoogleSheetsSinkOptions): GoogleSheetsSink {
  const auth = opts.auth ?? (opts.rootUrl ? undefined : defaultAuth());
  let identity = opts.syncIdentity;
  const gw: SheetsGateway = createGateway({
    spreadsheetId: opts.spreadsheetId,
    rootUrl: opts.rootUrl,
    auth,
    maxWriteRequestsPerMinute: opts.maxWriteRequestsPerMinute,
    retry: opts.retry,
    retryHooks: opts.retryHooks,
    identity: () => identity,
  });
  const now = opts.now ?? (() => new Date());
  const maxBytes = opts.maxRequestBytes ?? DEFAULT_MAX_BYTES;
  const progress = opts.onProgress ?? (() => undefined);
  let layout: Layout | null = null;

  async function syncIdentity(): Promise<string> {
    if (identity) return identity;
    const a = auth as { getCredentials?: () => Promise<{ client_email?: string }> } | undefined;
    const email = a?.getCredentials ? (await a.getCredentials()).client_email : undefined;
    if (!email) {
      throw new CreditDeskError(
        'BAD_CONFIG',
        'The Google Sheets sync does not know its own identity, needed to protect PROCESSING/PROCESSED rows.',
        'Use a service account key (GOOGLE_APPLICATION_CREDENTIALS), or name the service account: --sync-identity EMAIL (or CREDIT_DESK_SYNC_IDENTITY).',
      );
    }
    identity = email;
    return email;
  }

  /**
   * The account the API calls are made as, when the credentials say (a service account key's client_email):
   * Google adds it to the editors of every range the sync protects (sheets-protection.ts editableBy).
   */
  async function callingAccount(): Promise<string | undefined> {
    const a = auth as { getCredentials?: () => Promise<{ client_email?: string }> } | undefined;
    try {
      return a?.getCredentials ? (await a.getCredentials()).client_email : undefined;
    } catch {
      return undefined; // credentials without an email (a user's OAuth token): only the identity is accepted
    }
  }

  const sleep = opts.retryHooks?.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const lock: SheetLock | null = opts.readOnly
    ? null
    : new SheetLock(gw, {
        owner: opts.lockOwner ?? `credit-desk sync`,
        ttlMs: opts.lockTtlMs ?? 10 * 60_000,
        now,
        waitMs: opts.lockWaitMs ?? (opts.lockWait ? opts.lockWait.attempts * opts.lockWait.ms : 30_000),
        pollMs: opts.lockWait?.ms ?? 1_000,
        sleep,
        onWait: opts.onLockWait,
        onTakeOver: opts.onLockTakeOver,
        label: `Google Sheet ${opts.spreadsheetId}`,
      });

  /** The spreadsheet as read under our lock (taken now if not held), or plainly for a read-only sink. */
  async function lockedGet(): Promise<sheets_v4.Schema$Spreadsheet> {
    if (!lock) return gw.get('reading the spreadsheet layout', GET_FIELDS.layout);
    if (lock.isHeld) return gw.get('reading the spreadsheet layout', GET_FIELDS.layout);
    progress({ phase: 'lock', done: 0, total: 1 });
    const ss = await lock.acquire();
    progress({ phase: 'lock', done: 1, total: 1 });
    return ss;
  }

  async function read(opts: ReadOptions = {}): Promise<Snapshot> {
    progress({ phase: 'read', done: 0, total: 2 });
    let ss = await lockedGet();
    // A layout request Google applied but whose reply was lost is retried and refused ("A sheet with the name
    // Credits already exists", 400): read again and plan only what is still missing.
    for (let round = 0; ; round++) {
      try {
        return await readWith(ss, opts);
      } catch (e) {
        if (!(e instanceof SheetsApiError && e.status === 400) || round >= 2) throw e;
        ss = await gw.get('re-reading the layout after a refused request', GET_FIELDS.layout);
      }
    }
  }

  async function readWith(ss: sheets_v4.Schema$Spreadsheet, opts: ReadOptions): Promise<Snapshot> {
    const titles = new Set((ss.sheets ?? []).map((s) => s.properties?.title));
    const present = TAB_IDS.filter((t) => titles.has(TABS[t].name));
    // Audit only grows: its header row here, then only the columns the sync needs (readAuditColumns). The
    // Credits tab too when the command names the fields it decides from: its header row, then those columns.
    const narrow = !!opts.creditFields && titles.has(TABS.credits.name);
    // A read-only command that names its tabs (ReadOptions.only) gets the others' header rows only, as the
    // workbook gives them (`rules validate` downloaded the whole Credits and Ledger tabs to read the Rules).
    const headerOnly = (t: TabId) =>
      t === 'audit' || (t === 'credits' && narrow) || (!!opts.only && !opts.only.includes(t));
    const values = present.length
      ? await gw.batchGet(
          'reading the tabs',
          present.map((t) => (headerOnly(t) ? a1Row(TABS[t].name, 0) : quoteSheet(TABS[t].name))),
        )
      : [];
    const grids: Partial<Record<TabId, Grid>> = {};
    // Read as serial numbers (sheets-gateway.ts); dates staff typed become ISO text here (sheets-serial.ts).
    const timeZone = ss.properties?.timeZone ?? 'Etc/GMT';
    const header = (t: TabId) => values[present.indexOf(t)]?.values?.[0] ?? [];
    const cols = narrow ? creditColumns(header('credits') as Cell[], opts.creditFields!) : null;
    // A one-credit command (ReadOptions.scope): the Credit ID and Status columns first, then the rows they show
    // the command and the check need (sheets-scope.ts). Not when the Ledger tab lacks its Credit ID header: its
    // collected credits could not be told.
    const ledgerIds = grids.ledger ? ledgerCreditIds(grids.ledger) : new Set<string>();
    const scopeCols =
      cols && opts.scope && ledgerIds
        ? [
            columnAt('credits', header('credits'), 'creditId'),
            columnAt('credits', header('credits'), 'status'),
          ]
        : null;
    const creditRanges = narrow
      ? cols
        ? creditColumnRanges(TABS.credits.name, scopeCols ?? cols)
        : [quoteSheet(TABS.credits.name)] // a contract column is missing: the whole tab, so the layout check sees it
      : [];
    present.forEach((t, i) => (grids[t] = datesAsText(gridFromValues(values[i]?.values), timeZone)));
    let creditValues: sheets_v4.Schema$ValueRange[] = [];
    // A read-only command that leaves the Audit out (ReadOptions.only) gets its header only: no rows downloaded.
    const auditSkipped = !!grids.audit && !!opts.only && !opts.only.includes('audit');
    if (grids.audit && !auditSkipped) {
      // The columns the command reads (ReadOptions.auditColumns) and the rows it looks up whole: the same
      // contract as the workbook sink (sink.ts), so a Ledger row rebuilt from the Audit gets its dates.
      const gridRows =
        (ss.sheets ?? []).find((t) => t.properties?.title === TABS.audit.name)?.properties?.gridProperties
          ?.rowCount ?? 0;
      // A collection the Ledger tab holds needs no trace (sink.ts TRACE_ROWS): its collect and close rows narrow.
      const held = grids.ledger ? collectionsHeld(grids.ledger) : new Set<string>();
      const audit = await readAuditColumns(gw, grids.audit.headers, opts, gridRows, creditRanges, held);
      grids.audit = datesAsText(audit.grid, timeZone);
      creditValues = audit.extra;
    } else if (creditRanges.length)
      creditValues = await gw.batchGet('reading the Credits tab', creditRanges, true);
    let scoped = false;
    if (narrow) {
      let whole: unknown[][] | null | undefined;
      if (scopeCols && cols) {
        const got = await readScoped(gw, {
          header: header('credits'),
          cols,
          scopeCols,
          columns: creditValues.map((v) => v.values?.[0] ?? []),
          wanted: new Set([
            ...opts.scope!.creditIds,
            ...ledgerIds!,
            ...auditWholeIds(grids.audit, opts.auditDetail),
          ]),
          issued: auditIds(grids.audit),
        });
        whole = got.values;
        scoped = got.scoped;
      } else
        whole = cols
          ? valuesFromColumns(
              header('credits'),
              cols,
              creditValues.map((v) => v.values?.[0]),
            )
          : rowsOf(creditValues[0]).values;
      grids.credits = datesAsText(gridFromValues(whole), timeZone);
    }
    progress({ phase: 'read', done: 1, total: 2 });

    const plan = planLayout(ss, grids, (taken) => {
      let id = 1 + Math.floor(Math.random() * 2_000_000_000);
      while (taken.has(id)) id++;
      return id;
    });
    if (plan.requests.length) {
      progress({ phase: 'layout', done: 0, total: 1 });
      await gw.batchUpdate('creating the missing tabs and headers', plan.requests);
    }
    layout = {
      info: plan.info,
      tabs: plan.tabs,
      credits: indexColumns<CreditField>('credits', plan.tabs.credits.headers),
      audit: indexColumns<AuditField>('audit', plan.tabs.audit.headers),
      ledger: indexColumns<LedgerField>('ledger', plan.tabs.ledger.headers),
      seen: null,
    };
    // Without the Audit's rows the sink cannot say where its appends start: a write after it re-reads whole.
    layout.seen = auditSkipped
      ? null
      : seenInRead(plan.tabs.credits, layout.credits, plan.tabs.audit.rows.length);
    progress({ phase: 'read', done: 2, total: 2 });
    return {
      tabs: plan.tabs,
      created: TAB_IDS.filter((t) => !titles.has(TABS[t].name)),
      ...(scoped ? { scoped } : {}),
    };
  }

  async function write(changes: ChangeSet): Promise<GoogleSheetsWriteReport> {
    if (!lock) {
      throw new CreditDeskError(
        'BAD_CONFIG',
        `Google Sheet ${opts.spreadsheetId} was opened read-only; nothing was written.`,
        'This is a bug in the command that opened it; report it with the command you ran.',
      );
    }
    await stopPoint(); // after Ctrl-C, the sheet is left as it is (interrupt.ts)
    const l = layout ?? (await read(), layout!);
    const editor = await syncIdentity();
    // Normally held since read(); a second write after the first released it takes it again (its
    // re-read below still guards against anything that changed in between).
    // Read again even under our lock: staff may have inserted or sorted rows since read(), which moves our
    // protected ranges, and the protection plan must start from where they are now. Taking the lock again
    // returns the layout fields only: the protected ranges and charts are asked for after it, or this write
    // would protect every locked run a second time and add the Summary's charts again (a reconciliation's
    // repairs and the command's change are two writes).
    if (!lock.isHeld) await lockedGet();
    const ss = await gw.get('reading the protected ranges', GET_FIELDS.write);
    try {
      if (changes.remove) {
        const { remove, ledger, ...rest } = changes;
        // The Ledger's list of archived credits is written before any row is deleted: a run that dies in
        // between leaves rows whose key is listed (the next archive run removes them), never a removed credit
        // the sheet no longer knows was archived (which the next sync would import again).
        await writeLedgerRows(l, ledger, ss);
        await removeArchivedRows(
          gw,
          {
            credits: l.info.credits,
            audit: l.info.audit,
            ledger: l.info.ledger,
            keyCol: l.credits.key,
            auditIdCol: l.audit.creditId,
            ledgerKeyCol: l.ledger.key,
            ledgerStatusCol: l.ledger.status,
          },
          remove,
        );
        l.seen = null; // rows left both tabs: the next re-read takes the columns whole
        return await writeLocked(
          l,
          rest,
          await gw.get('re-reading after removing archived rows', GET_FIELDS.write),
          lock,
          editor,
        );
      }
      return await writeLocked(l, changes, ss, lock, editor);
    } finally {
      if (lock.isHeld) await lock.release().catch(() => undefined); // the original error matters more
    }
  }

  /** Ledger rows alone, in their own requests (for `archive`, ahead of the deletions). */
  async function writeLedgerRows(
    l: Layout,
    changes: LedgerChanges | undefined,
    ss: sheets_v4.Schema$Spreadsheet,
  ): Promise<void> {
    if (!changes || (!changes.appends.length && !changes.updates.length)) return;
    const ledger = l.info.ledger;
    const [keyCol, statusCol, idCol] = await gw.batchGet('re-reading the Ledger keys', [
      a1Column(ledger.title, l.ledger.key),
      a1Column(ledger.title, l.ledger.status),
      ...(ledgerUpdatesNameIds(changes) ? [a1Column(ledger.title, l.ledger.creditId)] : []),
    ]);
    const rows = ledgerRowsSeen(keyCol?.values, statusCol?.values);
    const grow = growRequests([
      { info: sized(ss, ledger), rows: 1 + rows + changes.appends.length, cols: 0 },
    ]);
    if (grow.length) await gw.batchUpdate('adding Ledger rows', grow);
    const ranges = planLedgerWrites(
      ledger.title,
      changes,
      { key: keyCol?.values, status: statusCol?.values, creditId: idCol?.values },
      l.ledger,
      maxBytes,
    );
    for (const chunk of chunkRanges(ranges, maxBytes)) await gw.writeValues('writing the Ledger', chunk);
    opts.afterWriteRequest?.(0);
  }

  async function writeLocked(
    l: Layout,
    changes: ChangeSet,
    ss: sheets_v4.Schema$Spreadsheet,
    lock: SheetLock,
    editor: string,
  ): Promise<GoogleSheetsWriteReport> {
    const credits = l.info.credits;
    const audit = l.info.audit;
    const ledger = l.info.ledger;
    const caller = await callingAccount();
    const now0 = await rereadForWrite(
      gw,
      {
        credits: { title: credits.title, idx: l.credits },
        audit: { title: audit.title, idx: l.audit },
        ledger: { title: ledger.title, idx: l.ledger },
      },
      changes,
      l.seen,
      sized(ss, audit).rowCount,
      sized(ss, credits).rowCount,
    );
    assertSameColumns(l, now0.header);
    l.seen = null; // until this write has gone through: a failed one leaves the next re-read whole
    const { keyRows, creditRows, auditRows } = now0;
    const keyCol = { values: now0.keyValues };
    const idCol = { values: now0.idValues };
    const ledgerKeyCol = { values: now0.ledgerKey };
    const ledgerStatusCol = { values: now0.ledgerStatus };

    // Rows whose Key was blanked or edited get it back first (found by Credit ID), so updates by Key can follow.
    const repaired = planRowRepairs(
      credits.title,
      changes.rowRepairs ?? [],
      keyCol?.values,
      idCol?.values,
      l.credits,
    );
    for (const { repair, row } of repaired.rows)
      if (repair.fields.key) keyRows.set(text(repair.fields.key), row);

    // Compare-and-set against the cells as they are now; a new row only for a key still absent.
    const skipped: SkippedChange[] = [];
    const guarded = changes.updates.filter((u) => {
      const row = keyRows.get(u.key);
      if (row === undefined) return true; // planUpdates reports it
      const conflict = conflictOf(u, (f) => now0.guarded(f, row));
      if (!conflict) return true;
      skipped.push(skippedAsChanged(u.key, u.creditId ?? '', conflict, now0.guarded('status', row)));
      return false;
    });
    const newRows = changes.appends.filter((r) => {
      const row = keyRows.get(text(r.key));
      if (row === undefined) return true;
      skipped.push(skippedAsAdded(text(r.key), text(r.creditId), row + 2));
      return false;
    });
    const updates = planUpdates(credits.title, guarded, keyRows, l.credits);
    for (const s of updates.skipped) skipped.push(s);
    // A credit whose Credits change was skipped keeps its Ledger row as it was: the two go together.
    const ledgerChanges = withoutKeys(changes.ledger, new Set(skipped.map((x) => x.key)));
    const ledgerRanges = planLedgerWrites(
      ledger.title,
      ledgerChanges,
      { key: ledgerKeyCol?.values, status: ledgerStatusCol?.values, creditId: now0.ledgerId },
      l.ledger,
      maxBytes,
    );
    const ledgerRows = ledgerRowsSeen(ledgerKeyCol?.values, ledgerStatusCol?.values);
    const auditRecords = auditWithout(changes.audit, new Set(skipped.map((x) => x.creditId).filter(Boolean)));
    const blockRows = rowsPerBlock(newRows[0], maxBytes);
    const appends = planAppends(credits.title, newRows, creditRows, l.credits, blockRows);
    const auditRanges = planAppends(
      audit.title,
      auditRecords,
      auditRows,
      l.audit,
      rowsPerBlock(auditRecords[0], maxBytes),
    );
    const replaced = Object.entries(changes.replaceTabs ?? {}).map(([tab, grid]) => {
      const old = l.tabs[tab as TabId];
      return {
        tab: tab as TabId,
        range: planReplace(
          l.info[tab as TabId].title,
          grid!.headers,
          grid!.rows,
          old.rows.length + 1,
          old.headers.length,
        ),
        grid: grid!,
      };
    });

    // Grow grids still too small (rows inserted by staff since read(), or replaced tabs) before writing past their end.
    const now = (info: TabInfo) => sized(ss, info);
    const grow = growRequests([
      { info: now(credits), rows: 1 + creditRows + newRows.length, cols: 0 },
      { info: now(audit), rows: 1 + auditRows + auditRecords.length, cols: 0 },
      { info: now(ledger), rows: 1 + ledgerRows + (ledgerChanges?.appends.length ?? 0), cols: 0 },
      ...replaced.map((r) => ({
        info: now(l.info[r.tab]),
        rows: r.range.values!.length,
        cols: r.range.values![0].length,
      })),
    ]);
    if (grow.length) await gw.batchUpdate('adding rows for new credits', grow);

    // The Ledger first: a run that dies between two requests leaves the record ahead of the Credits tab, and
    // the next run's reconciliation brings the tab in line with it (never the other way round).
    const chunks = chunkRanges(
      [
        ...ledgerRanges,
        ...repaired.ranges,
        ...updates.ranges,
        ...appends,
        ...auditRanges,
        ...replaced.map((r) => r.range),
      ],
      maxBytes,
    );
    let n = 0;
    for (const chunk of chunks) {
      progress({ phase: 'write', done: n, total: chunks.length });
      await gw.writeValues(`writing credits (request ${n + 1} of ${chunks.length})`, chunk);
      opts.afterWriteRequest?.(++n);
    }
    progress({ phase: 'write', done: chunks.length, total: chunks.length });

    // Statuses after the write: the re-read column, overlaid with what we just wrote.
    const statuses = [...now0.statuses];
    for (const { repair, row } of repaired.rows)
      if (repair.fields.status !== undefined) statuses[row] = text(repair.fields.status);
    for (const u of guarded) {
      const row = updates.rows.get(u.key);
      if (row !== undefined && u.fields.status !== undefined) statuses[row] = text(u.fields.status);
    }
    for (const a of newRows) statuses.push(text(a.status));
    const locked = statuses.map((s) => isStatus(s) && isLocked(s));
    const plan = (sheet: sheets_v4.Schema$Spreadsheet) =>
      planProtection({
        sheetId: credits.sheetId,
        locked,
        existing:
          (sheet.sheets ?? []).find((s) => s.properties?.sheetId === credits.sheetId)?.protectedRanges ?? [],
        editor,
        caller,
        newId: () => 1 + Math.floor(Math.random() * 2_000_000_000),
      });
    progress({ phase: 'protect', done: 0, total: 1 });
    const ledgerSetup = (sheet: sheets_v4.Schema$Spreadsheet) =>
      ledgerSheetRequests(
        sheet,
        ledger.sheetId,
        editor,
        () => 1 + Math.floor(Math.random() * 2_000_000_000),
        caller,
      );
    // The Summary tab and its charts ride in this same request (see sheets-summary.ts).
    const summary = (sheet: sheets_v4.Schema$Spreadsheet) =>
      changes.summary
        ? planSummaryRequests(sheet, changes.summary, { editor, newSheetId: () => freeSheetId(sheet) })
        : [];
    // New rows in a currency with other minor units than the column's default get their own money format.
    const moneyFormats = moneyFormatRequests(
      credits.sheetId,
      [l.credits.amount, l.credits.distributorKeeps],
      creditRows,
      newRows.map((r) => text(r.currency)),
    );
    let protect = [...plan(ss), ...ledgerSetup(ss), ...summary(ss), ...moneyFormats];
    for (let round = 0; ; round++) {
      try {
        // Past maxBytes the requests go in several batchUpdates, in order, the lock released with the last: a
        // protected range is ~285 bytes of request, and Google refuses a body over 10 MiB (~36,800 locked runs;
        // emulators/sheets-server.ts MAX_BODY_BYTES), recommending 2 MB.
        const parts = chunkBySize(protect, maxBytes, (r) => JSON.stringify(r).length + 1);
        const last = parts.pop() ?? [];
        for (const part of parts) await gw.batchUpdate('protecting locked rows', part);
        await gw.batchUpdate(protect.length ? 'protecting locked rows' : 'releasing the sync lock', [
          ...last,
          lock.releaseRequest(),
        ]);
        break;
      } catch (e) {
        // A 400 after a lost reply means the first attempt was applied (our pinned ids now exist): re-plan from what is there.
        if (!(e instanceof SheetsApiError && e.status === 400) || round >= 2) throw e;
        const again = await gw.get('re-reading the protected ranges', GET_FIELDS.write);
        protect = [...plan(again), ...ledgerSetup(again), ...summary(again), ...moneyFormats];
      }
    }
    lock.markReleased();
    progress({ phase: 'protect', done: 1, total: 1 });

    // Keep the cached layout in step with what we wrote, for a write() without a new read().
    for (const r of replaced) l.tabs[r.tab] = r.grid;
    l.seen = seenAfterWrite(now0.keys, repaired.rows, newRows, statuses, auditRows + auditRecords.length);
    return {
      updatedRows: updates.rows.size,
      appendedRows: newRows.length,
      lockedRows: locked.filter(Boolean).length,
      skipped: [
        ...repaired.skipped.map((r) => ({ ...r, creditId: '', why: 'changed' as const })),
        ...skipped,
      ],
    };
  }

  return {
    label: `Google Sheet ${opts.spreadsheetId}`,
    read,
    write,
    gridSize: async () => sheetsTabSizes(await gw.get('counting cells', GET_FIELDS.sizes)),
    // A run that read but wrote nothing (a dry run, a refused assign) still frees the sheet.
    close: async () => {
      if (lock?.isHeld) await lock.release();
    },
  };
}

/** A sheet ID no tab uses yet. */
function freeSheetId(ss: sheets_v4.Schema$Spreadsheet): number {
  const taken = new Set((ss.sheets ?? []).map((s) => s.properties?.sheetId));
  let id = 1 + Math.floor(Math.random() * 2_000_000_000);
  while (taken.has(id)) id++;
  return id;
}

/**
 * The Audit tab as Sink.read's contract gives it (sink.ts: `auditColumns`), without downloading it: the asked
 * columns (Credit ID and Action always) of every row, and the rows whose Action is one of AUDIT_WHOLE_ROWS or
 * `auditDetail` whole (their When, Who, Field, Before and After: a Ledger row lost is rebuilt from a collect
 * row's When, a close row's When and After — reconcile-step.ts), but for the collect and close rows of a
 * collection the Ledger tab holds (`held`; sink.ts TRACE_ROWS), which stay narrow: one narrow pass, then whole
 * rows only for the collections the Ledger lacks (decision 0022). Other cells of the grid are empty. Without
 * `auditColumns`, the whole tab (archive copies whole rows). The Audit tab is only ever appended to.
 */
async function readAuditColumns(
  gw: SheetsGateway,
  headers: string[],
  narrow: Pick<ReadOptions, 'auditColumns' | 'auditDetail'>,
  /** The Audit grid's row count (spreadsheets.get): a range starting past it would be refused. */
  gridRows: number,
  /** Other ranges to fetch in the same request (the Credits columns of a narrow read), answered in `extra`. */
  extraRanges: readonly string[],
  /** Credit IDs whose collection the Ledger tab holds: their TRACE_ROWS stay narrow (core/ledger.ts collectionsHeld). */
  held: ReadonlySet<string>,
): Promise<{ grid: Grid; extra: sheets_v4.Schema$ValueRange[] }> {
  const title = TABS.audit.name;
  const at = (field: AuditField) => columnAt('audit', headers, field);
  const all = TABS.audit.columns.map((c) => at(c.field));
  if (!narrow.auditColumns || all.some((c) => c < 0)) {
    // The whole tab: asked for, or a contract column is missing (the layout check must see the tab as it is).
    const [whole, ...extra] = await gw.batchGet(
      'reading the Audit tab',
      [quoteSheet(title), ...extraRanges],
      true,
    );
    return { grid: gridFromValues(rowsOf(whole).values), extra };
  }
  const keptFields = new Set<AuditField>([...narrow.auditColumns, 'creditId', 'action']);
  const kept = TABS.audit.columns.filter((c) => keptFields.has(c.field)).map((c) => at(c.field));
  const rest = TABS.audit.columns.filter((c) => !keptFields.has(c.field)).map((c) => at(c.field));
  const actionCol = at('action');
  const got = await gw.batchGet(
    `reading the Audit tab (${[...keptFields].join(', ')})`,
    [...kept.map((c) => a1Column(title, c)), ...extraRanges],
    true,
  );
  const columns = got.slice(0, kept.length);
  const extra = got.slice(kept.length);
  // Every range here is one column, asked by columns: values[0] is the column.
  const cell = (v: sheets_v4.Schema$ValueRange | undefined, r: number) =>
    (v?.values?.[0]?.[r] ?? null) as Cell;
  const n = Math.max(1, ...columns.map((v) => v?.values?.[0]?.length ?? 1)) - 1;
  const whole = new Set<string>([...AUDIT_WHOLE_ROWS, ...(narrow.auditDetail ?? [])]);
  const traceRows = new Set<string>(TRACE_ROWS.filter((a) => !narrow.auditDetail?.includes(a)));
  const creditIdCol = at('creditId');
  const rows: Cell[][] = [];
  const wholeRows: number[] = [];
  for (let r = 1; r <= n; r++) {
    const row: Cell[] = new Array<Cell>(headers.length).fill(null);
    kept.forEach((c, i) => (row[c] = cell(columns[i], r)));
    const action = text(row[actionCol]);
    if (rest.length && whole.has(action) && !(traceRows.has(action) && held.has(text(row[creditIdCol]))))
      wholeRows.push(r);
    rows.push(row);
  }
  // Below the last row read, rows whose only values are in the columns left out (a Who typed under the log):
  // every row is there in a narrow read too, so their length is read, from the first row past `n` down.
  const tail = n + 1 < gridRows ? rest.map((c) => a1ColumnFrom(title, c, n + 1)) : [];
  if (wholeRows.length || tail.length) {
    // Runs of consecutive rows, each one range per column left out; past a few hundred, those columns whole.
    const runs: [number, number][] = [];
    for (const r of wholeRows) {
      const last = runs[runs.length - 1];
      if (last && last[1] === r) last[1] = r + 1;
      else runs.push([r, r + 1]);
    }
    const byColumn = runs.length > 200;
    const ranges = byColumn
      ? rest.map((c) => a1Column(title, c))
      : runs.flatMap(([r0, r1]) => rest.map((c) => a1Range(title, r0, c, r1, c + 1)));
    const details = await gw.batchGet(
      wholeRows.length
        ? 'reading the whole Audit rows the command looks up'
        : 'reading the Audit tab (its length)',
      byColumn ? ranges : [...ranges, ...tail],
      true,
    );
    const pairs = byColumn ? [[0, n + 1] as [number, number]] : runs;
    const wanted = new Set(wholeRows);
    pairs.forEach(([r0, r1], i) => {
      for (let r = r0; r < r1; r++) {
        if (r < 1 || r > n || !wanted.has(r)) continue;
        rest.forEach((c, j) => (rows[r - 1][c] = cell(details[rest.length * i + j], r - r0)));
      }
    });
    // Read whole, the columns left out give the length themselves; else the tail ranges after the runs' ranges.
    const below = byColumn
      ? Math.max(0, ...details.map((d) => (d?.values?.[0]?.length ?? 1) - 1 - n))
      : Math.max(0, ...details.slice(ranges.length).map((d) => d?.values?.[0]?.length ?? 0));
    for (let k = 0; k < below; k++) rows.push(new Array<Cell>(headers.length).fill(null));
  }
  return { grid: { headers, rows }, extra };
}

/**
 * The Credits tab of a scoped read (ReadOptions.scope): from the Credit ID and Status columns, the rows in scope
 * (sheets-scope.ts) whole, one range per run of rows (runs a few rows apart merged), the others blank; past
 * MAX_SCOPE_RUNS runs or MAX_SCOPE_SHARE of the rows, the rest of the deciding columns whole, as an unscoped read
 * gives them (`scoped` false).
 */
async function readScoped(
  gw: SheetsGateway,
  at: {
    header: readonly unknown[];
    /** The deciding columns (creditColumns), and the Credit ID and Status columns among them, read already. */
    cols: readonly number[];
    scopeCols: readonly number[];
    columns: readonly (readonly unknown[])[];
    wanted: ReadonlySet<string>;
    issued: ReadonlySet<string>;
  },
): Promise<{ values: unknown[][]; scoped: boolean }> {
  const [creditIds, statuses] = at.columns;
  const { rows, height } = scopedRows({ creditIds, statuses, wanted: at.wanted, issued: at.issued });
  const runs = scopeRuns(rows, height);
  const title = TABS.credits.name;
  if (runs) {
    const got = runs.length
      ? await gw.batchGet(
          'reading the Credits rows of the command and of collected credits',
          scopeRanges(title, runs, at.header.length),
        )
      : [];
    return {
      values: valuesFromScope(
        at.header,
        height,
        runs,
        got.map((v) => v.values),
      ),
      scoped: true,
    };
  }
  const rest = at.cols.filter((c) => !at.scopeCols.includes(c));
  const got = await gw.batchGet('reading the Credits tab', creditColumnRanges(title, rest), true);
  const byCol = new Map<number, readonly unknown[] | undefined>();
  at.scopeCols.forEach((c, i) => byCol.set(c, at.columns[i]));
  rest.forEach((c, i) => byCol.set(c, got[i]?.values?.[0]));
  return {
    values: valuesFromColumns(
      at.header,
      at.cols,
      at.cols.map((c) => byCol.get(c)),
    ),
    scoped: false,
  };
}

/** A tab's info with its grid size as `ss` has it now. */
function sized(ss: sheets_v4.Schema$Spreadsheet, info: TabInfo): TabInfo {
  const gp =
    (ss.sheets ?? []).find((s) => s.properties?.sheetId === info.sheetId)?.properties?.gridProperties ?? {};
  return { ...info, rowCount: gp.rowCount ?? 0, columnCount: gp.columnCount ?? 0 };
}

/** appendDimension requests for tabs whose grid is smaller than needed. */
function growRequests(needs: { info: TabInfo; rows: number; cols: number }[]): sheets_v4.Schema$Request[] {
  const out: sheets_v4.Schema$Request[] = [];
  for (const { info, rows, cols } of needs) {
    if (rows > info.rowCount)
      out.push({
        appendDimension: { sheetId: info.sheetId, dimension: 'ROWS', length: rows - info.rowCount },
      });
    if (cols > info.columnCount)
      out.push({
        appendDimension: { sheetId: info.sheetId, dimension: 'COLUMNS', length: cols - info.columnCount },
      });
  }
  return out;
}

/** The columns the write will address must still be where read() found them. */
function assertSameColumns(l: Layout, header: readonly unknown[]): void {
  const moved = TABS.credits.columns.filter(
    (c) => text(header[l.credits[c.field]] as Cell).toLowerCase() !== c.header.toLowerCase(),
  );
  if (moved.length) {
    throw new CreditDeskError(
      'BAD_SHEET',
      `Columns of the Credits tab moved while the sync was running (${moved.map((c) => `"${c.header}"`).join(', ')}); nothing was written.`,
      'Run the sync again; it reads the new column positions.',
    );
  }
}
