/**
 * The Google Sheets sink: the staff's spreadsheet through the Sheets API v4.
 *
 * A sync is a small constant number of requests whatever the number of rows:
 *   read():  spreadsheets.get → values.batchGet (four tabs, Audit's header) → values.batchGet (Audit's Credit ID and
 *            Action columns; never the whole Audit tab) → [one batchUpdate if the layout is incomplete]
 *   write(): lock (get, batchUpdate, get) → values.batchGet of the header row, Key, Status and Audit columns →
 *            [one batchUpdate growing the grids] → one values.batchUpdate per ~2 MB chunk (RAW) →
 *            one batchUpdate with the protection changes and the lock release.
 * Rows are matched by key at write time, so staff may sort, insert and delete rows between read and write.
 */
import { randomUUID } from 'node:crypto';
import type { sheets_v4 } from '@googleapis/sheets';
import { CreditDeskError } from '../../core/errors';
import { TABS, type AuditField, type CreditField, type TabId } from '../../core/sheet-contract';
import { isLocked, isStatus } from '../../core/status';
import { indexColumns, text, type Cell, type ColumnIndex, type Grid } from '../../core/table';
import { a1Column, a1Range, a1Row, quoteSheet } from './sheets-a1';
import { createGateway, defaultAuth, type SheetsAuth, type SheetsGateway } from './sheets-gateway';
import { gridFromValues, planLayout, TAB_IDS, type TabInfo } from './sheets-layout';
import { SheetLock } from './sheets-lock';
import { planProtection } from './sheets-protection';
import { SheetsApiError, type RetryHooks, type RetryPolicy } from './sheets-retry';
import {
  chunkRanges,
  keyRowsFrom,
  planAppends,
  planReplace,
  planUpdates,
  rowsPerBlock,
} from './sheets-writes';
import type { ChangeSet, Sink, Snapshot, WriteReport } from './sink';

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
  retry?: Partial<RetryPolicy>;
  /** Tests: a fake sleep/random to keep retries instant and reproducible. */
  retryHooks?: RetryHooks;
  onProgress?: (p: SheetsProgress) => void;
  now?: () => Date;
  lockTtlMs?: number;
  /** How often and how long to wait for another run's lock. */
  lockWait?: { attempts: number; ms: number };
  /** Per values.batchUpdate request body. Google recommends ≤ 2 MB. */
  maxRequestBytes?: number;
  /** Tests: called after each write request, to simulate a crash between two writes. */
  afterWriteRequest?: (n: number) => void;
}

export interface GoogleSheetsWriteReport extends WriteReport {
  /** Updates not applied because their key is no longer in the sheet. */
  skipped: { key: string; reason: string }[];
}

export interface GoogleSheetsSink extends Sink {
  write(changes: ChangeSet): Promise<GoogleSheetsWriteReport>;
}

