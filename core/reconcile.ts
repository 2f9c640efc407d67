/**
 * Reconciliation: the Credits tab checked against the Ledger before any command writes.
 *
 * The sheet is the system of record for everything staff decide — except what the usage process collected.
 * For a collected credit the Ledger is the truth, and a hand edit (a deleted row, a retyped Status, an edited
 * allocation, a blanked Key or Credit ID, a renamed or deleted tab) is undone here:
 *
 * - a collected credit with no row is put back, with its own Credit ID, status, allocation and usage IDs;
 * - a row whose Key was blanked or edited but whose Credit ID names a collected credit gets its Key back in
 *   place (never a second row);
 * - every field of a collected credit's row that differs from the Ledger is restored;
 * - a row that says PROCESSING/PROCESSED but is in no usage record goes back to what its allocation says;
 * - a row with no Key is given back the key its own cells compute to, when they are a credit's;
 * - a Credit ID edited by hand, or copied from another credit's row, is put back (the ID the Audit shows was
 *   issued to the row's key), or the row flagged UNMATCHED when it has none (decision 0028);
 * - a row that matches no credit is kept and flagged UNMATCHED, never dropped.
 *
 * Every repair is an Audit entry (action `restore`, before/after) and sets the RESTORED flag. Pure: the
 * repairs come back as cell writes that the sinks apply (rows found by Key, or by Credit ID where the Key is
 * gone), and `applyRepairs` applies them to a grid in memory the same way (for dry runs and tests).
 */
import type { AuditEntry } from './audit';
import type { Credit } from './credit';
import { accountText, creditKey, firstCandidate, isCandidateOf, USAGE_FILE_ID_PATTERN } from './ids';
import { correctionKey, correctionOfDescription } from './correction-key';
import { creditOfEntry, type LedgerEntry } from './ledger';
import { checkLedgerKeys, type LedgerKeyCheck } from './ledger-key-check';
import { hasFlag, UNCOLLECTED_FLAGS, withFlags, withoutFlags } from './flags';
import { fromSheetValue, formatMinor } from './money';
import { CREDIT_COLUMNS, LEDGER_CREDIT_FIELDS, type CreditField } from './sheet-contract';
import { creditCell, indexColumns, text, type Cell, type ColumnIndex, type Grid } from './table';

export const RECONCILE_ACTOR = 'credit-desk reconcile';

/** Cells to write on a row found by its Key. */
export interface KeyedRepair {
  key: string;
  fields: Partial<Record<CreditField, Cell>>;
}

/**
 * Cells to write on a row whose Key is gone or wrong: found at write time as the row whose Credit ID cell is
 * `creditId` and whose Key cell is `readKey` (as read; '' for blank), `sheetRow` (1-based) preferred when several match.
 */
export interface RowRepair {
  sheetRow: number;
  creditId: string;
  readKey: string;
  fields: Partial<Record<CreditField, Cell>>;
}

export interface Repairs {
  updates: KeyedRepair[];
  rowRepairs: RowRepair[];
  appends: Record<CreditField, Cell>[];
  audit: AuditEntry[];
}

export interface Restoration {
  creditId: string;
  /** Sheet row (1-based) of the repaired row, or null for a row put back. */
  sheetRow: number | null;
  what: string;
}

export interface ReconcileResult {
  repairs: Repairs;
  restored: Restoration[];
  unmatched: { sheetRow: number; creditId: string; why: string }[];
  /**
   * Locked rows naming a usage file and record that no record knows (Ledger, usage files, Audit): the record of
   * their collection was lost, not typed. Left locked as they are, never reverted to ASSIGNED (that would bill
   * them again); `usage collect` refuses to run while there are any.
   */
  unrecorded: { sheetRow: number; creditId: string; usageFileId: string; usageRecordId: string }[];
  /** The Credits tab was missing (renamed or deleted) while the Ledger holds collected credits. */
  creditsTabMissing: boolean;
  /**
   * The Ledger's Keys checked (core/ledger-key-check.ts): its `ledger` is what was reconciled against (the input,
   * Keys put back, copies left out); rows under another credit's Key, put back, not taken or unproven.
   */
  ledgerKeys: LedgerKeyCheck;
}

