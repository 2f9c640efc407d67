/**
 * Reads a sink's snapshot into the domain (credits with their rows, accounts, rules, default configuration,
 * IDs ever issued), and turns domain changes back into a ChangeSet that writes only the fields that changed.
 */
import { CreditDeskError } from './errors';
import { buildDirectory, type AccountDirectory } from './accounts';
import { auditCells, compactAudit, type AuditEntry } from './audit';
import { parseConfig } from './config';
import { readAwsBills } from './aws-bill';
import type { Credit } from './credit';
import { CREDIT_ID_PATTERN } from './ids';
import { ledgerIds } from './ledger';
import { readArchivedLedger, type ArchivedSet } from './archived-ledger';
import { driftKey, indexExisting, type ExistingCredit } from './merge';
import {
  DECISION_FIELDS,
  type AccountField,
  type AuditField,
  type ConfigField,
  type CreditField,
  type RuleField,
} from './sheet-contract';
import {
  creditCell,
  creditFromRow,
  creditToCells,
  indexColumns,
  readRecords,
  text,
  type Cell,
  type ColumnIndex,
  type Grid,
} from './table';
import type { DefaultConfiguration } from './rules/types';
import type { CellUpdate, ChangeSet, Snapshot } from './sheet-changes';

/** Fields whose change means the plan decided about the credit's assignment (or collection). */
const DECISION_FIELD_SET = new Set<CreditField>(DECISION_FIELDS);

/** The sheet as the domain reads it (not to be confused with the emulator's per-tab SheetState). */
export interface DeskState {
  snapshot: Snapshot;
  credits: ExistingCredit[];
  byKey: Map<string, ExistingCredit>;
  directory: AccountDirectory;
  ruleRecords: { row: number; record: Record<RuleField, Cell> }[];
  defaults: DefaultConfiguration;
  /** Per period, whether AWS has finalised it as the Config tab records it (core/aws-bill.ts). */
  awsBills: Map<string, string>;
  takenIds: Set<string>;
  /**
   * IDs the Audit shows were issued that no Credits row and no Ledger entry holds: a credit deleted by hand may
   * get its own back when the CUR brings it again (core/ids.ts issueCreditIds).
   */
  reissuableIds: Set<string>;
  /** Credits moved to the archive, as the Ledger tab lists them: never imported again, IDs never reused. */
  archived: ArchivedSet;
  recordedDrift: Set<string>;
  usageFileIds: Set<string>;
  /** Credits rows that could not be read, with why; only filled by a lenient read (else the read throws). */
  unreadable: { sheetRow: number; message: string }[];
}

/**
 * The credits of a Credits grid, each with its sheet row (1-based); blank rows skipped. The sync and the add-on
 * both read credits here, so a row has one number everywhere. `lenient`: see readState.
 */
export function readCreditRows(
  grid: Grid,
  idx: ColumnIndex<CreditField> = indexColumns<CreditField>('credits', grid.headers),
  opts: { lenient?: boolean } = {},
): { credits: ExistingCredit[]; unreadable: DeskState['unreadable'] } {
  const credits: ExistingCredit[] = [];
  const unreadable: DeskState['unreadable'] = [];
  grid.rows.forEach((row, i) => {
    try {
      const credit = creditFromRow(row, idx, i + 2);
      if (credit) credits.push({ sheetRow: i + 2, credit });
    } catch (e) {
      if (!opts.lenient) throw e;
      unreadable.push({ sheetRow: i + 2, message: (e as Error).message });
    }
  });
  return { credits, unreadable };
}

/** The Accounts tab as the account directory. */
export function readDirectory(snapshot: Snapshot): AccountDirectory {
  return buildDirectory(readRecords<AccountField>('accounts', snapshot.tabs.accounts), 'Accounts tab');
}

/**
 * The credit with this Credit ID (trimmed, upper-cased); null when no row holds it. Only that row is parsed: a
 * command changing one credit has no use for the other 50,000. Two rows holding it (an ID copied by hand that
 * reconciliation could not give back, core/reconcile.ts) is refused: the command would guess which credit is meant.
 */
export function findCreditById(grid: Grid, creditId: string): ExistingCredit | null {
  const idx = indexColumns<CreditField>('credits', grid.headers);
  const wanted = creditId.trim().toUpperCase();
  const found: ExistingCredit[] = [];
  for (let i = 0; i < grid.rows.length; i++) {
    if (text(grid.rows[i][idx.creditId]) !== wanted) continue;
    const credit = creditFromRow(grid.rows[i], idx, i + 2);
    if (credit) found.push({ sheetRow: i + 2, credit });
  }
  return soleCredit(found, wanted);
}

/**
 * The one credit of `found` (the rows holding Credit ID `id`), or null. Two credits holding one ID (a Credit ID
 * copied by hand, core/reconcile.ts) is refused: a command changing "the credit with this ID" would guess.
 */