interface Layout {
  info: Record<TabId, TabInfo>;
  tabs: Record<TabId, Grid>;
  credits: ColumnIndex<CreditField>;
  audit: ColumnIndex<AuditField>;
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
        'Use a service account key (GOOGLE_APPLICATION_CREDENTIALS) or pass the service account email as the sync identity.',
      );
    }
    identity = email;
    return email;
  }

  async function read(): Promise<Snapshot> {
    progress({ phase: 'read', done: 0, total: 2 });
    const ss = await gw.get('reading the spreadsheet layout');
    const titles = new Set((ss.sheets ?? []).map((s) => s.properties?.title));
    const present = TAB_IDS.filter((t) => titles.has(TABS[t].name));
    // Audit only grows: its header row here, then only the columns the sync needs (readAuditColumns).
    const values = present.length
      ? await gw.batchGet(
          'reading the tabs',
          present.map((t) => (t === 'audit' ? a1Row(TABS.audit.name, 0) : quoteSheet(TABS[t].name))),
        )
      : [];
    const grids: Partial<Record<TabId, Grid>> = {};
    present.forEach((t, i) => (grids[t] = gridFromValues(values[i]?.values)));
    if (grids.audit) grids.audit = await readAuditColumns(gw, grids.audit.headers);
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
    };
    progress({ phase: 'read', done: 2, total: 2 });
    return { tabs: plan.tabs };
  }

  async function write(changes: ChangeSet): Promise<GoogleSheetsWriteReport> {
    const l = layout ?? (await read(), layout!);
    const editor = await syncIdentity();
    const lock = new SheetLock(gw, {
      owner: randomUUID(),
      ttlMs: opts.lockTtlMs ?? 10 * 60_000,
      now,
      waitAttempts: opts.lockWait?.attempts ?? 5,
      waitMs: opts.lockWait?.ms ?? 15_000,
      sleep: opts.retryHooks?.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms))),
    });
    progress({ phase: 'lock', done: 0, total: 1 });
    // Grow the grids as far as read() says will be needed, in the lock's own request.
    const ss = await lock.acquire((current) =>
      growRequests([
        {
          info: sized(current, l.info.credits),
          rows: 1 + l.tabs.credits.rows.length + changes.appends.length,
          cols: 0,
        },
        {
          info: sized(current, l.info.audit),
          rows: 1 + l.tabs.audit.rows.length + changes.audit.length,
          cols: 0,
        },
      ]),
    );
    try {
      return await writeLocked(l, changes, ss, lock, editor);
    } finally {
      if (lock.isHeld) await lock.release().catch(() => undefined); // the original error matters more
    }
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
    const [header, keyCol, statusCol, auditCol] = await gw.batchGet('re-reading the Key and Status columns', [
      a1Row(credits.title, 0),
      a1Column(credits.title, l.credits.key),
      a1Column(credits.title, l.credits.status),
      a1Column(audit.title, l.audit.when),
    ]);
    assertSameColumns(l, header?.values?.[0] ?? []);
    const { keyRows, duplicates } = keyRowsFrom(keyCol?.values ?? undefined);
    if (duplicates.size) {
      const list = [...duplicates].slice(0, 10).map(([k, rows]) => `"${k}" in rows ${rows.join(', ')}`);
      throw new CreditDeskError(
        'BAD_SHEET',
        `The Credits tab has duplicated Keys: ${list.join('; ')}.`,
        'Delete the extra copy of each row and run again.',
      );
    }
    const statusValues = (statusCol?.values ?? []).slice(1);
    // Last row seen: appends go right after it (explicit ranges, never values.append's table guessing).
    const creditRows = Math.max((keyCol?.values?.length ?? 1) - 1, statusValues.length);
    const auditRows = Math.max((auditCol?.values?.length ?? 1) - 1, 0);

    const updates = planUpdates(credits.title, changes.updates, keyRows, l.credits);
    const blockRows = rowsPerBlock(changes.appends[0], maxBytes);
    const appends = planAppends(credits.title, changes.appends, creditRows, l.credits, blockRows);
    const auditRanges = planAppends(
      audit.title,
      changes.audit,
      auditRows,
      l.audit,
      rowsPerBlock(changes.audit[0], maxBytes),
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
    const current = (info: TabInfo) => sized(ss, info);
    const grow = growRequests([
      { info: current(credits), rows: 1 + creditRows + changes.appends.length, cols: 0 },
      { info: current(audit), rows: 1 + auditRows + changes.audit.length, cols: 0 },
      ...replaced.map((r) => ({
        info: current(l.info[r.tab]),
        rows: r.range.values!.length,
        cols: r.range.values![0].length,
      })),
    ]);
    if (grow.length) await gw.batchUpdate('adding rows for new credits', grow);

    const chunks = chunkRanges(
      [...updates.ranges, ...appends, ...auditRanges, ...replaced.map((r) => r.range)],
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
    const statuses: string[] = [];
    for (let i = 0; i < creditRows; i++) statuses.push(text(statusValues[i]?.[0] as Cell));
    for (const u of changes.updates) {
      const row = updates.rows.get(u.key);
      if (row !== undefined && u.fields.status !== undefined) statuses[row] = text(u.fields.status);
    }
    for (const a of changes.appends) statuses.push(text(a.status));
    const locked = statuses.map((s) => isStatus(s) && isLocked(s));
    const plan = (sheet: sheets_v4.Schema$Spreadsheet) =>
      planProtection({
        sheetId: credits.sheetId,
        locked,
        existing:
          (sheet.sheets ?? []).find((s) => s.properties?.sheetId === credits.sheetId)?.protectedRanges ?? [],
        editor,
        newId: () => 1 + Math.floor(Math.random() * 2_000_000_000),
      });
    progress({ phase: 'protect', done: 0, total: 1 });
    let protect = plan(ss);
    for (let round = 0; ; round++) {
      try {
        await gw.batchUpdate(protect.length ? 'protecting locked rows' : 'releasing the sync lock', [
          ...protect,
          lock.releaseRequest(),
        ]);
        break;
      } catch (e) {
        // A 400 after a lost reply means the first attempt was applied (our pinned ids now exist): re-plan from what is there.
        if (!(e instanceof SheetsApiError && e.status === 400) || round >= 2) throw e;
        protect = plan(await gw.get('re-reading the protected ranges'));
      }
    }
    lock.markReleased();
    progress({ phase: 'protect', done: 1, total: 1 });

    // Keep the cached layout in step with what we wrote, for a write() without a new read().
    for (const r of replaced) l.tabs[r.tab] = r.grid;
    return {
      updatedRows: updates.rows.size,
      appendedRows: changes.appends.length,
      lockedRows: locked.filter(Boolean).length,
      skipped: updates.skipped,
    };
  }

  return {
    label: `Google Sheet ${opts.spreadsheetId}`,
    read,
    write,
    close: async () => undefined,
  };
}