export interface ReconcileInput {
  credits: Grid;
  ledger: readonly LedgerEntry[];
  /** The sink created the Credits tab on this read (it did not exist). */
  creditsTabCreated?: boolean;
  /** Every Credit ID the Audit tab shows as issued: lets a Credit ID edited by hand be put back. */
  issuedIds?: ReadonlySet<string>;
  now: string;
  actor?: string;
  /**
   * Keys of archived credits (`credit-desk archive`). Their Ledger rows have left the sheet and the caller leaves
   * them out of `ledger`; a row of one still in Credits (an archive run killed before it removed the rows) is
   * left exactly as it is — not reverted as "in no usage record", which would let it be collected and paid
   * again — for the next archive run to remove.
   */
  archivedKeys?: ReadonlySet<string>;
  /** Usage file IDs the record knows beyond `ledger` (archived ones): a row naming one was not lost. */
  knownUsageFiles?: ReadonlySet<string>;
}

/** The fields the Ledger decides for a collected credit (everything the Credits tab holds but staff columns). */
const LEDGER_DECIDES: readonly CreditField[] = LEDGER_CREDIT_FIELDS;

/**
 * Whether `s` is a billing period, YYYY-MM, tested by its characters: once per row of the Credits tab, where a
 * regular expression's test was a tenth of reconciliation.
 */
function isPeriod(s: string): boolean {
  if (s.length !== 7 || s.charCodeAt(4) !== 45 /* - */) return false;
  for (let i = 0; i < 7; i++) {
    const c = s.charCodeAt(i);
    if (i !== 4 && (c < 48 || c > 57)) return false;
  }
  return true;
}

const isBlankCell = (c: Cell | undefined) => c === null || c === undefined || c === '';

/** A cell as comparable text: money by value in minor units, accounts padded, other text trimmed. */
function cellText(field: CreditField, cell: Cell | undefined, currency: string): string {
  if (field === 'amount' || field === 'distributorKeeps') {
    if (isBlankCell(cell)) return '';
    try {
      return String(fromSheetValue(cell, currency));
    } catch {
      return `unreadable:${text(cell)}`;
    }
  }
  if (field === 'accountId' || field === 'payerAccountId') return accountText(cell);
  if (field === 'description') return isBlankCell(cell) ? '' : String(cell);
  return text(cell);
}

function expectedText(field: CreditField, e: LedgerEntry, credit: Credit): string {
  if (field === 'amount') return String(e.amount);
  if (field === 'distributorKeeps') return e.distributorKeeps === null ? '' : String(e.distributorKeeps);
  return text(creditCell(credit, field));
}

function shown(field: CreditField, cell: Cell | undefined, currency: string): string {
  if ((field === 'amount' || field === 'distributorKeeps') && typeof cell === 'number') {
    try {
      return formatMinor(fromSheetValue(cell, currency), currency);
    } catch {
      return text(cell);
    }
  }
  return field === 'description' ? (isBlankCell(cell) ? '' : String(cell)) : text(cell);
}

function readableAmount(cell: Cell | undefined, currency: string): boolean {
  try {
    fromSheetValue(cell, currency);
    return true;
  } catch {
    return false;
  }
}

/**
 * The key a row's own cells compute to, when they look like a credit's (null otherwise). A correction credit's
 * cells are its original's but for the Description, which names the original (core/correction.ts): its key is
 * the original's (from the Ledger, where every invoiced original is) with its `#c<n>`.
 */
function keyOfRow(
  row: readonly Cell[],
  idx: ColumnIndex<CreditField>,
  ledgerById: ReadonlyMap<string, LedgerEntry>,
): string | null {
  const period = text(row[idx.period]);
  const accountId = accountText(row[idx.accountId]);
  const payerAccountId = accountText(row[idx.payerAccountId]);
  if (!isPeriod(period) || !/^\d{12}$/.test(accountId) || !/^\d{12}$/.test(payerAccountId)) return null;
  const description = isBlankCell(row[idx.description]) ? '' : String(row[idx.description]);
  const corrects = correctionOfDescription(description);
  const original = corrects && ledgerById.get(corrects.originalId);
  if (original) return correctionKey(original.key, corrects.n);
  return creditKey({
    period,
    payerAccountId,
    accountId,
    service: text(row[idx.service]),
    currency: text(row[idx.currency]) || 'USD',
    description,
  });
}