export function soleCredit(found: readonly ExistingCredit[], id: string): ExistingCredit | null {
  if (found.length > 1)
    throw new CreditDeskError(
      'BAD_SHEET',
      `${id} is on rows ${found
        .map((f) => f.sheetRow)
        .join(', ')
        .replace(
          /, (\d+)$/,
          ' and $1',
        )} of the Credits tab, and a Credit ID names one credit; nothing was changed.`,
      "Give the copy its own Credit ID back or delete it (`credit-desk sync` puts a credit's own ID back, and flags UNMATCHED a copy that has none), then try again.",
    );
  return found[0] ?? null;
}

/**
 * `lenient`: a Credits row that cannot be read is listed in `unreadable` instead of failing the read. Only for
 * bulk commands that skip such rows (usage collect); the sync must not, or it would add the credit again.
 */
export function readState(snapshot: Snapshot, opts: { lenient?: boolean } = {}): DeskState {
  const { credits, unreadable } = readCreditRows(snapshot.tabs.credits, undefined, opts);
  const byKey = indexExisting(credits);
  const directory = readDirectory(snapshot);
  const ruleRecords = readRecords<RuleField>('rules', snapshot.tabs.rules);
  const defaults = parseConfig(readRecords<ConfigField>('config', snapshot.tabs.config));
  const audit = readRecords<AuditField>('audit', snapshot.tabs.audit);

  const takenIds = new Set<string>();
  const usageFileIds = new Set<string>();
  for (const { credit } of credits) {
    if (credit.creditId) takenIds.add(credit.creditId);
    if (credit.usageFileId) usageFileIds.add(credit.usageFileId);
  }
  // A collected credit's ID and usage file ID are taken forever, whatever happened to its Credits row.
  const ledger = ledgerIds(snapshot.tabs.ledger);
  for (const id of ledger.creditIds) takenIds.add(id);
  for (const id of ledger.usageFileIds) usageFileIds.add(id);
  const recordedDrift = new Set<string>();
  const reissuableIds = new Set<string>();
  for (const { record } of audit) {
    const id = text(record.creditId);
    if (CREDIT_ID_PATTERN.test(id) && !takenIds.has(id)) reissuableIds.add(id);
    if (text(record.action) === 'drift')
      recordedDrift.add(driftKey(id, text(record.field), text(record.after)));
  }
  for (const id of reissuableIds) takenIds.add(id);
  return {
    snapshot,
    credits,
    byKey,
    directory,
    ruleRecords,
    defaults,
    awsBills: readAwsBills(snapshot.tabs.config),
    takenIds,
    reissuableIds,
    archived: readArchivedLedger(snapshot.tabs.ledger),
    recordedDrift,
    usageFileIds,
    unreadable,
  };
}

export interface CreditChange {
  before: ExistingCredit | null;
  after: Credit;
  /** Fields to write for an existing row; ignored for a new one (all fields are written). */
  fields?: (keyof Credit)[];
}

/** Fields that differ between two versions of a credit, by their cell values. */
export function changedFields(before: Credit, after: Credit): CreditField[] {
  // The same value is the same cell, in the same currency (a money cell is its amount in the currency's
  // decimals: creditCell): only values that differ are turned into cells to compare (a collect diffs every
  // collected credit, and formatting each one's amounts was most of it).
  const sameCurrency = before.currency === after.currency;
  return (Object.keys(after) as CreditField[]).filter(
    (f) => !(sameCurrency && before[f] === after[f]) && creditCell(before, f) !== creditCell(after, f),
  );
}

export function buildChangeSet(changes: CreditChange[], audit: AuditEntry[]): ChangeSet {
  const set: ChangeSet = { updates: [], appends: [], audit: compactAudit(audit).map(auditCells) };
  for (const ch of changes) {
    if (!ch.before) {
      set.appends.push(creditToCells(ch.after));
      continue;
    }
    const fields = (ch.fields as CreditField[] | undefined) ?? changedFields(ch.before.credit, ch.after);
    if (fields.length === 0) continue;
    const cells: Partial<Record<CreditField, Cell>> = {};
    for (const f of fields) cells[f] = creditCell(ch.after, f);
    // Compare-and-set: the plan holds only while the Status read is still there (a row collected meanwhile
    // is locked), and, when this change touches the assignment, while the Allocation read is too.
    const expect: CellUpdate['expect'] = { status: ch.before.credit.status };
    if (fields.some((f) => DECISION_FIELD_SET.has(f))) expect.allocation = ch.before.credit.allocation;
    set.updates.push({
      key: ch.after.key,
      fields: cells,
      creditId: ch.after.creditId,
      expect,
    });
  }
  return set;
}