/** A tab's info with its grid size as `ss` has it now. */
/**
 * The Audit tab as the sync needs it, without downloading it: Credit ID and Action for every row (Credit IDs
 * ever issued), Field and After only on drift rows (drift already recorded). Other cells of the grid are
 * empty. Two small requests; a third only when there is drift. The Audit tab is only ever appended to.
 */
async function readAuditColumns(gw: SheetsGateway, headers: string[]): Promise<Grid> {
  const title = TABS.audit.name;
  const at = (field: AuditField) => {
    const header = TABS.audit.columns.find((c) => c.field === field)!.header.toLowerCase();
    return headers.findIndex((h) => h.trim().toLowerCase() === header);
  };
  const [idCol, actionCol, fieldCol, afterCol] = [at('creditId'), at('action'), at('field'), at('after')];
  if (idCol < 0 || actionCol < 0 || fieldCol < 0 || afterCol < 0)
    return gridFromValues((await gw.batchGet('reading the Audit tab', [quoteSheet(title)]))[0]?.values);
  const [ids, actions] = await gw.batchGet('reading the Audit tab (Credit ID, Action)', [
    a1Column(title, idCol),
    a1Column(title, actionCol),
  ]);
  const cell = (v: sheets_v4.Schema$ValueRange | undefined, r: number) =>
    (v?.values?.[r]?.[0] ?? null) as Cell;
  const n = Math.max(ids?.values?.length ?? 1, actions?.values?.length ?? 1) - 1;
  const rows: Cell[][] = [];
  const drift: number[] = [];
  for (let r = 1; r <= n; r++) {
    const row: Cell[] = new Array<Cell>(headers.length).fill(null);
    row[idCol] = cell(ids, r);
    row[actionCol] = cell(actions, r);
    if (text(row[actionCol]) === 'drift') drift.push(r);
    rows.push(row);
  }
  if (drift.length) {
    // Runs of consecutive drift rows, each one range; past a few hundred, the two columns whole.
    const runs: [number, number][] = [];
    for (const r of drift) {
      const last = runs[runs.length - 1];
      if (last && last[1] === r) last[1] = r + 1;
      else runs.push([r, r + 1]);
    }
    const ranges =
      runs.length > 200
        ? [a1Column(title, fieldCol), a1Column(title, afterCol)]
        : runs.flatMap(([r0, r1]) => [
            a1Range(title, r0, fieldCol, r1, fieldCol + 1),
            a1Range(title, r0, afterCol, r1, afterCol + 1),
          ]);
    const got = await gw.batchGet('reading the drift recorded in Audit', ranges);
    const pairs = runs.length > 200 ? [[0, n + 1] as [number, number]] : runs;
    pairs.forEach(([r0, r1], i) => {
      const [f, a] = [got[2 * i], got[2 * i + 1]];
      for (let r = r0; r < r1; r++) {
        if (r < 1 || r > n) continue;
        rows[r - 1][fieldCol] = cell(f, r - r0);
        rows[r - 1][afterCol] = cell(a, r - r0);
      }
    });
  }
  return { headers, rows };
}

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