/** The list under `key`, made empty the first time. */
function listIn(lists: Map<string, number[]>, key: string): number[] {
  let list = lists.get(key);
  if (!list) lists.set(key, (list = []));
  return list;
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const { credits: grid, now } = input;
  const actor = input.actor ?? RECONCILE_ACTOR;
  const idx = indexColumns<CreditField>('credits', grid.headers);
  // Each row's Key read once (text() trims): every pass below needs it, 240,000 rows on a year's sheet.
  const keys: string[] = new Array<string>(grid.rows.length);
  const rowsByKey = new Map<string, number>();
  // Credit IDs on more than one row (a cell copied by hand): staff name a credit by its ID (`assign <ID>`), so
  // each row whose key the ID was not issued to gets its own back below. Only with the Audit's issued IDs.
  const seenIds = input.issuedIds ? new Set<string>() : undefined;
  const sharedIds = new Set<string>();
  for (let i = 0; i < grid.rows.length; i++) {
    const row = grid.rows[i];
    const key = (keys[i] = text(row[idx.key]));
    if (key && !rowsByKey.has(key)) rowsByKey.set(key, i);
    if (seenIds) {
      const id = text(row[idx.creditId]);
      if (seenIds.has(id)) sharedIds.add(id);
      else if (id) seenIds.add(id);
    }
  }

  // A Ledger row under another credit's Key (decision 0031), before any row is matched to it by that Key.
  const checked = checkLedgerKeys(input.ledger, (key) => {
    const at = rowsByKey.get(key);
    if (at === undefined) return undefined;
    const row = grid.rows[at];
    return { creditId: text(row[idx.creditId]), period: text(row[idx.period]) };
  });
  const { ledger } = checked;
  const result: ReconcileResult = {
    repairs: { updates: [], rowRepairs: [], appends: [], audit: [] },
    restored: [],
    unmatched: [],
    unrecorded: [],
    creditsTabMissing: Boolean(input.creditsTabCreated) && input.ledger.length > 0,
    ledgerKeys: checked,
  };
  const { repairs } = result;
  const audit = (creditId: string, field: string, before: string, after: string) =>
    repairs.audit.push({ when: now, who: actor, action: 'restore', creditId, field, before, after });
  const ledgerByKey = new Map(ledger.map((e) => [e.key, e]));
  const knownFiles = new Set([...ledger.map((e) => e.usageFileId), ...(input.knownUsageFiles ?? [])]);
  const ledgerById = new Map(ledger.map((e) => [e.creditId, e]));

  /** Rows taken by a Ledger entry: entry key → row. */
  const rowOfEntry = new Map<string, number>();
  // A flag per row, not a Set of row numbers: looked up once per row below.
  const claimed = new Uint8Array(grid.rows.length);
  for (const e of ledger) {
    const at = rowsByKey.get(e.key);
    if (at !== undefined) {
      rowOfEntry.set(e.key, at);
      claimed[at] = 1;
    }
  }
  // A collected credit whose Key is gone: its row is one whose Key is blank or is not what its own cells
  // compute to (an edited Key) and that no other entry claims — the one with its Credit ID, else the one whose
  // cells compute to its key (Key and Credit ID both edited).
  // Built once, and only when some entry has no row by Key: a scan per entry would hash every row per entry.
  if (ledger.some((e) => !rowOfEntry.has(e.key))) {
    const byId = new Map<string, number[]>();
    const byCells = new Map<string, number[]>();
    grid.rows.forEach((row, i) => {
      const key = keys[i];
      if (claimed[i] || (key && ledgerByKey.has(key))) return;
      const own = keyOfRow(row, idx, ledgerById);
      if (key && key === own) return; // an intact row of some other credit
      const id = text(row[idx.creditId]);
      // Pushed, not copied: a copy per row made many rows with one Credit ID (pasted down a column) quadratic.
      if (id) listIn(byId, id).push(i);
      if (own) listIn(byCells, own).push(i);
    });
    for (const pass of [byId, byCells]) {
      for (const e of ledger) {
        if (rowOfEntry.has(e.key)) continue;
        const at = (pass.get(pass === byId ? e.creditId : e.key) ?? []).find((i) => !claimed[i]);
        if (at !== undefined) {
          rowOfEntry.set(e.key, at);
          claimed[at] = 1;
        }
      }
    }
  }

  // 1. Collected credits: restore their row, or put it back.
  for (const e of ledger) {
    const at = rowOfEntry.get(e.key);
    if (at === undefined) {
      const restored: Credit = {
        ...creditOfEntry(e),
        flags: withFlags('', ['RESTORED']),
        notes: '',
        lastChange: now,
      };
      const cells = {} as Record<CreditField, Cell>;
      for (const c of CREDIT_COLUMNS) cells[c.field] = creditCell(restored, c.field);
      repairs.appends.push(cells);
      const why = input.creditsTabCreated ? 'the Credits tab was missing' : 'its row was missing';
      audit(e.creditId, 'row', '', `put back from the Ledger (${e.usageFileId}, ${e.status}): ${why}`);
      result.restored.push({ creditId: e.creditId, sheetRow: null, what: `row put back (${why})` });
      continue;
    }
    const row = grid.rows[at];
    const readKey = keys[at];
    const fields: Partial<Record<CreditField, Cell>> = {};
    const changed: string[] = [];
    const credit = creditOfEntry(e) as Credit; // creditCell reads only the fields the Ledger decides
    for (const f of LEDGER_DECIDES) {
      if (f === 'payerAccountId' && !e.payerAccountId) continue; // unknown for files older than the Ledger
      // Amounts are read in the Ledger's currency: that is what they were written in, whatever the cell says now.
      if (cellText(f, row[idx[f]], e.currency) === expectedText(f, e, credit)) continue;
      fields[f] = creditCell(credit, f);
      audit(e.creditId, f, shown(f, row[idx[f]], e.currency), shown(f, fields[f], e.currency));
      changed.push(f);
    }
    if (readKey !== e.key) {
      fields.key = e.key;
      audit(e.creditId, 'key', readKey, e.key);
      changed.push('key');
    }
    // A collected credit's row saying it is not collected (a paste of a pending row's Flags cell) would send staff
    // after a credit that is billed; the words go, every other one stays.
    const flagsNow = text(row[idx.flags]);
    const stale = UNCOLLECTED_FLAGS.filter((f) => hasFlag(flagsNow, f));
    const flags = stale.length ? withoutFlags(flagsNow, stale) : flagsNow;
    if (stale.length) {
      audit(e.creditId, 'flags', flagsNow, withFlags(flags, ['RESTORED']));
      changed.push('flags');
    }
    if (!changed.length) continue;
    fields.flags = withFlags(flags, ['RESTORED']);
    fields.lastChange = now;
    if (readKey === e.key) repairs.updates.push({ key: e.key, fields });
    else repairs.rowRepairs.push({ sheetRow: at + 2, creditId: text(row[idx.creditId]), readKey, fields });
    result.restored.push({ creditId: e.creditId, sheetRow: at + 2, what: changed.join(', ') });
  }

  // 2. Every other row. A row matched to a collected credit holds that credit's Credit ID once step 1 has run,
  // whatever its cell says now: counting the cell instead would keep a Credit ID a person copied onto it
  // "in use", and the credit it was copied from would get its own ID back only on the next run.
  const entryIdOfRow = new Map<number, string>();
  for (const e of ledger) {
    const at = rowOfEntry.get(e.key);
    if (at !== undefined) entryIdOfRow.set(at, e.creditId);
  }
  // A row with no Key that holds no credit either (a blank row someone typed or pasted an ID into) holds no ID:
  // counting it would keep the credit whose ID was copied there from getting it back until a later run.
  // Made the first time a row's Credit ID is in doubt (rare): a Set of every row's ID was 0.2 s of a one-credit
  // `assign` on a year's sheet, for rows that are nearly always all right.
  let inUse: Set<string> | undefined;
  const idsInUse = (): Set<string> => {
    if (inUse) return inUse;
    inUse = new Set<string>();
    grid.rows.forEach((row, i) => {
      const id = entryIdOfRow.get(i) ?? text(row[idx.creditId]);
      if (!id) return;
      // A Key alone is not a credit: a row with neither a period nor an amount loses a Key typed into it below.
      const holdsCredit =
        entryIdOfRow.has(i) ||
        isPeriod(text(row[idx.period])) ||
        readableAmount(row[idx.amount], text(row[idx.currency]) || 'USD');
      // Nor does a copy of another credit's ID (below, it gets its own back or is flagged): counting it would keep
      // the credit the ID was issued to from getting it back until a later run.
      const copy =
        !entryIdOfRow.has(i) && sharedIds.has(id) && !isCandidateOf(keys[i], text(row[idx.period]), id);
      if (holdsCredit && !copy) inUse!.add(id);
    });
    return inUse;
  };
  const archivedKeys = input.archivedKeys?.size ? input.archivedKeys : undefined;
  grid.rows.forEach((row, i) => {
    if (claimed[i]) return;
    const readKey = keys[i];
    if (archivedKeys?.has(readKey)) return;
    const creditId = text(row[idx.creditId]);
    if (!readKey && !creditId) return; // a blank row or a note staff inserted: theirs
    const status = text(row[idx.status]);
    const locked = status === 'PROCESSING' || status === 'PROCESSED';
    // The usual row (a Key, an issued Credit ID that is no collected credit's, a period, not locked) needs nothing:
    // each test below then passes, so it is left here without the work and allocations of one that may (180,000
    // rows of a year's sheet).
    if (
      readKey &&
      creditId &&
      !locked &&
      !ledgerById.has(creditId) &&
      (!input.issuedIds || input.issuedIds.has(creditId)) &&
      !sharedIds.has(creditId) &&
      isPeriod(text(row[idx.period])) &&
      isBlankCell(row[idx.usageFileId]) &&
      isBlankCell(row[idx.usageRecordId]) &&
      isBlankCell(row[idx.processingDate])
    )
      return;
    const fields: Partial<Record<CreditField, Cell>> = {};
    const changed: string[] = [];
    // Hashing every row's cells would cost as much as the merge; only the rows that need it pay. (No closure
    // per row for it, nor for settleUsage: 240,000 of each on a year's sheet, for the few rows that use them.)
    let computed: string | null | undefined;
    let key = readKey;
    if (!key) {
      const k = (computed = keyOfRow(row, idx, ledgerById));
      if (k && !rowsByKey.has(k) && !ledgerByKey.has(k)) {
        fields.key = key = k;
        rowsByKey.set(k, i);
        audit(creditId, 'key', '', k);
        changed.push('Key');
      } else {
        flagUnmatched(
          i,
          creditId,
          'it has no Key and its cells are not a credit the sheet does not already hold',
        );
        return;
      }
    }
    if (
      !isPeriod(text(row[idx.period])) &&
      !readableAmount(row[idx.amount], text(row[idx.currency]) || 'USD')
    ) {
      // A Key typed into a row that holds no credit (no period, accounts or amount): the Key column is the
      // sync's, so the typed Key goes (Audit keeps it) and the row stays, flagged, as staff's.
      fields.key = '';
      audit(creditId, 'key', readKey, '');
      flagUnmatched(i, creditId, 'a Key was typed into a row that holds no credit', fields);
      write(i, readKey, creditId, fields, []);
      return;
    }
    // A Credit ID edited by hand: the ID the credit was issued is the first of its key's candidates that the
    // Audit tab lists as issued. Without that, a row wearing a collected credit's ID cannot be trusted.
    // A Credit ID on another row too is this row's only if it is one its key could have been issued.
    const period = text(row[idx.period]);
    const copied = sharedIds.has(creditId) && !isCandidateOf(key, period, creditId);
    const wrongId =
      !creditId || ledgerById.has(creditId) || (input.issuedIds && !input.issuedIds.has(creditId)) || copied;
    if (wrongId && input.issuedIds) {
      const issuedIds = input.issuedIds;
      const issued = firstCandidate(
        key,
        period,
        (id) => issuedIds.has(id) && !ledgerById.has(id) && (id === creditId || !idsInUse().has(id)),
      );
      if (issued && issued !== creditId) {
        fields.creditId = issued;
        idsInUse().add(issued);
        audit(issued, 'creditId', creditId, issued);
        changed.push(`Credit ID ${creditId || '(blank)'} → ${issued}`);
      }
    }
    const id = text(fields.creditId ?? creditId);
    if (ledgerById.has(id) || (locked && key !== (computed ??= keyOfRow(row, idx, ledgerById)))) {
      const why = ledgerById.has(id)
        ? `its Credit ID belongs to collected credit ${id} (another row)`
        : 'it says it was collected, is in no usage record, and its Key does not match its cells';
      flagUnmatched(i, id, why, fields);
      settleUsage(row, status, fields, changed, id);
      write(i, readKey, id, fields, changed);
      return;
    }
    // Another credit's ID and no ID of its own to put back (its Audit rows gone, or its Key edited): flagged, so
    // that nobody collects it or names it by that ID until someone checks it (`assign <ID>` refuses the ID).
    if (copied && id === creditId) {
      flagUnmatched(
        i,
        id,
        `its Credit ID is on another row too and was not issued to this row's credit`,
        fields,
      );
      settleUsage(row, status, fields, changed, id);
      write(i, readKey, id, fields, changed);
      return;
    }
    if (locked && lostRecord(row)) {
      result.unrecorded.push({
        sheetRow: i + 2,
        creditId: id,
        usageFileId: text(row[idx.usageFileId]),
        usageRecordId: text(row[idx.usageRecordId]),
      });
      if (changed.length) write(i, readKey, id, fields, changed);
      return;
    }
    settleUsage(row, status, fields, changed, id);
    if (!changed.length) return;
    fields.flags = withFlags(text(row[idx.flags]), ['RESTORED']);
    write(i, readKey, id, fields, changed);
  });

  /**
   * A row in no usage record (whatever else is repaired on it): locked, it goes back to what its allocation says
   * (ASSIGNED, or PENDING_ASSIGN when empty); either way its usage cells are cleared. Every path that repairs such
   * a row calls it, so one run leaves nothing for the next.
   */
  function settleUsage(
    row: readonly Cell[],
    status: string,
    f: Partial<Record<CreditField, Cell>>,
    list: string[],
    who: string,
  ): void {
    const locked = status === 'PROCESSING' || status === 'PROCESSED';
    if (locked) {
      const back = text(row[idx.allocation]) ? 'ASSIGNED' : 'PENDING_ASSIGN';
      f.status = back;
      audit(who, 'status', status, back);
      list.push(`status ${status} → ${back} (in no usage record)`);
    }
    if (clearUsageCells(row, f, who) && !locked) list.push('usage IDs cleared, in no usage record');
  }

  /**
   * The usage cells of a row in no usage record cleared (whether any was set): only a collection writes them, with
   * the Status that locks the row, so on such a row they were typed, pasted or sorted in, and name a collection
   * the credit is not in.
   */
  function clearUsageCells(
    row: readonly Cell[],
    f: Partial<Record<CreditField, Cell>>,
    who: string,
  ): boolean {
    let cleared = false;
    for (const u of ['usageFileId', 'usageRecordId', 'processingDate'] as const) {
      if (isBlankCell(row[idx[u]])) continue;
      f[u] = '';
      audit(who, u, text(row[idx[u]]), '');
      cleared = true;
    }
    return cleared;
  }

  /**
   * A locked row whose usage file and record IDs belong together (UF-x and UR-x-NNNNN) and whose file no record
   * holds at all: its collection's record was lost (the Ledger tab deleted, the usage folder gone, the Audit
   * cleared), which a hand edit does not produce. A file the record knows, a record ID of another file, or a
   * blank one: typed by hand, reverted.
   */
  function lostRecord(row: readonly Cell[]): boolean {
    const fileId = text(row[idx.usageFileId]);
    const recordId = text(row[idx.usageRecordId]);
    return (
      USAGE_FILE_ID_PATTERN.test(fileId) &&
      !knownFiles.has(fileId) &&
      new RegExp(`^${fileId.replace(/^UF-/, 'UR-')}-\\d{5}$`).test(recordId)
    );
  }

  /** Queues a repair of row `i`, found by the Key read when it is a usable one, else by Credit ID and Key read. */
  function write(
    i: number,
    readKey: string,
    creditId: string,
    fields: Partial<Record<CreditField, Cell>>,
    changed: string[],
  ): void {
    if (!Object.keys(fields).length) return;
    fields.lastChange = now;
    const byKey = readKey && !ledgerByKey.has(readKey) && rowsByKey.get(readKey) === i && !fields.key;
    if (byKey) repairs.updates.push({ key: readKey, fields });
    else
      repairs.rowRepairs.push({
        sheetRow: i + 2,
        creditId: text(grid.rows[i][idx.creditId]),
        readKey,
        fields,
      });
    if (changed.length) result.restored.push({ creditId, sheetRow: i + 2, what: changed.join(', ') });
  }

  /** Flags a row that matches no credit (it is kept); with `into`, the flag joins that row's other repairs. */
  function flagUnmatched(
    i: number,
    creditId: string,
    why: string,
    into?: Partial<Record<CreditField, Cell>>,
  ): void {
    const row = grid.rows[i];
    result.unmatched.push({ sheetRow: i + 2, creditId, why });
    const flags = text(row[idx.flags]);
    const fields = into ?? {};
    if (!hasFlag(flags, 'UNMATCHED')) {
      fields.flags = withFlags(flags, ['UNMATCHED']);
      audit(creditId, 'flags', flags, text(fields.flags));
    }
    if (!into) write(i, text(row[idx.key]), creditId, fields, []);
  }

  return result;
}

export function isEmptyRepairs(r: Repairs): boolean {
  return !r.updates.length && !r.rowRepairs.length && !r.appends.length && !r.audit.length;
}

/**
 * Applies repairs to a grid in memory, the way the sinks do: updates by Key, row repairs by Credit ID and read
 * Key, appends after the last row. Returns a new grid; the input is not changed.
 */
export function applyRepairs(grid: Grid, repairs: Repairs): Grid {
  const idx = indexColumns<CreditField>('credits', grid.headers);
  const rows = grid.rows.map((r) => [...r]);
  const width = grid.headers.length;
  const set = (row: Cell[], fields: Partial<Record<CreditField, Cell>>) => {
    for (const [f, v] of Object.entries(fields) as [CreditField, Cell][]) row[idx[f]] = v;
  };
  for (const r of repairs.rowRepairs) {
    const fits = (row: Cell[]) => text(row[idx.creditId]) === r.creditId && text(row[idx.key]) === r.readKey;
    const hint = r.sheetRow - 2;
    const at = rows[hint] && fits(rows[hint]) ? hint : rows.findIndex(fits);
    if (at >= 0) set(rows[at], r.fields);
  }
  const byKey = new Map<string, number>();
  rows.forEach((row, i) => {
    const k = text(row[idx.key]);
    if (k && !byKey.has(k)) byKey.set(k, i);
  });
  for (const u of repairs.updates) {
    const at = byKey.get(u.key);
    if (at !== undefined) set(rows[at], u.fields);
  }
  for (const a of repairs.appends) {
    const row: Cell[] = new Array(width).fill('');
    set(row, a);
    rows.push(row);
  }
  return { headers: grid.headers, rows };
}

/** "restored 3 locked rows: AWSC-… (row put back), …" — for the command's summary. */
export function describeReconcile(r: ReconcileResult, limit = 10): string[] {
  const lines: string[] = [];
  if (r.creditsTabMissing) {
    lines.push(
      `The Credits tab was missing (renamed or deleted): it was created again and the ${r.repairs.appends.length} collected credit(s) in the Ledger were put back. ` +
        'Credits that were not collected yet are imported again by the next sync; if the old tab was renamed, copy staff notes from it, then delete it.',
    );
  }
  if (r.restored.length) {
    const list = r.restored
      .slice(0, limit)
      .map((x) => `${x.creditId || '(no Credit ID)'}${x.sheetRow ? ` row ${x.sheetRow}` : ''} (${x.what})`);
    lines.push(
      `restored ${r.restored.length} row${r.restored.length === 1 ? '' : 's'} from the record (Ledger, usage files, Audit): ${list.join('; ')}${r.restored.length > limit ? `; … and ${r.restored.length - limit} more` : ''}. ` +
        'Filter Flags on RESTORED to see them; the Audit tab has each change (action "restore").',
    );
  }
  if (r.unrecorded.length) {
    const files = [...new Set(r.unrecorded.map((u) => u.usageFileId))];
    const list = r.unrecorded
      .slice(0, limit)
      .map((u) => `row ${u.sheetRow} ${u.creditId} (${u.usageFileId})`);
    lines.push(
      `${r.unrecorded.length} row${r.unrecorded.length === 1 ? '' : 's'} say they were collected into ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}, but no record of ${files.length === 1 ? 'that usage file' : 'those usage files'} survives (not in the Ledger tab, the usage folder or the Audit tab): ${list.join('; ')}${r.unrecorded.length > limit ? `; … and ${r.unrecorded.length - limit} more` : ''}. ` +
        'They stay locked as they are, and `usage collect` refuses to run until the record is back: restore the Ledger tab (File → Version history, or the workbook .bak) or copy the usage files back into the usage folder. If a row was never invoiced, clear its Usage File ID and Usage Record ID cells.',
    );
  }
  if (r.unmatched.length) {
    const list = r.unmatched.slice(0, limit).map((u) => `row ${u.sheetRow} ${u.creditId} (${u.why})`);
    lines.push(
      `${r.unmatched.length} row${r.unmatched.length === 1 ? '' : 's'} match no credit and were kept, flagged UNMATCHED: ${list.join('; ')}. ` +
        'Check them and delete the ones that are copies.',
    );
  }
  return lines;
}
